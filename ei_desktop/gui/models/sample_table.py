"""The sample table: an ordered array of ids from the backend, rows fetched when painted.

Sorting and filtering happen in the backend (``sample_ids(query)``); the model never sorts or
filters Python rows. A row's record is fetched in chunks by worker jobs the first time the view
paints it, and kept in a bounded LRU cache. ``rowCount`` and ``flags`` never fetch, so
``Select all`` over a million rows is instant.

A refresh keeps the cache but marks it stale: stale rows still paint (no flicker) and are
fetched again in the background.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass, replace
from typing import Any, Optional

import numpy as np
from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication

from ei_desktop.core.backends.base import Backend, SampleQuery, SampleRecord
from ei_desktop.core.progress import Progress
from ei_desktop.gui.alive import while_alive
from ei_desktop.gui.jobs.listing import FirstPage, ids_job, records_job
from ei_desktop.gui.jobs.runner import Job, JobRunner
from ei_desktop.gui.models import format as fmt


@dataclass(frozen=True)
class Column:
    """A table column: its title and the backend sort key (``None``: not sortable)."""

    title: str
    sort: Optional[str]
    align_right: bool = False


COLUMNS: tuple[Column, ...] = (
    Column("ID", "id", True),
    Column("Name", "filename"),
    Column("Label", "label"),
    Column("Category", "category"),
    Column("Kind", "kind"),
    Column("Length / size", "length", True),
    Column("Sensors", None),
    Column("Frequency", "frequency", True),
    Column("Added", "added"),
)

#: the role that returns a row's sample id (or ``None`` while the ids are loading)
SampleIdRole = Qt.ItemDataRole.UserRole + 1
#: the role that returns a row's :class:`SampleRecord` when cached (never fetches)
RecordRole = Qt.ItemDataRole.UserRole + 2

_DISPLAY = Qt.ItemDataRole.DisplayRole
_TOOLTIP = Qt.ItemDataRole.ToolTipRole
_ALIGN = Qt.ItemDataRole.TextAlignmentRole
_FOREGROUND = Qt.ItemDataRole.ForegroundRole
_RIGHT = int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
_LEFT = int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)

LOADING = "Loading…"
MISSING = "(deleted)"
UNAVAILABLE = "Could not load"


@dataclass
class _Entry:
    record: Optional[SampleRecord]  # None: the id no longer exists
    cells: tuple[str, ...]
    tooltip: str
    epoch: int


def _cells(record: SampleRecord) -> tuple[tuple[str, ...], str]:
    label = fmt.label_name(record.label)
    if record.structured_labels:
        label = f"{label} (multi-label)" if record.label else "(multi-label)"
    cells = (
        str(record.id),
        record.filename,
        label,
        fmt.category_name(record.category),
        fmt.KIND_NAMES.get(record.kind, record.kind),
        fmt.length_or_size(record),
        fmt.sensors(record),
        fmt.frequency(record),
        fmt.added(record.added),
    )
    tip = [f"{record.filename}  (ID {record.id})", f"{cells[4]}, {fmt.size(record.size)}"]
    if record.structured_labels:
        segments = ", ".join(
            f"{s.get('label')} [{s.get('startIndex')}–{s.get('endIndex')}]"
            for s in record.structured_labels[:6]
        )
        tip.append(f"Labels: {segments}")
    if record.metadata:
        tip.append("Metadata: " + ", ".join(f"{k}={v}" for k, v in record.metadata.items()))
    return cells, "\n".join(tip)


class SampleTableModel(QAbstractTableModel):
    """A lazy, backend-sorted and backend-filtered table of samples.

    Signals:
        listingStarted: a new id list is being read.
        listingFinished: the ids are in place (``rowCount`` is final).
        listingFailed(str): the listing failed (server gone…); the old rows stay.
        rowsFailed(str): fetching some rows failed; they show "Could not load".
        idsAboutToChange / idsChanged: bracket a model reset caused by new ids, so a view
            can save and restore its selection and scroll position by id.
        sortRejected: the user asked to sort by a column the backend cannot sort by.
    """

    listingStarted = Signal()
    listingFinished = Signal()
    listingFailed = Signal(str)
    rowsFailed = Signal(str)
    idsAboutToChange = Signal()
    idsChanged = Signal()
    sortRejected = Signal()

    #: rows fetched per job
    CHUNK = 200
    #: records kept in the cache (a few dozen screens; more only lengthens garbage collections)
    CACHE_LIMIT = 5_000
    #: chunk requests kept waiting (the newest win: they are what is on screen)
    MAX_WANTED = 8
    #: chunk jobs running at once
    MAX_IN_FLIGHT = 2

    def __init__(self, runner: JobRunner, parent=None) -> None:
        super().__init__(parent)
        self._runner = runner
        self._backend: Optional[Backend] = None
        self._query = SampleQuery()
        self._ids = np.zeros(0, dtype=np.int64)
        self._rows = 0
        self._generation = 0
        self._epoch = 0
        self._cache: OrderedDict[int, _Entry] = OrderedDict()
        self._wanted: OrderedDict[int, None] = OrderedDict()
        self._in_flight: dict[int, Job] = {}
        self._failed_chunks: set[int] = set()
        self._listing: Optional[Job] = None
        self._partial = False
        self._refreshing = False
        self._pump_scheduled = False
        self._placeholder_color = QApplication.palette().color(
            QPalette.ColorGroup.Disabled, QPalette.ColorRole.Text
        )

    # -- state --------------------------------------------------------------------------------

    @property
    def backend(self) -> Optional[Backend]:
        """The backend listed, or ``None``."""
        return self._backend

    @property
    def query(self) -> SampleQuery:
        """The query listed."""
        return self._query

    @property
    def ids(self) -> np.ndarray:
        """The ids of the rows known so far, in row order (read-only view)."""
        view = self._ids.view()
        view.flags.writeable = False
        return view

    @property
    def refreshing(self) -> bool:
        """True while the ids of the same query are read again (not a new query)."""
        return self._refreshing

    @property
    def loading(self) -> bool:
        """True while a listing runs."""
        return self._listing is not None

    def set_backend(self, backend: Optional[Backend], query: Optional[SampleQuery] = None) -> None:
        """List ``backend`` (``None``: empty table) with ``query`` (default: unchanged)."""
        self._backend = backend
        if query is not None:
            self._query = query
        self._cache.clear()
        self._cancel_listing()
        self._generation += 1
        self.beginResetModel()
        self._ids = np.zeros(0, dtype=np.int64)
        self._rows = 0
        self._clear_requests()
        self.endResetModel()
        if backend is not None:
            self._start_listing(keep_rows=False)

    def set_query(self, query: SampleQuery) -> None:
        """List the samples matching ``query`` (no-op if it is the current one)."""
        if query == self._query:
            return
        self._query = query
        if self._backend is not None:
            self._start_listing(keep_rows=False)

    def refresh(self) -> None:
        """Read the ids again; cached rows stay visible and are fetched again."""
        if self._backend is None:
            return
        self._epoch += 1
        self._failed_chunks.clear()
        self._start_listing(keep_rows=True)

    def forget(self, ids) -> None:
        """Drop cached records of ``ids`` (after they were deleted or changed)."""
        for sample_id in ids:
            self._cache.pop(int(sample_id), None)

    def record(self, sample_id: int) -> Optional[SampleRecord]:
        """The cached record of ``sample_id`` (never fetches)."""
        entry = self._cache.get(int(sample_id))
        return entry.record if entry is not None else None

    def sample_id(self, row: int) -> Optional[int]:
        """The id at ``row``, or ``None`` while it is not known."""
        if 0 <= row < len(self._ids):
            return int(self._ids[row])
        return None

    def row_of(self, sample_id: int) -> Optional[int]:
        """The row showing ``sample_id``, or ``None``."""
        rows = np.flatnonzero(self._ids == int(sample_id))
        return int(rows[0]) if len(rows) else None

    def ids_of_rows(self, ranges: list[tuple[int, int]]) -> np.ndarray:
        """Ids of inclusive row ranges ``[(top, bottom), …]``, in row order, no repeats."""
        parts = [self._ids[max(0, top) : bottom + 1] for top, bottom in ranges]
        if not parts:
            return np.zeros(0, dtype=np.int64)
        ids = np.concatenate(parts)
        _, first = np.unique(ids, return_index=True)
        return ids[np.sort(first)]

    def names(self, ids) -> dict[int, str]:
        """Cached names of ``ids`` (for messages about samples)."""
        out = {}
        for sample_id in ids:
            entry = self._cache.get(int(sample_id))
            if entry is not None and entry.record is not None:
                out[int(sample_id)] = entry.record.filename
        return out

    # -- Qt model -----------------------------------------------------------------------------

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008, D102
        return 0 if parent.isValid() else self._rows

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008, D102
        return 0 if parent.isValid() else len(COLUMNS)

    def flags(self, index: QModelIndex | QPersistentModelIndex) -> Qt.ItemFlag:  # noqa: D102
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = _DISPLAY) -> Any:  # noqa: D102
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < len(COLUMNS):
            return None
        column = COLUMNS[section]
        if role == _DISPLAY:
            return column.title
        if role == _ALIGN:
            return _RIGHT if column.align_right else _LEFT
        if role == _TOOLTIP and column.sort is None:
            return f"{column.title} (not sortable)"
        return None

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = _DISPLAY) -> Any:  # noqa: D102
        if not index.isValid():
            return None
        row, column = index.row(), index.column()
        if role == _ALIGN:
            return _RIGHT if COLUMNS[column].align_right else _LEFT
        if row >= len(self._ids):
            # ids still loading beyond the first page
            if role == _DISPLAY:
                return LOADING if column == 1 else ""
            if role == _FOREGROUND:
                return self._placeholder_color
            return None
        sample_id = int(self._ids[row])
        if role == SampleIdRole:
            return sample_id
        entry = self._cache.get(sample_id)
        if entry is None or entry.epoch != self._epoch:
            self._request(row)
        if role == RecordRole:
            return entry.record if entry is not None else None
        if entry is None:
            if role == _DISPLAY:
                if column == 0:
                    return str(sample_id)
                if column == 1:
                    return UNAVAILABLE if row // self.CHUNK in self._failed_chunks else LOADING
                return ""
            if role == _FOREGROUND:
                return self._placeholder_color
            return None
        if role == _DISPLAY:
            if column == 0:
                self._cache.move_to_end(sample_id)
            return entry.cells[column]
        if role == _TOOLTIP:
            return entry.tooltip
        if role == _FOREGROUND and entry.record is None:
            return self._placeholder_color
        return None

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:  # noqa: D102
        if not 0 <= column < len(COLUMNS):
            return
        key = COLUMNS[column].sort
        if key is None:
            self.sortRejected.emit()
            return
        descending = order == Qt.SortOrder.DescendingOrder
        self.set_query(replace(self._query, sort=key, descending=descending))

    def sort_column(self) -> int:
        """The column of the current sort key."""
        for number, column in enumerate(COLUMNS):
            if column.sort == self._query.sort:
                return number
        return 0

    # -- listing ------------------------------------------------------------------------------

    def _cancel_listing(self) -> None:
        if self._listing is not None:
            self._listing.cancel()
            self._listing = None

    def _clear_requests(self) -> None:
        self._wanted.clear()
        self._in_flight.clear()
        self._failed_chunks.clear()

    def _start_listing(self, *, keep_rows: bool) -> None:
        assert self._backend is not None
        self._cancel_listing()
        self._generation += 1
        self._refreshing = keep_rows
        generation = self._generation
        job = Job(
            ids_job(self._backend, self._query, first_page=not keep_rows),
            name="list samples",
            throttle=False,
        )
        job.signals.progress.connect(lambda update, g=generation: self._on_first_page(g, update))
        self._listing = job
        self.listingStarted.emit()
        self._runner.start(
            job,
            on_finished=lambda ids, g=generation: self._on_ids(g, ids),
            on_failed=lambda message, g=generation: self._on_listing_failed(g, message),
            priority=1,
        )

    @while_alive
    def _on_first_page(self, generation: int, update: Progress) -> None:
        if generation != self._generation or not isinstance(update.item, FirstPage):
            return
        page = update.item
        self.idsAboutToChange.emit()
        self.beginResetModel()
        self._ids = np.fromiter((r.id for r in page.records), dtype=np.int64)
        self._rows = page.total if page.total is not None else len(page.records)
        self._partial = True
        self._clear_requests()
        for record in page.records:
            self._store(record.id, record)
        self.endResetModel()
        self.idsChanged.emit()

    @while_alive
    def _on_ids(self, generation: int, ids: np.ndarray) -> None:
        if generation != self._generation:
            return
        self._listing = None
        old, rows, partial = self._ids, self._rows, self._partial
        self._partial = False
        prefix_matches = partial and len(ids) >= len(old) and np.array_equal(ids[: len(old)], old)
        if prefix_matches and len(ids) >= rows:
            # the first page is already on screen: add the rest without a reset
            self._ids = ids
            if len(ids) > rows:
                self.beginInsertRows(QModelIndex(), rows, len(ids) - 1)
                self._rows = len(ids)
                self.endInsertRows()
            if rows > len(old):
                self._changed(len(old), rows - 1)
        elif not partial and np.array_equal(ids, old):
            self._changed(0, rows - 1)  # same rows: repaint, stale ones fetch again
        else:
            self.idsAboutToChange.emit()
            self.beginResetModel()
            self._ids = ids
            self._rows = len(ids)
            self._clear_requests()
            self.endResetModel()
            self.idsChanged.emit()
        self.listingFinished.emit()

    @while_alive
    def _on_listing_failed(self, generation: int, message: str) -> None:
        if generation != self._generation:
            return
        self._listing = None
        if self._partial:
            # keep the first page; it is all we know
            self._partial = False
            if self._rows > len(self._ids):
                self.beginRemoveRows(QModelIndex(), len(self._ids), self._rows - 1)
                self._rows = len(self._ids)
                self.endRemoveRows()
        self.listingFailed.emit(message)
        self.listingFinished.emit()

    # -- rows ---------------------------------------------------------------------------------

    def _changed(self, first: int, last: int) -> None:
        if last >= first:
            self.dataChanged.emit(
                self.index(first, 0), self.index(last, len(COLUMNS) - 1), [_DISPLAY]
            )

    def _store(self, sample_id: int, record: Optional[SampleRecord]) -> None:
        if record is None:
            cells = (str(sample_id), MISSING, *([""] * (len(COLUMNS) - 2)))
            entry = _Entry(None, cells, "This sample no longer exists", self._epoch)
        else:
            cells, tip = _cells(record)
            entry = _Entry(record, cells, tip, self._epoch)
        self._cache[sample_id] = entry
        self._cache.move_to_end(sample_id)
        while len(self._cache) > self.CACHE_LIMIT:
            self._cache.popitem(last=False)

    def _request(self, row: int) -> None:
        chunk = row // self.CHUNK
        if chunk in self._in_flight or chunk in self._failed_chunks:
            return
        self._wanted[chunk] = None
        self._wanted.move_to_end(chunk)
        while len(self._wanted) > self.MAX_WANTED:
            self._wanted.popitem(last=False)
        if not self._pump_scheduled:
            self._pump_scheduled = True
            QTimer.singleShot(0, self._pump)

    def _pump(self) -> None:
        self._pump_scheduled = False
        while self._wanted and len(self._in_flight) < self.MAX_IN_FLIGHT:
            chunk, _ = self._wanted.popitem(last=True)
            if self._backend is None:
                return
            start = chunk * self.CHUNK
            ids = self._ids[start : start + self.CHUNK].tolist()
            if not ids:
                continue
            generation = self._generation
            job = Job(records_job(self._backend, ids), name="fetch rows")
            self._in_flight[chunk] = job
            self._runner.start(
                job,
                on_finished=lambda found, c=chunk, i=ids, g=generation, j=job: self._on_rows(
                    g, c, j, i, found
                ),
                on_failed=lambda message, c=chunk, g=generation, j=job: self._on_rows_failed(
                    g, c, j, message
                ),
            )

    def _finish_chunk(self, chunk: int, job: Job) -> None:
        if self._in_flight.get(chunk) is job:
            del self._in_flight[chunk]
        if self._wanted:
            self._pump()

    @while_alive
    def _on_rows(self, generation: int, chunk: int, job: Job, ids: list[int], found: dict) -> None:
        for sample_id in ids:
            self._store(sample_id, found.get(sample_id))
        self._finish_chunk(chunk, job)
        if generation == self._generation:
            start = chunk * self.CHUNK
            self._changed(start, min(self._rows, start + len(ids)) - 1)
        else:
            self._changed(0, self._rows - 1)

    @while_alive
    def _on_rows_failed(self, generation: int, chunk: int, job: Job, message: str) -> None:
        self._finish_chunk(chunk, job)
        if generation != self._generation:
            return
        self._failed_chunks.add(chunk)
        start = chunk * self.CHUNK
        self._changed(start, min(self._rows, start + self.CHUNK) - 1)
        self.rowsFailed.emit(message)

    def placeholder_color(self) -> QColor:
        """The text color of rows still loading."""
        return self._placeholder_color
