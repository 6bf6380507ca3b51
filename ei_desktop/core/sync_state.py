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

Each row also keeps ``synced_fp``, the :func:`fingerprint` of the sample's attributes (name,
label, category, metadata, bounding boxes, structured labels, enabled) that both sides agreed
on after the last push or pull: a sample whose local fingerprint differs from it was changed
here since, one whose remote fingerprint differs was changed on the remote. ``NULL`` means
unknown (rows written by version 1 of the file): the remote as it is now counts as agreed.
Before a push sends edits toward a local fingerprint it records it as ``changing_fp`` (cleared
with the next agreed fingerprint), so a remote left half-edited by an interrupted push is
recognised as our own doing, not as a change made on the remote.
"""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import threading
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Optional, Union

from ei_desktop.core import formats
from ei_desktop.core.backends.base import BackendError, SampleRecord

#: the state file's name inside a project folder
SYNC_DATABASE = "sync.sqlite3"
_VERSION = "2"
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
    synced_fp TEXT,
    changing_fp TEXT,
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
        synced_fp: the :func:`fingerprint` both sides agreed on after the last push or pull
            (``None``: unknown, take the remote's current one).
        local_id: the local sample's id when it was last sent or fetched (``None``: unknown).
        changing_fp: the local fingerprint a push started carrying to the remote and did not
            finish (``None`` when no edit is under way).
    """

    sha256: str
    state: str
    remote_id: Optional[int]
    attempts: int
    remote_disabled: bool
    synced_fp: Optional[str] = None
    local_id: Optional[int] = None
    changing_fp: Optional[str] = None


def fingerprint(record: SampleRecord) -> str:
    """A short hash of the attributes of ``record`` that a push or a pull carries: name,
    label, category, metadata, bounding boxes, structured labels and the enabled state.

    Equal for the same sample read from a local project and from a remote listing: metadata
    values are compared as text, box coordinates as whole numbers and boxes in any order, a
    name without a trailing data-file extension, and the label of a sample with label
    segments is left out (the segments are its labels; the remote derives the label itself).
    """
    return hashlib.sha256(_canonical(record).encode()).hexdigest()[:32]


def attributes(record: SampleRecord) -> dict[str, Any]:
    """The normalised attributes :func:`fingerprint` hashes, by name (to say which differ)."""
    segments = [
        [str(s.get("label", "")), int(s.get("startIndex", 0)), int(s.get("endIndex", 0))]
        for s in record.structured_labels or []
    ]
    boxes = sorted(
        [str(b.get("label", ""))] + [_whole(b.get(k, 0)) for k in ("x", "y", "width", "height")]
        for b in record.bounding_boxes or []
    )
    name = record.filename or ""
    if formats.extension_of(name) in formats.EXTENSIONS:
        name = name[: -len(formats.extension_of(name))]
    return {
        "name": name,
        "label": None if segments else (record.label or ""),
        "category": record.category or "",
        "metadata": {str(k): _text(v) for k, v in (record.metadata or {}).items()},
        "boxes": boxes,
        "segments": sorted(segments, key=lambda s: (s[1], s[2], s[0])) or None,
        "enabled": not record.disabled,
    }


def _canonical(record: SampleRecord) -> str:
    return json.dumps(attributes(record), sort_keys=True, separators=(",", ":"))


def _whole(value: Any) -> int:
    try:
        return int(round(float(value)))
    except (TypeError, ValueError):
        return 0


