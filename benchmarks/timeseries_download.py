#!/usr/bin/env python3
"""Downloading one large time-series sample over HTTP: ei-desktop's HTTP backend against the
official SDK, same ``ei-desktop serve``, same run.

    .venv/bin/python benchmarks/timeseries_download.py [--mb 60] [--repeat 3]

Starts ``ei-desktop serve`` in its own process over a fresh project, stores one CSV time
series of about ``--mb`` MB (3 axes), then prints the median time of
``download_samples_by_ids`` for each client, and how ei-desktop's time splits between
fetching the values and writing the acquisition JSON text the SDK returns.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

import requests

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from figures import Figures, add_json_argument  # noqa: E402

from ei_desktop.server.testing import big_csv, free_port, serve_process  # noqa: E402

KEY = "bench-key-0123456789abcdef"
MB = 1024 * 1024


def timed(call, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        call()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mb", type=int, default=60, help="size of the CSV file (MB)")
    parser.add_argument("--repeat", type=int, default=3, help="downloads per figure (median)")
    add_json_argument(parser)
    args = parser.parse_args()

    import edgeimpulse as ei

    import ei_desktop
    from ei_desktop import data as eid
    from ei_desktop.core.backends.studio import StudioBackend

    with tempfile.TemporaryDirectory() as folder:
        port = free_port()
        process = serve_process(Path(folder) / "project", port, KEY)
        base = f"http://127.0.0.1:{port}"
        for module in (ei, ei_desktop):
            module.API_KEY = KEY
            module.API_ENDPOINT = f"{base}/v1"
            module.INGESTION_ENDPOINT = base
        try:
            data = big_csv(args.mb * MB, 7)
            response = requests.post(
                f"{base}/api/training/files",
                headers={"x-api-key": KEY},
                files=[("data", ("series.csv", data, "text/csv"))],
                timeout=600,
            )
            (entry,) = response.json()["files"]
            sample_id = entry["sampleId"]
            del data
            client = StudioBackend(KEY, f"{base}/v1", base)
            record = client.get_sample(sample_id)
            print(
                f"one CSV time series of {args.mb} MB: {record.values_count:,} rows × "
                f"{len(record.sensors)} axes; median of {args.repeat}"
            )
            fetch = timed(lambda: client._bodies([sample_id]), args.repeat)
            ours = timed(lambda: eid.download_samples_by_ids([sample_id]), args.repeat)
            sdk = timed(lambda: ei.data.download_samples_by_ids([sample_id]), args.repeat)
            client.close()
            print(f"ei-desktop download_samples_by_ids   {ours:7.2f} s")
            print(f"  of which fetching the values       {fetch:7.2f} s")
            print(f"  of which writing the JSON text     {ours - fetch:7.2f} s")
            print(f"official SDK download_samples_by_ids {sdk:7.2f} s  (ratio {sdk / ours:.2f}x)")
            figures = Figures("timeseries_download")
            figures.add(
                "download",
                f"download of one {args.mb} MB CSV time series over HTTP",
                ours,
                unit="s",
                reference=sdk,
                higher_is_better=False,
            )
            figures.write(args.json)
        finally:
            process.terminate()
            process.wait(30)


if __name__ == "__main__":
    main()
