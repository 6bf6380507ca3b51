"""Moving an older project's small content files into its database, killed half-way by
SIGKILL in a real process: nothing is lost, and running it again finishes the job.
"""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from ei_desktop.core.backends.base import SampleQuery, UploadItem
from ei_desktop.core.backends.blobs import BlobStore
from ei_desktop.core.backends.local import LocalBackend

POSIX = pytest.mark.skipif(os.name == "nt", reason="SIGKILL is POSIX")

#: migrate, telling how far it got
MIGRATOR = """
import sys
from ei_desktop.core.backends.local import LocalBackend
with LocalBackend(sys.argv[1]) as project:
    project.migrate_contents(progress=lambda u: print(u.done, flush=True))
print("finished", flush=True)
"""


def csv_bytes(n: int) -> bytes:
    return f"timestamp,x,y\n0,{n},1\n10,{n + 1},2\n20,{n + 2},3\n".encode()


def make_old_project(path: Path, count: int) -> dict[int, bytes]:
    """A project as the previous version made it (every content a file); returns id → bytes."""
    with LocalBackend(path, create=True) as local:
        results = local.upload([UploadItem(f"s.{n}.csv", csv_bytes(n)) for n in range(count)])
        contents = {r.sample_id: csv_bytes(n) for n, r in enumerate(results)}
    conn = sqlite3.connect(path / "project.sqlite3", isolation_level=None)
    files = BlobStore(path / "blobs")
    for sha, data in conn.execute("SELECT sha256, data FROM stored_content").fetchall():
        files.write(sha, bytes(data))
    files.make_durable([])
    conn.execute("DROP TABLE stored_content")
    conn.execute("UPDATE project SET value = '2' WHERE key = 'schema_version'")
    conn.close()
    return contents


def file_count(project: Path) -> int:
    return sum(1 for p in (project / "blobs").glob("??/*") if p.is_file())


@POSIX
@pytest.mark.slow
def test_sigkill_during_migration_loses_nothing_and_a_second_run_finishes(tmp_path):
    project = tmp_path / "old"
    contents = make_old_project(project, 6000)
    migrator = subprocess.Popen(
        [sys.executable, "-c", MIGRATOR, str(project)], stdout=subprocess.PIPE, text=True
    )
    try:
        done = 0
        while done < 1000:  # several chunks committed (and their files removed)
            line = migrator.stdout.readline()
            assert line and line.strip() != "finished", "the migration ended before the kill"
            done = int(line)
        migrator.send_signal(signal.SIGKILL)
    finally:
        migrator.wait(timeout=60)
        migrator.stdout.close()
    assert migrator.returncode == -signal.SIGKILL
    assert 0 < file_count(project) < len(contents)  # stopped half-way

    with LocalBackend(project) as local:
        report = local.check()
        assert report.ok and report.samples == len(contents)
        assert all(local.load_bytes(i) == data for i, data in contents.items())
        local.migrate_contents()
        report = local.check()
        assert report.ok and report.orphan_blobs == [] and report.temporary_files == 0
        records = list(local.iter_samples(SampleQuery()))
        assert len(records) == len(contents)
        assert all(local.load_bytes(i) == data for i, data in contents.items())
    assert file_count(project) == 0
