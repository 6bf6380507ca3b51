"""The embedded default: a project folder with ``project.sqlite3`` (WAL) and ``blobs/``.

A sample becomes visible only once its blob and its row are both durable: blobs are written
to a temporary name and renamed, flushed to disk, and only then is the row committed.
Deleting removes rows first, then blobs no row refers to any more. A crash can therefore
leave unreferenced blobs (removed by :meth:`LocalBackend.clean`) but never a row without its
content.

Several processes may use one project at once (the app, ``serve``, the CLI). SQLite's write
lock is the one lock between them: a blob is only ever unlinked inside a write transaction
that has just seen no row refer to it, and a writer checks (and if need be rewrites) each
blob inside the write transaction that commits its row. So no process can commit a row whose
blob another process is removing.

A folder becomes a project only when asked (``create=True``); a folder that holds content
but no usable database is a damaged project and is refused, never cleaned
(:mod:`ei_desktop.core.backends.local_recovery` rebuilds it).
"""

from __future__ import annotations

import hashlib
import json
import os
import random
import sqlite3
import sys
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timezone
from functools import lru_cache
from pathlib import Path
from typing import BinaryIO, Optional, Union

import numpy as np

from ei_desktop.core import display, formats, naming
from ei_desktop.core.backends import local_content as content
from ei_desktop.core.backends import local_history as history
from ei_desktop.core.backends import local_query as sql
from ei_desktop.core.backends import local_rows
from ei_desktop.core.backends.base import (
    DUPLICATE_MESSAGE,
    BackendError,
    CorruptContentError,
    DamagedProjectError,
    DownloadedSample,
    DownloadFailure,
    NotAProjectError,
    SampleQuery,
    SampleRecord,
    Series,
    UploadItem,
    UploadResult,
    query_for_ids,
)
from ei_desktop.core.backends.blobs import BlobStore
from ei_desktop.core.backends.local_checkpoint import Checkpointer
from ei_desktop.core.backends.local_curation import LocalCuration
from ei_desktop.core.backends.local_errors import (
    damaged_message,
    database_error,
    os_error_message,
)
from ei_desktop.core.backends.local_offsets import DEEP_OFFSET, OffsetIndex
from ei_desktop.core.backends.local_schema import (
    COLUMNS,
    COPY_FROM_1,
    FILL_SAMPLE_LABELS,
    OLD_SAMPLES,
    REBUILD_LABEL_COUNTS,
    SCHEMA,
    SCHEMA_VERSION,
    UPGRADE_FROM_1,
)
from ei_desktop.core.labels import (
    LabelError,
    is_companion,
    normalize_bounding_boxes,
    normalize_label,
    normalize_metadata,
    normalize_structured_labels,
    summary_label,
)
from ei_desktop.core.model import SampleInfo, Sensor
from ei_desktop.core.progress import CancelToken, ProgressCallback, Tracker, is_cancelled

DATABASE = "project.sqlite3"
BLOBS = "blobs"
#: the project folder and its database: the owner's only (the database holds the API keys)
FOLDER_MODE = 0o700
DATABASE_MODE = 0o600
#: SQLite's default limit on bound parameters is 32766 (999 before 3.32); stay well under.
_ID_CHUNK = 500
#: reading connections kept open for reuse
_IDLE_READERS = 8
#: an upload is prepared and committed in chunks of at most this many items / bytes
_CHUNK_ITEMS = 512
_CHUNK_BYTES = 64 * 1024 * 1024


def max_file_bytes_default() -> int:
    """The per-file size limit: ``EI_MAX_FILE_MB`` megabytes, else 100 MB."""
    value = os.environ.get("EI_MAX_FILE_MB")
    if value:
        try:
            return int(float(value) * 1024 * 1024)
        except ValueError:
            pass
    return formats.DEFAULT_MAX_FILE_BYTES


@dataclass
class _Prepared:
    """An item read, validated and written as a blob, waiting for its row."""

    item: UploadItem
    error: Optional[str] = None
    data: bytes = b""
    sha256: str = ""
    parsed: Optional[formats.ParsedSample] = None
    label: str = ""
    metadata: Optional[dict] = None
    bounding_boxes: Optional[list] = None
    structured_labels: Optional[list] = None
    #: the folder of its content file; ``None`` for a content kept in the database
    blob_dir: Optional[str] = None


@dataclass
class _UploadJournal:
    """The history entry of one upload call, shared by the transactions of its chunks."""

    change_id: Optional[int] = None
    dropped: list[str] = field(default_factory=list)

    def record(
        self, conn: sqlite3.Connection, who: str, results: list[Optional[UploadResult]]
    ) -> None:
        """Record the samples this chunk created (inside its transaction; each chunk creates
        new rows, so no id is recorded twice and nothing per sample is kept here).
        """
        new = [r.sample_id for r in results if r is not None and r.success]
        if not new:
            return
        if self.change_id is None:
            self.change_id = history.begin(conn, who, "upload", {})
        history.record_created(conn, self.change_id, new)
        _, dropped = history.finish(conn, self.change_id, len(new))
        self.dropped.extend(dropped)

    def mark(self) -> tuple[Optional[int], int]:
        """The journal's state before a chunk's transaction (see :meth:`roll_back`)."""
        return self.change_id, len(self.dropped)

    def roll_back(self, mark: tuple[Optional[int], int]) -> None:
        """Forget what a rolled-back transaction recorded: an entry it opened no longer
        exists (the next chunk opens its own), and the entries it dropped are still there.
        """
        self.change_id, dropped = mark
        del self.dropped[dropped:]


@dataclass
class ConsistencyReport:
    """What :meth:`LocalBackend.check` found."""

    integrity: str
    samples: int
    missing_blobs: list[int] = field(default_factory=list)
    orphan_blobs: list[str] = field(default_factory=list)
    temporary_files: int = 0
    corrupt_blobs: list[int] = field(default_factory=list)
    content_verified: bool = False

    @property
    def ok(self) -> bool:
        """True when the database is intact and every sample has its intact content."""
        return self.integrity == "ok" and not self.missing_blobs and not self.corrupt_blobs


