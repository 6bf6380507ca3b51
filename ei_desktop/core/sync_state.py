"""What a local project pushed to which remote: ``sync.sqlite3`` in the project folder.

One row per (remote, content hash). Before any byte of a sample leaves, its row says
``sending`` (and how many times it was sent); once the remote answered with the sample's id
the row says ``remote`` with that id. Each write is its own committed transaction
(WAL, ``synchronous=FULL``), so a crash or a power loss leaves either the row before or the
row after, never a torn one, and a row written "before" is on disk before the upload starts.

The file is apart from ``project.sqlite3`` on purpose: it is not part of the project's
history (an undo must never forget what the remote holds), ``check --recover`` and a schema
upgrade of the project database never touch it, and ``check --clean`` only removes content
files. Copying the project folder copies it along. Endpoints and ids only; never a key.
"""

from __future__ import annotations

import os
import sqlite3
import threading
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Optional, Union

from ei_desktop.core.backends.base import BackendError

#: the state file's name inside a project folder
SYNC_DATABASE = "sync.sqlite3"
_VERSION = "1"
_SCHEMA = """
CREATE TABLE IF NOT EXISTS pushed (
    remote TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('sending', 'remote')),
    remote_id INTEGER,
    attempts INTEGER NOT NULL DEFAULT 0,
    remote_disabled INTEGER NOT NULL DEFAULT 0,
    local_id INTEGER,
    updated_ms INTEGER NOT NULL,
    PRIMARY KEY (remote, sha256)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS settings (key TEXT PRIMARY KEY, value TEXT NOT NULL);
"""
_CHUNK = 500


class SyncStateError(BackendError):
    """The push state cannot be read or written (a full disk, a damaged file)."""


@dataclass(frozen=True)
class Pushed:
    """What the state says about one content hash on one remote.

    Attributes:
        sha256: the content hash.
        state: ``sending`` (sent, or about to be, with no answer recorded) or ``remote``.
        remote_id: the sample's id on the remote (``remote`` rows; ``None`` when the remote
            did not say).
        attempts: how many times it was sent (``sending`` rows count up).
        remote_disabled: whether it is disabled on the remote, as last set by a push.
    """

    sha256: str
    state: str
    remote_id: Optional[int]
    attempts: int
    remote_disabled: bool


