"""Column pickers of the CSV import dialog: one column, several columns, an interval."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Optional

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDoubleSpinBox,
    QListWidget,
    QListWidgetItem,
    QWidget,
)

#: the choice of no column in an optional :class:`ColumnCombo`
NONE = "(none)"


class ColumnCombo(QComboBox):
    """A single column choice, with ``(none)`` when optional."""

    def __init__(self, optional: bool = True, parent: Optional[QWidget] = None) -> None:
        super().__init__(parent)
        self.optional = optional
        self.setMinimumContentsLength(14)

    def set_columns(self, columns: Sequence[str], preferred: Sequence[str] = ()) -> None:
        """Offer ``columns``; select the first of ``preferred`` found (case-insensitive)."""
        current = self.column()
        self.blockSignals(True)
        self.clear()
        if self.optional:
            self.addItem(NONE, None)
        for column in columns:
            self.addItem(column, column)
        choice = current if current in columns else None
        if choice is None:
            lowered = {c.lower(): c for c in columns}
            for name in preferred:
                if name in lowered:
                    choice = lowered[name]
                    break
        if choice is None and not self.optional and columns:
            choice = columns[0]
        self.setCurrentIndex(max(0, self.findData(choice)) if choice is not None else 0)
        self.blockSignals(False)
        self.currentIndexChanged.emit(self.currentIndex())

    def column(self) -> Optional[str]:
        """The chosen column or ``None``."""
        return self.currentData()


class ColumnList(QListWidget):
    """Several columns, chosen with check boxes."""

    def __init__(self, parent: Optional[QWidget] = None) -> None:
        super().__init__(parent)
        self.setMaximumHeight(110)
        self.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)

    def set_columns(self, columns: Sequence[str], checked: Sequence[str] = ()) -> None:
        """Offer ``columns`` with ``checked`` ticked."""
        self.blockSignals(True)
        self.clear()
        for column in columns:
            item = QListWidgetItem(column, self)
            item.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(
                Qt.CheckState.Checked if column in checked else Qt.CheckState.Unchecked
            )
        self.blockSignals(False)

    def columns(self) -> list[str]:
        """The ticked columns, in order."""
        return [
            self.item(i).text()
            for i in range(self.count())
            if self.item(i).checkState() == Qt.CheckState.Checked
        ]


def rate_spin(parent: QWidget) -> QDoubleSpinBox:
    """A spin box for the milliseconds between readings."""
    spin = QDoubleSpinBox(parent)
    spin.setRange(0.0, 3_600_000.0)
    spin.setDecimals(3)
    spin.setValue(10.0)
    spin.setSuffix(" ms")
    spin.setAccessibleName("Interval between readings")
    return spin
