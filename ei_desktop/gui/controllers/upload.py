"""Uploading files and folders: pick them, choose options, upload, report."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Optional

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QFileDialog

from ei_desktop.gui.controllers.operation import open_dialog
from ei_desktop.gui.dialogs.upload_options import UploadOptionsDialog
from ei_desktop.gui.jobs.runner import Job
from ei_desktop.gui.jobs.upload import upload_paths_job
from ei_desktop.ops import Plan, UploadOptions

if TYPE_CHECKING:
    from ei_desktop.gui.main_window import MainWindow

SAMPLE_FILES = (
    "Samples (*.csv *.json *.cbor *.wav *.jpg *.jpeg *.png *.mp4 *.avi *.txt);;All files (*)"
)


class UploadController(QObject):
    """Asks for files or a folder and the upload options, then uploads.

    The options chosen last are offered again next time.
    """

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window = window
        self.last_options = UploadOptions()

    def upload_files(self, paths: Optional[Sequence[str]] = None) -> None:
        """Upload files (asks for them when ``paths`` is ``None``)."""
        if self.window.backend is None:
            return
        folders: Optional[int] = None
        if paths is None:
            paths, _ = QFileDialog.getOpenFileNames(self.window, "Upload files", "", SAMPLE_FILES)
            if not paths:
                return
            folders = 0
        self.ask_upload(list(paths), folders=folders)

    def upload_when_open(self, paths: Sequence[str]) -> None:
        """Offer ``paths`` for upload (the upload options) as soon as a project is open."""
        paths = list(paths)
        if self.window.backend is not None:
            self.upload_files(paths)
            return
        connection = self.window.connection

        def once() -> None:
            connection.opened.disconnect(once)
            self.upload_files(paths)

        connection.opened.connect(once)

    def upload_folder(self, folder: Optional[str] = None) -> None:
        """Upload a folder (asks for it when ``folder`` is ``None``)."""
        if self.window.backend is None:
            return
        if folder is None:
            folder = QFileDialog.getExistingDirectory(self.window, "Upload folder")
            if not folder:
                return
        self.ask_upload([folder], folders=1)

    def ask_upload(self, paths: list[str], *, folders: Optional[int] = None) -> UploadOptionsDialog:
        """Show the upload options for ``paths``; uploading starts when accepted.

        ``folders`` is how many of ``paths`` are folders when the caller knows; the dialog
        never looks (a network share could hang the window).
        """
        dialog = UploadOptionsDialog(
            paths,
            self.window.tree_model.labels(),
            self.last_options,
            "Upload",
            self.window,
            folders=folders,
            runner=self.window.reads,
        )
        dialog.accepted.connect(lambda: self._accepted(dialog))
        open_dialog(dialog)
        return dialog

    def _accepted(self, dialog: UploadOptionsDialog) -> None:
        options = dialog.options()
        self.start_upload(dialog.paths, options, dialog.plan_for(options))

    def start_upload(
        self, paths: Sequence[str], options: UploadOptions, plan: Optional[Plan] = None
    ) -> Optional[Job]:
        """Upload ``paths`` with ``options`` (no dialog first); a ``plan`` made with the same
        options (the one the user saw) is sent as it is.
        """
        backend = self.window.backend
        if backend is None:
            return None
        self.last_options = options
        job = upload_paths_job(backend, paths, options, plan)
        return self.window.operations.run(job, "Uploading")