class LocalBackend(LocalCuration):
    """A local project folder.

    Args:
        path: the project folder.
        create: make a new project when ``path`` is not one yet (else
            :class:`NotAProjectError`).
        max_file_bytes: the per-file size limit (default :func:`max_file_bytes_default`).

    Raises:
        NotAProjectError: ``path`` is not a project and ``create`` is false.
        DamagedProjectError: ``path`` holds sample content (or its folder) but no usable
            database.
    """

    def __init__(
        self,
        path: str | os.PathLike,
        *,
        create: bool = False,
        max_file_bytes: Optional[int] = None,
        _recovering: bool = False,
    ) -> None:
        self.path = Path(path).expanduser().resolve()
        self.description = str(self.path)
        self.max_file_bytes = (
            max_file_bytes if max_file_bytes is not None else max_file_bytes_default()
        )
        if not _recovering:
            _check_openable(self.path, create)
        try:
            if not self.path.exists():
                self.path.mkdir(parents=True, mode=FOLDER_MODE)
            self._files = BlobStore(self.path / BLOBS)
            _make_private(self.path / DATABASE)
        except OSError as exc:
            raise BackendError(
                f"Cannot open the project folder {self.path}: {exc.strerror or exc}"
            ) from exc
        self._write_lock = threading.Lock()
        self._idle: list[sqlite3.Connection] = []
        self._connections: list[sqlite3.Connection] = []
        self._connections_lock = threading.Lock()
        self._offsets = OffsetIndex(self._connect)
        # Preparing is mostly Python (parsing) under the GIL: more threads than spare cores
        # only add switches. One part of a chunk per worker, each prepared in one task.
        self._workers = max(1, min(4, (os.cpu_count() or 2) - 1))
        self._pool = ThreadPoolExecutor(max_workers=self._workers, thread_name_prefix="ei-local")
        self._closed = False
        self._writer = self._connect(cache_kib=128_000)
        #: every stored content, in the database or in a file (maintenance, recovery, tests)
        self.blobs = content.ProjectContent(self._files, self._read, self._write_transaction)
        self._checkpointer: Optional[Checkpointer] = None
        self._initialise()
        # the log is copied into the database off the writer's path (see local_checkpoint)
        self._writer.execute("PRAGMA wal_autocheckpoint=0")
        self._checkpointer = Checkpointer(self.path / DATABASE)
        self._project_id = int(self.setting("project_id") or 1)

    # -- connections -------------------------------------------------------------------------

    def _connect(self, cache_kib: int = 4000) -> sqlite3.Connection:
        # Every reading thread has its own connection, and SQLite's page cache is per
        # connection: keep readers' small (the OS caches the file anyway).
        try:
            conn = sqlite3.connect(
                self.path / DATABASE, isolation_level=None, check_same_thread=False, timeout=30
            )
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=FULL")
            conn.execute("PRAGMA foreign_keys=ON")
            conn.execute(f"PRAGMA cache_size=-{int(cache_kib)}")
        except sqlite3.DatabaseError as exc:
            raise database_error(self.path, exc, "open the project") from exc
        with self._connections_lock:
            self._connections.append(conn)
        return conn

    @contextmanager
    def _read(self) -> Iterator[sqlite3.Connection]:
        """A reading connection from a small pool, for the duration of one query.

        Not one per thread: thread pools (Qt's, the server's) run callers on short-lived
        Python thread states, so per-thread connections would pile up without bound.
        """
        with self._connections_lock:
            if self._closed:
                raise BackendError("The project is closed")
            conn = self._idle.pop() if self._idle else None
        if conn is None:
            conn = self._connect()
        try:
            yield conn
        except sqlite3.DatabaseError as exc:
            raise database_error(self.path, exc, "read the project") from exc
        finally:
            with self._connections_lock:
                if not self._closed and len(self._idle) < _IDLE_READERS:
                    self._idle.append(conn)
                    conn = None
                elif conn in self._connections:
                    self._connections.remove(conn)
            if conn is not None:
                conn.close()

    def _all(self, sql: str, params: Sequence = ()) -> list[tuple]:
        with self._read() as conn:
            return conn.execute(sql, params).fetchall()

    def _one(self, sql: str, params: Sequence = ()) -> Optional[tuple]:
        with self._read() as conn:
            return conn.execute(sql, params).fetchone()

    def _initialise(self) -> None:
        with self._write_lock:
            conn = self._writer
            try:
                conn.execute("BEGIN IMMEDIATE")
                columns = {row[1] for row in conn.execute("PRAGMA table_info(samples)")}
                has_sample_labels = _has_table(conn, "sample_labels")
                if "upload_name" in columns:  # one wide table: schema version 1
                    _upgrade_from_1(conn)
                else:
                    for statement in _split_sql(SCHEMA):
                        conn.execute(statement)
                # version 2 only lacked stored_content (made above); its files stay readable
                conn.execute(
                    "UPDATE project SET value = ? WHERE key = 'schema_version'"
                    " AND CAST(value AS INTEGER) < ?",
                    (str(SCHEMA_VERSION), SCHEMA_VERSION),
                )
                if not has_sample_labels:  # a project made before samples had several labels
                    for statement in FILL_SAMPLE_LABELS:
                        conn.execute(statement)
                existing = dict(conn.execute("SELECT key, value FROM project"))
                defaults = {
                    "schema_version": str(SCHEMA_VERSION),
                    "project_id": str(random.randint(10_000, 999_999)),
                    "name": self.path.name or "project",
                    "created": datetime.now(timezone.utc).isoformat(),
                }
                for key, value in defaults.items():
                    if key not in existing:
                        conn.execute("INSERT INTO project (key, value) VALUES (?, ?)", (key, value))
                conn.execute("COMMIT")
            except sqlite3.DatabaseError as exc:
                _rollback(conn)
                error = database_error(self.path, exc, "open the project")
                if type(error) is BackendError:  # not a project database at all
                    error = DamagedProjectError(damaged_message(self.path, exc))
                raise error from exc

    @contextmanager
    def _write_transaction(self, doing: str) -> Iterator[sqlite3.Connection]:
        """The writing connection inside ``BEGIN IMMEDIATE`` … ``COMMIT``: holds SQLite's
        write lock, which every process using this project honours.
        """
        with self._write_lock:
            conn = self._writer
            try:
                conn.execute("BEGIN IMMEDIATE")
                yield conn
                conn.execute("COMMIT")
                if self._checkpointer is not None:
                    self._checkpointer.written()
            except sqlite3.DatabaseError as exc:
                _rollback(conn)
                raise database_error(self.path, exc, doing) from exc
            except BaseException:
                _rollback(conn)
                raise

    def setting(self, key: str) -> Optional[str]:
        """A project-level setting (``project_id``, ``name``, ``created``, ``api_key``…)."""
        row = self._one("SELECT value FROM project WHERE key = ?", (key,))
        return row[0] if row else None

    def set_setting(self, key: str, value: str) -> None:
        """Store a project-level setting."""
        with self._write_transaction("save a project setting") as conn:
            conn.execute(
                "INSERT INTO project (key, value) VALUES (?, ?) "
                "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                (key, value),
            )

    def project_id(self) -> int:
        """The project's numeric id, chosen when the folder was created."""
        return self._project_id

    @property
    def name(self) -> str:
        """The project's name (its folder name unless changed)."""
        return self.setting("name") or self.path.name

    @property
    def closed(self) -> bool:
        """True once :meth:`close` was called."""
        return self._closed

    def with_options(
        self, *, timeout_sec: Optional[float] = None, max_workers: Optional[int] = None
    ) -> LocalBackend:
        """The same backend: request timeouts and concurrency mean nothing locally."""
        return self

    def close(self) -> None:
        """Close the database connections and the worker threads."""
        with self._connections_lock:
            if self._closed:
                return
            self._closed = True
        self._pool.shutdown(wait=True)
        if self._checkpointer is not None:
            self._checkpointer.close()
        with self._connections_lock:
            self._idle.clear()
            for conn in self._connections:
                try:
                    conn.close()
                except sqlite3.Error:
                    pass
            self._connections.clear()

    def __enter__(self) -> LocalBackend:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # -- upload ------------------------------------------------------------------------------

    def upload(
        self,
        items: Sequence[UploadItem],
        *,
        allow_duplicates: bool = False,
        progress: Optional[ProgressCallback] = None,
        cancel: Optional[CancelToken] = None,
        on_result: Optional[Callable[[UploadResult], None]] = None,
    ) -> list[UploadResult]:
        """Validate and store ``items``; see :meth:`Backend.upload`."""
        if not isinstance(items, Sequence):
            items = list(items)
        tracker = Tracker(progress, len(items))
        results: list[UploadResult] = []
        attempted = 0
        chunks = _chunks(items)
        journal = _UploadJournal()

        def submit(chunk):
            if chunk is None or is_cancelled(cancel):
                return None
            if len(items) == 1:  # one file (the SDK's way): no thread hop
                return [_done([self._prepare(chunk[0], cancel)])]
            size = -(-len(chunk) // self._workers)
            parts = [chunk[start : start + size] for start in range(0, len(chunk), size)]
            return [self._pool.submit(self._prepare_part, part, cancel) for part in parts]

        # Prepare the next chunk (read, parse, write large contents) while this one is
        # committed.
        in_flight = submit(next(chunks, None))
        while in_flight is not None:
            prepared = [p for future in in_flight for p in future.result()]
            if attempted and is_cancelled(cancel):
                self._discard(prepared)  # cancelled while it was prepared: not attempted
                break
            stopped = any(p is None for p in prepared)
            in_flight = None if stopped else submit(next(chunks, None))
            committed = self._commit(
                [p for p in prepared if p is not None], allow_duplicates, journal
            )
            attempted += len(committed)
            for result in committed:
                if on_result is None:
                    results.append(result)
                else:
                    on_result(result)
                tracker.step(result)
        self._forget(journal.dropped)
        return results

    def _discard(self, prepared: list[Optional[_Prepared]]) -> None:
        """Remove the content files of prepared items that will not be committed (unless in
        use); contents kept in the database were never written outside the transaction.
        """
        hashes = {p.sha256 for p in prepared if p is not None and p.error is None and p.blob_dir}
        try:
            self._remove_unreferenced(hashes)
        except BackendError:
            pass  # left as orphans for clean(); the upload's own results are what matter

    def _prepare_part(
        self, items: list[UploadItem], cancel: Optional[CancelToken]
    ) -> list[Optional[_Prepared]]:
        """:meth:`_prepare` for each item, stopping at a cancel (``None`` from there on)."""
        out: list[Optional[_Prepared]] = []
        for item in items:
            prepared = self._prepare(item, cancel)
            out.append(prepared)
            if prepared is None:
                break
        return out

    def _prepare(self, item: UploadItem, cancel: Optional[CancelToken]) -> Optional[_Prepared]:
        if is_cancelled(cancel):
            return None
        prepared = _Prepared(item)
        try:
            naming.check_category(item.category)
            if is_companion(item.filename):
                raise _Reject("This is a labels file, not a sample")
            data = item.read(self.max_file_bytes)
            if len(data) > self.max_file_bytes:
                raise _Reject(_too_large(item.size(), self.max_file_bytes))
            parsed = formats.parse(item.filename, data)
            prepared.structured_labels = normalize_structured_labels(
                item.structured_labels, parsed.values_count
            )
            prepared.bounding_boxes = normalize_bounding_boxes(item.bounding_boxes)
            prepared.metadata = normalize_metadata(item.metadata)
            if item.label is not None:
                label = str(item.label)
            else:
                label = summary_label(prepared.structured_labels) or naming.server_label(
                    item.filename
                )
            prepared.label = normalize_label(label)
            prepared.data = data
            prepared.parsed = parsed
            prepared.sha256 = hashlib.sha256(data).hexdigest()
            if not content.inline(len(data)):
                prepared.blob_dir = self._files.write(prepared.sha256, data)
        except (_Reject, formats.FormatError, LabelError, ValueError) as exc:
            prepared.error = str(exc)
        except OSError as exc:
            prepared.error = os_error_message(self.path, exc, "read or store the file")
        except CorruptContentError as exc:
            prepared.error = str(exc)
        return prepared

    def _commit(
        self, prepared: list[_Prepared], allow_duplicates: bool, journal: _UploadJournal
    ) -> list[UploadResult]:
        """Insert the rows of a prepared chunk in one transaction.

        The whole chunk goes to SQLite in a few statements (one duplicate query, one insert
        per table): each call releases and retakes the GIL, and the workers preparing the
        next chunk keep it busy, so per-row calls would make the commit crawl.
        """
        results: list[Optional[UploadResult]] = [None] * len(prepared)
        pending: list[tuple[int, _Prepared]] = []
        for index, p in enumerate(prepared):
            if p.error is not None:
                results[index] = self._failed(p, p.error)
            else:
                pending.append((index, p))
        if pending:
            mark = journal.mark()
            try:
                dirs = {p.blob_dir for _, p in pending if p.blob_dir}
                if dirs:
                    self._files.make_durable(dirs)
                with self._write_transaction("save to the project database") as conn:
                    self._insert_chunk(conn, pending, allow_duplicates, results)
                    journal.record(conn, self.actor, results)
            except (BackendError, OSError) as exc:
                journal.roll_back(mark)
                if isinstance(exc, OSError):
                    message = os_error_message(self.path, exc, "store the file")
                else:
                    message = str(exc)
                for index, p in pending:
                    results[index] = self._failed(p, message)
                # their content would be orphans (and on a full disk keep it full)
                self._discard([p for _, p in pending])
        for p in prepared:
            p.data = b""
        return [r for r in results if r is not None]

    def _failed(self, p: _Prepared, error: str) -> UploadResult:
        return UploadResult(p.item, False, error=error, project_id=self._project_id)

    def _insert_chunk(
        self,
        conn: sqlite3.Connection,
        pending: list[tuple[int, _Prepared]],
        allow_duplicates: bool,
        results: list[Optional[UploadResult]],
    ) -> None:
        existing: dict[str, list[int]] = {}
        if not allow_duplicates:
            hashes = sorted({p.sha256 for _, p in pending})
            for start in range(0, len(hashes), _ID_CHUNK):
                chunk = hashes[start : start + _ID_CHUNK]
                # no ORDER BY: SQLite would then scan every row in id order rather than use
                # the hash index (a second per chunk at a million samples)
                rows = conn.execute(
                    "SELECT sha256, id FROM contents"
                    f" WHERE sha256 IN ({','.join('?' * len(chunk))})",
                    chunk,
                )
                for sha, sample_id in rows:
                    existing.setdefault(sha, []).append(sample_id)
            for ids in existing.values():
                ids.sort()
        rows_to_insert: list[tuple] = []
        inserted: list[tuple[int, _Prepared, str]] = []
        small: list[tuple[str, bytes]] = []
        first_in_chunk: dict[str, int] = {}
        duplicates_in_chunk: list[tuple[int, _Prepared]] = []
        now = int(time.time() * 1000)
        tags = naming.new_tags(len(pending))
        for (index, p), tag in zip(pending, tags):
            if not allow_duplicates:
                if p.sha256 in existing:
                    ids = ", ".join(str(i) for i in existing[p.sha256][:5])
                    results[index] = self._failed(p, f"{DUPLICATE_MESSAGE} (ids: {ids})")
                    continue
                if p.sha256 in first_in_chunk:
                    duplicates_in_chunk.append((index, p))
                    continue
            first_in_chunk.setdefault(p.sha256, len(inserted))
            if p.blob_dir is None:
                small.append((p.sha256, p.data))
            elif not self._files.exists(p.sha256):
                # Removed by a delete or a clean (of any process) since it was written. Under
                # the write lock no one else can remove it again before this row commits.
                self._files.make_durable([self._files.write(p.sha256, p.data)])
            category = p.item.category or naming.SPLIT
            if category == naming.SPLIT:
                category = naming.split_category(p.sha256)
            rows_to_insert.append(local_rows.row(p, category, now, tag))
            inserted.append((index, p, category))
        if not rows_to_insert:
            return
        content.store(conn, small)
        ids = local_rows.insert(conn, rows_to_insert)
        first = ids[0]
        for sample_id, (index, p, category) in zip(ids, inserted):
            results[index] = UploadResult(
                p.item,
                True,
                sample_id=sample_id,
                category=category,
                project_id=self._project_id,
            )
        for index, p in duplicates_in_chunk:
            results[index] = self._failed(
                p, f"{DUPLICATE_MESSAGE} (ids: {first + first_in_chunk[p.sha256]})"
            )

    # -- queries -----------------------------------------------------------------------------

    def count(self, query: SampleQuery) -> int:
        """How many samples match ``query``."""
        with self._read() as conn:
            own_labels = not _several_labels_among(conn, query.labels)
            if query.simple and own_labels:
                return self._count_from_label_counts(conn, query)
            where, params = sql.where(query, own_labels=own_labels)
            statement = f"SELECT count(*) FROM samples {where}"
            return int(conn.execute(statement, params).fetchone()[0])

    def _count_from_label_counts(self, conn: sqlite3.Connection, query: SampleQuery) -> int:
        """The count of a simple query from the totals per own label: exact when no sample
        that counts under several labels (or not under its own) has one of the queried ones.
        """
        clauses, params = sql.category_and_labels(query, own_labels=True)
        condition = f"WHERE {' AND '.join(clauses)}" if clauses else ""
        counted = {"enabled": "n - disabled", "disabled": "disabled", "both": "n"}
        total = counted[query.include_disabled]
        statement = f"SELECT coalesce(sum({total}), 0) FROM label_counts {condition}"
        return int(conn.execute(statement, params).fetchone()[0])

    def label_counts(self) -> dict[tuple[str, str], int]:
        """Sample counts per (category, label), kept up to date by triggers; a sample counts
        under each of its labels (see ``ei_desktop.core.labels.sample_labels``).
        """
        rows = self._all(
            "SELECT category, label, sum(n) FROM (SELECT category, label, n FROM label_counts"
            " UNION ALL SELECT category, label, n FROM label_extra)"
            " GROUP BY category, label HAVING sum(n) > 0"
        )
        return {(category, label): n for category, label, n in rows}

    def category_counts(self) -> dict[str, int]:
        """Samples per category (each sample once, whatever its labels)."""
        rows = self._all("SELECT category, sum(n) FROM label_counts GROUP BY category")
        return {category: n for category, n in rows if n > 0}

    def list_samples(
        self, query: SampleQuery, *, offset: int = 0, limit: int = 100
    ) -> list[SampleRecord]:
        """One page by offset (what the Studio API offers)."""
        with self._read() as conn:
            query, offset = self._deep_page(conn, query, offset)
            where, params = _where(conn, query)
            order = sql.order(query)
            rows = conn.execute(
                f"SELECT {COLUMNS} FROM sample_rows {where} ORDER BY {order} LIMIT ? OFFSET ?",
                (*params, int(limit), int(offset)),
            ).fetchall()
        return [_record(row, self._project_id) for row in rows]

    def _deep_page(
        self, conn: sqlite3.Connection, query: SampleQuery, offset: int
    ) -> tuple[SampleQuery, int]:
        """The same page as ``query`` at ``offset``, deep ones as an id bound at offset 0
        (see ``local_offsets``: an OFFSET steps through every row before the page).
        """
        if offset < DEEP_OFFSET:
            return query, offset
        where, params = _where(conn, query)
        return self._offsets.page(conn, query, offset, where, params, sql.order(query))

    def list_after(
        self, query: SampleQuery, after: Optional[SampleRecord] = None, *, limit: int = 100
    ) -> list[SampleRecord]:
        """One page by keyset: the ``limit`` samples that follow ``after`` in the query's order.

        Cost does not grow with the depth of the page.
        """
        with self._read() as conn:
            where, params = _where(conn, query, after)
            order = sql.order(query)
            rows = conn.execute(
                f"SELECT {COLUMNS} FROM sample_rows {where} ORDER BY {order} LIMIT ?",
                (*params, int(limit)),
            ).fetchall()
        return [_record(row, self._project_id) for row in rows]

    def iter_samples(self, query: SampleQuery, *, page_size: int = 1000) -> Iterator[SampleRecord]:
        """Every matching sample, keyset-paged."""
        after = None
        while True:
            page = self.list_after(query, after, limit=page_size)
            yield from page
            if len(page) < page_size:
                return
            after = page[-1]

    def sample_infos(
        self, query: SampleQuery, *, offset: int = 0, limit: Optional[int] = None
    ) -> list[SampleInfo]:
        """Id, stored name, category and label of the matching samples, in query order
        (all of them, or the page ``offset``/``limit``).
        """
        with self._read() as conn:
            query, offset = self._deep_page(conn, query, offset)
            where, params = _where(conn, query)
            rows = conn.execute(
                f"SELECT id, filename, category, label FROM samples {where}"
                f" ORDER BY {sql.order(query)}"
                " LIMIT ? OFFSET ?",
                (*params, -1 if limit is None else int(limit), int(offset)),
            )
            # one string per category and label, not one per sample (a third of the memory
            # of a million-sample listing), and no list of rows beside the answer
            return [SampleInfo(i, f, sys.intern(c), sys.intern(lab)) for i, f, c, lab in rows]

    def sample_info_columns(
        self, query: SampleQuery, *, offset: int = 0, limit: Optional[int] = None
    ) -> bytes:
        """What :meth:`sample_infos` answers, as the JSON text of one object of four arrays
        (``id``, ``filename``, ``category``, ``label``), written by SQLite itself: no Python
        object per sample (a page of 10,000 takes a third of the time of building
        ``SampleInfo``s, and less again than encoding them).
        """
        with self._read() as conn:
            query, offset = self._deep_page(conn, query, offset)
            where, params = _where(conn, query)
            # the page's rows reach the aggregates in the subquery's order (a LIMIT subquery
            # under an aggregate is run as a co-routine, never flattened), and the four
            # arrays are filled from the same rows, so they stay aligned
            row = conn.execute(
                "SELECT json_object('id', json_group_array(id),"
                " 'filename', json_group_array(filename),"
                " 'category', json_group_array(category),"
                " 'label', json_group_array(label))"
                f" FROM (SELECT id, filename, category, label FROM samples {where}"
                f" ORDER BY {sql.order(query)} LIMIT ? OFFSET ?)",
                (*params, -1 if limit is None else int(limit), int(offset)),
            ).fetchone()
        return row[0].encode()

    def sample_ids(self, query: SampleQuery) -> np.ndarray:
        """Ids of every matching sample in query order."""
        with self._read() as conn:
            where, params = _where(conn, query)
            statement = f"SELECT id FROM samples {where} ORDER BY {sql.order(query)}"
            rows = conn.execute(statement, params)
            return np.fromiter((row[0] for row in rows), dtype=np.int64)

    def get_samples(self, ids: Iterable[int]) -> dict[int, SampleRecord]:
        """Records of the ids that exist."""
        found: dict[int, SampleRecord] = {}
        ids = [int(i) for i in ids]
        for start in range(0, len(ids), _ID_CHUNK):
            chunk = ids[start : start + _ID_CHUNK]
            rows = self._all(
                f"SELECT {COLUMNS} FROM sample_rows WHERE id IN ({','.join('?' * len(chunk))})",
                chunk,
            )
            for row in rows:
                found[row[0]] = _record(row, self._project_id)
        return found

    def get_sample(self, sample_id: int) -> Optional[SampleRecord]:
        """One record, or ``None``."""
        row = self._one(f"SELECT {COLUMNS} FROM sample_rows WHERE id = ?", (int(sample_id),))
        return _record(row, self._project_id) if row else None

    # -- content -----------------------------------------------------------------------------

    def load_bytes(self, sample_id: int) -> Optional[bytes]:
        """The stored content as uploaded (:class:`CorruptContentError` if it was damaged)."""
        record = self.get_sample(sample_id)
        if record is None:
            return None
        return self._read_blob(record)

    def open_content(self, sample_id: int) -> Optional[BinaryIO]:
        """The stored content as an open binary file at its start, its hash already checked
        in one streaming pass; ``None`` for an unknown id. The caller closes it.

        Raises:
            CorruptContentError: the content changed on disk since it was stored.
            BackendError: the content is missing.
        """
        record = self.get_sample(sample_id)
        if record is None:
            return None
        with _content_errors(record):
            data = self._stored_bytes(record.sha256)
            if data is not None:
                return content.open_bytes(data)
            return self._files.open(record.sha256)

    def _read_blob(self, record: SampleRecord) -> bytes:
        with _content_errors(record):
            data = self._stored_bytes(record.sha256)
            return data if data is not None else self._files.read(record.sha256)

    def _stored_bytes(self, sha256: str) -> Optional[bytes]:
        """The content kept in the database, checked; ``None`` when it is a file."""
        with self._read() as conn:
            return content.read(conn, sha256)

    def load_series(self, sample_id: int) -> Optional[Series]:
        """Values of a time-series, table or audio sample."""
        record = self.get_sample(sample_id)
        if record is None or record.kind not in (formats.TIMESERIES, formats.TABLE, formats.AUDIO):
            return None
        return self._series(record)

    def _series(self, record: SampleRecord) -> Series:
        parsed = formats.parse(record.upload_name, self._read_blob(record), with_values=True)
        return Series(
            sensors=record.sensors,
            values=parsed.values
            if parsed.values is not None
            else np.zeros((0, len(record.sensors))),
            interval_ms=record.interval_ms,
            device_type=record.device_type,
            device_name=record.device_name,
        )

    def download(
        self,
        ids: Sequence[int],
        *,
        progress: Optional[ProgressCallback] = None,
        cancel: Optional[CancelToken] = None,
    ) -> list[Union[DownloadedSample, DownloadFailure, None]]:
        """Samples as the official SDK returns them; ``None`` for unknown ids."""
        tracker = Tracker(progress, len(ids))
        records = self.get_samples(ids)
        out: list[Union[DownloadedSample, DownloadFailure, None]] = []
        for sample_id in ids:
            if is_cancelled(cancel):
                break
            record = records.get(int(sample_id))
            if record is None:
                out.append(None)
                tracker.step(None, f"No sample found with ID {sample_id}")
                continue
            try:
                item: Union[DownloadedSample, DownloadFailure] = self._downloaded(record)
            except (BackendError, formats.FormatError) as exc:
                item = DownloadFailure(record.id, str(exc))
            out.append(item)
            tracker.step(item)
        return out

    def _downloaded(self, record: SampleRecord) -> DownloadedSample:
        from ei_desktop.core.formats import acquisition

        name = naming.download_name(record.upload_name, record.kind)
        if record.kind in (formats.TIMESERIES, formats.TABLE):
            series = self._series(record)
            data: Union[str, bytes] = acquisition.to_json(
                series.device_type,
                series.device_name,
                series.sensors,
                series.values,
                series.interval_ms,
            )
        else:
            data = self._read_blob(record)
        return DownloadedSample(record, data, name)

    # -- delete ------------------------------------------------------------------------------

    def delete(
        self,
        ids: Sequence[int],
        *,
        progress: Optional[ProgressCallback] = None,
        cancel: Optional[CancelToken] = None,
    ) -> list[bool]:
        """Delete samples by id, as one step of the history; ``False`` for ids that did not
        exist. Their content stays while the history can bring them back.
        """
        ids = [int(i) for i in ids]
        if is_cancelled(cancel):
            return []
        where, params = sql.where(query_for_ids(ids))
        deleted, _ = self._delete_journaled(where, params)
        Tracker(progress, len(ids)).step(None, count=len(ids))
        gone = set(deleted)
        return [i in gone for i in ids]

    def delete_all(self, category: Optional[str] = None) -> int:
        """Delete every sample, or every sample of one category (one step of the history)."""
        query = SampleQuery(category=category, include_disabled="both")
        where, params = sql.where(query)
        return len(self._delete_journaled(where, params)[0])

    def _remove_unreferenced(self, hashes: Iterable[str]) -> int:
        """Remove the contents among ``hashes`` that no sample and no history entry refers
        to, from the database and the files; returns how many.

        Each is checked and removed inside a write transaction, so no writer (in this or any
        other process) can commit a row that needs it in between: writers re-check their
        content files under the same lock, and write database contents in the transaction
        of their rows.
        """
        removed = 0
        hashes = sorted(hashes)
        for start in range(0, len(hashes), _ID_CHUNK):
            chunk = hashes[start : start + _ID_CHUNK]
            with self._write_transaction("clean the project") as conn:
                used = {
                    row[0]
                    for row in conn.execute(
                        "SELECT DISTINCT sha256 FROM contents"
                        f" WHERE sha256 IN ({','.join('?' * len(chunk))})",
                        chunk,
                    )
                } | history.referenced(conn, chunk)
                unused = [sha for sha in chunk if sha not in used]
                in_database = content.present(conn, unused)
                content.delete(conn, sorted(in_database))
                for sha in unused:
                    if self._files.exists(sha):
                        self._files.delete(sha)
                        in_database.add(sha)
                removed += len(in_database)
        return removed

    # -- maintenance -------------------------------------------------------------------------

    def restore_rows(self, rows: Sequence[tuple]) -> int:
        """Insert sample rows read from an earlier database (columns as in ``COLUMNS``,
        ids kept), in one transaction; for recovering a damaged project. Returns the count.
        """
        with self._write_transaction("restore samples") as conn:
            local_rows.insert(conn, rows)
        return len(rows)

    def restore_contents(self, contents: Sequence[tuple[str, bytes]]) -> None:
        """Keep ``(hash, bytes)`` contents read from an earlier database (each already
        checked against its hash), in one transaction; for recovering a damaged project.
        """
        with self._write_transaction("restore contents") as conn:
            content.store(conn, contents)

    def check(
        self,
        *,
        verify_content: bool = True,
        progress: Optional[ProgressCallback] = None,
        cancel: Optional[CancelToken] = None,
    ) -> ConsistencyReport:
        """Check the project, and say what is wrong.

        What is verified:

        - SQLite's ``integrity_check`` of the database (structure, indexes, free lists);
        - that every sample's content is present (in the database or as a file);
        - with ``verify_content``, that every content's bytes still match the SHA-256 they
          are stored under (reads every byte: progress counts contents, cancel stops early
          and leaves ``content_verified`` false);
        - unreferenced contents and leftovers of interrupted writes.

        Raises:
            DamagedProjectError: the database cannot be read at all.
        """
        integrity = "; ".join(row[0] for row in self._all("PRAGMA integrity_check"))
        rows = self._all("SELECT id, sha256 FROM contents")
        referenced: dict[str, list[int]] = {}
        for sample_id, sha in rows:
            referenced.setdefault(sha, []).append(sample_id)
        with self._read() as conn:
            in_database = content.all_hashes(conn)
        present = in_database | set(self._files.iter_hashes())
        missing = sorted(i for sha, ids in referenced.items() if sha not in present for i in ids)
        corrupt: list[int] = []
        verified = False
        if verify_content:
            from_database = referenced.keys() & in_database
            files_only = present - in_database
            from_files = sorted(sha for sha in referenced if sha in files_only)
            tracker = Tracker(progress, len(from_database) + len(from_files))
            verified = True
            with self._read() as conn:
                for sha, intact in content.verify_all(conn, from_database):
                    if is_cancelled(cancel):
                        verified = False
                        break
                    if not intact:
                        corrupt.extend(referenced[sha])
                    tracker.step(sha)
            for sha in from_files if verified else ():
                if is_cancelled(cancel):
                    verified = False
                    break
                if not self._files.verify(sha):
                    corrupt.extend(referenced[sha])
                tracker.step(sha)
        return ConsistencyReport(
            integrity=integrity,
            samples=len(rows),
            missing_blobs=missing,
            orphan_blobs=sorted(present - referenced.keys() - self._history_hashes()),
            temporary_files=len(self._files.temporary_files()),
            corrupt_blobs=sorted(corrupt),
            content_verified=verified,
        )

    def migrate_contents(
        self,
        *,
        progress: Optional[ProgressCallback] = None,
        cancel: Optional[CancelToken] = None,
    ) -> int:
        """Move content files small enough into the database (projects made before contents
        were kept there); returns how many moved. Progress counts files.

        Crash-safe and repeatable: a chunk of contents is copied into the database and
        committed, and only then are its files removed; a crash in between leaves both
        copies (reads use the database's), and the next run or :meth:`clean` removes the
        file. A file whose bytes no longer match its hash stays where it is (``check``
        reports it).
        """
        hashes = sorted(content.small_files(self.blobs))
        tracker = Tracker(progress, len(hashes))
        moved = 0
        for start in range(0, len(hashes), _CHUNK_ITEMS):
            if is_cancelled(cancel):
                break
            chunk = hashes[start : start + _CHUNK_ITEMS]
            found: list[tuple[str, bytes]] = []
            for sha in chunk:
                try:
                    found.append((sha, self._files.read(sha)))
                except (OSError, CorruptContentError):
                    continue
            with self._write_transaction("move contents into the project database") as conn:
                content.store(conn, found)
            moved += self._remove_file_copies([sha for sha, _ in found])
            tracker.step(None, count=len(chunk))
        return moved

    def _remove_file_copies(self, hashes: Sequence[str]) -> int:
        """Unlink the files of ``hashes`` whose content the database also holds (left by a
        migration); returns how many. Under the write lock, so the database copy cannot be
        removed in between.
        """
        removed = 0
        hashes = sorted(hashes)
        for start in range(0, len(hashes), _ID_CHUNK):
            chunk = hashes[start : start + _ID_CHUNK]
            with self._write_transaction("clean the project") as conn:
                for sha in sorted(content.present(conn, chunk)):
                    if self._files.exists(sha):
                        self._files.delete(sha)
                        removed += 1
        return removed

    def _history_hashes(self) -> set[str]:
        rows = self._all("SELECT DISTINCT sha256 FROM change_rows WHERE sha256 IS NOT NULL")
        return {row[0] for row in rows}

    def clean(self, *, min_age_seconds: float = 0.0) -> int:
        """Remove content files no sample refers to, and temporary files whose writer is gone.

        Safe while other processes upload or delete: each file is removed under the project's
        write lock after checking that no sample refers to it (see the module docstring); a
        temporary file is removed only when the process that writes it no longer runs. Only
        files older than ``min_age_seconds`` are considered. Returns how many were removed.

        Raises:
            DamagedProjectError: the database is damaged (a damaged project is never cleaned).
        """
        integrity = "; ".join(row[0] for row in self._all("PRAGMA quick_check"))
        if integrity != "ok":
            raise DamagedProjectError(damaged_message(self.path, integrity))
        referenced = {row[0] for row in self._all("SELECT DISTINCT sha256 FROM contents")}
        referenced |= self._history_hashes()
        with self._read() as conn:
            in_database = content.all_hashes(conn)
        cutoff = time.time() - min_age_seconds
        files = list(self._files.iter_hashes())
        candidates = [
            sha
            for sha in files
            if sha not in referenced and _modified_before(self._files.path(sha), cutoff)
        ]
        # contents in the database were written with their rows: no writer is mid-way
        candidates += [sha for sha in in_database if sha not in referenced]
        removed = self._remove_unreferenced(candidates)
        removed += self._remove_file_copies([sha for sha in files if sha in in_database])
        for tmp in self._files.abandoned_temporary_files(min_age_seconds=min_age_seconds):
            try:
                tmp.unlink()
                removed += 1
            except FileNotFoundError:
                pass
        return removed


class _Reject(Exception):
    """An item refused before parsing (size, kind)."""


def _check_openable(path: Path, create: bool) -> None:
    """Refuse a folder that is not a project (unless creating) or that lost its database."""
    if not path.exists():
        if create:
            return
        raise NotAProjectError(f"No project at {path}: the folder does not exist")
    if not path.is_dir():
        raise NotAProjectError(f"{path} is a file, not a project folder")
    database = path / DATABASE
    try:
        size = database.stat().st_size
    except FileNotFoundError:
        size = None
    if size:  # a database with content: opened and validated by SQLite
        return
    state = "missing" if size is None else "empty (0 bytes)"
    # A content folder is made only with a database: without it, the database was lost
    # (and with it the small contents it kept), even when no content file is left.
    if _holds_content(path) or (path / BLOBS).is_dir():
        what = (
            "it holds sample content but its database" if _holds_content(path) else ("its database")
        )
        raise DamagedProjectError(
            f"The project at {path} is damaged: {what} ({DATABASE}) is {state}. Nothing was"
            f" changed or removed; run 'ei-desktop check --recover --project {path}' to"
            " rebuild it from what is left."
        )
    if not create:
        raise NotAProjectError(f"{path} is not an ei-desktop project (it has no {DATABASE})")


def _upgrade_from_1(conn: sqlite3.Connection) -> None:
    """Move a version 1 database (one wide table) to this schema, in the caller's
    transaction; ids, and the ids never to be used again, are kept.
    """
    row = conn.execute("SELECT seq FROM sqlite_sequence WHERE name = 'samples'").fetchone()
    highest_id = row[0] if row else 0
    for statement in _split_sql(UPGRADE_FROM_1):
        conn.execute(statement)
    statements = _split_sql(SCHEMA)
    triggers = [s for s in statements if s.lstrip().upper().startswith("CREATE TRIGGER")]
    for statement in statements:
        if statement not in triggers:
            conn.execute(statement)
    for statement in _split_sql(COPY_FROM_1):
        conn.execute(statement)
    for statement in triggers:
        conn.execute(statement)
    conn.execute(REBUILD_LABEL_COUNTS)
    conn.execute(
        "UPDATE sqlite_sequence SET seq = max(seq, ?) WHERE name = 'samples'", (highest_id,)
    )
    conn.execute("DELETE FROM sqlite_sequence WHERE name = ?", (OLD_SAMPLES,))
    conn.execute(
        "UPDATE project SET value = ? WHERE key = 'schema_version'", (str(SCHEMA_VERSION),)
    )


def _where(
    conn: sqlite3.Connection, query: SampleQuery, after: Optional[SampleRecord] = None
) -> tuple[str, list]:
    """``sql.where`` for a read on ``conn``: a label filter that no sample with several
    labels has a part in is the plain, faster test of the own label (the same answer).
    """
    own_labels = not _several_labels_among(conn, query.labels)
    return sql.where(query, after=after, own_labels=own_labels)


def _several_labels_among(conn: sqlite3.Connection, labels: Optional[Sequence[str]]) -> bool:
    """True when some sample that counts under several labels, or not under its own, has
    one of ``labels`` (its own or one it counts under); ``False`` without labels.
    """
    if not labels:
        return False
    params: list = []
    condition = sql.in_values("label", labels, params)
    row = conn.execute(f"SELECT 1 FROM sample_labels WHERE {condition} LIMIT 1", params)
    return row.fetchone() is not None


def _has_table(conn: sqlite3.Connection, name: str) -> bool:
    row = conn.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (name,))
    return row.fetchone() is not None


