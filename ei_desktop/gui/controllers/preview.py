"""The preview of the current sample: loaded once the selection settles, latest row wins."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Optional

from PySide6.QtCore import QObject, QTimer

from ei_desktop.core.backends.base import SampleRecord
from ei_desktop.gui.alive import while_alive
from ei_desktop.gui.jobs.preview import PreviewData, preview_job
from ei_desktop.gui.jobs.runner import error_message

if TYPE_CHECKING:
    from ei_desktop.gui.main_window import MainWindow

log = logging.getLogger(__name__)

#: the preview waits for the selection to settle this long (key auto-repeat)
PREVIEW_DELAY_MS = 60
#: what the preview shows when no sample is current
NOTHING_SELECTED = "Select a sample to preview it"


class PreviewController(QObject):
    """Shows the table's current sample in the preview panel.

    Moving over many rows quickly starts at most one load per settled selection, and a load
    that a newer one replaced never reaches the panel.
    """

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window = window
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(PREVIEW_DELAY_MS)
        self._timer.timeout.connect(self.load_current)
        self._loading = window.reads.slot(self)
        self._loading.finished.connect(self._loaded)
        self._loading.failed.connect(self._failed)
        self._record: Optional[SampleRecord] = None
        window.table.selectionModel().currentRowChanged.connect(self.schedule)
        # a reset drops the current row without currentRowChanged: look again once the view
        # restored what it keeps (a refresh), or show nothing (a new listing)
        model = window.table_model
        model.modelReset.connect(self.schedule)
        model.idsChanged.connect(self.schedule)

    def schedule(self, *_args) -> None:
        """Load the current sample once the selection has settled."""
        self._timer.start()

    def clear(self) -> None:
        """Forget any load under way and show the empty preview."""
        self._timer.stop()
        self._loading.cancel()
        self.window.preview.show_empty(text=NOTHING_SELECTED)

    def load_current(self) -> None:
        """Load the table's current sample now (replacing a load under way)."""
        window = self.window
        if window.closing:
            return  # a load started now would outlive the window's wait for its reads
        sample_id = window.table.current_id()
        if sample_id is None or window.backend is None:
            self._loading.cancel()
            window.preview.show_empty(text=NOTHING_SELECTED)
            return
        shown = getattr(window.preview, "current_id", None)
        if shown == sample_id and not window.table_model.loading:
            return  # shown already, or its load (the slot's latest) is under way
        record = window.table_model.record(sample_id)
        if record is not None:
            window.preview.show_loading(record)
        else:
            window.preview.show_empty(text="Loading…")
        self._record = record
        # a row read before the last change may be out of date: the job reads the sample then
        fresh = window.table_model.record(sample_id, fresh=True)
        job = preview_job(window.backend, sample_id, fresh)
        self._loading.start(job, name="preview", priority=2)

    @while_alive
    def _loaded(self, result: PreviewData) -> None:
        preview = self.window.preview
        if result.record is None:
            preview.show_error(None, "This sample no longer exists.")
            return
        try:
            preview.show_sample(
                result.record, series=result.series, data=result.data, envelope=result.envelope
            )
        except Exception as exc:  # noqa: BLE001 - a bad sample must not break the window
            log.exception("Preview of sample %s failed", result.sample_id)
            preview.show_error(result.record, f"Cannot show this sample: {exc}")

    @while_alive
    def _failed(self, error: BaseException) -> None:
        message = error_message(error)
        self.window.preview.show_error(self._record, f"Cannot load this sample: {message}")
