"""Crop and split on the preview's plot: starts and leaves the modes, finds segments in the
background, and runs the change through the curation queue (so it is undoable and the views
follow it like any other change).
"""

from __future__ import annotations

import html
from typing import TYPE_CHECKING, Optional

from PySide6.QtCore import QObject, Qt, QTimer
from PySide6.QtGui import QKeySequence, QShortcut

from ei_desktop.core.backends.base import Backend
from ei_desktop.core.progress import CancelToken
from ei_desktop.gui.alive import while_alive
from ei_desktop.gui.connections import LOCAL
from ei_desktop.gui.controllers.delete import FINAL
from ei_desktop.gui.controllers.operation import open_dialog
from ei_desktop.gui.dialogs.confirm import ConfirmDialog
from ei_desktop.gui.widgets.cut_tools import CROP, SPLIT, CutTools
from ei_desktop.ops import curate
from ei_desktop.ops.curate import EditReport

if TYPE_CHECKING:
    from ei_desktop.gui.main_window import MainWindow


def crop_job(backend: Backend, sample_id: int, start: int, end: int):
    """A job function keeping values ``start`` up to ``end`` of sample ``sample_id``."""

    def run(progress, cancel: CancelToken) -> EditReport:
        return curate.crop(backend, sample_id, start, end)

    return run


def split_job(backend: Backend, sample_id: int, ranges_ms: list[tuple[float, float]]):
    """A job function splitting sample ``sample_id`` into ``ranges_ms`` (half-open, ms)."""

    def run(progress, cancel: CancelToken) -> EditReport:
        return curate.split(backend, sample_id, ranges_ms)

    return run


def find_segments_job(backend: Backend, sample_id: int, length_ms: float):
    """A job function returning ``(sample_id, ranges_ms, problem)`` for Find segments."""

    def run(progress, cancel: CancelToken):
        ranges, problem = curate.find_segments(backend, sample_id, length_ms)
        return sample_id, ranges, problem

    return run


