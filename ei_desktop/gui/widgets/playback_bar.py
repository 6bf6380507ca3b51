"""The row under a playable preview: Play/Pause (Space), the time, and a status line."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QHBoxLayout, QLabel, QToolButton, QWidget


class PlaybackBar(QWidget):
    """Play/Pause with Space while its window is active, the time and a status line.

    Args:
        toggle: called when Play/Pause is pressed.
    """

    def __init__(self, toggle: Callable[[], object], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.play_action = QAction("Play", self)
        self.play_action.setShortcut(QKeySequence(Qt.Key.Key_Space))
        self.play_action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        self.play_action.triggered.connect(lambda _checked=False: toggle())
        self.addAction(self.play_action)
        self.play_button = QToolButton(self)
        self.play_button.setDefaultAction(self.play_action)
        self.play_button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.time_label = QLabel(self)
        self.status = QLabel(self)
        self.status.setWordWrap(True)
        self.status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        row = QHBoxLayout(self)
        row.setContentsMargins(4, 0, 4, 0)
        row.addWidget(self.play_button)
        row.addWidget(self.time_label)
        row.addWidget(self.status, 1)