def _holds_content(path: Path) -> bool:
    wal = path / (DATABASE + "-wal")
    if wal.is_file() and wal.stat().st_size > 0:
        return True
    blobs = path / BLOBS
    if not blobs.is_dir():
        return False
    return next(BlobStore(blobs).iter_hashes(), None) is not None


def _make_private(database: Path) -> None:
    """Create the database owner-only, and make an existing one so (older projects)."""
    try:
        os.close(os.open(database, os.O_WRONLY | os.O_CREAT | os.O_EXCL, DATABASE_MODE))
        return
    except FileExistsError:
        pass
    for path in (database, Path(f"{database}-wal"), Path(f"{database}-shm")):
        try:
            if path.stat().st_mode & 0o077:
                path.chmod(DATABASE_MODE)
        except OSError:
            pass  # not ours, or gone: SQLite says so if it matters


def _rollback(conn: sqlite3.Connection) -> None:
    if conn.in_transaction:
        try:
            conn.execute("ROLLBACK")
        except sqlite3.Error:
            pass


def _modified_before(path: Path, cutoff: float) -> bool:
    try:
        return path.stat().st_mtime <= cutoff
    except FileNotFoundError:
        return False


@contextmanager
def _content_errors(record: SampleRecord) -> Iterator[None]:
    """Name the sample in a content error, and turn a missing or unreadable file into a
    :class:`BackendError`.
    """
    try:
        yield
    except CorruptContentError as exc:
        raise CorruptContentError(f"Sample {record.id}: {exc}") from exc
    except OSError as exc:
        raise BackendError(_unreadable(record, exc)) from exc


