"""An inline bar above the table for problems that need no dialog: a server gone, a listing
that failed. It says what happened and offers one action (Retry, Open project…).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Optional

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QStyle, QToolButton, QWidget

_STYLES = {
    "error": "background: #fdecea; color: #611a15; border: 1px solid #f5c2bd;",
    "warning": "background: #fff4e5; color: #663c00; border: 1px solid #ffd8a8;",
    "info": "background: #e8f1fd; color: #0b3c7a; border: 1px solid #bcd6f7;",
}


class MessageBar(QFrame):
    """A dismissable message with an optional action button."""

    def __init__(self, parent: Optional[QWidget] = None) -> None:
        super().__init__(parent)
        self.setObjectName("MessageBar")
        self.icon = QLabel(self)
        self.text = QLabel(self)
        self.text.setWordWrap(True)
        self.text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.action_button = QPushButton(self)
        self.action_button.hide()
        self.action_button.clicked.connect(self._run_action)
        close = QToolButton(self)
        close.setAutoRaise(True)
        close.setIcon(self.style().standardIcon(QStyle.StandardPixmap.SP_TitleBarCloseButton))
        close.setToolTip("Dismiss")
        close.clicked.connect(self.hide)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(8, 4, 4, 4)
        layout.addWidget(self.icon)
        layout.addWidget(self.text, 1)
        layout.addWidget(self.action_button)
        layout.addWidget(close)
        self._action: Optional[Callable[[], None]] = None
        self.level = ""
        self.hide()

    def show_message(
        self,
        text: str,
        level: str = "error",
        action: Optional[tuple[str, Callable[[], None]]] = None,
    ) -> None:
        """Show ``text`` (``level``: error, warning or info) with an optional button."""
        self.level = level
        self.setStyleSheet(
            f"#MessageBar {{ {_STYLES.get(level, _STYLES['info'])} "
            "border-radius: 4px; } #MessageBar QLabel { border: none; "
            "background: transparent; }"
        )
        pixmap = {
            "error": QStyle.StandardPixmap.SP_MessageBoxCritical,
            "warning": QStyle.StandardPixmap.SP_MessageBoxWarning,
        }.get(level, QStyle.StandardPixmap.SP_MessageBoxInformation)
        self.icon.setPixmap(self.style().standardIcon(pixmap).pixmap(20, 20))
        self.text.setText(text)
        if action is not None:
            self.action_button.setText(action[0])
            self._action = action[1]
            self.action_button.show()
        else:
            self._action = None
            self.action_button.hide()
        self.show()

    def _run_action(self) -> None:
        action = self._action
        self.hide()
        if action is not None:
            action()
