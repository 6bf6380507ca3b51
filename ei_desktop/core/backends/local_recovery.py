"""Rebuild a damaged local project from what is left: its content files, and whatever rows of
its old database can still be read.

Nothing is ever deleted: the damaged database is moved aside (``project.sqlite3.damaged-…``)
and every content file stays where it is. Contents kept inside the old database are copied
into the new one wherever they still read back intact. Samples whose row could be read come
back with their id, name, label, category and metadata; contents with no readable row come
back as samples named ``recovered.<hash>`` with the label ``recovered``, so that they are easy
to find and relabel.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import sqlite3
import tempfile
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Optional

from ei_desktop.core.backends.base import BackendError, CorruptContentError, UploadItem
from ei_desktop.core.backends.local import BLOBS, DATABASE, LocalBackend
from ei_desktop.core.backends.local_schema import COLUMNS
from ei_desktop.core.convert import guess_extension
from ei_desktop.core.progress import ProgressCallback, Tracker

#: the label given to content that had no readable row
RECOVERED_LABEL = "recovered"
_ROW_BATCH = 1000
_CONTENT_BATCH = 256
#: settings worth keeping from the old database (the project keeps its identity and key)
_KEPT_SETTINGS = ("project_id", "name", "created", "api_key", "hmac_key")


@dataclass
class RecoveryReport:
    """What :func:`recover_project` did.

    Attributes:
        restored: samples brought back with their rows (id, name, label, category…).
        recovered: content files brought back as new ``recovered.<hash>`` samples.
        failed: content files that could not become samples, with the reason (kept on disk).
        damaged_copy: where the damaged database was moved, if there was one.
    """

    restored: int = 0
    recovered: int = 0
    failed: list[tuple[str, str]] = field(default_factory=list)
    damaged_copy: Optional[Path] = None


def recover_project(
    path: str | os.PathLike, *, progress: Optional[ProgressCallback] = None
) -> RecoveryReport:
    """Rebuild the project at ``path`` around its content files.

    Raises:
        BackendError: ``path`` has neither content nor a database, or cannot be written.
    """
    root = Path(path).expanduser().resolve()
    database = root / DATABASE
    if not (root / BLOBS).is_dir() and not database.exists():
        raise BackendError(f"{root} is not a project folder: there is nothing to recover")
    report = RecoveryReport()
    with tempfile.TemporaryDirectory(prefix="ei-recover-") as scratch:
        # read from a copy: the damaged file itself is only ever moved, never written
        old = _copy(database, Path(scratch))
        try:
            settings, rows = (_settings(old), _rows(old)) if old else ({}, [])
            report.damaged_copy = _move_aside(database)
            with LocalBackend(root, create=True, _recovering=True) as project:
                for key, value in settings.items():
                    project.set_setting(key, value)
                if old is not None:
                    _restore_contents(project, old)
                restored_hashes = _restore_rows(project, rows, report)
                _recover_orphans(project, restored_hashes, report, progress)
        finally:
            if old is not None:
                old.close()
    return report


def _copy(database: Path, scratch: Path) -> Optional[sqlite3.Connection]:
    """A connection to a copy of the database (with its log), or ``None`` when there is none
    that opens.
    """
    if not database.is_file() or database.stat().st_size == 0:
        return None
    copy = scratch / DATABASE
    shutil.copyfile(database, copy)
    wal = Path(f"{database}-wal")
    if wal.is_file():
        shutil.copyfile(wal, Path(f"{copy}-wal"))
    try:
        return sqlite3.connect(copy)
    except sqlite3.Error:
        return None


def _restore_contents(project: LocalBackend, conn: sqlite3.Connection) -> None:
    """Copy the contents kept in the old database that still read back intact; a damaged
    stretch is retried row by row.
    """
    try:
        last = conn.execute("SELECT max(rowid) FROM stored_content").fetchone()[0] or 0
    except sqlite3.Error:
        return  # none there (an older project), or the table is unreadable
    query = "SELECT sha256, data FROM stored_content WHERE rowid >= ? AND rowid < ?"
    for start in range(0, last + 1, _CONTENT_BATCH):
        try:
            found = conn.execute(query, (start, start + _CONTENT_BATCH)).fetchall()
        except sqlite3.Error:
            found = []
            for rowid in range(start, start + _CONTENT_BATCH):
                try:
                    found += conn.execute(query, (rowid, rowid + 1)).fetchall()
                except sqlite3.Error:
                    continue
        intact = [
            (sha, bytes(data))
            for sha, data in found
            if isinstance(sha, str) and hashlib.sha256(data).hexdigest() == sha
        ]
        project.restore_contents(intact)


def _settings(conn: sqlite3.Connection) -> dict[str, str]:
    try:
        found = dict(conn.execute("SELECT key, value FROM project"))
    except sqlite3.Error:
        return {}
    return {key: found[key] for key in _KEPT_SETTINGS if key in found}


def _rows(conn: sqlite3.Connection) -> list[tuple]:
    """Every row that reads back whole; a damaged stretch is retried row by row."""
    try:
        last = conn.execute("SELECT max(id) FROM samples").fetchone()[0] or 0
    except sqlite3.Error:
        return []
    columns, source = _readable_columns(conn)
    rows: list[tuple] = []
    for start in range(0, last + 1, _ROW_BATCH):
        query = f"SELECT {columns} FROM {source} WHERE id >= ? AND id < ? ORDER BY id"
        try:
            rows.extend(conn.execute(query, (start, start + _ROW_BATCH)).fetchall())
            continue
        except sqlite3.Error:
            pass
        for sample_id in range(start, start + _ROW_BATCH):
            try:
                row = conn.execute(f"SELECT {columns} FROM {source} WHERE id = ?", (sample_id,))
                rows.extend(row.fetchall())
            except sqlite3.Error:
                continue
    return rows


def _readable_columns(conn: sqlite3.Connection) -> tuple[str, str]:
    """What to select rows with, and from where: the ``sample_rows`` view, or the one wide
    table of a version 1 database (whose samples are all enabled).
    """
    try:
        present = {row[1] for row in conn.execute("PRAGMA table_info(samples)")}
    except sqlite3.Error:
        return COLUMNS, "sample_rows"
    if "upload_name" in present:
        return COLUMNS.replace(", disabled", ", 0 AS disabled"), "samples"
    return COLUMNS, "sample_rows"


def _move_aside(database: Path) -> Optional[Path]:
    if not database.exists():
        return None
    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    target = database.with_name(f"{DATABASE}.damaged-{stamp}")
    for suffix in ("", "-wal", "-shm"):
        source = Path(f"{database}{suffix}")
        if source.exists():
            source.rename(Path(f"{target}{suffix}"))
    return target


def _restore_rows(project: LocalBackend, rows: list[tuple], report: RecoveryReport) -> set[str]:
    sha_index = [name.strip() for name in COLUMNS.split(",")].index("sha256")
    usable = [row for row in rows if project.blobs.verify(row[sha_index])]
    report.restored = project.restore_rows(usable)
    return {row[sha_index] for row in usable}


def _recover_orphans(
    project: LocalBackend,
    restored_hashes: set[str],
    report: RecoveryReport,
    progress: Optional[ProgressCallback],
) -> None:
    orphans = [sha for sha in project.blobs.iter_hashes() if sha not in restored_hashes]
    tracker = Tracker(progress, len(orphans))
    for sha in orphans:
        try:
            data = project.blobs.read(sha)
        except (OSError, CorruptContentError):
            report.failed.append((sha, "its bytes no longer match their checksum (kept on disk)"))
            tracker.step(sha)
            continue
        item = UploadItem(
            filename=f"recovered.{sha[:12]}{guess_extension(data[:16])}",
            source=data,
            label=RECOVERED_LABEL,
        )
        (result,) = project.upload([item], allow_duplicates=True)
        if result.success:
            report.recovered += 1
        else:
            report.failed.append((sha, f"{result.error} (kept on disk)"))
        tracker.step(sha)
