"""Running an operation: a progress dialog while it runs, then its outcome reported."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import QDialog, QMessageBox

from ei_desktop.gui.alive import while_alive
from ei_desktop.gui.dialogs.progress import ProgressDialog
from ei_desktop.gui.dialogs.results import ResultsDialog
from ei_desktop.gui.jobs.runner import Job, JobFunction, error_details, error_message
from ei_desktop.ops.report import Report

if TYPE_CHECKING:
    from ei_desktop.gui.main_window import MainWindow

#: show the results dialog after every run
ALWAYS = "always"
#: show it only when something failed or the run was cancelled
PROBLEMS = "problems"


def open_dialog(dialog: QDialog) -> QDialog:
    """Show ``dialog`` without blocking (window-modal); it is deleted once closed."""
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dialog.open()
    return dialog


class OperationRunner(QObject):
    """Runs mutating or long jobs for the window's controllers and reports their outcome.

    Signals:
        finished(Report): an operation ended (its report was shown to the user).
        failed(BaseException): an operation stopped with an error (shown to the user).
    """

    finished = Signal(object)
    failed = Signal(object)

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window = window

    def run(self, fn: JobFunction, title: str, *, results: str = ALWAYS) -> Job:
        """Run ``fn`` (a job function returning a :class:`Report`) with a progress dialog.

        Args:
            fn: the job function.
            title: the progress dialog's title ("Uploading").
            results: when to show the results dialog: :data:`ALWAYS` or :data:`PROBLEMS`.
        """
        job = Job(fn, name=title)
        ProgressDialog(job, title, self.window)
        job.signals.finished.connect(lambda report: self._finished(report, results))
        job.signals.failed.connect(lambda error: self._failed(title, error))
        return self.window.jobs.start(job)

    @while_alive
    def _finished(self, report: Report, results: str) -> None:
        self.window.statusBar().showMessage(report.summary(), 8000)
        problems = report.failed or report.cancelled or report.stopped_by
        if (results == ALWAYS or problems) and not self.window.closing:
            open_dialog(ResultsDialog(report, self.window))
        self.finished.emit(report)

    @while_alive
    def _failed(self, title: str, error: BaseException) -> None:
        text = f"{title} failed: {error_message(error)}"
        self.window.statusBar().showMessage(text, 8000)
        if not self.window.closing:
            box = QMessageBox(
                QMessageBox.Icon.Warning, title, text, QMessageBox.StandardButton.Ok, self.window
            )
            details = error_details(error)
            if details:
                box.setDetailedText(details)
            open_dialog(box)
        self.failed.emit(error)
