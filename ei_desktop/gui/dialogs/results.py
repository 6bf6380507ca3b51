"""The report after an operation: what was done, and every item that was not (already in the
project, skipped, failed) with its reason, copyable.
"""

from __future__ import annotations

import html
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

from ei_desktop.ops.report import Report, Status

#: how each kind of item reads in the list
_RESULTS = {
    Status.FAILED: "Failed",
    Status.PRESENT: "Already in the project",
    Status.SKIPPED: "Skipped",
}


class ResultsDialog(QDialog):
    """Shows a :class:`~ei_desktop.ops.Report`: a summary, then one row per item that was not
    done (item, result, reason), failures first.
    """

    def __init__(self, report: Report, parent: Optional[QWidget] = None) -> None:
        super().__init__(parent)
        self.report = report
        order = {Status.FAILED: 0, Status.PRESENT: 1, Status.SKIPPED: 2}
        self.rows = sorted(report.problems(), key=lambda item: order[item.status])
        self.setWindowTitle(f"{report.action} finished")
        self.resize(820, 440 if self.rows else 160)

        icon = QStyle.StandardPixmap.SP_MessageBoxInformation
        if report.failed or report.stopped_by:
            icon = QStyle.StandardPixmap.SP_MessageBoxWarning
        icon_label = QLabel(self)
        size = self.style().pixelMetric(QStyle.PixelMetric.PM_MessageBoxIconSize)
        icon_label.setPixmap(self.style().standardIcon(icon).pixmap(size, size))
        icon_label.setAlignment(Qt.AlignmentFlag.AlignTop)
        self.summary = QLabel(f"<b>{html.escape(report.summary())}</b>", self)
        self.summary.setWordWrap(True)
        self.summary.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        text_column = QVBoxLayout()
        text_column.addWidget(self.summary)
        if report.destination:
            where = QLabel(f"Saved in {report.destination}", self)
            where.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            where.setWordWrap(True)
            text_column.addWidget(where)
        top = QHBoxLayout()
        top.addWidget(icon_label)
        top.addLayout(text_column, 1)

        self.table = QTableWidget(len(self.rows), 3, self)
        self.table.setHorizontalHeaderLabels(["Item", "Result", "Reason"])
        self.table.verticalHeader().setVisible(False)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setWordWrap(True)
        self.table.setTextElideMode(Qt.TextElideMode.ElideMiddle)  # keep the file name visible
        self.table.setAlternatingRowColors(True)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Interactive)
        header.resizeSection(0, 280)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
        for row, item in enumerate(self.rows):
            for column, text in enumerate((item.name, _RESULTS[item.status], item.reason)):
                cell = QTableWidgetItem(text)
                cell.setToolTip(text)
                self.table.setItem(row, column, cell)
        self.table.resizeRowsToContents()  # reasons wrap in full instead of being elided
        self.table.setVisible(bool(self.rows))

        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        buttons.accepted.connect(self.accept)
        if self.rows:
            self.copy_button = buttons.addButton(
                "&Copy list", QDialogButtonBox.ButtonRole.ActionRole
            )
            self.copy_button.clicked.connect(self.copy_list)
        if report.destination:
            open_button = buttons.addButton("&Open folder", QDialogButtonBox.ButtonRole.ActionRole)
            open_button.clicked.connect(
                lambda: QDesktopServices.openUrl(QUrl.fromLocalFile(report.destination))
            )
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.table, 1)
        layout.addWidget(buttons)

    def list_text(self) -> str:
        """Every listed item as ``item<TAB>result<TAB>reason`` lines."""
        return "\n".join(
            f"{item.name}\t{_RESULTS[item.status]}\t{item.reason}" for item in self.rows
        )

    def copy_list(self) -> None:
        """Put the list on the clipboard."""
        QGuiApplication.clipboard().setText(self.list_text())
