"""A process killed in the middle of a large upload leaves a consistent project, and running
the same upload again completes the set without duplicates."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time

import pytest

from ei_desktop.core import display, formats
from ei_desktop.core.backends.base import SampleQuery
from ei_desktop.core.backends.local import LocalBackend

FILES = 6000


def stored_count(database) -> int:
    if not database.exists():
        return 0
    try:
        conn = sqlite3.connect(f"file:{database}?mode=ro", uri=True, timeout=1)
        try:
            return conn.execute("SELECT coalesce(sum(n), 0) FROM label_counts").fetchone()[0]
        finally:
            conn.close()
    except sqlite3.Error:
        return 0


@pytest.mark.skipif(os.name == "nt", reason="SIGKILL is POSIX")
def test_sigkill_mid_upload_then_resume(tmp_path):
    source = tmp_path / "source"
    source.mkdir()
    for i in range(FILES):
        (source / f"s{i:05d}.csv").write_text(
            f"timestamp,x,y\n0,{i},1\n10,{i + 1},2\n20,{i + 2},3\n"
        )
    project = tmp_path / "project"
    command = [sys.executable, "-m", "ei_desktop", "upload", str(source)]
    command += ["--project", str(project), "--create"]

    victim = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    database = project / "project.sqlite3"
    deadline = time.monotonic() + 60
    while stored_count(database) < 300 and time.monotonic() < deadline and victim.poll() is None:
        time.sleep(0.005)
    victim.send_signal(signal.SIGKILL)
    victim.wait()
    assert victim.returncode == -signal.SIGKILL

    with LocalBackend(project, create=True) as reopened:
        report = reopened.check()
        assert report.integrity == "ok"
        assert report.missing_blobs == []
        stored = report.samples
        assert 0 < stored < FILES, "the kill should land in the middle of the upload"
        # every visible sample is whole: its content is there and parses
        for record in reopened.iter_samples(SampleQuery()):
            parsed = formats.parse(record.upload_name, reopened.load_bytes(record.id))
            assert parsed.values_count == 3
        reopened.clean(min_age_seconds=0)
        cleaned = reopened.check()
        assert cleaned.orphan_blobs == [] and cleaned.temporary_files == 0

    resumed = subprocess.run(command, capture_output=True, text=True, timeout=300)
    assert f"Uploaded {display.plural(FILES - stored, 'sample')}" in resumed.stdout
    duplicate_lines = [
        line for line in resumed.stderr.splitlines() if ": Same content as ID" in line
    ]
    assert len(duplicate_lines) == stored

    with LocalBackend(project, create=True) as final:
        total, distinct = final._one("SELECT count(*), count(DISTINCT sha256) FROM contents")
        assert total == distinct == FILES
        names = {row[0] for row in final._all("SELECT filename FROM samples")}
        assert names == {f"s{i:05d}" for i in range(FILES)}
        assert final.check().ok
