"""Downloading the selected samples into a folder."""

from __future__ import annotations

from typing import TYPE_CHECKING, Optional

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QFileDialog

from ei_desktop.gui.jobs.download import download_job
from ei_desktop.gui.jobs.runner import Job

if TYPE_CHECKING:
    from ei_desktop.gui.main_window import MainWindow


class DownloadController(QObject):
    """Asks for a folder, then downloads the selected samples into it."""

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window = window

    def download_selected(self, directory: Optional[str] = None) -> Optional[Job]:
        """Download the selected samples (asks for a folder when ``directory`` is ``None``)."""
        window = self.window
        backend = window.backend
        if backend is None:
            return None
        ids = window.table.selected_ids().tolist()
        if not ids:
            window.statusBar().showMessage("Select the samples to download first.", 5000)
            return None
        if directory is None:
            title = f"Download {len(ids):,} samples to"
            directory = QFileDialog.getExistingDirectory(window, title)
            if not directory:
                return None
        names = window.table_model.names(ids)
        return window.operations.run(download_job(backend, ids, directory, names), "Downloading")
