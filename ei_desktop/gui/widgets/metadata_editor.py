"""Editing the metadata of the selected samples: a key/value table for one sample, or the keys
common to a selection (values that differ read "(several values)"), with add, change and
remove. Every change is one undoable step through :func:`ei_desktop.ops.curate.apply`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Optional

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ei_desktop.core import display
from ei_desktop.core.backends.base import Backend
from ei_desktop.core.edits import Change, RemoveMetadata, SetMetadata
from ei_desktop.gui.alive import while_alive
from ei_desktop.gui.jobs.metadata import SelectionMetadata, edit_job, selection_metadata_job
from ei_desktop.gui.jobs.runner import JobRunner, error_message
from ei_desktop.ops.curate import EditReport

#: what a key whose values differ across the selection shows
SEVERAL_VALUES = "(several values)"
#: at most this many selected samples are read to show their metadata (edits apply to all)
READ_LIMIT = 1000


def common_metadata(metadata: Sequence[dict]) -> tuple[dict[str, Optional[str]], list[str]]:
    """The keys every one of ``metadata`` has, each with its value (``None`` when the values
    differ), and the keys only some have (sorted).
    """
    if not metadata:
        return {}, []
    keys = [set(m) for m in metadata]
    common = set.intersection(*keys)
    some = sorted(set.union(*keys) - common)
    values: dict[str, Optional[str]] = {}
    for key in sorted(common):
        seen = {str(m[key]) for m in metadata}
        values[key] = seen.pop() if len(seen) == 1 else None
    return values, some


class MetadataEditor(QWidget):
    """The metadata of the selected samples, editable.

    Args:
        runner: where it reads and changes metadata (jobs; reads are latest-wins).

    Signals:
        changed(list[EditReport]): a change was applied (the project changed: refresh views).
        loaded: the metadata of the current selection is shown.
    """

    changed = Signal(object)
    loaded = Signal()

    def __init__(self, runner: JobRunner, parent: Optional[QWidget] = None) -> None:
        super().__init__(parent)
        self.runner = runner
        self.backend: Optional[Backend] = None
        self.ids: tuple[int, ...] = ()
        self._values: dict[str, Optional[str]] = {}
        self._editing = False
        self._reading = runner.slot(self)
        self._reading.finished.connect(self._loaded)
        self._reading.failed.connect(self._load_failed)

        self.title = QLabel(self)
        bold = QFont(self.title.font())
        bold.setBold(True)
        self.title.setFont(bold)
        self.table = QTableWidget(0, 2, self)
        self.table.setHorizontalHeaderLabels(["Key", "Value"])
        self.table.setAccessibleName("Metadata")
        self.table.verticalHeader().setVisible(False)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(
            QAbstractItemView.EditTrigger.DoubleClicked
            | QAbstractItemView.EditTrigger.EditKeyPressed
        )
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        header.resizeSection(0, 120)
        self.table.setWordWrap(False)
        self.table.itemChanged.connect(self._cell_edited)
        self.table.itemSelectionChanged.connect(self._update_buttons)
        self.others = QLabel(self)
        self.others.setWordWrap(True)
        self.others.setEnabled(False)

        self.key_edit = QLineEdit(self)
        self.key_edit.setPlaceholderText("Key")
        self.key_edit.setAccessibleName("Metadata key")
        self.value_edit = QLineEdit(self)
        self.value_edit.setPlaceholderText("Value")
        self.value_edit.setAccessibleName("Metadata value")
        self.set_button = QPushButton("&Set", self)
        self.set_button.setToolTip("Add this key, or change its value, on every selected sample")
        self.remove_button = QPushButton("&Remove", self)
        self.remove_button.setToolTip("Remove the selected keys from every selected sample")
        self.key_edit.textChanged.connect(self._update_buttons)
        self.key_edit.returnPressed.connect(self.set_from_editors)
        self.value_edit.returnPressed.connect(self.set_from_editors)
        self.set_button.clicked.connect(self.set_from_editors)
        self.remove_button.clicked.connect(self.remove_selected)
        self.status = QLabel(self)
        self.status.setWordWrap(True)
        self.status.setTextFormat(Qt.TextFormat.PlainText)
        self.status.setAccessibleName("Metadata change")

        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.key_edit, 2)
        row.addWidget(self.value_edit, 3)
        row.addWidget(self.set_button)
        row.addWidget(self.remove_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addWidget(self.title)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.others)
        layout.addLayout(row)
        layout.addWidget(self.status)
        self.set_selection(None, ())

    # -- what is shown ------------------------------------------------------------------------

    def set_selection(self, backend: Optional[Backend], ids: Sequence[int]) -> None:
        """Show (and edit) the metadata of the samples ``ids`` of ``backend``."""
        ids = tuple(int(i) for i in ids)
        if backend is not self.backend or ids != self.ids:
            self.status.clear()
        self.backend = backend
        self.ids = ids
        if backend is None or not ids:
            self._reading.cancel()
            self.title.setText("Select samples to edit their metadata")
            self._fill({}, [])
            self._update_buttons()
            return
        self.title.setText(self._title(len(ids), None))
        self.reload()

    def reload(self) -> None:
        """Read the metadata of the selection again (latest read wins)."""
        if self.backend is None or not self.ids:
            return
        self._reading.start(
            selection_metadata_job(self.backend, self.ids, READ_LIMIT), name="metadata"
        )

    @property
    def busy(self) -> bool:
        """True while metadata is read or changed."""
        return self._reading.running or self._editing

    def values(self) -> dict[str, str]:
        """The rows shown: key → value (``(several values)`` where values differ)."""
        return {
            self.table.item(r, 0).text(): self.table.item(r, 1).text()
            for r in range(self.table.rowCount())
        }

    @staticmethod
    def _title(selected: int, read: Optional[int]) -> str:
        if selected == 1:
            return "Metadata"
        text = f"Metadata of {display.count(selected)} samples"
        if read is not None and read < selected:
            text += f" (keys read from the first {display.count(read)})"
        return text

    @while_alive
    def _loaded(self, result: SelectionMetadata) -> None:
        if result.ids != self.ids:
            return
        self.title.setText(self._title(len(result.ids), result.read))
        values, some = common_metadata(result.metadata)
        self._fill(values, some)
        self._update_buttons()
        self.loaded.emit()

    @while_alive
    def _load_failed(self, error: BaseException) -> None:
        self._show_status(f"Cannot read the metadata: {error_message(error)}", error=True)

    def _fill(self, values: dict[str, Optional[str]], some: list[str]) -> None:
        self._values = dict(values)
        self.table.blockSignals(True)
        self.table.setRowCount(len(values))
        italic = QFont(self.table.font())
        italic.setItalic(True)
        for row, (key, value) in enumerate(values.items()):
            key_item = QTableWidgetItem(key)
            key_item.setFlags(Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemIsEnabled)
            key_item.setToolTip(key)
            value_item = QTableWidgetItem(SEVERAL_VALUES if value is None else value)
            value_item.setToolTip(
                "The selected samples have different values; a new value replaces them all"
                if value is None
                else value
            )
            if value is None:
                value_item.setFont(italic)
            self.table.setItem(row, 0, key_item)
            self.table.setItem(row, 1, value_item)
        self.table.blockSignals(False)
        if not values:
            none = "No metadata" if len(self.ids) <= 1 else "No key common to every sample"
            self.others.setText(none if self.ids else "")
        else:
            self.others.setText("")
        if some:
            listed = ", ".join(some[:6]) + (" …" if len(some) > 6 else "")
            extra = f"On some of the samples only: {listed}"
            self.others.setText(f"{self.others.text()}\n{extra}".strip())
        self.others.setVisible(bool(self.others.text()))

    def _update_buttons(self) -> None:
        usable = self.backend is not None and bool(self.ids) and not self._editing
        for widget in (self.key_edit, self.value_edit, self.table):
            widget.setEnabled(usable)
        self.set_button.setEnabled(usable and bool(self.key_edit.text().strip()))
        self.remove_button.setEnabled(usable and bool(self._selected_keys()))

    def _selected_keys(self) -> list[str]:
        rows = sorted({index.row() for index in self.table.selectedIndexes()})
        return [self.table.item(r, 0).text() for r in rows if self.table.item(r, 0) is not None]

    # -- changes ------------------------------------------------------------------------------

    def set_value(self, key: str, value: str) -> None:
        """Give every selected sample ``key`` = ``value`` (other keys are kept)."""
        key = key.strip()
        if not key:
            self._show_status("A metadata key cannot be empty.", error=True)
            return
        self._apply([SetMetadata({key: value}, replace=False)])

    def remove_keys(self, keys: Sequence[str]) -> None:
        """Remove ``keys`` from every selected sample."""
        if keys:
            self._apply([RemoveMetadata(key) for key in keys])

    def set_from_editors(self) -> None:
        """Set the key and value typed in the editors."""
        if not self.set_button.isEnabled():
            return
        self.set_value(self.key_edit.text(), self.value_edit.text())

    def remove_selected(self) -> None:
        """Remove the keys of the selected rows."""
        self.remove_keys(self._selected_keys())

    def _cell_edited(self, item: QTableWidgetItem) -> None:
        if item.column() != 1:
            return
        key = self.table.item(item.row(), 0).text()
        old = self._values.get(key)
        text = item.text()
        if text == (SEVERAL_VALUES if old is None else old):
            return
        self.set_value(key, text)

    def _apply(self, changes: list[Change]) -> None:
        if self.backend is None or not self.ids or self._editing:
            return
        self._editing = True
        self._update_buttons()
        self._show_status("Saving…")
        self.runner.start(
            edit_job(self.backend, self.ids, changes),
            name="edit metadata",
            on_finished=self._edited,
            on_failed=self._edit_failed,
        )

    @while_alive
    def _edited(self, reports: list[EditReport]) -> None:
        self._editing = False
        problem = next((r.problem for r in reports if r.problem), None)
        if problem is not None:
            self._show_status(problem, error=True)
        else:
            self._show_status(" ".join(r.message for r in reports))
            self.key_edit.clear()
            self.value_edit.clear()
        self._update_buttons()
        self.reload()
        if any(r.changed for r in reports):
            self.changed.emit(reports)

    @while_alive
    def _edit_failed(self, error: BaseException) -> None:
        self._editing = False
        self._update_buttons()
        self._show_status(f"Cannot change the metadata: {error_message(error)}", error=True)
        self.reload()

    def _show_status(self, text: str, *, error: bool = False) -> None:
        self.status.setText(text)
        self.status.setStyleSheet("color: #b00020;" if error else "")
