"""The sync dialog's list of conflicts: samples changed on both sides, each with a choice of
which side to keep.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Optional

from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

LOCAL = "local"
REMOTE = "remote"
#: no side chosen: the conflict is left as it is (and reported) until a later sync
UNDECIDED = ""
_CHOICES = ((UNDECIDED, "Decide later"), (LOCAL, "Keep local"), (REMOTE, "Keep remote"))


@dataclass(frozen=True)
class ConflictRow:
    """One conflict as listed: the content hash it is known by, the sample's name and what
    differs between the two sides ("label: idle ≠ wave").
    """

    sha256: str
    name: str
    differs: str


class ConflictsTable(QWidget):
    """A table of conflicts with a Keep local / Keep remote choice per row, and buttons
    choosing one side for all. No side is chosen for a row until the user does: a sync
    leaves an undecided conflict as it is on both sides.
    """

    def __init__(self, parent: Optional[QWidget] = None) -> None:
        super().__init__(parent)
        self.table = QTableWidget(0, 3, self)
        self.table.setAccessibleName("Conflicts")
        self.table.setHorizontalHeaderLabels(["Sample", "What differs", "Keep"])
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.ResizeToContents)
        self.all_local = QPushButton("Keep &local for all", self)
        self.all_remote = QPushButton("Keep &remote for all", self)
        self.all_local.clicked.connect(lambda: self.choose_all(LOCAL))
        self.all_remote.clicked.connect(lambda: self.choose_all(REMOTE))
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.all_local)
        buttons.addWidget(self.all_remote)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.table)
        layout.addLayout(buttons)
        self._rows: list[ConflictRow] = []

    def set_conflicts(self, rows: Sequence[ConflictRow], default: str = UNDECIDED) -> None:
        """List ``rows``, each choosing ``default`` until changed."""
        self._rows = list(rows)
        self.table.setRowCount(len(self._rows))
        for index, row in enumerate(self._rows):
            self.table.setItem(index, 0, QTableWidgetItem(row.name))
            differs = QTableWidgetItem(row.differs)
            differs.setToolTip(row.differs)
            self.table.setItem(index, 1, differs)
            combo = QComboBox(self.table)
            combo.setAccessibleName(f"Keep which side of {row.name}")
            for value, text in _CHOICES:
                combo.addItem(text, value)
            combo.setCurrentIndex(combo.findData(default))
            self.table.setCellWidget(index, 2, combo)

    def choose(self, row: int, side: str) -> None:
        """Keep ``side`` (:data:`LOCAL`, :data:`REMOTE` or :data:`UNDECIDED`) for ``row``."""
        combo = self.table.cellWidget(row, 2)
        assert isinstance(combo, QComboBox)
        combo.setCurrentIndex(combo.findData(side))

    def choose_all(self, side: str) -> None:
        """Keep ``side`` for every conflict."""
        for row in range(self.table.rowCount()):
            self.choose(row, side)

    def choices(self) -> dict[str, str]:
        """The side kept for each decided conflict, by content hash."""
        chosen = {}
        for index, row in enumerate(self._rows):
            combo = self.table.cellWidget(index, 2)
            assert isinstance(combo, QComboBox)
            if combo.currentData():
                chosen[row.sha256] = str(combo.currentData())
        return chosen
