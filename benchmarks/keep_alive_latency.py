"""Median time of small requests on one keep-alive connection to a local server.

Without TCP_NODELAY on accepted sockets every keep-alive request waits ~40 ms for a delayed
ACK; with it a listing or a one-file upload takes a few milliseconds.

Usage: python benchmarks/keep_alive_latency.py [requests] [--json PATH]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Optional

import requests

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from figures import Figures, add_json_argument  # noqa: E402

from ei_desktop.server.testing import running_server  # noqa: E402

KEY = "bench-key-0123456789abcdef"


def main(count: int, json_path: Optional[str] = None) -> None:
    with (
        tempfile.TemporaryDirectory() as folder,
        running_server(Path(folder) / "p", KEY) as (
            base,
            key,
        ),
    ):
        headers = {"x-api-key": key}
        timings: dict[str, list[float]] = {"get": [], "upload": []}
        with requests.Session() as session:
            for i in range(count):
                start = time.perf_counter()
                session.get(f"{base}/v1/api/projects", headers=headers)
                timings["get"].append(time.perf_counter() - start)
                data = f"timestamp,a\n0,{i}\n10,{i + 1}\n".encode()
                start = time.perf_counter()
                session.post(
                    f"{base}/api/training/files",
                    headers=headers,
                    files=[("data", (f"k{i}.csv", data, "text/csv"))],
                )
                timings["upload"].append(time.perf_counter() - start)
    figures = Figures("keep_alive_latency")
    for what, values in timings.items():
        print(f"{what}: median {statistics.median(values) * 1000:.1f} ms over {count} requests")
        figures.add(
            what,
            f"one small {what} request on a keep-alive connection",
            statistics.median(values) * 1000,
            unit="ms",
            higher_is_better=False,
        )
    figures.write(json_path)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("requests", type=int, nargs="?", default=100)
    add_json_argument(parser)
    args = parser.parse_args()
    main(args.requests, args.json)
