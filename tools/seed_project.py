#!/usr/bin/env python3
"""Fill a local project with many synthetic samples, fast, for benchmarks and UI stress tests.

    python tools/seed_project.py DIR --samples 1000000

Rows are inserted directly in bulk (triggers dropped, then the name index and label counts
rebuilt), referring to a few dozen real blobs: a handful of generated time series and, when
present, the sample image from tests/data. Every sample previews and downloads like a real
one; only the contents repeat. Ingestion speed is measured by benchmarks/local_store.py, not
by this script.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from ei_desktop.core.backends import local_rows  # noqa: E402
from ei_desktop.core.backends.local import LocalBackend, _split_sql  # noqa: E402
from ei_desktop.core.backends.local_schema import REBUILD_LABEL_COUNTS, SCHEMA  # noqa: E402

LABELS = [
    "idle",
    "walk",
    "run",
    "wave",
    "jump",
    "sit",
    "stairs",
    "fall",
    "shake",
    "tap",
    "noise",
    "cycle",
]
CATEGORIES = ["training"] * 16 + ["testing"] * 4 + ["validation"]


def _series_blob(seed: int) -> tuple[str, bytes, int]:
    rng = random.Random(seed)
    rows = 200 + seed * 37 % 400
    lines = ["timestamp,accX,accY,accZ"]
    for i in range(rows):
        lines.append(
            f"{i * 10},{rng.gauss(0, 2):.3f},{rng.gauss(0, 2):.3f},{9.81 + rng.gauss(0, 1):.3f}"
        )
    data = ("\n".join(lines) + "\n").encode()
    return hashlib.sha256(data).hexdigest(), data, rows


def seed(directory: Path, samples: int, *, batch: int = 50_000) -> float:
    """Add ``samples`` synthetic samples to the project at ``directory``; returns seconds taken."""
    started = time.perf_counter()
    project = LocalBackend(directory, create=True)
    blobs = []
    for seed_number in range(40):
        sha, data, rows = _series_blob(seed_number)
        project.blobs.write(sha, data)
        blobs.append(("timeseries", sha, len(data), rows))
    image = ROOT / "tests" / "data" / "ei-samples" / "capacitor.01.png"
    if image.exists():
        data = image.read_bytes()
        sha = hashlib.sha256(data).hexdigest()
        project.blobs.write(sha, data)
        blobs.append(("image", sha, len(data), 1))
    project.blobs.make_durable([])
    sensors = json.dumps([{"name": n, "units": "m/s2"} for n in ("accX", "accY", "accZ")])
    conn = project._writer
    rng = random.Random(1)
    start_id = (conn.execute("SELECT coalesce(max(id), 0) FROM samples").fetchone()[0]) + 1
    now = int(time.time() * 1000)
    with project._write_lock:
        triggers = ("insert", "delete", "update", "rename")
        for trigger in (f"samples_after_{name}" for name in triggers):
            conn.execute(f"DROP TRIGGER IF EXISTS {trigger}")
        for offset in range(0, samples, batch):
            rows = []
            for n in range(offset, min(samples, offset + batch)):
                kind, sha, size, count = blobs[n % 97 % len(blobs)]
                label = LABELS[rng.randrange(len(LABELS))]
                image_row = kind == "image"
                upload = f"{label}.{start_id + n:08d}" + (".png" if image_row else ".csv")
                rows.append(
                    (
                        None,
                        upload.rsplit(".", 1)[0],
                        upload,
                        CATEGORIES[rng.randrange(len(CATEGORIES))],
                        label,
                        kind,
                        sha,
                        size,
                        0.0 if image_row else 10.0,
                        count,
                        0.0 if image_row else count * 10.0,
                        0.0 if image_row else 100.0,
                        json.dumps([{"name": "image", "units": "rgba"}]) if image_row else sensors,
                        "EDGE_IMPULSE_UPLOADER",
                        None,
                        48 if image_row else None,
                        48 if image_row else None,
                        json.dumps({"rig": f"r{n % 5}"}) if n % 3 == 0 else None,
                        None,
                        None,
                        f"{n % 99999999:08d}",
                        ".png" if image_row else ".json",
                        now - (samples - n) * 1000,
                        0,
                    )
                )
            conn.execute("BEGIN IMMEDIATE")
            local_rows.insert(conn, rows)
            conn.execute("COMMIT")
        conn.execute("BEGIN IMMEDIATE")
        conn.execute("INSERT INTO samples_name (samples_name) VALUES ('rebuild')")
        conn.execute("DELETE FROM label_counts")
        conn.execute(REBUILD_LABEL_COUNTS)
        for statement in _split_sql(SCHEMA):
            if statement.lstrip().upper().startswith("CREATE TRIGGER"):
                conn.execute(statement)
        conn.execute("COMMIT")
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        conn.execute("ANALYZE")
    project.close()
    return time.perf_counter() - started


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("directory", type=Path)
    parser.add_argument("--samples", type=int, default=1_000_000)
    args = parser.parse_args()
    seconds = seed(args.directory, args.samples)
    print(f"seeded {args.samples} samples into {args.directory} in {seconds:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
