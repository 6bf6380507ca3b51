#!/usr/bin/env python3
"""Speed of curation on a 1,000,000-sample local project. Prints figures; asserts nothing.

    .venv/bin/python benchmarks/curation.py [--quick | --project SEEDED_DIR]

Each change selects about 127,000 samples by filter (two labels of one category, scattered
over the whole project: the worst case for a row store) and is reported per 100,000; then
100,000 consecutive ids (what one upload session gives) are relabelled and undone:

1. relabel, move, add metadata, disable (target: < 1 s per 100,000), and undo/redo;
2. the summary (counts and durations per category and label; target < 20 ms);
3. the machine's limit: the same rows relabelled, then moved, by one bare SQL statement each,
   without history, totals or checks (what SQLite alone costs on this disk);
4. the same relabel, metadata and move over HTTP, and the undo of the move: the HTTP backend
   and Edge Impulse's generated client (``edgeimpulse_api``) against ``ei-desktop serve`` on
   loopback. The official SDK has no way to change a sample, so these are the side-by-side
   figures. The HTTP backend lists the selection first (its undo needs the values before).

``--project`` takes a project seeded by ``tools/seed_project.py`` instead of seeding one; it is
copied for each part and never changed.
"""

from __future__ import annotations

import argparse
import shutil
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

from ei_desktop.core.backends.base import SampleQuery  # noqa: E402
from ei_desktop.core.backends.local import LocalBackend  # noqa: E402
from ei_desktop.core.backends.studio import StudioBackend  # noqa: E402
from ei_desktop.core.edits import Move, SetEnabled, SetLabel, SetMetadata  # noqa: E402
from ei_desktop.server.testing import free_port, serve_process  # noqa: E402

KEY = "bench-key-0123456789"
SELECTION = SampleQuery(category="training", labels=("walk", "run"))


def timed(call) -> tuple[float, object]:
    started = time.perf_counter()
    result = call()
    return time.perf_counter() - started, result


#: ms per 100,000 samples of each step, by name (for the JSON figures)
MS_PER_100K: dict[str, float] = {}


def per_100k(seconds: float, count: int, name: str = "") -> str:
    scaled = seconds * 100_000 / count * 1000
    if name:
        MS_PER_100K[name] = scaled
    return f"{seconds * 1000:,.0f} ms for {count:,} ({scaled:,.0f} ms per 100,000)"


def bench_local(project: Path) -> None:
    with LocalBackend(project) as backend:
        selected = backend.count(SELECTION)
        total = backend.count(SampleQuery(include_disabled="both"))
        print(f"selected by filter: {selected:,} of {total:,}")
        relabeled = SampleQuery(category="training", labels=("moving",))
        steps = [
            ("relabel", lambda: backend.edit(SELECTION, SetLabel("moving"))),
            ("undo of the relabel", backend.undo),
            ("redo of the relabel", backend.redo),
            (
                "add metadata",
                lambda: backend.edit(relabeled, SetMetadata({"checked": "yes"}, replace=False)),
            ),
            ("disable", lambda: backend.edit(relabeled, SetEnabled(False))),
            (
                "move to testing",
                lambda: backend.edit(
                    SampleQuery(labels=("moving",), include_disabled="both"), Move("testing")
                ),
            ),
            ("undo of the move", backend.undo),
        ]
        for name, step in steps:
            seconds, _ = timed(step)
            print(f"local {name}: {per_100k(seconds, selected, name)}")
        consecutive = SampleQuery(min_id=1, max_id=100_001, include_disabled="both")
        count = backend.count(consecutive)
        seconds, _ = timed(lambda: backend.edit(consecutive, SetLabel("session-1")))
        print(f"local relabel of consecutive ids (one upload session): {per_100k(seconds, count)}")
        seconds, _ = timed(backend.undo)
        print(f"local undo of it: {per_100k(seconds, count)}")
        summaries = []
        for _ in range(20):
            seconds, summary = timed(backend.summary)
            summaries.append(seconds)
        print(
            f"local summary ({len(summary.rows)} category/label rows): "
            f"median {statistics.median(summaries) * 1000:.2f} ms (target < 20 ms)"
        )
        MS_PER_100K["summary"] = statistics.median(summaries) * 1000


