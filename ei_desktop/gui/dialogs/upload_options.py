"""Options for an upload: category (from folders, split, or one), label, metadata, duplicates.

The dialog edits :class:`ei_desktop.ops.UploadOptions`, so the app applies the same rules as
every other face (:mod:`ei_desktop.ops.plan`).
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import Optional

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import (
    QAbstractItemView,
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QCompleter,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QRadioButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ei_desktop.core import display, naming
from ei_desktop.gui.jobs.runner import JobRunner, error_message
from ei_desktop.gui.jobs.upload import plan_job
from ei_desktop.gui.models import format as fmt
from ei_desktop.gui.widgets.plan_preview import PlanPreview
from ei_desktop.gui.widgets.text import make_secondary
from ei_desktop.ops import Plan, UploadOptions

#: how long the options must stay still before the plan is made again
PLAN_DELAY_MS = 250

#: the combo box's value for "category from the folders" (``UploadOptions.category=None``)
FROM_FOLDERS = "from-folders"

CATEGORY_CHOICES: tuple[tuple[str, str], ...] = (
    ("From folder names (training/, testing/…), else split 80/20", FROM_FOLDERS),
    ("Split automatically (80% training, 20% testing)", naming.SPLIT),
    *((fmt.category_name(c), c) for c in naming.CATEGORIES),
)


def describe_paths(paths: Sequence[str], folders: Optional[int] = None) -> str:
    """What the dialog's heading calls ``paths``, without touching the disk.

    One path is named (``walk``); several are ``2 files and 1 folder`` when the caller knows
    how many of them are ``folders``, else ``3 items``. Looking it up here would ask the file
    system on the UI thread, which can hang on an unreachable network share.
    """
    if len(paths) == 1:
        return os.path.basename(os.path.normpath(paths[0])) or paths[0]
    if folders is None:
        return f"{len(paths):,} items"
    files = len(paths) - folders
    parts = []
    if files:
        parts.append(display.plural(files, "file"))
    if folders:
        parts.append(display.plural(folders, "folder"))
    return " and ".join(parts)


class MetadataEditor(QWidget):
    """Key/value rows with Add and Remove buttons."""

    def __init__(self, parent: Optional[QWidget] = None) -> None:
        super().__init__(parent)
        self.table = QTableWidget(0, 2, self)
        self.table.setHorizontalHeaderLabels(["Key", "Value"])
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setMinimumHeight(90)
        add = QPushButton("&Add", self)
        add.clicked.connect(lambda: self.add_row())
        remove = QPushButton("&Remove", self)
        remove.clicked.connect(self.remove_selected)
        buttons = QVBoxLayout()
        buttons.addWidget(add)
        buttons.addWidget(remove)
        buttons.addStretch(1)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.table, 1)
        layout.addLayout(buttons)

    def add_row(self, key: str = "", value: str = "", *, edit: bool = True) -> None:
        """Append a row (and start editing its key)."""
        row = self.table.rowCount()
        self.table.insertRow(row)
        self.table.setItem(row, 0, QTableWidgetItem(key))
        self.table.setItem(row, 1, QTableWidgetItem(value))
        if edit:
            self.table.setCurrentCell(row, 0)
            self.table.editItem(self.table.item(row, 0))

    def remove_selected(self) -> None:
        """Remove the selected rows."""
        rows = sorted({i.row() for i in self.table.selectedIndexes()}, reverse=True)
        for row in rows:
            self.table.removeRow(row)

    def metadata(self) -> dict[str, str]:
        """The non-empty keys and their values."""
        out = {}
        for row in range(self.table.rowCount()):
            key_item, value_item = self.table.item(row, 0), self.table.item(row, 1)
            key = key_item.text().strip() if key_item else ""
            if key:
                out[key] = value_item.text() if value_item else ""
        return out


class UploadOptionsDialog(QDialog):
    """Asks how to upload ``paths``; read :meth:`options` after it is accepted.

    Args:
        paths: what will be uploaded (files and folders), shown in the heading.
        labels: existing labels, offered as completions.
        initial: the options to start from (the last ones used).
        title: window title ("Upload files").
        folders: how many of ``paths`` are folders, if the caller knows (for the heading;
            the dialog never asks the file system on the UI thread).
        runner: where to make the upload plan it shows (per folder: files, categories,
            labels, files left out); without one, no plan is shown.

    Attributes:
        plan: the last plan shown (``None`` until one arrived); its ``options`` say which
            options it was made with.
    """

    def __init__(
        self,
        paths: Sequence[str],
        labels: Sequence[str] = (),
        initial: Optional[UploadOptions] = None,
        title: str = "Upload",
        parent: Optional[QWidget] = None,
        *,
        folders: Optional[int] = None,
        runner: Optional[JobRunner] = None,
    ) -> None:
        super().__init__(parent)
        self.paths = list(paths)
        self.plan: Optional[Plan] = None
        initial = initial or UploadOptions()
        self.setWindowTitle(title)
        self.setMinimumWidth(520)

        self.heading = heading = QLabel(
            f"<b>Upload {describe_paths(self.paths, folders)}</b>", self
        )
        heading.setToolTip("\n".join(self.paths[:30]) + ("\n…" if len(self.paths) > 30 else ""))
        note = QLabel(
            "Folders are searched recursively for supported files (CSV, JSON, CBOR, WAV, "
            "JPG, PNG, MP4, AVI, Parquet). Datasets (Edge Impulse exports, COCO, YOLO, Pascal "
            "VOC, Open Images, CSV labels) keep their own categories and labels unless you "
            "choose others here.",
            self,
        )
        note.setWordWrap(True)
        make_secondary(note)

        self.category_combo = QComboBox(self)
        for text, value in CATEGORY_CHOICES:
            self.category_combo.addItem(text, value)
        chosen = initial.category or FROM_FOLDERS
        self.category_combo.setCurrentIndex(max(0, self.category_combo.findData(chosen)))

        self.infer_radio = QRadioButton("&Infer from file names (idle.01.csv → idle)", self)
        self.fixed_radio = QRadioButton("&Use this label:", self)
        self.none_radio = QRadioButton("Leave &unlabeled", self)
        self.label_mode = QButtonGroup(self)
        for button in (self.infer_radio, self.fixed_radio, self.none_radio):
            self.label_mode.addButton(button)
        self.label_edit = QLineEdit(initial.label or "", self)
        self.label_edit.setPlaceholderText("label")
        self.label_edit.setAccessibleName("Label")
        completer = QCompleter([lab for lab in labels if lab], self)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.label_edit.setCompleter(completer)
        if initial.label is None:
            self.infer_radio.setChecked(True)
        elif initial.label:
            self.fixed_radio.setChecked(True)
        else:
            self.none_radio.setChecked(True)
        self.label_mode.buttonToggled.connect(self._update)
        self.label_edit.textChanged.connect(self._update)
        fixed_row = QHBoxLayout()
        fixed_row.addWidget(self.fixed_radio)
        fixed_row.addWidget(self.label_edit, 1)
        label_box = QVBoxLayout()
        label_box.addWidget(self.infer_radio)
        label_box.addLayout(fixed_row)
        label_box.addWidget(self.none_radio)

        self.metadata_editor = MetadataEditor(self)
        for key, value in initial.metadata.items():
            self.metadata_editor.add_row(key, value, edit=False)

        self.duplicates_check = QCheckBox(
            "Allow &duplicates (upload files whose content is already in the project)", self
        )
        self.duplicates_check.setChecked(initial.allow_duplicates)

        form = QFormLayout()
        form.addRow("&Category:", self.category_combo)
        form.addRow("Label:", label_box)
        form.addRow("Metadata:", self.metadata_editor)
        form.addRow("", self.duplicates_check)

        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        self.ok_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok_button.setText("&Upload")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addWidget(heading)
        layout.addWidget(note)
        layout.addLayout(form)
        self.plan_preview: Optional[PlanPreview] = None
        if runner is not None:
            self._watch_plan(runner, layout)
        layout.addWidget(self.buttons)
        self._update()

    # -- the plan -----------------------------------------------------------------------------

    def _watch_plan(self, runner: JobRunner, layout: QVBoxLayout) -> None:
        self.plan_preview = PlanPreview(self)
        box = QGroupBox("What will be uploaded", self)
        QVBoxLayout(box).addWidget(self.plan_preview)
        layout.addWidget(box, 1)
        self.resize(max(self.width(), 720), 640)
        self._planning = runner.slot(self)
        self._planning.finished.connect(self._planned)
        self._planning.failed.connect(
            lambda error: self.plan_preview.show_error(error_message(error))
        )
        self._plan_timer = QTimer(self)
        self._plan_timer.setSingleShot(True)
        self._plan_timer.setInterval(PLAN_DELAY_MS)
        self._plan_timer.timeout.connect(self._replan)
        self.category_combo.currentIndexChanged.connect(self._plan_timer.start)
        self.label_mode.buttonToggled.connect(self._plan_timer.start)
        self.label_edit.textChanged.connect(self._plan_timer.start)
        self._replan()

    def _replan(self) -> None:
        self.plan_preview.show_looking()
        self._planning.start(plan_job(self.paths, self.options()), name="upload plan")

    def _planned(self, result) -> None:
        self.plan, overview = result
        self.plan_preview.show_overview(overview)

    def plan_for(self, options: UploadOptions) -> Optional[Plan]:
        """The plan shown, if it was made with ``options`` (else ``None``)."""
        return self.plan if self.plan is not None and self.plan.options == options else None

    def _update(self) -> None:
        fixed = self.fixed_radio.isChecked()
        self.label_edit.setEnabled(fixed)
        self.ok_button.setEnabled(not fixed or bool(self.label_edit.text().strip()))

    def options(self) -> UploadOptions:
        """The options chosen."""
        label: Optional[str] = None
        if self.fixed_radio.isChecked():
            label = self.label_edit.text().strip()
        elif self.none_radio.isChecked():
            label = ""
        category = self.category_combo.currentData()
        return UploadOptions(
            category=None if category == FROM_FOLDERS else category,
            label=label,
            metadata=self.metadata_editor.metadata(),
            allow_duplicates=self.duplicates_check.isChecked(),
        )
