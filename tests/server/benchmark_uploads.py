"""Small-upload throughput of ``ei-desktop serve`` on loopback (a script, not a test).

Run: ``.venv/bin/python tests/server/benchmark_uploads.py [N] [ROUNDS]``. Starts the real
``python -m ei_desktop serve`` in its own process (so client and server do not share a GIL)
and measures, over keep-alive ``requests.Session``s:

* one small CSV per request, one connection (sequential: latency-bound);
* one small CSV per request, 6 connections (what the official SDK does on this machine:
  ``ThreadPoolExecutor`` default workers = CPUs + 4);
* 50 small CSVs per request, one connection.

Prints the median of ``ROUNDS`` rounds.
"""

from __future__ import annotations

import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable

import requests

KEY = "bench-key"


def csv_body(i: int) -> bytes:
    return f"timestamp,a,b\n0,{i},1\n10,{i + 1},2\n20,{i + 2},3\n".encode()


def one_per_request(base: str, start: int, count: int) -> None:
    with requests.Session() as session:
        for i in range(start, start + count):
            r = session.post(
                f"{base}/api/training/files",
                headers={"x-api-key": KEY, "x-disallow-duplicates": "1"},
                files=[("data", (f"s{i}.csv", csv_body(i), "text/csv"))],
            )
            assert r.status_code == 200 and r.json()["files"][0]["success"], r.text


def many_per_request(base: str, start: int, requests_: int, per: int) -> None:
    with requests.Session() as session:
        for r_index in range(requests_):
            first = start + r_index * per
            files = [
                ("data", (f"m{i}.csv", csv_body(i), "text/csv")) for i in range(first, first + per)
            ]
            r = session.post(f"{base}/api/training/files", headers={"x-api-key": KEY}, files=files)
            assert r.status_code == 200 and all(f["success"] for f in r.json()["files"]), r.text


def threaded(threads: int, target: Callable, args: list[tuple]) -> float:
    workers = [threading.Thread(target=target, args=a) for a in args[:threads]]
    start = time.perf_counter()
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    return time.perf_counter() - start


def start_server(project: str) -> tuple[subprocess.Popen, str]:
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "ei_desktop",
            "serve",
            "--project",
            project,
            "--port",
            "0",
            "--api-key",
            KEY,
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    for line in proc.stdout:
        match = re.search(r"EI_INGESTION_ENDPOINT=(\S+)", line)
        if match:
            return proc, match.group(1)
    raise RuntimeError("the server did not start")


def main(n: int = 1500, rounds: int = 3) -> None:
    results: dict[str, list[float]] = {"seq": [], "six": [], "batch": []}
    with tempfile.TemporaryDirectory() as tmp:
        proc, base = start_server(tmp)
        try:
            one_per_request(base, 90_000_000, 50)  # warm up
            offset = 0
            for _ in range(rounds):
                offset += 10_000_000
                t = time.perf_counter()
                one_per_request(base, offset, n)
                results["seq"].append(n / (time.perf_counter() - t))

                per_thread = n // 6
                args = [(base, offset + 1_000_000 * (k + 1), per_thread) for k in range(6)]
                results["six"].append(per_thread * 6 / threaded(6, one_per_request, args))

                reqs = max(1, (n * 2) // 50)
                t = time.perf_counter()
                many_per_request(base, offset + 8_000_000, reqs, 50)
                results["batch"].append(reqs / (time.perf_counter() - t))
        finally:
            proc.terminate()
            proc.wait()
    seq, six, batch = (statistics.median(results[k]) for k in ("seq", "six", "batch"))
    print(f"1 file/request,  1 connection : {seq:6.0f} requests/s = {seq:6.0f} samples/s")
    print(f"1 file/request,  6 connections: {six:6.0f} requests/s = {six:6.0f} samples/s")
    print(f"50 files/request, 1 connection: {batch:6.0f} requests/s = {batch * 50:6.0f} samples/s")
    print("rounds:", {k: [round(v) for v in vs] for k, vs in results.items()})


if __name__ == "__main__":
    main(*(int(a) for a in sys.argv[1:3]))