def _text(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return "" if value is None else str(value)


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
                _migrate(conn)
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
        for start in range(0, len(hashes), _CHUNK):
            chunk = hashes[start : start + _CHUNK]
            found.update(
                self._rows(
                    f"WHERE remote = ? AND sha256 IN ({','.join('?' * len(chunk))})",
                    [remote, *chunk],
                )
            )
        return found

    def rows(self, remote: str) -> dict[str, Pushed]:
        """Every row of ``remote``, by content hash."""
        return self._rows("WHERE remote = ?", [remote])

    def _rows(self, where: str, params: list) -> dict[str, Pushed]:
        try:
            with self._lock:
                rows = self._conn.execute(
                    "SELECT sha256, state, remote_id, attempts, remote_disabled, synced_fp,"
                    f" local_id, changing_fp FROM pushed {where}",
                    params,
                ).fetchall()
        except sqlite3.Error as exc:
            raise SyncStateError(f"Cannot read the push state {self.path}: {exc}") from exc
        return {
            sha: Pushed(sha, state, remote_id, attempts, bool(disabled), fp, local_id, changing)
            for sha, state, remote_id, attempts, disabled, fp, local_id, changing in rows
        }

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

    def on_remote(
        self,
        remote: str,
        items: Sequence[Union[tuple[str, Optional[int]], tuple[str, Optional[int], str]]],
    ) -> None:
        """Record that the contents ``(sha256, remote id)`` are on the remote, enabled (one
        transaction, on disk when this returns). An item ``(sha256, remote id, fingerprint)``
        also records the :func:`fingerprint` both sides now agree on; without one the
        agreed attributes are unknown (the remote's count as agreed).
        """
        now = _now()
        with self._write() as conn:
            conn.executemany(
                "INSERT INTO pushed (remote, sha256, state, remote_id, updated_ms, synced_fp)"
                " VALUES (?, ?, 'remote', ?, ?, ?)"
                " ON CONFLICT (remote, sha256) DO UPDATE SET state = 'remote',"
                " remote_id = excluded.remote_id, remote_disabled = 0,"
                " updated_ms = excluded.updated_ms, synced_fp = excluded.synced_fp,"
                " changing_fp = NULL",
                [
                    (remote, item[0], item[1], now, item[2] if len(item) > 2 else None)
                    for item in items
                ],
            )

    def set_synced(self, remote: str, items: Sequence[tuple[str, str]]) -> None:
        """Record the :func:`fingerprint` both sides agree on for ``(sha256, fingerprint)``
        rows already on the remote (after an edit was carried either way); an edit under way
        (:meth:`changing`) is over.
        """
        self._set_fingerprints(remote, items, "synced_fp = ?, changing_fp = NULL")

    def changing(self, remote: str, items: Sequence[tuple[str, str]]) -> None:
        """Record, before sending them, that edits toward the local ``(sha256, fingerprint)``
        are about to change the remote samples (on disk when this returns).
        """
        self._set_fingerprints(remote, items, "changing_fp = ?")

    def _set_fingerprints(
        self, remote: str, items: Sequence[tuple[str, str]], assignment: str
    ) -> None:
        """``UPDATE … SET {assignment}`` (one ``?``: the fingerprint) for the
        ``(sha256, fingerprint)`` rows of ``remote`` that are on the remote.
        """
        now = _now()
        with self._write() as conn:
            conn.executemany(
                f"UPDATE pushed SET {assignment}, updated_ms = ?"
                " WHERE remote = ? AND sha256 = ? AND state = 'remote'",
                [(fp, now, remote, sha) for sha, fp in items],
            )

    def forget(self, remote: str, hashes: Sequence[str]) -> None:
        """Remove the rows of ``hashes`` (their remote samples were deleted)."""
        with self._write() as conn:
            conn.executemany(
                "DELETE FROM pushed WHERE remote = ? AND sha256 = ?",
                [(remote, sha) for sha in hashes],
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

    def pulled(self, remote: str, items: Sequence[tuple[str, int, bool, str, int]]) -> None:
        """Record that the contents ``(sha256, remote id, disabled there, fingerprint, local
        id)`` fetched from (or found on) ``remote`` are held on both sides with the
        attributes of that :func:`fingerprint` (one transaction, on disk when this returns).
        """
        now = _now()
        with self._write() as conn:
            conn.executemany(
                "INSERT INTO pushed (remote, sha256, state, remote_id, remote_disabled,"
                " synced_fp, local_id, updated_ms) VALUES (?, ?, 'remote', ?, ?, ?, ?, ?)"
                " ON CONFLICT (remote, sha256) DO UPDATE SET state = 'remote',"
                " remote_id = excluded.remote_id, remote_disabled = excluded.remote_disabled,"
                " synced_fp = excluded.synced_fp, local_id = excluded.local_id,"
                " changing_fp = NULL, updated_ms = excluded.updated_ms",
                [
                    (remote, sha, rid, int(disabled), fp, local_id, now)
                    for sha, rid, disabled, fp, local_id in items
                ],
            )


def _migrate(conn: sqlite3.Connection) -> None:
    """Bring a state file written by an older version to :data:`_VERSION` (in the caller's
    transaction): version 1 had no ``synced_fp`` (its rows become "unknown").
    """
    (version,) = conn.execute("SELECT value FROM settings WHERE key = 'version'").fetchone()
    if int(version) > int(_VERSION):
        raise sqlite3.DatabaseError(
            f"it was written by a newer ei-desktop (state version {version})"
        )
    columns = {row[1] for row in conn.execute("PRAGMA table_info(pushed)")}
    for column in ("synced_fp", "changing_fp"):
        if column not in columns:
            conn.execute(f"ALTER TABLE pushed ADD COLUMN {column} TEXT")
    if version != _VERSION:
        conn.execute("UPDATE settings SET value = ? WHERE key = 'version'", (_VERSION,))


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
