#!/usr/bin/env python3
"""ei-desktop's HTTP backend against the official SDK, same server, same run. Prints figures.

    .venv/bin/python benchmarks/http_vs_sdk.py [--quick]

Starts ``ei-desktop serve`` on a free loopback port in its own process over a fresh project,
then times, for both clients:

1. ``upload_directory`` of 2,000 small CSV files (each client uploads its own files);
2. ``get_sample_ids`` over 20,000 samples;
3. ``download_samples_by_ids`` of 500 samples.

Target: ei-desktop at least 3x the official SDK's throughput on each.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))

from seed_project import seed  # noqa: E402

from ei_desktop.server.testing import free_port, serve_process  # noqa: E402

KEY = "bench-key-0123456789"


def start_server(project: Path) -> tuple[subprocess.Popen, str]:
    port = free_port()
    return serve_process(project, port, KEY), f"http://127.0.0.1:{port}"


def write_csvs(directory: Path, count: int, offset: int) -> None:
    directory.mkdir(parents=True)
    for i in range(count):
        n = offset + i
        rows = "".join(f"{t * 10},{n},{t},{t * 2}\n" for t in range(20))
        (directory / f"walk.{n:06d}.csv").write_text(f"timestamp,accX,accY,accZ\n{rows}")


def timed(call, repeat: int = 1) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        call()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def report(what: str, units: float, unit: str, sdk_seconds: float, ours_seconds: float) -> None:
    sdk_rate, ours_rate = units / sdk_seconds, units / ours_seconds
    print(
        f"{what:<44} official SDK {sdk_rate:>9,.0f} {unit}/s   "
        f"ei-desktop {ours_rate:>9,.0f} {unit}/s"
        f"   ratio {ours_rate / sdk_rate:5.1f}x"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a tenth of the sizes")
    args = parser.parse_args()
    scale = 10 if args.quick else 1
    files, listed, downloads = 2000 // scale, 20_000 // scale, 500 // scale

    with tempfile.TemporaryDirectory(prefix="ei-http-bench-") as tmp:
        work = Path(tmp)
        project = work / "project"
        seed(project, listed)
        write_csvs(work / "sdk", files, 0)
        write_csvs(work / "ours", files, files)
        server, base = start_server(project)
        try:
            os.environ.update(
                EI_API_KEY=KEY, EI_API_ENDPOINT=f"{base}/v1", EI_INGESTION_ENDPOINT=base
            )
            import edgeimpulse
            import edgeimpulse.data as sdk

            import ei_desktop
            from ei_desktop import data as ours

            edgeimpulse.API_KEY, edgeimpulse.API_ENDPOINT = KEY, f"{base}/v1"
            edgeimpulse.INGESTION_ENDPOINT = base
            ei_desktop.API_KEY, ei_desktop.API_ENDPOINT = KEY, f"{base}/v1"
            ei_desktop.INGESTION_ENDPOINT = base

            # 1. upload_directory
            result = {}
            sdk_s = timed(lambda: result.update(sdk=sdk.upload_directory(str(work / "sdk"))))
            ours_s = timed(lambda: result.update(ours=ours.upload_directory(str(work / "ours"))))
            assert len(result["sdk"].successes) == files, result["sdk"].fails[:2]
            assert len(result["ours"].successes) == files, result["ours"].fails[:2]
            report(f"upload_directory, {files:,} small CSV files", files, "files", sdk_s, ours_s)

            # 2. get_sample_ids
            total = listed + 2 * files
            counts = {}
            sdk_s = sdk_list_s = timed(
                lambda: counts.update(sdk=len(sdk.get_sample_ids())), repeat=3
            )
            ours_s = timed(lambda: counts.update(ours=len(ours.get_sample_ids())), repeat=3)
            assert counts["sdk"] == counts["ours"] == total, counts
            report(f"get_sample_ids over {total:,} samples", total, "ids", sdk_s, ours_s)

            # 3. download_samples_by_ids
            ids = [info.sample_id for info in ours.get_sample_ids()][:downloads]
            got = {}
            sdk_s = timed(lambda: got.update(sdk=sdk.download_samples_by_ids(ids)), repeat=3)
            ours_s = timed(lambda: got.update(ours=ours.download_samples_by_ids(ids)), repeat=3)
            assert len(got["sdk"]) == len(got["ours"]) == downloads
            report(
                f"download_samples_by_ids, {downloads} samples", downloads, "samples", sdk_s, ours_s
            )

            # the same two reads with ei-desktop kept to the standard Edge Impulse API
            from ei_desktop.core.backends.base import SampleQuery
            from ei_desktop.core.backends.studio import StudioBackend

            plain = StudioBackend(KEY, f"{base}/v1", base, extensions=False)
            print("ei-desktop without its API extensions (as against Edge Impulse itself):")
            plain_s = timed(lambda: plain.sample_infos(SampleQuery()), repeat=3)
            report(f"  get_sample_ids over {total:,} samples", total, "ids", sdk_list_s, plain_s)
            plain_s = timed(lambda: plain.download(ids), repeat=3)
            report(
                f"  download_samples_by_ids, {downloads} samples",
                downloads,
                "samples",
                sdk_s,
                plain_s,
            )
            plain.close()
        finally:
            server.terminate()
            server.wait(timeout=10)
    return 0


if __name__ == "__main__":
    sys.exit(main())
