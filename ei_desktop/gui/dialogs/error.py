"""The dialog for errors nobody expected: a plain message and the details to copy."""

from __future__ import annotations

from typing import Optional

from PySide6.QtGui import QFontDatabase, QGuiApplication
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)


class ErrorDialog(QDialog):
    """Tells the user something went wrong and that the app carries on."""

    def __init__(self, message: str, details: str = "", parent: Optional[QWidget] = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Unexpected error")
        self.resize(620, 380)
        self.message = QLabel(
            f"<b>Something went wrong.</b><br>{message}<br><br>"
            "ei-desktop carries on; what you were doing may not have finished. "
            "If this keeps happening, copy the details into a bug report.",
            self,
        )
        self.message.setWordWrap(True)
        self.details = QPlainTextEdit(details, self)
        self.details.setReadOnly(True)
        self.details.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.details.setVisible(bool(details))
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        copy = buttons.addButton("&Copy details", QDialogButtonBox.ButtonRole.ActionRole)
        copy.clicked.connect(lambda: QGuiApplication.clipboard().setText(f"{message}\n\n{details}"))
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.message)
        layout.addWidget(self.details, 1)
        layout.addWidget(buttons)
