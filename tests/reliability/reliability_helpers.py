"""Shared pieces of the reliability tests: the real ``ei-desktop`` command as a process, a
real ``ei-desktop serve``, sample files, and bounded waits."""

from __future__ import annotations

import os
import re
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from ei_desktop.core.backends.base import SampleQuery
from ei_desktop.core.backends.studio import StudioBackend
from ei_desktop.server.testing import free_port, serve_process

#: long enough for the key rules of ``serve``
KEY = "reliability-key-0123456789"


def write_csv_files(folder: Path, count: int, stem: str = "s") -> list[Path]:
    """``count`` small, distinct time-series files ``{stem}.{n}.csv`` (label ``stem``)."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for n in range(count):
        path = folder / f"{stem}.{n:06d}.csv"
        path.write_text(f"timestamp,x\n0,{n}\n10,{n + 1}\n")
        paths.append(path)
    return paths


def start_cli(*args, out_dir: Path, env: dict | None = None) -> CliProcess:
    """``python -m ei_desktop ARGS`` in a process of its own, output going to files."""
    out_dir.mkdir(parents=True, exist_ok=True)
    stdout = open(out_dir / "stdout.txt", "w")
    stderr = open(out_dir / "stderr.txt", "w")
    process = subprocess.Popen(
        [sys.executable, "-m", "ei_desktop", *map(str, args)],
        stdout=stdout,
        stderr=stderr,
        stdin=subprocess.DEVNULL,
        env=env,
    )
    stdout.close()
    stderr.close()
    return CliProcess(process, out_dir)


@dataclass
class CliProcess:
    """A running ``ei-desktop`` command and where its output goes."""

    process: subprocess.Popen
    out_dir: Path

    def wait(self, timeout: float) -> int:
        """The exit status, waiting at most ``timeout`` seconds (the process is killed then)."""
        try:
            return self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=30)
            raise

    @property
    def stdout(self) -> str:
        return (self.out_dir / "stdout.txt").read_text()

    @property
    def stderr(self) -> str:
        return (self.out_dir / "stderr.txt").read_text()


def run_cli(*args, env: dict | None = None, timeout: float = 300) -> subprocess.CompletedProcess:
    """``python -m ei_desktop ARGS`` to its end."""
    return subprocess.run(
        [sys.executable, "-m", "ei_desktop", *map(str, args)],
        capture_output=True,
        text=True,
        env=env,
        stdin=subprocess.DEVNULL,
        timeout=timeout,
    )


def wait_until(condition: Callable[[], bool], timeout: float, what: str) -> None:
    """Poll ``condition`` until true; fail the test after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")
        time.sleep(0.005)


def stopped_counts(stderr: str, verb: str) -> tuple[int, int, int]:
    """``(done, total, not done)`` from the ``Stopped: X of N <verb>; Y not …`` line."""
    match = re.search(rf"Stopped: ([\d,]+) of ([\d,]+) {verb}; ([\d,]+) not ", stderr)
    assert match, f"no 'Stopped:' line in:\n{stderr[-2000:]}"
    done, total, rest = (int(group.replace(",", "")) for group in match.groups())
    return done, total, rest


def local_count(project: Path) -> int:
    """Samples in a local project's database now, read as another process would."""
    database = project / "project.sqlite3"
    if not database.exists():
        return 0
    try:
        with sqlite3.connect(f"file:{database}?mode=ro", uri=True, timeout=5) as connection:
            return connection.execute("SELECT count(*) FROM samples").fetchone()[0]
    except sqlite3.OperationalError:
        return 0  # created but no table yet


class Served:
    """A real ``ei-desktop serve`` process over a local project, and a client of it."""

    def __init__(self, project_dir: Path) -> None:
        self.port = free_port()
        self.process = serve_process(project_dir, self.port, KEY)
        self.base = f"http://127.0.0.1:{self.port}"
        self.client = StudioBackend(KEY, f"{self.base}/v1", self.base)

    def env(self) -> dict:
        """The environment that points the command at this server."""
        return dict(os.environ, EI_API_ENDPOINT=f"{self.base}/v1", EI_INGESTION_ENDPOINT=self.base)

    def count(self) -> int:
        return self.client.count(SampleQuery())

    def filenames(self) -> list[str]:
        return [info.filename for info in self.client.sample_infos(SampleQuery())]

    def close(self) -> None:
        self.client.close()
        self.process.terminate()
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=30)


# -- where a local project keeps content: small ones in its database, larger ones as files ---


def stored_hashes(project: Path) -> set[str]:
    """Every content the project holds, in its database or as a file."""
    files = {p.name for p in (project / "blobs").glob("??/*") if p.is_file() and len(p.name) == 64}
    conn = sqlite3.connect(project / "project.sqlite3", timeout=60)
    try:
        return files | {row[0] for row in conn.execute("SELECT sha256 FROM stored_content")}
    finally:
        conn.close()


def remove_content(project: Path, sha256: str) -> None:
    """Lose a content behind the project's back (wherever it is kept)."""
    conn = sqlite3.connect(project / "project.sqlite3", timeout=60, isolation_level=None)
    try:
        conn.execute("DELETE FROM stored_content WHERE sha256 = ?", (sha256,))
    finally:
        conn.close()
    (project / "blobs" / sha256[:2] / sha256).unlink(missing_ok=True)


def change_content(project: Path, sha256: str, data: bytes) -> None:
    """Change a content's bytes behind the project's back (bit rot, a stray editor)."""
    conn = sqlite3.connect(project / "project.sqlite3", timeout=60, isolation_level=None)
    try:
        changed = conn.execute(
            "UPDATE stored_content SET data = ? WHERE sha256 = ?", (data, sha256)
        ).rowcount
    finally:
        conn.close()
    if not changed:
        path = project / "blobs" / sha256[:2] / sha256
        path.chmod(0o600)
        path.write_bytes(data)
