"""Downloading the selected samples into a folder, in the layout the user picks."""

from __future__ import annotations

from typing import TYPE_CHECKING, Optional

from PySide6.QtCore import QObject

from ei_desktop.gui.controllers.operation import open_dialog
from ei_desktop.gui.dialogs.download_options import DownloadOptionsDialog
from ei_desktop.gui.jobs.download import download_job
from ei_desktop.gui.jobs.runner import Job
from ei_desktop.ops.export import Layout

if TYPE_CHECKING:
    from ei_desktop.gui.main_window import MainWindow

#: where the last folder and layout chosen are remembered
FOLDER_KEY = "download/folder"
LAYOUT_KEY = "download/layout"


class DownloadController(QObject):
    """Asks for a folder and a layout, then downloads the selected samples into it."""

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window = window

    def download_selected(
        self, directory: Optional[str] = None, layout: Layout | str = Layout.SDK
    ) -> Optional[Job]:
        """Download the selected samples into ``directory`` in ``layout``; with no
        ``directory``, asks for both first (:meth:`ask_download`) and returns ``None``.
        """
        window = self.window
        if window.backend is None:
            return None
        ids = window.table.selected_ids().tolist()
        if not ids:
            window.statusBar().showMessage("Select the samples to download first.", 5000)
            return None
        if directory is None:
            self.ask_download(ids)
            return None
        return self.start_download(ids, directory, layout)

    def ask_download(self, ids: list[int]) -> DownloadOptionsDialog:
        """Show the download options (last folder and layout first); samples ``ids`` are
        downloaded when accepted.
        """
        settings = self.window.settings.qsettings
        folder = settings.value(FOLDER_KEY)
        layout = settings.value(LAYOUT_KEY)
        dialog = DownloadOptionsDialog(
            len(ids),
            folder if isinstance(folder, str) else "",
            layout if isinstance(layout, str) else Layout.SDK,
            self.window,
        )
        dialog.accepted.connect(
            lambda: self._accepted(ids, dialog.folder(), dialog.chosen_layout())
        )
        open_dialog(dialog)
        return dialog

    def _accepted(self, ids: list[int], folder: str, layout: Layout) -> None:
        settings = self.window.settings.qsettings
        settings.setValue(FOLDER_KEY, folder)
        settings.setValue(LAYOUT_KEY, layout.value)
        self.start_download(ids, folder, layout)

    def start_download(self, ids: list[int], directory: str, layout: Layout | str) -> Optional[Job]:
        """Download samples ``ids`` into ``directory`` in ``layout`` (no dialog first)."""
        backend = self.window.backend
        if backend is None:
            return None
        names = self.window.table_model.names(ids)
        job = download_job(backend, ids, directory, names, layout)
        return self.window.operations.run(job, "Downloading")
