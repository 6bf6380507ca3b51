"""A progress dialog for a running job: bar, counts, time left and Cancel."""

from __future__ import annotations

import time
from typing import Optional

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ei_desktop.core.progress import Progress
from ei_desktop.gui.jobs.runner import Job

#: a job that ends sooner than this never shows the dialog (no flashing)
SHOW_DELAY_MS = 400


def eta_text(done: int, total: Optional[int], elapsed_s: float) -> str:
    """``about 2 min left`` from the rate so far; empty when it cannot be told yet."""
    if not total or done <= 0 or elapsed_s < 1.0 or done >= total:
        return ""
    seconds = (total - done) * elapsed_s / done
    if seconds < 5:
        return "a few seconds left"
    if seconds < 60:
        return f"about {int(round(seconds, -1 if seconds > 15 else 0))} s left"
    minutes = seconds / 60
    if minutes < 60:
        return f"about {int(round(minutes))} min left"
    return f"about {minutes / 60:.1f} h left"


class ProgressDialog(QDialog):
    """Shows one job's progress; closes itself when the job is done.

    Args:
        job: the job (connect before it starts, or right after: the last progress is kept).
        title: the window title ("Uploading").
        delay_ms: how long to wait before showing (0 shows at once).
    """

    def __init__(
        self, job: Job, title: str, parent: Optional[QWidget] = None, delay_ms: int = SHOW_DELAY_MS
    ) -> None:
        super().__init__(parent)
        self.job = job
        self.setWindowTitle(title)
        self.setWindowModality(Qt.WindowModality.WindowModal)
        self.setMinimumWidth(440)
        self._started = time.monotonic()
        self.heading = QLabel(f"<b>{title}…</b>", self)
        self.bar = QProgressBar(self)
        self.bar.setRange(0, 0)
        self.bar.setTextVisible(True)
        self.counts = QLabel("Starting…", self)
        self.counts.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.message = QLabel("", self)
        self.message.setWordWrap(True)
        buttons = QDialogButtonBox(self)
        self.cancel_button: QPushButton = buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        self.cancel_button.clicked.connect(self.request_cancel)
        layout = QVBoxLayout(self)
        layout.addWidget(self.heading)
        layout.addWidget(self.bar)
        layout.addWidget(self.counts)
        layout.addWidget(self.message)
        layout.addWidget(buttons)

        job.signals.progress.connect(self.update_progress)
        job.signals.done.connect(self._job_done)
        if job.last_progress is not None:
            self.update_progress(job.last_progress)
        self._show_timer = QTimer(self)
        self._show_timer.setSingleShot(True)
        self._show_timer.timeout.connect(self._show_if_running)
        self._show_timer.start(delay_ms)
        # the time left moves even when no item finishes
        self._tick = QTimer(self)
        self._tick.timeout.connect(self._refresh)
        self._tick.start(1000)
        self._last: Optional[Progress] = job.last_progress

    def _show_if_running(self) -> None:
        if not self.job.is_finished():
            self.open()

    def request_cancel(self) -> None:
        """Ask the job to stop; the dialog closes when it has."""
        self.job.cancel()
        self.cancel_button.setEnabled(False)
        self.cancel_button.setText("Cancelling…")
        self.message.setText("Stopping after the current item…")

    def reject(self) -> None:  # noqa: D102 - Esc and the close button cancel
        if not self.job.is_finished():
            self.request_cancel()
            return
        super().reject()

    def update_progress(self, update: Progress) -> None:
        """Show ``update``."""
        self._last = update
        if update.total:
            if self.bar.maximum() != update.total:
                self.bar.setRange(0, update.total)
            self.bar.setValue(min(update.done, update.total))
        else:
            self.bar.setRange(0, 0)
        if update.message and not self.job.cancelled:
            self.message.setText(update.message)
        self._refresh()

    def _refresh(self) -> None:
        update = self._last
        if update is None:
            return
        parts = []
        if update.total:
            parts.append(f"{update.done:,} of {update.total:,}")
        elif update.done:
            parts.append(f"{update.done:,} done")
        failed = self.job.failed_count
        if failed:
            parts.append(f"{failed:,} failed")
        eta = eta_text(update.done, update.total, time.monotonic() - self._started)
        if eta:
            parts.append(eta)
        self.counts.setText(" · ".join(parts) if parts else "Working…")

    def _job_done(self) -> None:
        self._show_timer.stop()
        self._tick.stop()
        self.done(QDialog.DialogCode.Accepted)
