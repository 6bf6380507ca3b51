"""The history panel: the project's latest change sets (when, who, what, how many samples),
undone ones greyed, and "Undo to here".
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Optional

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QBrush, QFont, QPalette
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMenu,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ei_desktop.core.edits import ChangeSet
from ei_desktop.gui.models import format as fmt

#: the role of an item holding its change set's id
ChangeIdRole = Qt.ItemDataRole.UserRole + 1


def when_text(entry: ChangeSet, today: Optional[date] = None, *, full: bool = False) -> str:
    """When a change was made, in local time: "14:03" today (unless ``full``),
    "2024-05-01 14:03" otherwise.
    """
    at = entry.at
    if at.tzinfo is not None:
        at = at.astimezone()
    if not full and at.date() == (today or date.today()):
        return at.strftime("%H:%M")
    return at.strftime("%Y-%m-%d %H:%M")


class HistoryPanel(QWidget):
    """The latest changes, newest first.

    Signals:
        undoTo(int): the user asked to undo every change down to (and including) this one.
    """

    undoTo = Signal(int)

    def __init__(self, parent: Optional[QWidget] = None) -> None:
        super().__init__(parent)
        self.entries: list[ChangeSet] = []
        self.note = QLabel(self)
        self.note.setWordWrap(True)
        self.note.hide()
        self.tree = QTreeWidget(self)
        self.tree.setAccessibleName("History")
        self.tree.setColumnCount(4)
        self.tree.setHeaderLabels(["When", "Who", "What", "Samples"])
        self.tree.setRootIsDecorated(False)
        self.tree.setUniformRowHeights(True)
        self.tree.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.tree.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.tree.customContextMenuRequested.connect(self._show_menu)
        header = self.tree.header()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        char = self.fontMetrics().horizontalAdvance("0")
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.resizeSection(1, 8 * char)
        header.resizeSection(3, 8 * char)
        # the dock opens with room for the descriptions, and can be made narrower
        self._preferred_width = 56 * char
        self.setMinimumWidth(34 * char)
        self.undo_button = QPushButton("Undo to here", self)
        self.undo_button.setToolTip(
            "Undo every change from the newest down to the selected one (included)"
        )
        self.undo_button.setEnabled(False)
        self.undo_button.clicked.connect(self._undo_to_selected)
        self.tree.currentItemChanged.connect(lambda *_: self._update_button())
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.undo_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.note)
        layout.addWidget(self.tree, 1)
        layout.addLayout(buttons)
        self._dim = QBrush(
            QApplication.palette().color(QPalette.ColorGroup.Disabled, QPalette.ColorRole.Text)
        )

    def set_note(self, text: str) -> None:
        """Show ``text`` above the list (what this history covers); empty hides it."""
        self.note.setText(text)
        self.note.setVisible(bool(text))

    def set_entries(self, entries: Sequence[ChangeSet]) -> None:
        """Show ``entries`` (newest first), keeping the selected entry selected."""
        selected = self.selected_id()
        self.entries = list(entries)
        self.tree.clear()
        italic = QFont()
        italic.setItalic(True)
        for entry in self.entries:
            item = QTreeWidgetItem(
                [when_text(entry), entry.who, entry.what, fmt.count(entry.samples)]
            )
            item.setData(0, ChangeIdRole, entry.id)
            item.setTextAlignment(3, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            tip = f"{entry.what} ({when_text(entry, full=True)}, {entry.who})"
            if entry.undone:
                tip += " — undone"
                for column in range(4):
                    item.setForeground(column, self._dim)
                    item.setFont(column, italic)
            for column in range(4):
                item.setToolTip(column, tip)
            self.tree.addTopLevelItem(item)
            if entry.id == selected:
                self.tree.setCurrentItem(item)
        self._update_button()

    def selected_id(self) -> Optional[int]:
        """The id of the selected entry, or ``None``."""
        item = self.tree.currentItem()
        return item.data(0, ChangeIdRole) if item is not None else None

    def select_id(self, change_id: int) -> None:
        """Select the entry ``change_id``."""
        for row in range(self.tree.topLevelItemCount()):
            item = self.tree.topLevelItem(row)
            if item.data(0, ChangeIdRole) == change_id:
                self.tree.setCurrentItem(item)
                return

    def _entry(self, change_id: Optional[int]) -> Optional[ChangeSet]:
        return next((e for e in self.entries if e.id == change_id), None)

    def sizeHint(self) -> QSize:  # noqa: D102, N802 (Qt override)
        hint = super().sizeHint()
        return QSize(max(hint.width(), self._preferred_width), hint.height())

    def _update_button(self) -> None:
        entry = self._entry(self.selected_id())
        self.undo_button.setEnabled(entry is not None and not entry.undone)

    def _undo_to_selected(self) -> None:
        entry = self._entry(self.selected_id())
        if entry is not None and not entry.undone:
            self.undoTo.emit(entry.id)

    def _show_menu(self, position) -> None:
        item = self.tree.itemAt(position)
        if item is None:
            return
        self.tree.setCurrentItem(item)
        menu = QMenu(self)
        action = menu.addAction("Undo to here")
        action.setEnabled(self.undo_button.isEnabled())
        action.triggered.connect(self._undo_to_selected)
        menu.popup(self.tree.viewport().mapToGlobal(position))
