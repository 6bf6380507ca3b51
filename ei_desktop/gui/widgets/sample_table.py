"""The table view of samples: fixed row heights, interactive columns, backend sorting, and a
selection and scroll position that survive a refresh (restored by sample id).

The Label cell is edited in place (F2 or a double-click, completing from the project's
labels), and selected rows can be dragged (onto the category tree) as a list of ids.
"""

from __future__ import annotations

from typing import Optional

import numpy as np
from PySide6.QtCore import QItemSelection, QItemSelectionModel, QModelIndex, Qt, QTimer
from PySide6.QtGui import QDrag
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QLineEdit,
    QMenu,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableView,
    QWidget,
)

from ei_desktop.gui.dialogs.curation import label_completer
from ei_desktop.gui.models.category_tree import ids_to_mime
from ei_desktop.gui.models.sample_table import COLUMNS, LABEL_COLUMN, SampleTableModel

#: starting widths of the columns, in characters
_WIDTHS = (7, 18, 11, 10, 10, 11, 16, 10, 16)

#: columns hidden until the user shows them (right-click the header): the others are the ones
#: Edge Impulse Studio lists, and they fit beside the preview without scrolling sideways
DEFAULT_HIDDEN = tuple(
    i for i, c in enumerate(COLUMNS) if c.title in ("Kind", "Sensors", "Frequency")
)
#: columns that cannot be hidden (a row must say which sample it is)
ALWAYS_SHOWN = tuple(i for i, c in enumerate(COLUMNS) if c.title in ("ID", "Name"))


#: columns whose text is elided in the middle: names that differ only at the end stay apart
MIDDLE_ELIDED = tuple(i for i, c in enumerate(COLUMNS) if c.sort in ("filename", "label"))


class MiddleElideDelegate(QStyledItemDelegate):
    """Draws text elided in the middle (``long_sess…_07.csv``) instead of at the end."""

    def initStyleOption(self, option: QStyleOptionViewItem, index: QModelIndex) -> None:  # noqa: D102, N802
        super().initStyleOption(option, index)
        option.textElideMode = Qt.TextElideMode.ElideMiddle


class LabelDelegate(MiddleElideDelegate):
    """Edits a label in a line edit that completes from the project's labels."""

    def __init__(self, parent: Optional[QWidget] = None) -> None:
        super().__init__(parent)
        #: the labels offered while typing
        self.labels: list[str] = []

    def createEditor(self, parent: QWidget, option, index: QModelIndex) -> QWidget:  # noqa: D102, N802
        editor = QLineEdit(parent)
        editor.setAccessibleName("Label")
        editor.setFrame(False)
        if self.labels:
            editor.setCompleter(label_completer(self.labels, editor))
        return editor

    def setEditorData(self, editor: QWidget, index: QModelIndex) -> None:  # noqa: D102, N802
        editor.setText(index.data(Qt.ItemDataRole.EditRole) or "")
        editor.selectAll()

    def setModelData(self, editor: QWidget, model, index: QModelIndex) -> None:  # noqa: D102, N802
        model.setData(index, editor.text(), Qt.ItemDataRole.EditRole)