def bench_bare_sql(project: Path) -> None:
    conn = sqlite3.connect(project / "project.sqlite3", isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=FULL")
    statements = [
        (
            "relabel",
            "bare",
            "UPDATE samples SET label = 'bare' WHERE category = 'training'"
            " AND label IN ('walk', 'run') AND disabled = 0",
        ),
        (
            "move",
            "bare move",
            "UPDATE samples SET category = 'testing' WHERE category = 'training'"
            " AND label = 'bare' AND disabled = 0",
        ),
    ]
    for what, name, statement in statements:
        started = time.perf_counter()
        conn.execute("BEGIN IMMEDIATE")
        cursor = conn.execute(statement)
        conn.execute("COMMIT")
        seconds = time.perf_counter() - started
        shown = per_100k(seconds, cursor.rowcount, name)
        print(f"machine limit (bare SQL {what}, no history): {shown}")
    conn.close()


def bench_http(project: Path) -> None:
    import edgeimpulse_api as api

    port = free_port()
    server = serve_process(project, port, KEY)
    base = f"http://127.0.0.1:{port}"
    try:
        backend = StudioBackend(KEY, f"{base}/v1", base)
        selected = backend.count(SELECTION)
        relabeled = SampleQuery(category="training", labels=("moving",))
        steps = [
            ("relabel", lambda: backend.edit(SELECTION, SetLabel("moving"))),
            (
                "add metadata",
                lambda: backend.edit(relabeled, SetMetadata({"checked": "yes"}, replace=False)),
            ),
            ("move to testing", lambda: backend.edit(relabeled, Move("testing"))),
            ("undo of the move", backend.undo),
        ]
        for name, step in steps:
            seconds, _ = timed(step)
            print(f"HTTP backend → serve {name}: {per_100k(seconds, selected, 'http ' + name)}")
        config = api.Configuration(host=f"{base}/v1", api_key={"ApiKeyAuthentication": KEY})
        project_id = backend.project_id()
        with api.ApiClient(config) as client:
            raw = api.RawDataApi(client)
            moving = '["moving"]'
            calls = [
                (
                    "batch/edit-labels",
                    lambda: raw.batch_edit_labels(
                        project_id,
                        "training",
                        api.EditSampleLabelRequest(label="walk"),
                        labels=moving,
                    ),
                ),
                (
                    "batch/add-metadata",
                    lambda: raw.batch_add_metadata(
                        project_id,
                        "training",
                        api.BatchAddMetadataRequest(metadataKey="seen", metadataValue="1"),
                        labels='["walk", "run"]',
                    ),
                ),
                (
                    "batch/moveSamples",
                    lambda: raw.batch_move(
                        project_id,
                        "training",
                        api.MoveRawDataRequest(newCategory="testing"),
                        labels='["walk", "run"]',
                    ),
                ),
            ]
            for name, request in calls:
                seconds, _ = timed(request)
                shown = per_100k(seconds, selected, "api " + name)
                print(f"edgeimpulse_api {name} → serve: {shown}")
        backend.close()
    finally:
        server.terminate()
        server.wait(timeout=60)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="100,000 samples, for a smoke run")
    parser.add_argument(
        "--project", type=Path, help="a project seeded by tools/seed_project.py (copied, unchanged)"
    )
    add_json_argument(parser)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="ei-bench-") as tmp:
        if args.project:
            seeded = args.project
            database = (seeded / "project.sqlite3").resolve()
            with sqlite3.connect(f"file:{database}?immutable=1", uri=True) as conn:
                (samples,) = conn.execute("SELECT count(*) FROM samples").fetchone()
            print(f"seeded project {seeded}: {samples:,} samples")
        else:
            samples = 100_000 if args.quick else 1_000_000
            seeded = Path(tmp) / "seeded"
            print(f"seeded {samples:,} samples in {seed(seeded, samples):.1f} s")
        for name, bench in (("local", bench_local), ("bare", bench_bare_sql), ("http", bench_http)):
            copy = Path(tmp) / name
            shutil.copytree(seeded, copy)
            bench(copy)
            shutil.rmtree(copy)
    figures = Figures("curation")
    for name in (
        "relabel",
        "add metadata",
        "move to testing",
        "disable",
        "undo of the relabel",
        "http relabel",
        "http add metadata",
        "http move to testing",
        "http undo of the move",
        "api batch/edit-labels",
        "api batch/add-metadata",
        "api batch/moveSamples",
    ):
        if name in MS_PER_100K:
            figures.add(
                f"{name.replace(' ', '_').replace('/', '_')}.per_100k",
                f"{name} of {samples:,}-sample project, per 100,000",
                MS_PER_100K[name],
                unit="ms",
                higher_is_better=False,
                reference=MS_PER_100K.get("bare move" if "move" in name else "bare"),
                reference_kind=f"bare SQL {'move' if 'move' in name else 'relabel'} (limit)",
            )
    if "summary" in MS_PER_100K:
        figures.add(
            "summary", "local summary", MS_PER_100K["summary"], unit="ms", higher_is_better=False
        )
    figures.write(args.json)
    return 0


if __name__ == "__main__":
    sys.exit(main())
