"""The report after a job: what was done and every failure with its reason (copyable)."""

from __future__ import annotations

from typing import Optional

from PySide6.QtCore import Qt, QUrl
from PySide6.QtGui import QDesktopServices, QGuiApplication
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QStyle,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ei_desktop.gui.jobs.outcome import Outcome


class ResultsDialog(QDialog):
    """Lists an :class:`Outcome`: a summary, then one row per failure (item, reason)."""

    def __init__(self, outcome: Outcome, parent: Optional[QWidget] = None) -> None:
        super().__init__(parent)
        self.outcome = outcome
        self.setWindowTitle(f"{outcome.title} finished")
        self.resize(720, 420 if outcome.failures else 160)

        icon = QStyle.StandardPixmap.SP_MessageBoxInformation
        if outcome.failures:
            icon = QStyle.StandardPixmap.SP_MessageBoxWarning
        icon_label = QLabel(self)
        size = self.style().pixelMetric(QStyle.PixelMetric.PM_MessageBoxIconSize)
        icon_label.setPixmap(self.style().standardIcon(icon).pixmap(size, size))
        icon_label.setAlignment(Qt.AlignmentFlag.AlignTop)
        self.summary = QLabel(f"<b>{outcome.summary()}</b>", self)
        self.summary.setWordWrap(True)
        self.summary.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        text_column = QVBoxLayout()
        text_column.addWidget(self.summary)
        if outcome.destination:
            where = QLabel(f"Saved in {outcome.destination}", self)
            where.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            where.setWordWrap(True)
            text_column.addWidget(where)
        if outcome.failures:
            text_column.addWidget(QLabel("These items failed:", self))
        top = QHBoxLayout()
        top.addWidget(icon_label)
        top.addLayout(text_column, 1)

        self.table = QTableWidget(len(outcome.failures), 2, self)
        self.table.setHorizontalHeaderLabels(["Item", "Reason"])
        self.table.verticalHeader().setVisible(False)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setWordWrap(False)
        self.table.setTextElideMode(Qt.TextElideMode.ElideMiddle)  # keep the file name visible
        self.table.setAlternatingRowColors(True)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Interactive)
        header.resizeSection(0, 260)
        header.setStretchLastSection(True)
        for row, failure in enumerate(outcome.failures):
            name = QTableWidgetItem(failure.name)
            name.setToolTip(failure.name)
            reason = QTableWidgetItem(failure.reason)
            reason.setToolTip(failure.reason)
            self.table.setItem(row, 0, name)
            self.table.setItem(row, 1, reason)
        self.table.setVisible(bool(outcome.failures))

        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        buttons.accepted.connect(self.accept)
        if outcome.failures:
            self.copy_button = buttons.addButton(
                "&Copy list", QDialogButtonBox.ButtonRole.ActionRole
            )
            self.copy_button.clicked.connect(self.copy_failures)
        if outcome.destination:
            open_button = buttons.addButton("&Open folder", QDialogButtonBox.ButtonRole.ActionRole)
            open_button.clicked.connect(
                lambda: QDesktopServices.openUrl(QUrl.fromLocalFile(outcome.destination))
            )
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.table, 1)
        layout.addWidget(buttons)

    def failures_text(self) -> str:
        """Every failure as ``item<TAB>reason`` lines."""
        return "\n".join(f"{f.name}\t{f.reason}" for f in self.outcome.failures)

    def copy_failures(self) -> None:
        """Put the failure list on the clipboard."""
        QGuiApplication.clipboard().setText(self.failures_text())