class SyncState:
    """The push state of the project at ``project_dir`` (``sync.sqlite3``, created on first use).

    Safe to use from any thread; several processes may use the same file (SQLite locks it).

    Raises:
        SyncStateError: the file cannot be opened or is not a state file.
    """

    def __init__(self, project_dir: Union[str, os.PathLike]) -> None:
        self.path = Path(project_dir) / SYNC_DATABASE
        self._lock = threading.RLock()
        try:
            if not self.path.exists():
                fd = os.open(self.path, os.O_CREAT | os.O_WRONLY, 0o600)
                os.close(fd)
            self._conn = sqlite3.connect(
                self.path, isolation_level=None, timeout=30, check_same_thread=False
            )
            self._conn.execute("PRAGMA journal_mode=WAL")
            self._conn.execute("PRAGMA synchronous=FULL")
            with self._write() as conn:
                for statement in _SCHEMA.split(";"):
                    if statement.strip():
                        conn.execute(statement)
                conn.execute(
                    "INSERT OR IGNORE INTO settings (key, value) VALUES ('version', ?)",
                    (_VERSION,),
                )
        except (OSError, sqlite3.Error) as exc:
            raise SyncStateError(f"Cannot open the push state {self.path}: {exc}") from exc

    def close(self) -> None:
        """Close the file."""
        self._conn.close()

    def __enter__(self) -> SyncState:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def _write(self):
        return _Transaction(self._conn, self.path, self._lock)

    def lookup(self, remote: str, hashes: Iterable[str]) -> dict[str, Pushed]:
        """The rows of ``hashes`` for ``remote`` (hashes without a row are left out)."""
        hashes = list(dict.fromkeys(hashes))
        found: dict[str, Pushed] = {}
        try:
            for start in range(0, len(hashes), _CHUNK):
                chunk = hashes[start : start + _CHUNK]
                with self._lock:
                    rows = self._conn.execute(
                        "SELECT sha256, state, remote_id, attempts, remote_disabled FROM pushed"
                        f" WHERE remote = ? AND sha256 IN ({','.join('?' * len(chunk))})",
                        [remote, *chunk],
                    ).fetchall()
                for sha, state, remote_id, attempts, disabled in rows:
                    found[sha] = Pushed(sha, state, remote_id, attempts, bool(disabled))
        except sqlite3.Error as exc:
            raise SyncStateError(f"Cannot read the push state {self.path}: {exc}") from exc
        return found

    def sending(self, remote: str, items: Sequence[tuple[str, int]]) -> dict[str, int]:
        """Record that the contents ``(sha256, local id)`` are being sent (one transaction,
        on disk when this returns); returns each hash's attempt number (1 the first time).
        A hash already recorded as ``remote`` is left as it is.
        """
        now = _now()
        with self._write() as conn:
            conn.executemany(
                "INSERT INTO pushed (remote, sha256, state, attempts, local_id, updated_ms)"
                " VALUES (?, ?, 'sending', 1, ?, ?)"
                " ON CONFLICT (remote, sha256) DO UPDATE SET"
                " attempts = attempts + 1, local_id = excluded.local_id,"
                " updated_ms = excluded.updated_ms WHERE state = 'sending'",
                [(remote, sha, local_id, now) for sha, local_id in items],
            )
        rows = self.lookup(remote, [sha for sha, _ in items])
        return {sha: row.attempts for sha, row in rows.items()}

    def not_sent(self, remote: str, hashes: Sequence[str]) -> None:
        """Take back the latest :meth:`sending` of ``hashes``: they were never sent (the
        upload stopped before them). A hash not sent before is forgotten again.
        """
        rows = [(remote, sha) for sha in hashes]
        with self._write() as conn:
            conn.executemany(
                "UPDATE pushed SET attempts = attempts - 1"
                " WHERE remote = ? AND sha256 = ? AND state = 'sending'",
                rows,
            )
            conn.executemany(
                "DELETE FROM pushed"
                " WHERE remote = ? AND sha256 = ? AND state = 'sending' AND attempts <= 0",
                rows,
            )

    def on_remote(self, remote: str, items: Sequence[tuple[str, Optional[int]]]) -> None:
        """Record that the contents ``(sha256, remote id)`` are on the remote, enabled (one
        transaction, on disk when this returns).
        """
        now = _now()
        with self._write() as conn:
            conn.executemany(
                "INSERT INTO pushed (remote, sha256, state, remote_id, updated_ms)"
                " VALUES (?, ?, 'remote', ?, ?)"
                " ON CONFLICT (remote, sha256) DO UPDATE SET state = 'remote',"
                " remote_id = excluded.remote_id, remote_disabled = 0,"
                " updated_ms = excluded.updated_ms",
                [(remote, sha, remote_id, now) for sha, remote_id in items],
            )

    def set_disabled(self, remote: str, hashes: Sequence[str], disabled: bool) -> None:
        """Record the enabled state the remote samples of ``hashes`` were given."""
        now = _now()
        with self._write() as conn:
            conn.executemany(
                "UPDATE pushed SET remote_disabled = ?, updated_ms = ?"
                " WHERE remote = ? AND sha256 = ? AND state = 'remote'",
                [(int(disabled), now, remote, sha) for sha in hashes],
            )

    def counts(self, remote: str) -> dict[str, int]:
        """Rows per state for ``remote``."""
        with self._lock:
            rows = self._conn.execute(
                "SELECT state, count(*) FROM pushed WHERE remote = ? GROUP BY state", (remote,)
            )
            return dict(rows.fetchall())


class _Transaction:
    """``BEGIN IMMEDIATE`` … ``COMMIT`` (rolled back on an error), errors as BackendError."""

    def __init__(self, conn: sqlite3.Connection, path: Path, lock: threading.RLock) -> None:
        self._conn = conn
        self._path = path
        self._lock = lock

    def __enter__(self) -> sqlite3.Connection:
        self._lock.acquire()
        try:
            self._conn.execute("BEGIN IMMEDIATE")
        except sqlite3.Error as exc:
            self._lock.release()
            raise SyncStateError(f"Cannot write the push state {self._path}: {exc}") from exc
        return self._conn

    def __exit__(self, kind, exc, traceback) -> bool:
        try:
            return self._finish(kind, exc)
        finally:
            self._lock.release()

    def _finish(self, kind, exc) -> bool:
        if kind is None:
            try:
                self._conn.execute("COMMIT")
                return False
            except sqlite3.Error as error:
                exc = error
        try:
            self._conn.execute("ROLLBACK")
        except sqlite3.Error:
            pass
        if isinstance(exc, sqlite3.Error):
            raise SyncStateError(f"Cannot write the push state {self._path}: {exc}") from exc
        return False


def _now() -> int:
    return int(time.time() * 1000)
