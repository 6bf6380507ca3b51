"""Peak resident memory of ``ei-desktop serve`` under large requests (Linux).

Runs a real server process and reports, for each scenario, its peak RSS above the idle RSS
(``VmHWM`` after resetting it through ``/proc/<pid>/clear_refs``):

* one: storing one 99 MB CSV file, then ``GET …/raw-data/{id}`` of its values
* batch: ``POST …/raw-data/batch`` for 3 samples of 99 MB CSV, each id asked 4 times
* download: the HTTP backend downloading 20 samples of 20 MB CSV, then their raw files
* ingest: one ingestion request carrying 4 CSV files of 99 MB
* json: a 300 MB JSON body to the Studio API

Usage: python benchmarks/server_memory.py [scenario ...] [--json PATH]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import requests

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from figures import Figures, add_json_argument  # noqa: E402

from ei_desktop.core.backends.studio import StudioBackend  # noqa: E402
from ei_desktop.server.testing import (  # noqa: E402
    ProcessMemory,
    big_csv,
    free_port,
    serve_process,
)

KEY = "bench-key-0123456789abcdef"
MB = 1024 * 1024


def upload(base: str, files: list[tuple[str, bytes]]) -> list[int]:
    response = requests.post(
        f"{base}/api/training/files",
        headers={"x-api-key": KEY},
        files=[("data", (name, data, "text/csv")) for name, data in files],
        timeout=600,
    )
    entries = response.json()["files"]
    assert all(e["success"] for e in entries), entries
    return [e["sampleId"] for e in entries]


FIGURES = Figures("server_memory")


#: the server's resident size once started, before any request
FIRST_IDLE: list[int] = []


def measured(
    memory: ProcessMemory, idle: int, what: str, action, figure_id: str, file_mb: float
) -> None:
    """Print (and record) the server's peak RSS above ``idle`` (its size just before)
    while ``action`` runs, and above its size once started (the target: < 400 MB);
    ``file_mb`` is the size of the largest file involved (the target is < 3x it)."""
    memory.reset_peak()
    result = action()
    peak = (memory.peak() - idle) / MB
    since_start = (memory.peak() - FIRST_IDLE[0]) / MB
    print(
        f"{what}: peak {peak:.0f} MB above idle, {since_start:.0f} MB above its size once"
        f" started  ({result})",
        flush=True,
    )
    FIGURES.add(
        figure_id,
        f"serve peak RSS: {what}",
        peak,
        unit="MB",
        higher_is_better=False,
        file_mb=file_mb,
    )


def main(scenarios: list[str]) -> None:
    with tempfile.TemporaryDirectory() as folder:
        port = free_port()
        process = serve_process(Path(folder) / "project", port, KEY)
        base = f"http://127.0.0.1:{port}"
        try:
            memory = ProcessMemory(process.pid)
            projects = requests.get(f"{base}/v1/api/projects", headers={"x-api-key": KEY})
            api = f"{base}/v1/api/{projects.json()['projects'][0]['id']}"
            idle = memory.rss()
            FIRST_IDLE.append(idle)
            print(f"idle RSS {idle / MB:.0f} MB", flush=True)
            if "one" in scenarios:
                one = [("one.csv", big_csv(99 * MB, 300))]
                stored: list[int] = []
                idle = memory.rss()

                def store():
                    stored.extend(upload(base, one))
                    return f"sample {stored[0]}"

                measured(memory, idle, "storing one 99 MB CSV", store, "store_one", 99)
                del one
                idle = memory.rss()

                def values():
                    url = f"{api}/raw-data/{stored[0]}"
                    response = requests.get(url, headers={"x-api-key": KEY}, timeout=600)
                    return f"status {response.status_code}, {len(response.content) / MB:.0f} MB"

                measured(memory, idle, "values of one 99 MB CSV sample", values, "values_one", 99)
            if "batch" in scenarios:
                ids = [upload(base, [(f"big{i}.csv", big_csv(99 * MB, i))])[0] for i in range(3)]
                idle = memory.rss()

                def batch():
                    response = requests.post(
                        f"{api}/raw-data/batch",
                        headers={"x-api-key": KEY},
                        json={"ids": ids * 4},
                        timeout=600,
                    )
                    return f"status {response.status_code}, {len(response.content) / MB:.0f} MB"

                measured(memory, idle, "batch of 3 x 99 MB CSV, ids x4", batch, "batch", 99)
            if "download" in scenarios:
                ids = [
                    upload(base, [(f"mid{i}.csv", big_csv(20 * MB, 100 + i))])[0] for i in range(20)
                ]
                idle = memory.rss()
                client = StudioBackend(KEY, f"{base}/v1", base)

                def download():
                    out = client.download(ids)
                    return f"{sum(1 for o in out if getattr(o, 'data', None))} downloaded"

                measured(
                    memory,
                    idle,
                    "HTTP backend download of 20 x 20 MB CSV",
                    download,
                    "download",
                    20,
                )

                def raw():
                    def one(sample_id):
                        url = f"{api}/raw-data/{sample_id}/raw"
                        response = requests.get(url, headers={"x-api-key": KEY}, timeout=600)
                        return len(response.content)

                    with ThreadPoolExecutor(8) as pool:
                        return f"{sum(pool.map(one, ids)) / MB:.0f} MB"

                measured(memory, idle, "raw files of 20 x 20 MB CSV, 8 at a time", raw, "raw", 20)
            if "ingest" in scenarios:
                files = [(f"four{i}.csv", big_csv(99 * MB, 200 + i)) for i in range(4)]
                idle = memory.rss()
                measured(
                    memory,
                    idle,
                    "one request of 4 x 99 MB CSV",
                    lambda: upload(base, files),
                    "ingest",
                    99,
                )
                del files
            if "json" in scenarios:
                body = b'{"ids": [' + b"1," * (150 * MB) + b"1]}"

                def huge_json():
                    response = requests.post(
                        f"{api}/raw-data/batch",
                        headers={"x-api-key": KEY, "content-type": "application/json"},
                        data=body,
                        timeout=600,
                    )
                    return f"status {response.status_code}: {response.text[:100]}"

                measured(memory, idle, "300 MB JSON body", huge_json, "json", 300)
        finally:
            process.kill()
            process.wait(timeout=30)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("scenarios", nargs="*", metavar="scenario")
    add_json_argument(parser)
    args = parser.parse_args()
    main(args.scenarios or ["one", "batch", "download", "ingest", "json"])
    FIGURES.write(args.json)
