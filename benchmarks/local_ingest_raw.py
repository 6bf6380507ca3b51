#!/usr/bin/env python3
"""Local ingest against its limit: ``upload_directory`` of small CSV files into a local
project, next to a raw script that only reads, hashes, writes durably and inserts a row, with
the same durability (SQLite WAL with ``synchronous=FULL``, one commit per chunk of 256 files;
content files flushed with one ``syncfs`` per chunk before the commit). Prints figures;
asserts nothing.

    .venv/bin/python benchmarks/local_ingest_raw.py [--files 10000] [--runs 3]

The raw script runs both layouts: contents inside SQLite (what ei-desktop does for small
contents) and one file per content (what it did before). Targets (issue 14): ei-desktop
>= 8,000 samples/s, and >= 50 % of the raw script's rate with contents inside SQLite.
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

from ei_desktop import data  # noqa: E402
from ei_desktop.core.backends.blobs import BlobStore  # noqa: E402
from ei_desktop.core.backends.local import LocalBackend  # noqa: E402

CHUNK = 256


def write_small_csvs(directory: Path, count: int) -> list[Path]:
    """The same files as ``benchmarks/local_store.py``: 20 rows of 3 axes each."""
    directory.mkdir(parents=True)
    paths = []
    for i in range(count):
        rows = "".join(f"{t * 10},{i},{t},{t * 2}\n" for t in range(20))
        path = directory / f"walk.{i:05d}.csv"
        path.write_text(f"timestamp,accX,accY,accZ\n{rows}")
        paths.append(path)
    return paths


def ei_desktop_rate(source: Path, project: Path, count: int) -> float:
    LocalBackend(project, create=True).close()  # a project is created explicitly
    started = time.perf_counter()
    response = data.upload_directory(str(source), project=project)
    seconds = time.perf_counter() - started
    assert len(response.successes) == count, response.fails[:3]
    return count / seconds


def _database(path: Path, with_data: bool) -> sqlite3.Connection:
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=FULL")
    conn.execute(
        "CREATE TABLE samples (id INTEGER PRIMARY KEY, name TEXT NOT NULL, sha256 TEXT NOT NULL)"
    )
    if with_data:
        conn.execute("CREATE TABLE content (sha256 TEXT PRIMARY KEY, data BLOB NOT NULL)")
    return conn


def raw_in_sqlite_rate(paths: list[Path], folder: Path) -> float:
    """Read, hash, insert content and row; one commit per chunk."""
    folder.mkdir()
    conn = _database(folder / "raw.sqlite3", with_data=True)
    started = time.perf_counter()
    for start in range(0, len(paths), CHUNK):
        contents, rows = [], []
        for path in paths[start : start + CHUNK]:
            with open(path, "rb") as handle:
                content = handle.read()
            sha = hashlib.sha256(content).hexdigest()
            contents.append((sha, content))
            rows.append((path.name, sha))
        conn.execute("BEGIN IMMEDIATE")
        conn.executemany("INSERT OR IGNORE INTO content (sha256, data) VALUES (?, ?)", contents)
        conn.executemany("INSERT INTO samples (name, sha256) VALUES (?, ?)", rows)
        conn.execute("COMMIT")
    seconds = time.perf_counter() - started
    conn.close()
    return len(paths) / seconds


def raw_files_rate(paths: list[Path], folder: Path) -> float:
    """Read, hash, write a content file (temporary name, rename), flush the chunk, insert
    rows; one commit per chunk.
    """
    folder.mkdir()
    conn = _database(folder / "raw.sqlite3", with_data=False)
    blobs = BlobStore(folder / "blobs")
    started = time.perf_counter()
    for start in range(0, len(paths), CHUNK):
        rows, dirs = [], set()
        for path in paths[start : start + CHUNK]:
            with open(path, "rb") as handle:
                content = handle.read()
            sha = hashlib.sha256(content).hexdigest()
            dirs.add(blobs.write(sha, content))
            rows.append((path.name, sha))
        blobs.make_durable(dirs)
        conn.execute("BEGIN IMMEDIATE")
        conn.executemany("INSERT INTO samples (name, sha256) VALUES (?, ?)", rows)
        conn.execute("COMMIT")
    seconds = time.perf_counter() - started
    conn.close()
    return len(paths) / seconds


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=10_000, help="small CSV files to ingest")
    parser.add_argument("--runs", type=int, default=3, help="runs of each (median reported)")
    args = parser.parse_args()
    rates: dict[str, list[float]] = {"ei-desktop": [], "raw, in SQLite": [], "raw, files": []}
    with tempfile.TemporaryDirectory(prefix="ei-bench-raw-") as tmp:
        work = Path(tmp)
        paths = write_small_csvs(work / "csv", args.files)
        for run in range(args.runs):  # interleaved, so that load on the machine hits all alike
            rates["ei-desktop"].append(
                ei_desktop_rate(work / "csv", work / f"project{run}", args.files)
            )
            rates["raw, in SQLite"].append(raw_in_sqlite_rate(paths, work / f"sqlite{run}"))
            rates["raw, files"].append(raw_files_rate(paths, work / f"files{run}"))
    medians = {name: statistics.median(values) for name, values in rates.items()}
    cores = os.cpu_count()
    print(f"ingest of {args.files:,} small CSV files, median of {args.runs} (cores: {cores})")
    for name, values in rates.items():
        runs = ", ".join(f"{v:,.0f}" for v in values)
        print(f"  {name:<15} {medians[name]:>9,.0f} samples/s   (runs: {runs})")
    ratio = medians["ei-desktop"] / medians["raw, in SQLite"]
    print(
        f"  ei-desktop / raw in SQLite: {ratio:.0%} (target >= 50%); "
        f"ei-desktop target >= 8,000 samples/s"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
