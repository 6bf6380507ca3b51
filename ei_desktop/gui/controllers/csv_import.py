"""Importing CSV files: pick them, describe their layout, import, report."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Optional

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QFileDialog

from ei_desktop.gui.controllers.operation import open_dialog
from ei_desktop.gui.dialogs.csv_import import CsvImportDialog
from ei_desktop.gui.jobs.csv_import import csv_import_job
from ei_desktop.gui.jobs.runner import Job
from ei_desktop.ops.table_import import CsvImportSpec

if TYPE_CHECKING:
    from ei_desktop.gui.main_window import MainWindow


class CsvImportController(QObject):
    """Asks for CSV files and how to read them, then imports them."""

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window = window

    def import_csv(self, files: Optional[Sequence[str]] = None) -> Optional[CsvImportDialog]:
        """Import CSV files (asks for them when ``files`` is ``None``); returns the dialog."""
        if self.window.backend is None:
            return None
        if files is None:
            files, _ = QFileDialog.getOpenFileNames(
                self.window, "Import CSV", "", "CSV files (*.csv *.txt);;All files (*)"
            )
            if not files:
                return None
        dialog = CsvImportDialog(
            list(files), self.window.reads, self.window.tree_model.labels(), self.window
        )
        dialog.accepted.connect(lambda: self.start_csv_import(dialog.spec()))
        open_dialog(dialog)
        return dialog

    def start_csv_import(self, spec: CsvImportSpec) -> Optional[Job]:
        """Run the import ``spec`` describes (no dialog first)."""
        backend = self.window.backend
        if backend is None:
            return None
        return self.window.operations.run(csv_import_job(backend, spec), "Importing CSV")
