"""The write-ahead log of a local project is copied into the database after commits, off
the writer's path, so large changes do not wait for it and the log does not grow forever.
"""

from __future__ import annotations

import sqlite3
import sys
from pathlib import Path

from ei_desktop.core.backends.base import SampleQuery
from ei_desktop.core.backends.local import LocalBackend
from ei_desktop.core.edits import SetLabel

ROOT = Path(__file__).resolve().parents[3]


def seeded(directory: Path, count: int) -> None:
    sys.path.insert(0, str(ROOT / "tools"))
    try:
        from seed_project import seed
    finally:
        sys.path.remove(str(ROOT / "tools"))
    seed(directory, count)


def test_the_log_stays_the_size_of_one_change_over_many_changes(tmp_path):
    seeded(tmp_path / "p", 20_000)
    wal = tmp_path / "p" / "project.sqlite3-wal"
    with LocalBackend(tmp_path / "p") as backend:
        backend.edit(SampleQuery(include_disabled="both"), SetLabel("first"))
        assert backend._checkpointer.flush()
        one_change = wal.stat().st_size
        for round_number in range(15):
            backend.edit(SampleQuery(include_disabled="both"), SetLabel(f"label-{round_number}"))
            assert backend._checkpointer.flush()
        # without the copies, fifteen more changes of every sample would be ~16x the log
        assert wal.stat().st_size <= 2 * one_change
        assert backend.count(SampleQuery(labels=("label-14",))) == 20_000


def test_what_a_change_committed_is_in_the_database_for_another_reader(tmp_path):
    seeded(tmp_path / "p", 2_000)
    with LocalBackend(tmp_path / "p") as backend:
        backend.edit(SampleQuery(include_disabled="both"), SetLabel("checked"))
        backend._checkpointer.flush()
        other = sqlite3.connect(tmp_path / "p" / "project.sqlite3")
        try:
            labels = other.execute("SELECT DISTINCT label FROM samples").fetchall()
        finally:
            other.close()
    assert labels == [("checked",)]
