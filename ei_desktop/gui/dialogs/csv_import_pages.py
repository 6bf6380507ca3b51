"""The pages of the CSV import dialog, one per layout: the columns and settings each layout
asks for, laid out as a form.
"""

from __future__ import annotations

from typing import Optional

from PySide6.QtWidgets import (
    QFormLayout,
    QHBoxLayout,
    QLineEdit,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from ei_desktop.gui.dialogs.csv_columns import ColumnCombo, ColumnList, rate_spin
from ei_desktop.gui.widgets.text import secondary_label

_DATES = "dates and durations (2019-06-21 00:00:00, 00:00:01.5) are read as such"


def time_help(unit: str) -> str:
    """The note under a time column choice: what numbers in it mean."""
    return f"Numbers in the time column are {unit}; {_DATES}."


class PerFilePage(QWidget):
    """One sample per file: a time column or an interval, the sensor columns, the label."""

    def __init__(self, parent: Optional[QWidget] = None) -> None:
        super().__init__(parent)
        self.time = ColumnCombo(parent=self)
        self.rate = rate_spin(self)
        self.axes = ColumnList(self)
        self.label_name = QRadioButton("From the file name (idle.01.csv → idle)", self)
        self.label_fixed = QRadioButton("This label:", self)
        self.label_edit = QLineEdit(self)
        self.label_name.setChecked(True)
        self.label_col = ColumnCombo(parent=self)
        fixed_row = QHBoxLayout()
        fixed_row.addWidget(self.label_fixed)
        fixed_row.addWidget(self.label_edit, 1)
        label_box = QVBoxLayout()
        label_box.addWidget(self.label_name)
        label_box.addLayout(fixed_row)
        self.time_help = secondary_label(time_help("milliseconds"), self)
        form = QFormLayout(self)
        form.addRow("Time column:", self.time)
        form.addRow("", self.time_help)
        form.addRow("…or interval:", self.rate)
        form.addRow("Sensor columns:", self.axes)
        form.addRow("Label:", label_box)
        form.addRow("Label column (multi-label):", self.label_col)
        # the interval counts only without a time column; the typed label only when chosen
        self.time.currentIndexChanged.connect(
            lambda: self.rate.setEnabled(self.time.column() is None)
        )
        self.label_fixed.toggled.connect(self.label_edit.setEnabled)
        self.label_edit.setEnabled(False)


class RowsPage(QWidget):
    """One sample per row: its feature columns, and the label, category and metadata."""

    def __init__(self, parent: Optional[QWidget] = None) -> None:
        super().__init__(parent)
        self.features = ColumnList(self)
        self.label = ColumnCombo(parent=self)
        self.category = ColumnCombo(parent=self)
        self.metadata = ColumnList(self)
        form = QFormLayout(self)
        form.addRow("Feature columns:", self.features)
        form.addRow("Label column:", self.label)
        form.addRow("Category column:", self.category)
        form.addRow("Metadata columns:", self.metadata)


class WidePage(QWidget):
    """One time series per row, its readings in the columns from the first reading on."""

    def __init__(self, parent: Optional[QWidget] = None) -> None:
        super().__init__(parent)
        self.start = ColumnCombo(optional=False, parent=self)
        self.rate = rate_spin(self)
        self.label = ColumnCombo(parent=self)
        self.category = ColumnCombo(parent=self)
        self.metadata = ColumnList(self)
        form = QFormLayout(self)
        form.addRow("First reading column:", self.start)
        form.addRow("Interval:", self.rate)
        form.addRow("Label column:", self.label)
        form.addRow("Category column:", self.category)
        form.addRow("Metadata columns:", self.metadata)


class GroupsPage(QWidget):
    """One time series per group of rows: the group column, the time, the sensor columns."""

    def __init__(self, parent: Optional[QWidget] = None) -> None:
        super().__init__(parent)
        self.by = ColumnCombo(optional=False, parent=self)
        self.time = ColumnCombo(parent=self)
        self.rate = rate_spin(self)
        self.time_help = secondary_label(time_help("seconds"), self)
        self.features = ColumnList(self)
        self.label = ColumnCombo(parent=self)
        self.category = ColumnCombo(parent=self)
        self.metadata = ColumnList(self)
        form = QFormLayout(self)
        form.addRow("Group by:", self.by)
        form.addRow("Time column:", self.time)
        form.addRow("", self.time_help)
        form.addRow("…or interval:", self.rate)
        form.addRow("Sensor columns:", self.features)
        form.addRow("Label column:", self.label)
        form.addRow("Category column:", self.category)
        form.addRow("Metadata columns:", self.metadata)
        # the interval counts only without a time column
        self.time.currentIndexChanged.connect(
            lambda: self.rate.setEnabled(self.time.column() is None)
        )
