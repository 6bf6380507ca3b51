#!/usr/bin/env python3
"""One sample's record over HTTP, for large samples: ``get_filename_by_id`` (ei-desktop and
the official SDK) and ``GET …/raw-data/{id}?limitPayloadValues=1`` against ``ei-desktop
serve``, with the server's peak memory.

    .venv/bin/python benchmarks/sample_by_id.py [--mb 95] [--repeat 5]

Starts ``ei-desktop serve`` in its own process over a fresh project, stores a CSV and an
acquisition JSON file of about ``--mb`` MB each, then prints for each the median time of
each call and the server's peak RSS above its idle RSS while they ran.

Target: under 20 ms per call, and no parse of the whole file (no hundreds of MB of RSS).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import orjson
import requests

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from figures import Figures, add_json_argument  # noqa: E402

from ei_desktop.server.testing import (  # noqa: E402
    ProcessMemory,
    big_csv,
    free_port,
    serve_process,
)

KEY = "bench-key-0123456789abcdef"
MB = 1024 * 1024


def big_json(nbytes: int) -> bytes:
    """An acquisition JSON file of about ``nbytes`` bytes (3 axes)."""
    rows = max(1, nbytes // 22)
    values = np.random.default_rng(0).integers(-99999, 99999, size=(rows, 3))
    doc = {
        "protected": {"ver": "v1", "alg": "none"},
        "signature": "0" * 64,
        "payload": {
            "device_type": "BENCH",
            "interval_ms": 10,
            "sensors": [{"name": n, "units": "m/s2"} for n in ("accX", "accY", "accZ")],
            "values": values,
        },
    }
    return orjson.dumps(doc, option=orjson.OPT_SERIALIZE_NUMPY)


def upload(base: str, name: str, data: bytes) -> int:
    response = requests.post(
        f"{base}/api/training/files",
        headers={"x-api-key": KEY},
        files=[("data", (name, data, "application/octet-stream"))],
        timeout=600,
    )
    (entry,) = response.json()["files"]
    assert entry["success"], entry
    return entry["sampleId"]


def timed_ms(call, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        call()
        times.append(time.perf_counter() - started)
    return 1000 * statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mb", type=int, default=95, help="size of each sample (MB)")
    parser.add_argument("--repeat", type=int, default=5, help="calls per figure (median)")
    add_json_argument(parser)
    args = parser.parse_args()
    figures = Figures("sample_by_id")

    import edgeimpulse as ei

    import ei_desktop
    from ei_desktop import data as eid

    with tempfile.TemporaryDirectory() as folder:
        port = free_port()
        process = serve_process(Path(folder) / "project", port, KEY)
        base = f"http://127.0.0.1:{port}"
        for module in (ei, ei_desktop):
            module.API_KEY = KEY
            module.API_ENDPOINT = f"{base}/v1"
            module.INGESTION_ENDPOINT = base
        try:
            memory = ProcessMemory(process.pid)
            projects = requests.get(f"{base}/v1/api/projects", headers={"x-api-key": KEY})
            api = f"{base}/v1/api/{projects.json()['projects'][0]['id']}"
            session = requests.Session()
            session.headers["x-api-key"] = KEY
            ids = {
                "csv": upload(base, "big.csv", big_csv(args.mb * MB, 1)),
                "json": upload(base, "big.json", big_json(args.mb * MB)),
            }
            print(f"{args.mb} MB samples; median of {args.repeat} calls")
            print(f"{'sample':<6} {'call':<36} {'ms':>9} {'server peak above idle':>24}")
            for kind, sample_id in ids.items():
                calls = {
                    "GET raw-data/{id}?limitPayloadValues=1": lambda i=sample_id: session.get(
                        f"{api}/raw-data/{i}", params={"limitPayloadValues": 1}, timeout=600
                    ).raise_for_status(),
                    "ei_desktop get_filename_by_id": lambda i=sample_id: eid.get_filename_by_id(i),
                    "official SDK get_filename_by_id": lambda i=sample_id: (
                        ei.data.get_filename_by_id(i)
                    ),
                }
                times = {}
                for what, call in calls.items():
                    idle = memory.rss()
                    memory.reset_peak()
                    ms = timed_ms(call, args.repeat)
                    peak = (memory.peak() - idle) / MB
                    print(f"{kind:<6} {what:<36} {ms:>9.1f} {peak:>21.0f} MB", flush=True)
                    times[what] = ms
                figures.add(
                    f"get_filename_by_id.{kind}",
                    f"get_filename_by_id on a {args.mb} MB {kind} sample over HTTP",
                    times["ei_desktop get_filename_by_id"],
                    unit="ms",
                    reference=times["official SDK get_filename_by_id"],
                    higher_is_better=False,
                    server_peak_mb=peak,
                )
        finally:
            process.terminate()
            process.wait(30)
    figures.write(args.json)


if __name__ == "__main__":
    main()