class SampleTableView(QTableView):
    """A :class:`QTableView` for :class:`SampleTableModel`."""

    def __init__(self, model: SampleTableModel, parent: Optional[QWidget] = None) -> None:
        super().__init__(parent)
        self.setModel(model)
        self._model = model
        self._saved: Optional[tuple] = None
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.setAlternatingRowColors(True)
        self.setShowGrid(False)
        self.setWordWrap(False)
        self.setCornerButtonEnabled(False)
        self.setTextElideMode(Qt.TextElideMode.ElideRight)
        self._middle = MiddleElideDelegate(self)
        for column in MIDDLE_ELIDED:
            self.setItemDelegateForColumn(column, self._middle)
        self.label_delegate = LabelDelegate(self)
        self.setItemDelegateForColumn(LABEL_COLUMN, self.label_delegate)
        self.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.setHorizontalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        triggers = QAbstractItemView.EditTrigger
        self.setEditTriggers(triggers.EditKeyPressed | triggers.DoubleClicked)
        self.setDragEnabled(True)
        self.setDragDropMode(QAbstractItemView.DragDropMode.DragOnly)
        self.setTabKeyNavigation(False)

        rows = self.verticalHeader()
        rows.setVisible(False)
        rows.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        rows.setDefaultSectionSize(self.fontMetrics().height() + 10)
        rows.setMinimumSectionSize(self.fontMetrics().height() + 4)

        header = self.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        header.setHighlightSections(False)
        header.setSectionsMovable(True)
        header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        char = self.fontMetrics().horizontalAdvance("0")
        for column, width in enumerate(_WIDTHS[: len(COLUMNS)]):
            header.resizeSection(column, width * char + 16)
        for column in DEFAULT_HIDDEN:
            header.setSectionHidden(column, True)
        header.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        header.customContextMenuRequested.connect(self.show_columns_menu)
        header.setSortIndicator(
            model.sort_column(),
            Qt.SortOrder.DescendingOrder if model.query.descending else Qt.SortOrder.AscendingOrder,
        )
        self.setSortingEnabled(True)

        # the scroll position is restored once the reset has been laid out
        self._scroll_timer = QTimer(self)
        self._scroll_timer.setSingleShot(True)
        self._scroll_timer.timeout.connect(self._scroll_to_saved)
        self._scroll_target: Optional[tuple[int, QAbstractItemView.ScrollHint]] = None
        model.idsAboutToChange.connect(self._save_state)
        model.idsChanged.connect(self._restore_state)
        model.sortRejected.connect(self._reset_sort_indicator)

    def columns_menu(self) -> QMenu:
        """A menu with a check box per column: which columns the table shows."""
        header = self.horizontalHeader()
        menu = QMenu("Columns", self)
        for column, spec in enumerate(COLUMNS):
            action = menu.addAction(spec.title)
            action.setCheckable(True)
            action.setChecked(not header.isSectionHidden(column))
            action.setEnabled(column not in ALWAYS_SHOWN)
            action.toggled.connect(
                lambda shown, column=column: header.setSectionHidden(column, not shown)
            )
        return menu

    def show_columns_menu(self, position) -> QMenu:
        """Show :meth:`columns_menu` at ``position`` on the header; returns it."""
        menu = self.columns_menu()
        menu.popup(self.horizontalHeader().mapToGlobal(position))
        return menu

    def set_label_choices(self, labels: list[str]) -> None:
        """The labels offered while a label is edited in place."""
        self.label_delegate.labels = list(labels)

    def edit(self, index, trigger=None, event=None):  # noqa: D102
        if trigger is None:  # edit(index): the slot
            return super().edit(index)
        # F2 on any cell of a row edits the row's label
        if (
            trigger == QAbstractItemView.EditTrigger.EditKeyPressed
            and index.isValid()
            and index.column() != LABEL_COLUMN
        ):
            index = index.siblingAtColumn(LABEL_COLUMN)
        return super().edit(index, trigger, event)

    def edit_label(self) -> bool:
        """Start editing the current row's label in place; False when there is none."""
        index = self.currentIndex()
        if not index.isValid():
            return False
        index = index.siblingAtColumn(LABEL_COLUMN)
        self.setCurrentIndex(index)
        return super().edit(index, QAbstractItemView.EditTrigger.EditKeyPressed, None)

    def startDrag(self, supported_actions) -> None:  # noqa: D102, N802
        # the ids of the selection, not one item per selected cell (fast for any selection)
        ids = self.selected_ids()
        if not len(ids):
            return
        drag = QDrag(self)
        drag.setMimeData(ids_to_mime(ids))
        drag.exec(Qt.DropAction.MoveAction | Qt.DropAction.CopyAction, Qt.DropAction.MoveAction)

    def moveCursor(self, action, modifiers) -> QModelIndex:  # noqa: D102, N802
        # Home/End (with or without Ctrl) go to the first/last row in the first column, so
        # the ID and Name columns stay in sight instead of scrolling to the last column
        cursor = QAbstractItemView.CursorAction
        if action in (cursor.MoveHome, cursor.MoveEnd):
            rows = self._model.rowCount()
            if rows == 0:
                return QModelIndex()
            header = self.horizontalHeader()
            column = next(
                (
                    header.logicalIndex(v)
                    for v in range(header.count())
                    if not header.isSectionHidden(header.logicalIndex(v))
                ),
                0,
            )
            return self._model.index(0 if action == cursor.MoveHome else rows - 1, column)
        return super().moveCursor(action, modifiers)

    # -- selection ----------------------------------------------------------------------------

    def selected_ranges(self) -> list[tuple[int, int]]:
        """Selected rows as merged inclusive ranges ``[(top, bottom), …]``."""
        selection_model = self.selectionModel()
        if selection_model is None:
            return []
        spans = sorted((r.top(), r.bottom()) for r in selection_model.selection())
        merged: list[tuple[int, int]] = []
        for top, bottom in spans:
            if merged and top <= merged[-1][1] + 1:
                merged[-1] = (merged[-1][0], max(merged[-1][1], bottom))
            else:
                merged.append((top, bottom))
        return merged

    def selected_count(self) -> int:
        """How many rows are selected (without listing them)."""
        return sum(bottom - top + 1 for top, bottom in self.selected_ranges())

    def selected_ids(self) -> np.ndarray:
        """Ids of the selected rows, in row order."""
        return self._model.ids_of_rows(self.selected_ranges())

    def current_id(self) -> Optional[int]:
        """The id of the current row, or ``None``."""
        index = self.currentIndex()
        return self._model.sample_id(index.row()) if index.isValid() else None

    def select_ids(self, ids, *, current: Optional[int] = None) -> None:
        """Select the rows showing ``ids`` (and make ``current`` the current row)."""
        selection_model = self.selectionModel()
        wanted = np.asarray(list(ids) if not isinstance(ids, np.ndarray) else ids, dtype=np.int64)
        rows = np.flatnonzero(np.isin(self._model.ids, wanted)) if len(wanted) else np.zeros(0)
        selection = QItemSelection()
        last = self._model.columnCount() - 1
        if len(rows):
            breaks = np.flatnonzero(np.diff(rows) != 1)
            starts = np.concatenate(([rows[0]], rows[breaks + 1]))
            ends = np.concatenate((rows[breaks], [rows[-1]]))
            for top, bottom in zip(starts.tolist(), ends.tolist()):
                selection.select(self._model.index(top, 0), self._model.index(bottom, last))
        flags = QItemSelectionModel.SelectionFlag
        if current is not None:
            row = self._model.row_of(current)
            if row is not None:
                selection_model.setCurrentIndex(self._model.index(row, 0), flags.NoUpdate)
        selection_model.select(selection, flags.ClearAndSelect | flags.Rows)

    # -- keeping the view across a relisting --------------------------------------------------

    def _top_row(self) -> int:
        return self.rowAt(0)

    def _save_state(self) -> None:
        if self._scroll_timer.isActive():
            # a restore is still pending: what it would restore is the state to keep
            self._scroll_timer.stop()
            self._scroll_to_saved()
        top = self._top_row()
        top_id = self._model.sample_id(top) if top >= 0 else None
        offset = self.visualRect(self._model.index(top, 0)).top() if top >= 0 else 0
        self._saved = (
            self.selected_ids(),
            self.current_id(),
            top_id,
            max(top, 0),
            offset,
        )

    def _restore_state(self) -> None:
        if self._saved is None:
            return
        selected, current, top_id, top_row, _offset = self._saved
        self._saved = None
        if len(selected) or current is not None:
            self.select_ids(selected, current=current)
        rows = self._model.rowCount()
        if not rows or top_id is None:
            return
        hint = QAbstractItemView.ScrollHint.PositionAtTop
        row = self._model.row_of(top_id) if top_id is not None else None
        if row is None and current is not None and not self._model.refreshing:
            # a new filter: keep the current sample in sight if it is still listed
            row = self._model.row_of(current)
            hint = QAbstractItemView.ScrollHint.PositionAtCenter
        if row is None:
            row = min(top_row, rows - 1) if self._model.refreshing else 0
        self._scroll_target = (row, hint)
        self._scroll_timer.start(0)

    def _scroll_to_saved(self) -> None:
        if self._scroll_target is None:
            return
        row, hint = self._scroll_target
        self._scroll_target = None
        if row < self._model.rowCount():
            self.scrollTo(self._model.index(row, 0), hint)

    def _reset_sort_indicator(self) -> None:
        order = (
            Qt.SortOrder.DescendingOrder
            if self._model.query.descending
            else Qt.SortOrder.AscendingOrder
        )
        column = self._model.sort_column()
        QTimer.singleShot(0, lambda: self.horizontalHeader().setSortIndicator(column, order))

    def index_for_id(self, sample_id: int) -> QModelIndex:
        """The first-column index of ``sample_id`` (invalid if not listed)."""
        row = self._model.row_of(sample_id)
        return self._model.index(row, 0) if row is not None else QModelIndex()