class CuttingController(QObject):
    """The *Crop…* and *Split…* modes of the selected time series or audio sample."""

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window = window
        #: the tools in a mode, and the sample they cut
        self.tools: Optional[CutTools] = None
        self.sample_id: Optional[int] = None
        self._finding = window.reads.slot(self)
        self._finding.finished.connect(self._found)
        self._finding.failed.connect(self._find_failed)
        self._split_asked = False
        #: samples a split made, selected once the list shows them
        self._select_next: list[int] = []
        self._escape = QShortcut(QKeySequence(Qt.Key.Key_Escape), window)
        self._escape.setContext(Qt.ShortcutContext.WindowShortcut)
        self._escape.setEnabled(False)
        self._escape.activated.connect(self.cancel)

        actions = window.menu_actions
        actions.crop.triggered.connect(lambda _checked=False: self.start(CROP))
        actions.split.triggered.connect(lambda _checked=False: self.start(SPLIT))
        preview = window.preview
        for tools in getattr(preview, "all_cut_tools", tuple)():
            tools.set_actions(actions.crop, actions.split)
            tools.applyRequested.connect(self.apply)
            tools.cancelRequested.connect(self.cancel)
            tools.findRequested.connect(self.find_segments)
        if hasattr(preview, "contentChanged"):
            preview.contentChanged.connect(self._content_changed)
        window.table.selectionModel().selectionChanged.connect(self._selection_changed)
        window.curation.finished.connect(self._change_finished)
        window.table_model.modelReset.connect(self._listed)
        window.table_model.idsChanged.connect(self._listed)
        self.update_actions()

    # -- what can be cut -----------------------------------------------------------------------

    def target(self) -> tuple[Optional[CutTools], Optional[int]]:
        """The tools of the one selected sample when the preview plots it (else ``None``)."""
        window = self.window
        if window.backend is None or window.table.selected_count() != 1:
            return None, None
        ids = window.table.selected_ids()
        cut_tools = getattr(window.preview, "cut_tools", None)
        tools = cut_tools() if cut_tools is not None else None
        if tools is None or len(ids) != 1 or window.preview.current_id != int(ids[0]):
            return None, None
        return tools, int(ids[0])

    def update_actions(self) -> None:
        """Offer Crop and Split only for one selected, plotted time series or audio sample."""
        tools, _ = self.target()
        actions = self.window.menu_actions
        actions.crop.setEnabled(tools is not None)
        actions.split.setEnabled(tools is not None and tools.interval_ms > 0)

    # -- modes ---------------------------------------------------------------------------------

    @property
    def mode(self) -> Optional[str]:
        """``"crop"``, ``"split"`` or ``None``."""
        return self.tools.mode if self.tools is not None else None

    def start(self, mode: str) -> bool:
        """Start crop or split mode on the selected sample; False when it cannot be cut."""
        tools, sample_id = self.target()
        if tools is None:
            return False
        self.cancel()
        self.tools, self.sample_id = tools, sample_id
        if mode == CROP:
            tools.start_crop()
        else:
            tools.start_split()
        self._escape.setEnabled(True)
        return True

    def cancel(self) -> None:
        """Leave the mode without changing anything."""
        self._finding.cancel()
        tools, self.tools, self.sample_id = self.tools, None, None
        self._escape.setEnabled(False)
        if tools is not None:
            tools.stop()

    def apply(self) -> bool:
        """Crop or split as the tools show; False when there is nothing to apply."""
        tools, sample_id, backend = self.tools, self.sample_id, self.window.backend
        if tools is None or sample_id is None or backend is None or not tools.can_apply():
            return False
        if tools.mode == CROP:
            start, end = tools.crop_indices()
            job, doing = crop_job(backend, sample_id, start, end), "Cropping…"
        else:
            job, doing = split_job(backend, sample_id, tools.split_ranges_ms()), "Splitting…"
        spec, mode = self.window.spec, tools.mode
        if spec is not None and spec.kind != LOCAL:
            # Edge Impulse's crop and split are final: say so before, as a delete does
            what = "Crop" if mode == CROP else "Split"
            name = self.window.table_model.names([sample_id]).get(sample_id, f"sample {sample_id}")
            dialog = ConfirmDialog(
                f"{what} sample",
                f"{what} <b>{html.escape(name)}</b> in {html.escape(spec.title())}? {FINAL}",
                what,
                self.window,
            )
            dialog.accepted.connect(lambda: self._run(job, doing, mode))
            open_dialog(dialog)
            return True
        self._run(job, doing, mode)
        return True

    def _run(self, job, doing: str, mode: str) -> None:
        self._split_asked = mode == SPLIT
        self.cancel()
        self.window.curation.run(job, doing)

    def find_segments(self, length_ms: float) -> bool:
        """Find segments of ``length_ms`` in the sample (in the background)."""
        backend = self.window.backend
        if self.tools is None or self.sample_id is None or backend is None:
            return False
        self.tools.show_status("Finding segments…")
        job = find_segments_job(backend, self.sample_id, float(length_ms))
        self._finding.start(job, name="find segments")
        return True

    # -- results -------------------------------------------------------------------------------

    @while_alive
    def _found(self, result) -> None:
        sample_id, ranges, problem = result
        tools = self.tools
        if tools is None or tools.mode != SPLIT or sample_id != self.sample_id:
            return
        if problem is not None:
            tools.show_status(problem)
        elif not ranges:
            tools.set_segments_ms([])
            tools.show_status("No segments found: try another length, or add points")
        else:
            tools.set_segments_ms(ranges)

    @while_alive
    def _find_failed(self, error: BaseException) -> None:
        if self.tools is not None:
            self.tools.show_status(f"Could not find segments: {error}")

    def _change_finished(self, report: EditReport) -> None:
        if not self._split_asked or report.action not in ("Split", "Change"):
            return
        self._split_asked = False
        # the new samples replace the original in the list: select them once listed
        self._select_next = list(report.created)
        self._listed()

    def _listed(self, *_args) -> None:
        ids, model = self._select_next, self.window.table_model
        if ids and not model.loading and model.row_of(ids[0]) is not None:
            self._select_next = []
            QTimer.singleShot(0, lambda: self.window.select_ids(ids, current=ids[0]))

    def _content_changed(self) -> None:
        if self.tools is not None and (
            self.tools.mode is None or self.window.preview.current_id != self.sample_id
        ):
            self.cancel()
        self.update_actions()

    def _selection_changed(self, *_args) -> None:
        if self.tools is not None:
            _tools, sample_id = self.target()
            if sample_id != self.sample_id:
                self.cancel()
        self.update_actions()
