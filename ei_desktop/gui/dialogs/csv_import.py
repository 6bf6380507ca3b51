"""Importing CSV files: pick a layout, pick columns, see the first rows, import.

The first file's first rows are read by a job (no file I/O on the UI thread); the preview
table shows them with the columns in use highlighted.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import Optional

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QHeaderView,
    QLabel,
    QSplitter,
    QStackedWidget,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from ei_desktop.core import naming
from ei_desktop.gui.alive import while_alive
from ei_desktop.gui.dialogs.csv_columns import ColumnCombo, ColumnList
from ei_desktop.gui.dialogs.csv_import_pages import GroupsPage, PerFilePage, RowsPage, WidePage
from ei_desktop.gui.dialogs.csv_preview import FramePreviewModel
from ei_desktop.gui.jobs.csv_import import read_preview
from ei_desktop.gui.jobs.runner import JobRunner, error_message
from ei_desktop.gui.models import format as fmt
from ei_desktop.ops.table_import import GROUPS, LAYOUTS, PER_FILE, ROWS, WIDE, CsvImportSpec

#: names that suggest a time column (case-insensitive), best first
TIME_NAMES = ("timestamp", "time", "t", "ts", "time_s", "seconds", "datetime", "date.time", "date")
#: words in a column name that suggest a time column
TIME_WORDS = ("time", "date", "elapsed")
#: names that suggest the column to group by
GROUP_NAMES = ("id", "group", "sample", "session", "sample_id")


class CsvImportDialog(QDialog):
    """Collects a :class:`CsvImportSpec` for ``files``; read :meth:`spec` once accepted."""

    def __init__(
        self,
        files: Sequence[str],
        runner: JobRunner,
        labels: Sequence[str] = (),
        parent: Optional[QWidget] = None,
    ) -> None:
        super().__init__(parent)
        self.files = list(files)
        self.runner = runner
        self.setWindowTitle("Import CSV")
        self.resize(980, 640)

        names = ", ".join(os.path.basename(f) for f in self.files[:3])
        if len(self.files) > 3:
            names += f" and {len(self.files) - 3:,} more"
        heading = QLabel(f"<b>Import {names}</b>", self)
        heading.setToolTip("\n".join(self.files))

        self.layout_combo = QComboBox(self)
        for value, text in LAYOUTS:
            self.layout_combo.addItem(text, value)

        self.per_file_page = PerFilePage(self)
        self.rows_page = RowsPage(self)
        self.wide_page = WidePage(self)
        self.groups_page = GroupsPage(self)
        self.pages = QStackedWidget(self)
        for page in (self.per_file_page, self.rows_page, self.wide_page, self.groups_page):
            self.pages.addWidget(page)

        self.category_combo = QComboBox(self)
        self.category_combo.addItem("Split automatically (80/20)", naming.SPLIT)
        for category in naming.CATEGORIES:
            self.category_combo.addItem(fmt.category_name(category), category)
        self.duplicates_check = QCheckBox("Allow duplicates", self)

        options = QGroupBox("Layout and columns", self)
        options_form = QFormLayout(options)
        options_form.addRow("&Layout:", self.layout_combo)
        options_form.addRow(self.pages)
        options_form.addRow("Category:", self.category_combo)
        options_form.addRow("", self.duplicates_check)

        self.preview_model = FramePreviewModel(self)
        self.preview = QTableView(self)
        self.preview.setModel(self.preview_model)
        self.preview.setWordWrap(False)
        self.preview.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.preview.horizontalHeader().setDefaultSectionSize(96)
        self.preview.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 6)
        self.preview_status = QLabel("Reading the first rows…", self)
        preview_box = QGroupBox(f"Preview of {os.path.basename(self.files[0])}", self)
        preview_layout = QVBoxLayout(preview_box)
        preview_layout.addWidget(self.preview_status)
        preview_layout.addWidget(self.preview, 1)

        splitter = QSplitter(Qt.Orientation.Horizontal, self)
        splitter.addWidget(options)
        splitter.addWidget(preview_box)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([400, 580])

        self.error_label = QLabel(self)
        self.error_label.setWordWrap(True)
        self.error_label.setStyleSheet("color: #b3261e;")
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        self.ok_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok_button.setText("&Import")
        self.ok_button.setEnabled(False)
        self.buttons.accepted.connect(self._accept_if_valid)
        self.buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addWidget(heading)
        layout.addWidget(splitter, 1)
        layout.addWidget(self.error_label)
        layout.addWidget(self.buttons)

        self.layout_combo.currentIndexChanged.connect(self._layout_changed)
        for combo in self.findChildren(ColumnCombo):
            combo.currentIndexChanged.connect(self._update_roles)
        for column_list in self.findChildren(ColumnList):
            column_list.itemChanged.connect(self._update_roles)
        for spin in (self.per_file_page.rate, self.wide_page.rate, self.groups_page.rate):
            spin.valueChanged.connect(self._revalidate)
        self.per_file_page.label_edit.textChanged.connect(self._revalidate)
        self.per_file_page.label_fixed.toggled.connect(self._revalidate)
        self._load_preview()

    # -- preview ------------------------------------------------------------------------------

    def _load_preview(self) -> None:
        self.runner.start(
            read_preview(self.files[0]),
            name="csv preview",
            on_finished=self._preview_loaded,
            on_failed=self._preview_failed,
        )

    @while_alive
    def _preview_loaded(self, frame) -> None:
        self.preview_model.set_frame(frame)
        self.preview_status.setText(
            f"{len(frame.columns)} columns; first {len(frame):,} rows shown."
        )
        self._fill_columns(self.preview_model.columns)
        self.ok_button.setEnabled(True)

    @while_alive
    def _preview_failed(self, error: BaseException) -> None:
        message = error_message(error)
        self.preview_status.setText(f"Cannot read {os.path.basename(self.files[0])}: {message}")
        self.error_label.setText(message)

    def _fill_columns(self, columns: list[str]) -> None:
        time_names = self._time_columns(columns)
        label_names = ("label", "class", "target", "y")
        self.per_file_page.time.set_columns(columns, time_names)
        self.per_file_page.label_col.set_columns(columns)
        self.rows_page.label.set_columns(columns, label_names)
        self.rows_page.category.set_columns(columns, ("category", "split"))
        self.wide_page.label.set_columns(columns, label_names)
        self.wide_page.category.set_columns(columns, ("category", "split"))
        self.wide_page.start.set_columns(columns)
        self.groups_page.time.set_columns(columns, time_names)
        self.groups_page.by.set_columns(columns, self._group_columns(columns))
        self.groups_page.label.set_columns(columns, label_names)
        self.groups_page.category.set_columns(columns, ("category", "split"))
        for column_list in (
            self.rows_page.metadata,
            self.wide_page.metadata,
            self.groups_page.metadata,
        ):
            column_list.set_columns(columns)
        self._guess_wide_start(columns)
        self._reset_features()

    def _time_columns(self, columns: list[str]) -> list[str]:
        """Columns that look like times, best first (lower-cased, as ``set_columns`` wants)."""
        lowered = [c.lower() for c in columns]
        named = [n for n in TIME_NAMES if n in lowered]
        worded = [c for c in lowered if c not in named and any(w in c for w in TIME_WORDS)]
        return named + worded

    def _group_columns(self, columns: list[str]) -> list[str]:
        """Columns to group by, best first: known names, then text columns; never the time
        column (lower-cased).
        """
        time = (self.groups_page.time.column() or "").lower()
        lowered = [c.lower() for c in columns]
        named = [n for n in GROUP_NAMES if n in lowered]
        text = [c.lower() for c in columns if not self._numeric(c)]
        return [c for c in (*named, *text, *lowered) if c != time]

    def _guess_wide_start(self, columns: list[str]) -> None:
        frame = self.preview_model.frame
        if frame is None:
            return
        for column in columns:
            if str(frame[column].dtype).startswith(("int", "float")) and column.lower() not in (
                "id",
                "index",
            ):
                self.wide_page.start.setCurrentIndex(self.wide_page.start.findData(column))
                return

    def _numeric(self, column: str) -> bool:
        frame = self.preview_model.frame
        return frame is not None and str(frame[column].dtype).startswith(("int", "float"))

    def _reset_features(self) -> None:
        columns = self.preview_model.columns
        taken_pf = {self.per_file_page.time.column(), self.per_file_page.label_col.column()}
        self.per_file_page.axes.set_columns(
            columns, [c for c in columns if c not in taken_pf and self._numeric(c)]
        )
        taken_rows = {self.rows_page.label.column(), self.rows_page.category.column()}
        self.rows_page.features.set_columns(
            columns, [c for c in columns if c not in taken_rows and self._numeric(c)]
        )
        taken_groups = {
            self.groups_page.by.column(),
            self.groups_page.time.column(),
            self.groups_page.label.column(),
            self.groups_page.category.column(),
        }
        self.groups_page.features.set_columns(
            columns, [c for c in columns if c not in taken_groups and self._numeric(c)]
        )
        self._update_roles()

    def _layout_changed(self) -> None:
        self.pages.setCurrentIndex(self.layout_combo.currentIndex())
        self._reset_features()

    def _update_roles(self) -> None:
        layout = self.layout_combo.currentData()
        roles: dict[str, str] = {}

        def put(columns, role):
            for column in columns:
                if column:
                    roles[column] = role

        if layout == PER_FILE:
            put(self.per_file_page.axes.columns(), "feature")
            put([self.per_file_page.time.column()], "time")
            put([self.per_file_page.label_col.column()], "label")
        elif layout == ROWS:
            put(self.rows_page.features.columns(), "feature")
            put(self.rows_page.metadata.columns(), "metadata")
            put([self.rows_page.label.column()], "label")
            put([self.rows_page.category.column()], "category")
        elif layout == WIDE:
            columns = self.preview_model.columns
            start = self.wide_page.start.column()
            others = {self.wide_page.label.column(), self.wide_page.category.column()}
            others.update(self.wide_page.metadata.columns())
            if start in columns:
                put([c for c in columns[columns.index(start) :] if c not in others], "data")
            put(self.wide_page.metadata.columns(), "metadata")
            put([self.wide_page.label.column()], "label")
            put([self.wide_page.category.column()], "category")
        elif layout == GROUPS:
            put(self.groups_page.features.columns(), "feature")
            put(self.groups_page.metadata.columns(), "metadata")
            put([self.groups_page.time.column()], "time")
            put([self.groups_page.label.column()], "label")
            put([self.groups_page.category.column()], "category")
            put([self.groups_page.by.column()], "group")
        self.preview_model.set_roles(roles)
        self._revalidate()

    def _revalidate(self) -> None:
        # a shown problem goes away (or changes) as soon as the choices change
        if self.error_label.text() and self.preview_model.frame is not None:
            self.error_label.setText(self.problem() or "")

    # -- result -------------------------------------------------------------------------------

    def spec(self) -> CsvImportSpec:
        """The import described by the dialog."""
        layout = self.layout_combo.currentData()
        spec = CsvImportSpec(
            files=list(self.files),
            layout=layout,
            category=self.category_combo.currentData(),
            allow_duplicates=self.duplicates_check.isChecked(),
        )
        if layout == PER_FILE:
            spec.timestamp_col = self.per_file_page.time.column()
            spec.sample_rate_ms = None if spec.timestamp_col else self.per_file_page.rate.value()
            spec.feature_cols = self.per_file_page.axes.columns()
            fixed = self.per_file_page.label_fixed.isChecked()
            spec.label = self.per_file_page.label_edit.text().strip() if fixed else None
            spec.label_col = self.per_file_page.label_col.column()
        elif layout == ROWS:
            spec.feature_cols = self.rows_page.features.columns()
            spec.label_col = self.rows_page.label.column()
            spec.category_col = self.rows_page.category.column()
            spec.metadata_cols = self.rows_page.metadata.columns()
        elif layout == WIDE:
            spec.data_col_start = self.wide_page.start.column()
            spec.sample_rate_ms = self.wide_page.rate.value()
            spec.label_col = self.wide_page.label.column()
            spec.category_col = self.wide_page.category.column()
            spec.metadata_cols = self.wide_page.metadata.columns()
        elif layout == GROUPS:
            spec.group_by = self.groups_page.by.column()
            spec.timestamp_col = self.groups_page.time.column()
            spec.sample_rate_ms = None if spec.timestamp_col else self.groups_page.rate.value()
            spec.feature_cols = self.groups_page.features.columns()
            spec.label_col = self.groups_page.label.column()
            spec.category_col = self.groups_page.category.column()
            spec.metadata_cols = self.groups_page.metadata.columns()
        return spec

    def problem(self) -> Optional[str]:
        """Why the current choices cannot work, or ``None``."""
        spec = self.spec()
        if spec.layout in (PER_FILE, ROWS, GROUPS) and not spec.feature_cols:
            return "Choose at least one sensor or feature column."
        if spec.layout in (PER_FILE, GROUPS) and not spec.timestamp_col and not spec.sample_rate_ms:
            return "Choose a time column or set the interval between readings."
        if spec.layout == PER_FILE and spec.label == "":
            return "Type the label, or take it from the file name."
        if spec.layout == WIDE and not spec.sample_rate_ms:
            return "Set the interval between readings."
        if spec.layout == GROUPS and spec.group_by == spec.timestamp_col:
            return "The group column and the time column must differ."
        return None

    def _accept_if_valid(self) -> None:
        problem = self.problem()
        if problem:
            self.error_label.setText(problem)
            return
        self.accept()