def _unreadable(record: SampleRecord, exc: OSError) -> str:
    if isinstance(exc, FileNotFoundError):
        return f"The stored content of sample {record.id} is missing"
    return f"Cannot read the stored content of sample {record.id}: {exc.strerror or exc}"


def _done(value) -> Future:
    future: Future = Future()
    future.set_result(value)
    return future


def _too_large(size: Optional[int], limit: int) -> str:
    """``size`` is ``None`` when only the first ``limit + 1`` bytes were read."""
    if size is None:
        return f"The file is too large (over the limit of {display.size(limit)})"
    return f"The file is too large ({display.size(size)}; the limit is {display.size(limit)})"


def _chunks(items: list[UploadItem]) -> Iterator[list[UploadItem]]:
    """``items`` in chunks of at most :data:`_CHUNK_ITEMS` items and :data:`_CHUNK_BYTES`
    bytes; the first ones smaller (from an eighth, doubling), so that the first commit
    starts soon and the rest of the upload is prepared while committing.
    """
    chunk: list[UploadItem] = []
    chunk_bytes = 0
    most = max(1, _CHUNK_ITEMS // 8)
    for item in items:
        try:
            size = item.size() or 0
        except OSError:
            size = 0
        if chunk and (len(chunk) >= most or chunk_bytes + size > _CHUNK_BYTES):
            yield chunk
            chunk, chunk_bytes = [], 0
            most = min(_CHUNK_ITEMS, most * 2)
        chunk.append(item)
        chunk_bytes += size
    if chunk:
        yield chunk


def _split_sql(script: str) -> list[str]:
    """Statements of ``script`` (triggers contain ``;`` inside BEGIN … END)."""
    statements, current = [], []
    depth = 0
    for line in script.splitlines():
        stripped = line.strip()
        if not stripped or stripped.startswith("--"):
            continue
        current.append(line)
        upper = stripped.upper()
        if upper.startswith("CREATE TRIGGER"):
            depth = 1
        if depth and upper == "END;":
            depth = 0
        if not depth and stripped.endswith(";"):
            statements.append("\n".join(current))
            current = []
    return statements


@lru_cache(maxsize=256)
def _sensors(text: str) -> tuple[Sensor, ...]:
    # most samples of a project share a handful of sensor layouts: parse each once
    return tuple(Sensor(s["name"], s["units"]) for s in json.loads(text))


def _record(row: tuple, project_id: int) -> SampleRecord:
    (
        sample_id,
        filename,
        upload_name,
        category,
        label,
        kind,
        sha256,
        size,
        interval_ms,
        values_count,
        _length,
        _frequency,
        sensors,
        device_type,
        device_name,
        width,
        height,
        metadata,
        boxes,
        structured,
        tag,
        stored_ext,
        added,
        disabled,
    ) = row
    return SampleRecord(
        id=sample_id,
        filename=filename,
        category=category,
        label=label,
        kind=kind,
        sensors=list(_sensors(sensors)),
        interval_ms=interval_ms,
        values_count=values_count,
        size=size,
        added=datetime.fromtimestamp(added / 1000, tz=timezone.utc),
        sha256=sha256,
        upload_name=upload_name,
        device_type=device_type,
        device_name=device_name,
        metadata=None if metadata is None else json.loads(metadata),
        bounding_boxes=[] if boxes is None else json.loads(boxes),
        structured_labels=None if structured is None else json.loads(structured),
        width=width,
        height=height,
        cold_storage_name=naming.cold_storage_name(upload_name, sample_id, tag, stored_ext),
        disabled=bool(disabled),
    )
