"""Dropping files and folders on the window uploads them (after the upload options)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtGui import QDropEvent

if TYPE_CHECKING:
    from ei_desktop.gui.main_window import MainWindow


def dropped_paths(event: QDropEvent) -> list[str]:
    """The local files and folders a drag carries (none for text, web links…)."""
    mime = event.mimeData()
    if mime is None or not mime.hasUrls():
        return []
    return [url.toLocalFile() for url in mime.urls() if url.isLocalFile()]


class DropController(QObject):
    """Accepts drags of local files over the window while a project is open.

    Installs itself as an event filter of the window, which must accept drops.
    """

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window = window
        window.setAcceptDrops(True)
        window.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: D102
        if watched is not self.window:
            return False
        kind = event.type()
        if kind == QEvent.Type.DragEnter:
            self._enter(event)
        elif kind == QEvent.Type.DragMove:
            self._accept_if_files(event)
        elif kind == QEvent.Type.DragLeave:
            self.window.drop_overlay.hide()
            event.accept()
        elif kind == QEvent.Type.Drop:
            self._drop(event)
        else:
            return False
        return True

    def _accept_if_files(self, event) -> bool:
        if self.window.backend is not None and dropped_paths(event):
            event.acceptProposedAction()
            return True
        event.ignore()
        return False

    def _enter(self, event) -> None:
        if self._accept_if_files(event):
            spec = self.window.spec
            where = spec.title() if spec else "the project"
            self.window.drop_overlay.show_for(f"Drop to upload to {where}")

    def _drop(self, event) -> None:
        self.window.drop_overlay.hide()
        paths = dropped_paths(event)
        if self.window.backend is None or not paths:
            event.ignore()
            return
        event.acceptProposedAction()
        # open the dialog after the drop returns: the drag source must not wait on a dialog
        QTimer.singleShot(0, lambda: self.window.uploads.ask_upload(paths))
