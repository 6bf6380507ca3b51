#!/usr/bin/env python3
"""Does the cost per sample stay flat as a project grows? Prints figures; asserts nothing.

    .venv/bin/python benchmarks/scaling.py [--sizes 10000 100000 1000000] [--json PATH]

For each size N a local project of N samples is seeded (``tools/seed_project.py``), then:

1. ingest: 2,000 more small CSV files uploaded into it (``upload_directory``): µs per file,
   the same at 10k and at 1M when nothing in the store grows with the project;
2. ``get_sample_ids`` of the whole project, locally and over HTTP (``ei-desktop serve`` on
   loopback, paging by last-seen id): µs per sample and the client's peak RSS per sample
   (the peak above what a fresh process held before the listing);
3. a filtered page of 100 at the end of the listing (the deepest offset): ms.

The last lines compare the largest size with the smallest: 1.0 is perfectly flat.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tools"))
sys.path.insert(0, str(ROOT / "benchmarks"))

from figures import Figures, add_json_argument  # noqa: E402
from local_store import write_small_csvs  # noqa: E402
from seed_project import seed  # noqa: E402

from ei_desktop.server.testing import free_port, serve_process  # noqa: E402

KEY = "scaling-key-0123456789abcdef"
INGEST_FILES = 2000


def listing_child(where: str) -> None:
    """In a fresh process: ``get_sample_ids`` of a project folder or a served URL; its peak
    resident memory above what the process held before (Linux ``/proc``)."""
    from ei_desktop import data
    from ei_desktop.core.backends.studio import StudioBackend
    from ei_desktop.server.testing import ProcessMemory

    memory = ProcessMemory(os.getpid())
    before = memory.rss()
    memory.reset_peak()
    started = time.perf_counter()
    if where.startswith("http"):
        ids = data.get_sample_ids(project=StudioBackend(KEY, f"{where}/v1", where))
    else:
        ids = data.get_sample_ids(project=where)
    seconds = time.perf_counter() - started
    print(json.dumps({"seconds": seconds, "ids": len(ids), "peak": memory.peak() - before}))


def listed(where: str) -> dict:
    child = subprocess.run(
        [sys.executable, __file__, "--child", where],
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(child.stdout.strip().splitlines()[-1])


def deep_page_ms(project: Path) -> float:
    from ei_desktop.core.backends.base import SampleQuery
    from ei_desktop.core.backends.local import LocalBackend

    with LocalBackend(project) as backend:
        query = SampleQuery(category="training")
        total = backend.count(query)
        times = []
        for _ in range(5):
            started = time.perf_counter()
            backend.list_samples(query, offset=max(0, total - 100), limit=100)
            times.append(time.perf_counter() - started)
    return 1000 * sorted(times)[len(times) // 2]


def ingest_us(project: Path, source: Path) -> float:
    from ei_desktop import data

    started = time.perf_counter()
    response = data.upload_directory(str(source), project=project)
    seconds = time.perf_counter() - started
    assert len(response.successes) == INGEST_FILES, response.fails[:3]
    return 1e6 * seconds / INGEST_FILES


def measure(size: int, work: Path) -> dict:
    project = work / f"p{size}"
    seed(project, size)
    source = work / f"csv{size}"
    write_small_csvs(source, INGEST_FILES)
    result = {"size": size, "ingest_us": ingest_us(project, source)}
    total = size + INGEST_FILES
    local = listed(str(project))
    assert local["ids"] == total, local
    result["local_ids_us"] = 1e6 * local["seconds"] / total
    result["local_ids_rss_b"] = local["peak"] / total
    port = free_port()
    server = serve_process(project, port, KEY)
    try:
        remote = listed(f"http://127.0.0.1:{port}")
    finally:
        server.terminate()
        server.wait(30)
    assert remote["ids"] == total, remote
    result["http_ids_us"] = 1e6 * remote["seconds"] / total
    result["http_ids_rss_b"] = remote["peak"] / total
    result["deep_page_ms"] = deep_page_ms(project)
    return result


ROWS = [
    ("ingest_us", "ingest, µs per file", "µs"),
    ("local_ids_us", "get_sample_ids local, µs per sample", "µs"),
    ("local_ids_rss_b", "get_sample_ids local, client bytes per sample", "B"),
    ("http_ids_us", "get_sample_ids HTTP, µs per sample", "µs"),
    ("http_ids_rss_b", "get_sample_ids HTTP, client bytes per sample", "B"),
    ("deep_page_ms", "filtered page of 100 at the end, ms", "ms"),
]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--child", help=argparse.SUPPRESS)
    add_json_argument(parser)
    args = parser.parse_args()
    if args.child:
        listing_child(args.child)
        return 0
    results = []
    with tempfile.TemporaryDirectory(prefix="ei-scaling-") as work:
        for size in sorted(args.sizes):
            results.append(measure(size, Path(work)))
            print(f"measured at {size:,} samples", flush=True)
    print(
        f"\n{'measure':<48}" + "".join(f"{r['size']:>12,}" for r in results) + "   largest/smallest"
    )
    figures = Figures("scaling")
    for key, text, unit in ROWS:
        values = [r[key] for r in results]
        growth = values[-1] / values[0] if values[0] else float("nan")
        print(f"{text:<48}" + "".join(f"{v:>12,.1f}" for v in values) + f"   {growth:.2f}")
        figures.add(
            f"scaling.{key}",
            f"{text} at {results[-1]['size']:,} vs {results[0]['size']:,} samples",
            values[-1],
            unit=unit,
            reference=values[0],
            reference_kind=f"the same at {results[0]['size']:,} samples",
            higher_is_better=False,
            per_size={str(r["size"]): r[key] for r in results},
        )
    figures.write(args.json)
    return 0


if __name__ == "__main__":
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    sys.exit(main())
