"""The sample table: an ordered array of ids from the backend, rows fetched when painted.

Sorting and filtering happen in the backend (``sample_ids(query)``); the model never sorts or
filters Python rows. A row's record is fetched in chunks by worker jobs the first time the view
paints it, and kept in a bounded LRU cache. ``rowCount`` and ``flags`` never fetch, so
``Select all`` over a million rows is instant.

A refresh keeps the cache but marks it stale: stale rows still paint (no flicker) and are
fetched again in the background.

Disabled samples (listed when the query asks for them) read greyed and italic. The Label cell
is editable: the model does not change the backend, it emits :attr:`SampleTableModel.labelEdited`
and a controller runs the change as a job.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any, Optional

import numpy as np
from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from PySide6.QtGui import QFont, QPalette
from PySide6.QtWidgets import QApplication

from ei_desktop.core.backends.base import Backend, SampleQuery, SampleRecord
from ei_desktop.core.progress import Progress
from ei_desktop.gui.alive import while_alive
from ei_desktop.gui.jobs.listing import FirstPage, ids_job
from ei_desktop.gui.jobs.runner import JobRunner, JobSlot, error_message
from ei_desktop.gui.models.row_fetcher import RowFetcher
from ei_desktop.gui.models.sample_rows import (
    COLUMNS,
    LOADING,
    UNAVAILABLE,
    RecordCache,
    RecordRole,
    SampleIdRole,
)

_DISPLAY = Qt.ItemDataRole.DisplayRole
_TOOLTIP = Qt.ItemDataRole.ToolTipRole
_ALIGN = Qt.ItemDataRole.TextAlignmentRole
_FOREGROUND = Qt.ItemDataRole.ForegroundRole
_FONT = Qt.ItemDataRole.FontRole
_EDIT = Qt.ItemDataRole.EditRole

#: the column of the label (edited in place)
LABEL_COLUMN = next(i for i, c in enumerate(COLUMNS) if c.sort == "label")
_FLAGS = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemIsDragEnabled


class SampleTableModel(QAbstractTableModel):
    """A lazy, backend-sorted and backend-filtered table of samples.

    Signals:
        listingStarted: a new id list is being read.
        listingFinished: the ids are in place (``rowCount`` is final).
        listingFailed(str): the listing failed (server gone…); the old rows stay.
        rowsFailed(str): fetching some rows failed; they show "Could not load".
        idsAboutToChange / idsChanged: bracket a model reset caused by a refresh (the same
            query read again), so a view can save and restore its selection and scroll
            position by id. A new query, sort or backend resets without them: the view
            starts at the top with nothing selected.
        sortRejected: the user asked to sort by a column the backend cannot sort by.
        labelEdited(int, str): the user typed a new label for this sample in its Label cell
            (nothing is changed yet: a controller applies it).
    """

    listingStarted = Signal()
    listingFinished = Signal()
    listingFailed = Signal(str)
    rowsFailed = Signal(str)
    idsAboutToChange = Signal()
    idsChanged = Signal()
    sortRejected = Signal()
    labelEdited = Signal(int, str)

    #: rows fetched per job
    CHUNK = 200
    #: records kept in the cache (a few dozen screens; more only lengthens garbage collections)
    CACHE_LIMIT = 5_000

    def __init__(self, runner: JobRunner, parent=None) -> None:
        super().__init__(parent)
        self._runner = runner
        self._backend: Optional[Backend] = None
        self._query = SampleQuery()
        self._ids = np.zeros(0, dtype=np.int64)
        self._rows = 0
        self._cache = RecordCache(self.CACHE_LIMIT)
        self._rows_fetcher = RowFetcher(runner, self._cache, self._chunk_source, self.CHUNK, self)
        self._rows_fetcher.rowsFetched.connect(self._on_rows)
        self._rows_fetcher.rowsFailed.connect(self._on_rows_failed)
        self._listing = JobSlot(runner, self)
        self._listing.progress.connect(self._on_first_page)
        self._listing.finished.connect(self._on_ids)
        self._listing.failed.connect(self._on_listing_failed)
        self._partial = False
        self._refreshing = False
        self._placeholder_color = QApplication.palette().color(
            QPalette.ColorGroup.Disabled, QPalette.ColorRole.Text
        )
        self._disabled_font = QFont()
        self._disabled_font.setItalic(True)

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
        return self._listing.running

    def set_backend(self, backend: Optional[Backend], query: Optional[SampleQuery] = None) -> None:
        """List ``backend`` (``None``: empty table) with ``query`` (default: unchanged)."""
        self._backend = backend
        if query is not None:
            self._query = query
        self._cache.clear()
        self._listing.cancel()
        self.beginResetModel()
        self._ids = np.zeros(0, dtype=np.int64)
        self._rows = 0
        self._rows_fetcher.clear()
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
        self._cache.mark_stale()
        self._rows_fetcher.forget_failures()
        self._start_listing(keep_rows=True)

    def forget(self, ids) -> None:
        """Drop cached records of ``ids`` (after they were deleted or changed)."""
        self._cache.forget(ids)

    def record(self, sample_id: int, *, fresh: bool = False) -> Optional[SampleRecord]:
        """The cached record of ``sample_id``, never fetched; ``fresh``: read since a refresh."""
        entry = self._cache.get(int(sample_id))
        if entry is None or (fresh and not self._cache.is_fresh(entry)):
            return None
        return entry.record

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
        return self._cache.names(ids)

    # -- Qt model -----------------------------------------------------------------------------

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008, D102
        return 0 if parent.isValid() else self._rows

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008, D102
        return 0 if parent.isValid() else len(COLUMNS)

    def flags(self, index: QModelIndex | QPersistentModelIndex) -> Qt.ItemFlag:  # noqa: D102
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        if index.column() == LABEL_COLUMN:
            return _FLAGS | Qt.ItemFlag.ItemIsEditable
        return _FLAGS

    def setData(  # noqa: D102, N802
        self, index: QModelIndex | QPersistentModelIndex, value: Any, role: int = _EDIT
    ) -> bool:
        if role != _EDIT or not index.isValid() or index.column() != LABEL_COLUMN:
            return False
        record = self.record(self._ids[index.row()]) if index.row() < len(self._ids) else None
        label = str(value or "").strip()
        if record is None or not label or label == record.label:
            return False
        self.labelEdited.emit(record.id, label)
        return True

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = _DISPLAY) -> Any:  # noqa: D102
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < len(COLUMNS):
            return None
        column = COLUMNS[section]
        if role == _DISPLAY:
            return column.title
        if role == _ALIGN:
            return column.alignment
        if role == _TOOLTIP and column.sort is None:
            return f"{column.title} (not sortable)"
        return None

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = _DISPLAY) -> Any:  # noqa: D102
        if not index.isValid():
            return None
        row, column = index.row(), index.column()
        if role == _ALIGN:
            return COLUMNS[column].alignment
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
        if not self._cache.is_fresh(entry):
            self._rows_fetcher.request(row)
        if role == RecordRole:
            return entry.record if entry is not None else None
        if entry is None:
            if role == _DISPLAY:
                if column == 0:
                    return str(sample_id)
                if column == 1:
                    return UNAVAILABLE if self._rows_fetcher.failed(row) else LOADING
                return ""
            if role == _FOREGROUND:
                return self._placeholder_color
            return None
        if role == _DISPLAY:
            if column == 0:
                self._cache.touch(sample_id)
            return entry.cells[column]
        record = entry.record
        if role == _EDIT:
            return record.label if record is not None and column == LABEL_COLUMN else None
        if role == _TOOLTIP:
            if record is not None and record.disabled:
                return f"{entry.tooltip}\nDisabled: left out of training and downloads"
            return entry.tooltip
        if role == _FOREGROUND and (record is None or record.disabled):
            return self._placeholder_color
        if role == _FONT and record is not None and record.disabled:
            return self._disabled_font
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

    def _start_listing(self, *, keep_rows: bool) -> None:
        assert self._backend is not None
        self._refreshing = keep_rows
        self._listing.start(
            ids_job(self._backend, self._query, first_page=not keep_rows),
            name="list samples",
            throttle=False,
            priority=1,
        )
        self.listingStarted.emit()

    @while_alive
    def _on_first_page(self, update: Progress) -> None:
        if not isinstance(update.item, FirstPage):
            return
        page = update.item
        # a first page only comes with a new query: nothing of the old list is kept
        self.beginResetModel()
        self._ids = np.fromiter((r.id for r in page.records), dtype=np.int64)
        self._rows = page.total if page.total is not None else len(page.records)
        self._partial = True
        self._rows_fetcher.clear()
        for record in page.records:
            self._cache.store(record.id, record)
        self.endResetModel()

    @while_alive
    def _on_ids(self, ids: np.ndarray) -> None:
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
            keep_view = self._refreshing
            if keep_view:
                self.idsAboutToChange.emit()
            self.beginResetModel()
            self._ids = ids
            self._rows = len(ids)
            self._rows_fetcher.clear()
            self.endResetModel()
            if keep_view:
                self.idsChanged.emit()
        self.listingFinished.emit()

    @while_alive
    def _on_listing_failed(self, error: BaseException) -> None:
        if self._partial:
            # keep the first page; it is all we know
            self._partial = False
            if self._rows > len(self._ids):
                self.beginRemoveRows(QModelIndex(), len(self._ids), self._rows - 1)
                self._rows = len(self._ids)
                self.endRemoveRows()
        self.listingFailed.emit(error_message(error))
        self.listingFinished.emit()

    # -- rows ---------------------------------------------------------------------------------

    def _changed(self, first: int, last: int) -> None:
        if last >= first:
            self.dataChanged.emit(
                self.index(first, 0), self.index(last, len(COLUMNS) - 1), [_DISPLAY]
            )

    def _chunk_source(self, chunk: int) -> tuple[Optional[Backend], list[int]]:
        start = chunk * self.CHUNK
        return self._backend, self._ids[start : start + self.CHUNK].tolist()

    @while_alive
    def _on_rows(self, start: int, count: int) -> None:
        self._changed(start, min(self._rows, start + count) - 1)

    @while_alive
    def _on_rows_failed(self, start: int, message: str) -> None:
        self._changed(start, min(self._rows, start + self.CHUNK) - 1)
        self.rowsFailed.emit(message)
