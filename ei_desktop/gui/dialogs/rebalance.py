"""Rebalance the dataset: the shares of training, testing and validation, stratified by label
and keeping groups of a metadata key together, with a live preview of what would move.
"""

from __future__ import annotations

from typing import Optional

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QPushButton,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ei_desktop.core.backends.base import Backend
from ei_desktop.core.edits import InvalidEditError
from ei_desktop.core.splitting import SPLIT_CATEGORIES, SplitOptions
from ei_desktop.gui.alive import while_alive
from ei_desktop.gui.jobs.rebalance import metadata_values_job, rebalance_job
from ei_desktop.gui.jobs.runner import JobRunner, error_message
from ei_desktop.gui.models import format as fmt
from ei_desktop.ops.splits import SplitReport

#: the preview waits this long after the last change of an option
PREVIEW_DELAY_MS = 150
#: what the keep-together choice shows when no key is chosen
NO_KEY = "(no key: samples move one by one)"


def moved_text(before: Optional[int], after: int) -> str:
    """A preview cell: ``10 → 8``, or ``8`` when nothing changes (or the count before is not
    known).
    """
    if before is None or before == after:
        return fmt.count(after)
    return f"{fmt.count(before)} → {fmt.count(after)}"


class RebalanceDialog(QDialog):
    """Choose how to divide the samples, see what would move, and apply it.

    Args:
        backend: the project to rebalance.
        parent: the window it belongs to.
        runner: where its jobs run (default: a runner of its own).

    Signals:
        applied(SplitReport): a rebalance finished (whether or not something moved).
        previewed(SplitReport): a preview arrived and is shown.
    """

    applied = Signal(object)
    previewed = Signal(object)

    def __init__(
        self,
        backend: Backend,
        parent: Optional[QWidget] = None,
        runner: Optional[JobRunner] = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Rebalance dataset")
        self.backend = backend
        self.runner = runner if runner is not None else JobRunner(max_threads=1, parent=self)
        self._preview_slot = self.runner.slot(self)
        self._preview_slot.finished.connect(self._previewed)
        self._preview_slot.failed.connect(self._preview_failed)
        self._keys_slot = self.runner.slot(self)
        self._keys_slot.finished.connect(self._keys_loaded)
        self._applying = False
        #: the last report shown in the preview (``None`` before one arrived)
        self.preview_report: Optional[SplitReport] = None
        #: the report of the last rebalance applied
        self.report: Optional[SplitReport] = None

        self.training = self._share_box("Training", 80)
        self.testing = self._share_box("Testing", 20)
        self.validation = self._share_box("Validation", 0)
        shares = QWidget(self)
        shares_layout = QHBoxLayout(shares)
        shares_layout.setContentsMargins(0, 0, 0, 0)
        for title, box in (
            ("&Training", self.training),
            ("T&esting", self.testing),
            ("&Validation", self.validation),
        ):
            label = QLabel(title, shares)
            label.setBuddy(box)
            shares_layout.addWidget(label)
            shares_layout.addWidget(box)
            shares_layout.addSpacing(8)
        shares_layout.addStretch(1)
        self.shares_error = QLabel(self)
        self.shares_error.setStyleSheet("color: #b00020;")
        self.shares_error.setAccessibleName("Shares problem")
        self.shares_error.hide()

        self.stratify = QCheckBox("&Stratify by label (every label gets these shares)", self)
        self.stratify.setChecked(True)
        self.keep_together = QComboBox(self)
        self.keep_together.setAccessibleName("Keep together by metadata key")
        self.keep_together.setToolTip(
            "Samples with the same value of this metadata key (one recording session, one "
            "person) stay in one category, so nothing leaks between training and testing."
        )
        self.keep_together.addItem(NO_KEY, None)

        form = QFormLayout()
        form.addRow("Shares", shares)
        form.addRow("", self.shares_error)
        form.addRow("", self.stratify)
        keep_label = QLabel("&Keep together by", self)
        keep_label.setBuddy(self.keep_together)
        form.addRow(keep_label, self.keep_together)

        self.preview_sentence = QLabel("Reading the project…", self)
        self.preview_sentence.setWordWrap(True)
        self.preview_sentence.setAccessibleName("Preview")
        bold = QFont(self.preview_sentence.font())
        bold.setBold(True)
        self.preview_sentence.setFont(bold)
        self.preview_table = QTableWidget(0, 1 + len(SPLIT_CATEGORIES), self)
        self.preview_table.setHorizontalHeaderLabels(
            ["Label"] + [fmt.category_name(c) for c in SPLIT_CATEGORIES]
        )
        self.preview_table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.preview_table.verticalHeader().setVisible(False)
        header = self.preview_table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for column in range(1, 1 + len(SPLIT_CATEGORIES)):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.Interactive)
            header.resizeSection(column, 110)
        self.preview_table.setAccessibleName("What moves per label and category")
        preview_box = QGroupBox("Preview (nothing changes until you apply)", self)
        preview_layout = QVBoxLayout(preview_box)
        preview_layout.addWidget(self.preview_sentence)
        preview_layout.addWidget(self.preview_table, 1)

        self.buttons = QDialogButtonBox(self)
        self.apply_button = QPushButton("&Apply", self)
        self.apply_button.setDefault(True)
        self.buttons.addButton(self.apply_button, QDialogButtonBox.ButtonRole.ApplyRole)
        self.close_button = self.buttons.addButton(QDialogButtonBox.StandardButton.Close)
        self.apply_button.clicked.connect(self.apply)
        self.buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(preview_box, 1)
        layout.addWidget(self.buttons)
        self.resize(560, 420)

        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(PREVIEW_DELAY_MS)
        self._timer.timeout.connect(self.update_preview)
        for box in (self.training, self.testing, self.validation):
            box.valueChanged.connect(self._options_changed)
        self.stratify.toggled.connect(self._options_changed)
        self.keep_together.currentIndexChanged.connect(self._options_changed)

        self._keys_slot.start(metadata_values_job(backend), name="metadata keys")
        self._options_changed()

    def _share_box(self, name: str, value: int) -> QSpinBox:
        box = QSpinBox(self)
        box.setRange(0, 100)
        box.setSuffix(" %")
        box.setValue(value)
        box.setAccessibleName(f"{name} share")
        return box

    # -- options ------------------------------------------------------------------------------

    def options(self) -> Optional[SplitOptions]:
        """The options chosen, or ``None`` when the shares do not add up to 100 %."""
        total = self.training.value() + self.testing.value() + self.validation.value()
        if total != 100:
            return None
        key = self.keep_together.currentData()
        try:
            return SplitOptions(
                training=self.training.value() / 100,
                testing=self.testing.value() / 100,
                validation=self.validation.value() / 100,
                stratify_by_label=self.stratify.isChecked(),
                keep_together=(key,) if key else (),
            )
        except InvalidEditError:
            return None

    def set_keep_together(self, key: Optional[str]) -> None:
        """Choose the metadata key whose groups stay together (``None``: none)."""
        index = self.keep_together.findData(key)
        if index < 0 and key is not None:
            self.keep_together.addItem(key, key)
            index = self.keep_together.count() - 1
        self.keep_together.setCurrentIndex(max(0, index))

    @while_alive
    def _keys_loaded(self, values: dict[str, list[str]]) -> None:
        current = self.keep_together.currentData()
        self.keep_together.blockSignals(True)
        for key in sorted(values):
            if self.keep_together.findData(key) < 0:
                self.keep_together.addItem(key, key)
                shown = ", ".join(values[key][:8]) + (" …" if len(values[key]) > 8 else "")
                self.keep_together.setItemData(
                    self.keep_together.count() - 1,
                    f"{len(values[key])} values: {shown}",
                    Qt.ItemDataRole.ToolTipRole,
                )
        self.keep_together.setCurrentIndex(max(0, self.keep_together.findData(current)))
        self.keep_together.blockSignals(False)

    def _options_changed(self, *_args) -> None:
        total = self.training.value() + self.testing.value() + self.validation.value()
        valid = total == 100
        self.shares_error.setText(
            "" if valid else f"The shares add up to {total} %; they must make 100 %."
        )
        self.shares_error.setVisible(not valid)
        self._update_buttons()
        if valid:
            self.preview_sentence.setText("Previewing…")
            self._timer.start()
        else:
            self._timer.stop()
            self._preview_slot.cancel()
            self.preview_report = None
            self.preview_sentence.setText("Choose shares that add up to 100 %.")
            self.preview_table.setRowCount(0)

    def _update_buttons(self) -> None:
        self.apply_button.setEnabled(self.options() is not None and not self._applying)

    # -- preview ------------------------------------------------------------------------------

    def update_preview(self) -> None:
        """Preview the current options now (a dry run; the latest preview wins)."""
        self._timer.stop()
        options = self.options()
        if options is None:
            return
        self._preview_slot.start(
            rebalance_job(self.backend, options, dry_run=True), name="rebalance preview"
        )

    @property
    def previewing(self) -> bool:
        """True while a preview is pending or being read."""
        return self._timer.isActive() or self._preview_slot.running

    @while_alive
    def _previewed(self, report: SplitReport) -> None:
        self.preview_report = report
        self.preview_sentence.setText(report.message)
        self.preview_sentence.setStyleSheet("" if report.ok else "color: #b00020;")
        self._fill_table(report)
        self.previewed.emit(report)

    @while_alive
    def _preview_failed(self, error: BaseException) -> None:
        self.preview_sentence.setText(f"Cannot preview: {error_message(error)}")

    def _fill_table(self, report: SplitReport) -> None:
        table = self.preview_table
        table.setRowCount(len(report.strata))
        moved_font = QFont(table.font())
        moved_font.setBold(True)
        for row, stratum in enumerate(report.strata):
            name = QTableWidgetItem(stratum.stratum)
            table.setItem(row, 0, name)
            for column, category in enumerate(SPLIT_CATEGORIES, start=1):
                before = None if stratum.before is None else stratum.before.get(category, 0)
                after = stratum.after.get(category, 0)
                cell = QTableWidgetItem(moved_text(before, after))
                cell.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                if before is not None and before != after:
                    cell.setFont(moved_font)
                    cell.setToolTip(
                        f"{fmt.category_name(category)}: {fmt.count(before)} now, "
                        f"{fmt.count(after)} after"
                    )
                table.setItem(row, column, cell)

    def preview_rows(self) -> list[list[str]]:
        """The preview table's text, row by row (label, training, testing, validation)."""
        return [
            [self.preview_table.item(r, c).text() for c in range(self.preview_table.columnCount())]
            for r in range(self.preview_table.rowCount())
        ]

    # -- applying -----------------------------------------------------------------------------

    def apply(self) -> None:
        """Rebalance with the chosen options (a job); then say what moved."""
        options = self.options()
        if options is None or self._applying:
            return
        self._applying = True
        self._update_buttons()
        self._timer.stop()
        self._preview_slot.cancel()
        self.preview_sentence.setText("Rebalancing…")
        self.runner.start(
            rebalance_job(self.backend, options, dry_run=False),
            name="rebalance",
            on_finished=self._applied,
            on_failed=self._apply_failed,
        )

    @property
    def applying(self) -> bool:
        """True while a rebalance runs."""
        return self._applying

    @while_alive
    def _applied(self, report: SplitReport) -> None:
        self._applying = False
        self.report = report
        self._update_buttons()
        icon = QMessageBox.Icon.Information if report.ok else QMessageBox.Icon.Warning
        text = report.message if report.ok else f"Cannot rebalance: {report.error}"
        self._show_message(icon, text)
        self.applied.emit(report)
        self.update_preview()

    @while_alive
    def _apply_failed(self, error: BaseException) -> None:
        self._applying = False
        self._update_buttons()
        self._show_message(QMessageBox.Icon.Warning, f"Cannot rebalance: {error_message(error)}")
        self.update_preview()

    def _show_message(self, icon: QMessageBox.Icon, text: str) -> None:
        box = QMessageBox(icon, "Rebalance", text, QMessageBox.StandardButton.Ok, self)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.open()
