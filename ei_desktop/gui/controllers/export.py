"""Exporting samples as a dataset (Edge Impulse, COCO, YOLO, Pascal VOC): the *Export…*
action of the File menu, its dialog and its job.

:func:`install` adds the action to the window's File menu.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Optional

from PySide6.QtCore import QObject
from PySide6.QtGui import QAction

from ei_desktop.gui.controllers.operation import open_dialog
from ei_desktop.gui.dialogs.export_options import ExportOptionsDialog
from ei_desktop.gui.jobs.export import export_job
from ei_desktop.gui.jobs.runner import Job
from ei_desktop.gui.window_actions import insert_after, menu_showing

if TYPE_CHECKING:
    from ei_desktop.gui.main_window import MainWindow

#: where the last folder and format chosen are remembered
FOLDER_KEY = "export/folder"
FORMAT_KEY = "export/format"


class ExportController(QObject):
    """Asks for a folder, a format and the samples, then exports them.

    Attributes:
        action: the File menu's "Export…" action.
    """

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window = window
        self.action = QAction("E&xport dataset…", window)
        self.action.setObjectName("export-dataset")
        self.action.setStatusTip(
            "Export the selected samples or the whole project as an Edge Impulse, COCO, YOLO "
            "or Pascal VOC dataset"
        )
        self.action.triggered.connect(lambda _checked=False: self.ask_export())

    def ask_export(self) -> Optional[ExportOptionsDialog]:
        """Show the export options (last folder and format first); exports when accepted."""
        window = self.window
        if window.backend is None:
            return None
        ids = window.table.selected_ids().tolist()
        settings = window.settings.qsettings
        folder, format = settings.value(FOLDER_KEY), settings.value(FORMAT_KEY)
        dialog = ExportOptionsDialog(
            len(ids),
            folder if isinstance(folder, str) else "",
            format if isinstance(format, str) else "ei",
            window,
        )
        dialog.accepted.connect(
            lambda: self._accepted(
                None if dialog.whole_project() else ids, dialog.folder(), dialog.chosen_format()
            )
        )
        open_dialog(dialog)
        return dialog

    def _accepted(self, ids: Optional[list[int]], folder: str, format: str) -> None:
        settings = self.window.settings.qsettings
        settings.setValue(FOLDER_KEY, folder)
        settings.setValue(FORMAT_KEY, format)
        self.start_export(ids, folder, format)

    def start_export(self, ids: Optional[list[int]], folder: str, format: str) -> Optional[Job]:
        """Export samples ``ids`` (``None``: every enabled sample) into ``folder`` as
        ``format``, with progress and cancel.
        """
        backend = self.window.backend
        if backend is None:
            return None
        return self.window.operations.run(export_job(backend, ids, folder, format), "Exporting")


def install(window: MainWindow) -> ExportController:
    """Add the *Export dataset…* action to ``window``'s File menu, after *Download*."""
    controller = ExportController(window)
    download = window.menu_actions.download
    insert_after(menu_showing(window, download), download, controller.action)
    return controller
