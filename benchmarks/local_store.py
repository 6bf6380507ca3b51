#!/usr/bin/env python3
"""Speed of the embedded local project. Prints figures; asserts nothing.

    .venv/bin/python benchmarks/local_store.py [--quick]

1. ingest 10,000 small CSV files with ``upload_directory`` (target: >= 8,000 samples/s);
   and the machine's limit: a raw script doing only hash + durable write + insert;
2. a filtered page of 100 out of 1,000,000 samples, first and deep pages (target: < 50 ms);
3. ``get_sample_ids`` over 100,000 samples.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tools"))
sys.path.insert(0, str(ROOT / "benchmarks"))

from figures import Figures, add_json_argument  # noqa: E402
from seed_project import seed  # noqa: E402

from ei_desktop import data  # noqa: E402
from ei_desktop.core.backends.base import SampleQuery  # noqa: E402
from ei_desktop.core.backends.local import LocalBackend  # noqa: E402


def write_small_csvs(directory: Path, count: int) -> None:
    directory.mkdir(parents=True)
    for i in range(count):
        rows = "".join(f"{t * 10},{i},{t},{t * 2}\n" for t in range(20))
        (directory / f"walk.{i:05d}.csv").write_text(f"timestamp,accX,accY,accZ\n{rows}")


FIGURES = Figures("local_store")


def _syncfs():
    """libc's ``syncfs`` where there is one (Linux), else None."""
    try:
        import ctypes

        return ctypes.CDLL(None, use_errno=True).syncfs
    except (OSError, AttributeError):
        return None


