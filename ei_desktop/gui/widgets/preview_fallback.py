"""The preview panel, or a plain label standing in when its widgets cannot be imported."""

from __future__ import annotations

import logging

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QWidget

log = logging.getLogger(__name__)


class FallbackPreview(QLabel):
    """Stands in for the preview panel when its module cannot be imported."""

    current_id = None

    def __init__(self, parent=None) -> None:
        super().__init__("Preview unavailable", parent)
        self.setAlignment(Qt.AlignmentFlag.AlignCenter)

    def show_empty(self, text: str = "") -> None:
        """Show ``text`` instead of a sample."""
        self.current_id = None
        self.setText(text)

    def show_loading(self, record) -> None:
        """Say ``record`` is loading."""
        self.current_id = record.id
        self.setText(f"Loading {record.filename}…")

    def show_sample(self, record, series=None, data=None) -> None:
        """Name ``record`` (nothing more can be shown)."""
        self.current_id = record.id
        self.setText(record.filename)

    def show_error(self, record, message: str) -> None:
        """Show ``message`` about ``record``."""
        self.current_id = record.id if record is not None else None
        self.setText(message)


def create_preview_panel(parent: QWidget) -> QWidget:
    """The preview panel, or a :class:`FallbackPreview` if its widgets are unavailable."""
    try:
        from ei_desktop.gui.widgets.preview import PreviewPanel
    except ImportError as exc:  # pragma: no cover - the widgets ship with the gui
        log.warning("Preview widgets unavailable: %s", exc)
        return FallbackPreview(parent)
    return PreviewPanel(parent)
