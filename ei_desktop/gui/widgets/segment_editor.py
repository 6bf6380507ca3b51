"""Label segments (Edge Impulse's structured labels) edited on a signal plot, like Studio's
multi-label editor: each segment a coloured band with its label above the curves, boundaries
dragged with the mouse, a drag over the plot labels that range, a double click (or F2)
relabels, Delete merges a segment into its neighbour.

The editor holds the segments being edited (:class:`LabelSegments`) and draws them; it does
no I/O. The segments controller starts it, and saves or discards what it holds. Out of the
mode it can show a sample's segments read-only (:meth:`SegmentEditor.show_segments`; the
audio waveform does), with the same tags.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Optional

import pyqtgraph as pg
from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtWidgets import QWidget

from ei_desktop.core.label_segments import LabelSegments, Segment
from ei_desktop.gui.dialogs.curation import TextDialog
from ei_desktop.gui.dialogs.label_prompt import LabelPrompt
from ei_desktop.gui.widgets.edit_history import EditHistory
from ei_desktop.gui.widgets.plot_modes import span_text, take_key
from ei_desktop.gui.widgets.plotting import SignalPlot
from ei_desktop.gui.widgets.segment_bar import SegmentBar
from ei_desktop.gui.widgets.segment_items import SegmentBand, anchor_of
from ei_desktop.gui.widgets.segment_overlay import SegmentOverlay

#: the part of the view a segment added with *Add segment* covers
ADD_FRACTION = 0.2
#: the keys that act on the picked segment: F2 relabels it, the others remove it
_KEYS = (Qt.Key.Key_Delete, Qt.Key.Key_Backspace, Qt.Key.Key_F2)


class SegmentEditor(SegmentBar):
    """The *Label segments* mode of a plot: what it draws over the curves, and the bar under
    the plot (what will be saved, *Add segment*, *Relabel…*, *Delete*, *Save*, *Cancel*).

    Signals:
        saveRequested(): Save was pressed (the controller saves :meth:`structured_labels`).
        cancelRequested(): Cancel was pressed.
        editingChanged(bool): the mode started (``True``) or ended.
        changed(): the segments, or the one picked, changed.
    """

    editingChanged = Signal(bool)
    changed = Signal()

    def __init__(self, plot: SignalPlot, parent: Optional[QWidget] = None) -> None:
        super().__init__(parent)
        self.plot = plot
        #: the segments edited (``None`` out of the mode)
        self.segments: Optional[LabelSegments] = None
        #: the structured labels stored for the sample (``None``: a single-label sample)
        self.stored: Optional[list] = None
        self.interval_ms = 0.0
        #: the segment picked (Delete and F2 act on it)
        self.selected: Optional[int] = None
        #: True once the user changed something since the mode started
        self.dirty = False
        #: labels offered while typing one (the project's labels)
        self.label_choices: list[str] = []
        self.label_prompt = LabelPrompt(self)
        self.overlay = SegmentOverlay(self)
        #: the segments before each edit (Ctrl+Z while editing), and the edits undone
        self._history: EditHistory[list[Segment]] = EditHistory()
        self._legend_anchor: tuple = (None, None, (0, 0))
        #: the segments shown read-only out of the mode (see :meth:`show_segments`)
        self._view: Optional[LabelSegments] = None

        self.add_button.clicked.connect(self.ask_add)
        self.relabel_button.clicked.connect(lambda: self.ask_relabel())
        self.delete_button.clicked.connect(lambda: self.remove())

        view = plot.plot_item.getViewBox()
        view.sigRangeChanged.connect(self.overlay.layout_tags)
        view.sigResized.connect(self.overlay.layout_tags)
        plot.plot_widget.installEventFilter(self)

    # -- the mode ------------------------------------------------------------------------------

    @property
    def editing(self) -> bool:
        """True while the mode is on."""
        return self.segments is not None

    def start(
        self,
        rows: int,
        interval_ms: float,
        structured_labels: Optional[list],
        label: Optional[str] = None,
    ) -> None:
        """Edit the segments of a sample of ``rows`` values ``interval_ms`` apart; one
        without ``structured_labels`` starts as one segment labelled ``label``.
        """
        self.stop()
        self.segments = LabelSegments.from_structured(structured_labels, rows, label)
        self.stored = list(structured_labels) if structured_labels else None
        self.interval_ms = float(interval_ms)
        self.dirty = False
        self.selected = None
        self._history.clear()
        self.plot.set_reset_on_double_click(False)  # a double click relabels
        # the tags take the top of the plot: the legend waits in the bottom corner
        self._legend_anchor = anchor_of(self.plot.legend)
        self.plot.legend.anchor(itemPos=(1, 1), parentPos=(1, 1), offset=(-10, -10))
        self.setVisible(True)
        self._rebuild()
        self.editingChanged.emit(True)

    def stop(self) -> None:
        """Leave the mode and remove what it drew (the segments edited are dropped)."""
        self.label_prompt.close()
        was = self.segments is not None
        self.overlay.clear()
        self.segments = None
        self.stored = None
        self.selected = None
        self.dirty = False
        self._history.clear()
        self.setVisible(False)
        if self._view is not None:
            self._rebuild()  # the segments shown read-only
        if was:
            self.plot.set_reset_on_double_click(True)
            item_pos, parent_pos, offset = self._legend_anchor
            if item_pos is not None and parent_pos is not None:
                self.plot.legend.anchor(itemPos=item_pos, parentPos=parent_pos, offset=offset)
            self.editingChanged.emit(False)

    def show_segments(
        self, structured_labels: Optional[list], rows: int, interval_ms: float = 0.0
    ) -> None:
        """Out of the mode, show these segments read-only (``None`` or empty: none) over a
        sample of ``rows`` values; in the mode, show them once it ends.
        """
        view = None
        if structured_labels and rows > 0:
            view = LabelSegments.from_structured(structured_labels, rows)
        self._view = view
        if not self.editing:
            self.interval_ms = float(interval_ms)
            self._rebuild()

    def structured_labels(self) -> list:
        """The segments as structured labels (empty out of the mode)."""
        return self.segments.to_structured() if self.segments is not None else []

    def can_save(self) -> bool:
        """True when Save would change the sample (a single-label sample is turned into a
        multi-label one by saving even one segment).
        """
        return self.segments is not None and self.structured_labels() != self.stored

    # -- edits (the mouse and keys end up here) ------------------------------------------------

    def select(self, index: Optional[int]) -> None:
        """Pick segment ``index`` (``None``: none)."""
        if self.segments is None:
            return
        if index is not None and not 0 <= index < len(self.segments):
            index = None
        self.selected = index
        self.overlay.paint(self.selected)
        self._update_bar()
        if index is not None:
            self.plot.plot_widget.setFocus(Qt.FocusReason.MouseFocusReason)

    def add_segment(self, start: float, end: float, label: str) -> Optional[int]:
        """Label values ``start`` up to ``end`` ``label`` (taken from the segments there);
        returns the new segment's index, ``None`` when the range holds no value.
        """
        if self.segments is None:
            return None
        before = self.segments.segments()
        try:
            index = self.segments.add(start, end, label)
        except ValueError:
            return None
        self._edited(index, before)
        return index

    def relabel(self, index: int, label: str) -> bool:
        """Give segment ``index`` the label ``label``."""
        if self.segments is None or not 0 <= index < len(self.segments):
            return False
        before = self.segments.segments()
        try:
            self.segments.relabel(index, label)
        except ValueError:
            return False
        self._edited(index, before)
        return True

    def remove(self, index: Optional[int] = None) -> bool:
        """Remove segment ``index`` (default: the one picked), merging it into the one before
        it (after it, for the first); False for the only segment.
        """
        index = self.selected if index is None else index
        if self.segments is None or index is None or len(self.segments) < 2:
            return False
        before = self.segments.segments()
        self._edited(self.segments.remove(index), before)
        return True

    def move_boundary(self, index: int, position: float) -> Optional[int]:
        """Move boundary ``index`` (between segments ``index`` and ``index + 1``) to value
        ``position``, as a drag of its line does; returns where it went.
        """
        if self.segments is None:
            return None
        before = self.segments.segments()
        where = self.segments.move_boundary(index, position)
        self._remember(before)
        self.overlay.sync_positions()
        self._update_bar()
        self.changed.emit()
        return where

    def undo(self) -> bool:
        """Take back the latest edit (Ctrl+Z while editing); False when there is none."""
        return self._step(self._history.undo)

    def redo(self) -> bool:
        """Make the latest edit taken back again; False when there is none."""
        return self._step(self._history.redo)

    def _step(self, take: Callable[[list[Segment]], Optional[list[Segment]]]) -> bool:
        if self.segments is None:
            return False
        segments = take(self.segments.segments())
        if segments is None:
            return False
        self.segments = LabelSegments(self.segments.rows, segments)
        self.dirty = self._history.can_undo
        if self.selected is not None and self.selected >= len(self.segments):
            self.selected = None
        self._rebuild()
        self.changed.emit()
        return True

    def _remember(self, before: list[Segment]) -> None:
        if self.segments is not None and self.segments.segments() != before:
            self._history.record(before)
        self.dirty = self._history.can_undo

    # -- asking for labels ---------------------------------------------------------------------

    def ask_add(self) -> Optional[TextDialog]:
        """Ask for a label, then add a segment over the middle part of the view."""
        if self.segments is None:
            return None
        (left, right), _ = self.plot.plot_item.getViewBox().viewRange()
        rows = self.segments.rows
        left, right = max(0.0, left), min(float(rows), right)
        middle, half = (left + right) / 2, max(0.5, (right - left) * ADD_FRACTION / 2)
        return self.ask_label_for(middle - half, middle + half)

    def ask_label_for(self, start: float, end: float) -> Optional[TextDialog]:
        """Ask for the label of a new segment over ``start``–``end``, then add it."""
        if self.segments is None:
            return None
        span = self._span(max(0, int(round(min(start, end)))), int(round(max(start, end))))
        return self.label_prompt.ask(
            "Add segment",
            f"&Label of the new segment ({span}):",
            "Add",
            "",
            lambda label: self.add_segment(start, end, label),
            completions=self.label_choices,
        )

    def ask_relabel(self, index: Optional[int] = None) -> Optional[TextDialog]:
        """Ask for a new label for segment ``index`` (default: the one picked)."""
        index = self.selected if index is None else index
        if self.segments is None or index is None or not 0 <= index < len(self.segments):
            return None
        segment = self.segments[index]
        return self.label_prompt.ask(
            "Relabel segment",
            f"&Label of the segment {self._span(segment.start, segment.end)}:",
            "Relabel",
            segment.label,
            lambda label: self.relabel(index, label),
            completions=self.label_choices,
        )

    # -- dragging a new segment ----------------------------------------------------------------

    def draft_started(self, x: float) -> None:
        """A drag over the plot started at value position ``x``."""
        self.overlay.remove_draft()
        if self.segments is not None:
            self.overlay.start_draft(x)

    def draft_moved(self, x: float) -> None:
        """The drag is at value position ``x``."""
        if self.segments is not None:
            self.overlay.move_draft(x, self.segments.rows)

    def draft_finished(self) -> Optional[TextDialog]:
        """The drag ended: ask for the label of the range it covered."""
        if self.overlay.draft is None:
            return None
        low, high = self.overlay.draft.getRegion()
        if int(round(high)) <= int(round(low)):
            self.overlay.remove_draft()
            return None
        dialog = self.ask_label_for(low, high)
        if dialog is not None:
            dialog.finished.connect(lambda _result: self.overlay.remove_draft())
        return dialog

    # -- drawing -------------------------------------------------------------------------------

    @property
    def bands(self) -> list[SegmentBand]:
        """The segments' bands, in order."""
        return self.overlay.bands

    @property
    def lines(self) -> list[pg.InfiniteLine]:
        """The boundary lines while editing, in order."""
        return self.overlay.lines

    @property
    def tags(self) -> list[pg.TextItem]:
        """The segments' tags, in order."""
        return self.overlay.tags

    @property
    def draft(self) -> Optional[pg.LinearRegionItem]:
        """The range being dragged out for a new segment, while a drag lasts."""
        return self.overlay.draft

    def tag_texts(self) -> list[str]:
        """The text of each segment's tag, in order."""
        return self.overlay.tag_texts()

    def _edited(self, selected: Optional[int], before: list[Segment]) -> None:
        self._remember(before)
        self.selected = selected
        self._rebuild()
        self.changed.emit()

    def _rebuild(self) -> None:
        drawn = self.segments if self.segments is not None else self._view
        if self.overlay.draw(drawn, self.editing, self._span, self.selected):
            self._update_bar()

    # -- the bar -------------------------------------------------------------------------------

    def summary_text(self) -> str:
        """What Save will store, in a line."""
        segments = self.segments
        if segments is None:
            return ""
        noun = "segment" if len(segments) == 1 else "segments"
        parts = [f"{len(segments)} {noun} ({', '.join(segments.labels())})"]
        if self.selected is not None:
            picked = segments[self.selected]
            parts.append(f"picked: {picked.label}, {self._span(picked.start, picked.end)}")
        if self.can_save():
            parts.append("not saved" if self.dirty or self.stored else "Save makes it multi-label")
        return " · ".join(parts)

    def _update_bar(self) -> None:
        picked = self.segments is not None and self.selected is not None
        self.show_state(
            self.summary_text(),
            picked=picked,
            deletable=picked and len(self.segments or []) > 1,
            savable=self.can_save(),
        )

    # -- helpers -------------------------------------------------------------------------------

    def _span(self, start: int, end: int) -> str:
        return span_text(start, end, self.interval_ms, last=end - 1)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt override)
        """On the plot, Delete (or Backspace) removes the picked segment and F2 relabels it."""
        if (
            self.segments is not None
            and self.selected is not None
            and take_key(event, _KEYS, self._key_pressed)
        ):
            return True
        return super().eventFilter(watched, event)

    def _key_pressed(self, key: Qt.Key) -> None:
        if key == Qt.Key.Key_F2:
            self.ask_relabel()
        else:
            self.remove()
