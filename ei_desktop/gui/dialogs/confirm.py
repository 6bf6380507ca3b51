"""Confirmations before deleting: a plain one, and one where the user types a name."""

from __future__ import annotations

from typing import Optional

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QStyle,
    QVBoxLayout,
    QWidget,
)


def _icon_label(parent: QWidget) -> QLabel:
    label = QLabel(parent)
    size = parent.style().pixelMetric(QStyle.PixelMetric.PM_MessageBoxIconSize)
    icon = parent.style().standardIcon(QStyle.StandardPixmap.SP_MessageBoxWarning)
    label.setPixmap(icon.pixmap(size, size))
    label.setAlignment(Qt.AlignmentFlag.AlignTop)
    return label


class ConfirmDialog(QDialog):
    """Asks before a destructive action; Cancel is the default button.

    Args:
        title: window title.
        text: the question (rich text allowed).
        action: the label of the confirming button ("Delete 3 samples").
    """

    def __init__(
        self, title: str, text: str, action: str, parent: Optional[QWidget] = None
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.text = QLabel(text, self)
        self.text.setWordWrap(True)
        self.text.setMinimumWidth(360)
        buttons = QDialogButtonBox(self)
        cancel = buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        self.ok_button: QPushButton = buttons.addButton(
            action, QDialogButtonBox.ButtonRole.DestructiveRole
        )
        self.ok_button.setAutoDefault(False)
        cancel.setDefault(True)
        self.ok_button.clicked.connect(self.accept)
        buttons.rejected.connect(self.reject)
        self.body = QVBoxLayout()
        self.body.addWidget(self.text)
        row = QHBoxLayout()
        row.addWidget(_icon_label(self))
        row.addLayout(self.body, 1)
        layout = QVBoxLayout(self)
        layout.addLayout(row)
        layout.addWidget(buttons)


class TypedConfirmDialog(ConfirmDialog):
    """A confirmation that is enabled only once the user typed ``word`` exactly."""

    def __init__(
        self, title: str, text: str, action: str, word: str, parent: Optional[QWidget] = None
    ) -> None:
        super().__init__(title, text, action, parent)
        self.word = word
        prompt = QLabel(f"Type <b>{word}</b> to confirm:", self)
        self.edit = QLineEdit(self)
        self.edit.setPlaceholderText(word)
        self.edit.setAccessibleName("Confirmation")
        prompt.setBuddy(self.edit)
        self.body.addWidget(prompt)
        self.body.addWidget(self.edit)
        self.ok_button.setEnabled(False)
        self.edit.textChanged.connect(
            lambda text: self.ok_button.setEnabled(text.strip() == self.word)
        )
        self.edit.setFocus()

    def accept(self) -> None:  # noqa: D102 - Enter must not bypass the typed word
        if self.edit.text().strip() == self.word:
            super().accept()