def raw_ingest(source: Path, target: Path, *, blobs_inside: bool, batch: int = 1024) -> float:
    """The machine's limit for ingest with the project's durability: read, hash and store each
    file, rows in SQLite (WAL, synchronous=FULL), one transaction per ``batch`` files; blobs
    either as files (written and renamed, made durable as the project does: one ``syncfs``
    per batch on Linux, else an fsync per file and per folder) or inside SQLite. No parsing,
    checks or history. Returns files per second."""
    syncfs = _syncfs()
    target.mkdir()
    conn = sqlite3.connect(target / "raw.sqlite3", isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=FULL")
    conn.execute("CREATE TABLE samples (id INTEGER PRIMARY KEY, name TEXT, sha TEXT, size INT)")
    conn.execute("CREATE TABLE blobs (sha TEXT PRIMARY KEY, data BLOB)")
    blobs = target / "blobs"
    blobs.mkdir()
    names = sorted(os.listdir(source))
    started = time.perf_counter()
    for offset in range(0, len(names), batch):
        rows, folders = [], set()
        conn.execute("BEGIN IMMEDIATE")
        for name in names[offset : offset + batch]:
            data = (source / name).read_bytes()
            sha = hashlib.sha256(data).hexdigest()
            if blobs_inside:
                conn.execute("INSERT OR IGNORE INTO blobs VALUES (?, ?)", (sha, data))
            else:
                folder = blobs / sha[:2]
                folder.mkdir(exist_ok=True)
                temp = folder / f".{sha}.tmp"
                fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
                try:
                    os.write(fd, data)
                    if syncfs is None:
                        os.fsync(fd)
                finally:
                    os.close(fd)
                os.replace(temp, folder / sha)
                folders.add(folder)
            rows.append((name, sha, len(data)))
        for folder in folders if syncfs is None else [blobs]:
            fd = os.open(folder, os.O_RDONLY)
            try:
                if syncfs is None:
                    os.fsync(fd)
                else:
                    syncfs(fd)
            finally:
                os.close(fd)
        conn.executemany("INSERT INTO samples (name, sha, size) VALUES (?, ?, ?)", rows)
        conn.execute("COMMIT")
    seconds = time.perf_counter() - started
    conn.close()
    return len(names) / seconds


def bench_ingest(work: Path, files: int) -> None:
    source = work / "csv"
    write_small_csvs(source, files)
    rates = []
    for attempt in range(3):
        project = work / f"ingest{attempt}"
        LocalBackend(project, create=True).close()  # a project is created explicitly
        started = time.perf_counter()
        response = data.upload_directory(str(source), project=project)
        seconds = time.perf_counter() - started
        assert len(response.successes) == files, response.fails[:3]
        rates.append(files / seconds)
    print(
        f"ingest {files} small CSV files: median {statistics.median(rates):,.0f} samples/s "
        f"(runs: {', '.join(f'{r:,.0f}' for r in rates)}; target >= 8,000)"
    )
    ours = statistics.median(rates)
    FIGURES.add(
        "ingest.small_csv",
        f"local ingest, {files:,} small CSVs",
        ours,
        unit="samples/s",
        runs=rates,
    )
    for inside, layout in ((False, "one file per blob"), (True, "blobs inside SQLite")):
        raw = [
            raw_ingest(source, work / f"raw-{inside}-{n}", blobs_inside=inside) for n in range(3)
        ]
        limit = statistics.median(raw)
        print(f"machine limit, raw hash + durable write + insert, {layout}: {limit:,.0f} files/s")
        FIGURES.add(
            f"ingest.vs_raw_{'sqlite' if inside else 'files'}",
            f"local ingest, {files:,} small CSVs, vs raw script ({layout})",
            ours,
            unit="samples/s",
            reference=limit,
            reference_kind=f"raw script, {layout} (limit)",
        )


def timed_ms(call, repeat: int = 15) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        call()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def bench_pages(work: Path, samples: int) -> None:
    directory = work / "big"
    seconds = seed(directory, samples)
    print(f"seeded {samples:,} samples in {seconds:.1f} s")
    with LocalBackend(directory, create=True) as project:
        queries = {
            "category + label": SampleQuery(category="training", labels=("walk",)),
            "two labels, sorted by date": SampleQuery(labels=("run", "jump"), sort="added"),
            "name contains 'walk.0000'": SampleQuery(filename="walk.0000"),
            "name contains 'walk', training": SampleQuery(filename="walk", category="training"),
            "testing, sorted by name": SampleQuery(category="testing", sort="filename"),
        }
        worst = 0.0
        for name, query in queries.items():
            first = project.list_after(query, None, limit=100)
            deep_after = None
            for _ in range(50):  # walk 50 pages in, then time the 51st
                page = project.list_after(query, deep_after, limit=100)
                if len(page) < 100:
                    break
                deep_after = page[-1]
            first_ms = timed_ms(lambda q=query: project.list_after(q, None, limit=100))
            deep_ms = timed_ms(lambda q=query, a=deep_after: project.list_after(q, a, limit=100))
            count_ms = timed_ms(lambda q=query: project.count(q), repeat=5)
            print(
                f"page of 100 of {samples:,} [{name}]: first {first_ms:.1f} ms, "
                f"51st {deep_ms:.1f} ms, count {count_ms:.1f} ms "
                f"({len(first)} rows; target < 50 ms)"
            )
            worst = max(worst, first_ms, deep_ms)
    FIGURES.add(
        "page.worst",
        f"local filtered page of 100 of {samples:,}, worst of 5 queries",
        worst,
        unit="ms",
        higher_is_better=False,
    )


def bench_sample_ids(work: Path, samples: int) -> None:
    directory = work / "ids"
    seed(directory, samples)
    data.get_sample_ids(project=directory)  # open the project once
    ms = timed_ms(lambda: data.get_sample_ids(project=directory), repeat=5)
    count = len(data.get_sample_ids(project=directory))
    print(f"get_sample_ids over {count:,} samples: {ms:.0f} ms")
    FIGURES.add(
        "get_sample_ids", f"local get_sample_ids over {count:,}", count / ms * 1000, unit="ids/s"
    )
    ms = timed_ms(lambda: data.get_sample_ids(project=directory, category="testing", labels="walk"))
    print(f"get_sample_ids(category='testing', labels='walk') over {count:,}: {ms:.1f} ms")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smaller sizes, for a smoke run")
    add_json_argument(parser)
    args = parser.parse_args()
    scale = 10 if args.quick else 1
    with tempfile.TemporaryDirectory(prefix="ei-bench-") as tmp:
        work = Path(tmp)
        bench_ingest(work, 10_000 // scale)
        bench_pages(work, 1_000_000 // scale)
        bench_sample_ids(work, 100_000 // scale)
    FIGURES.write(args.json)
    return 0


if __name__ == "__main__":
    sys.exit(main())
