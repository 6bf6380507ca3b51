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
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QPushButton,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from ei_desktop.core.label_segments import LabelSegments, Segment
from ei_desktop.gui.dialogs.curation import TextDialog
from ei_desktop.gui.widgets.colors import label_colors, text_color_on
from ei_desktop.gui.widgets.plot_modes import span_text, take_key
from ei_desktop.gui.widgets.plotting import SignalPlot

#: the part of the view a segment added with *Add segment* covers
ADD_FRACTION = 0.2
#: rows of tags at most, before tags of narrow segments may overlap
TAG_ROWS = 4
#: labels longer than this are shortened on their tag (the tooltip has them in full)
TAG_CHARS = 32
_Z_BAND, _Z_DRAFT, _Z_LINE, _Z_TAG = 12, 14, 20, 30
_LINE = QColor(40, 40, 40, 200)
_LINE_HOVER = QColor(220, 90, 40)
_DRAFT_FILL = QColor(120, 120, 120, 70)
_DRAFT_EDGE = QColor(80, 80, 80, 200)
#: the keys that act on the picked segment: F2 relabels it, the others remove it
_KEYS = (Qt.Key.Key_Delete, Qt.Key.Key_Backspace, Qt.Key.Key_F2)


class SegmentBand(pg.LinearRegionItem):
    """One segment's coloured band. A click picks it, a double click relabels it, a drag
    across the plot labels the dragged range (the band itself never moves).
    """

    def __init__(self, editor: SegmentEditor, index: int, start: int, end: int) -> None:
        super().__init__(values=(start, end), movable=False)
        self.editor = editor
        self.index = index
        self.setZValue(_Z_BAND)

    def mouseClickEvent(self, ev) -> None:  # noqa: N802 (pyqtgraph override)
        """Left click picks the segment; a double click relabels it."""
        if ev.button() != Qt.MouseButton.LeftButton or not self.editor.editing:
            return
        ev.accept()
        self.editor.select(self.index)
        if ev.double():
            self.editor.ask_relabel(self.index)

    def mouseDragEvent(self, ev) -> None:  # noqa: N802 (pyqtgraph override)
        """A left drag draws a new segment over the range it covers."""
        if ev.button() != Qt.MouseButton.LeftButton or not self.editor.editing:
            return
        ev.accept()
        if ev.isStart():
            self.editor.draft_started(ev.buttonDownPos().x())
        self.editor.draft_moved(ev.pos().x())
        if ev.isFinish():
            self.editor.draft_finished()


class SegmentEditor(QWidget):
    """The *Label segments* mode of a plot: what it draws over the curves, and the bar under
    the plot (what will be saved, *Add segment*, *Relabel…*, *Delete*, *Save*, *Cancel*).

    Signals:
        saveRequested(): Save was pressed (the controller saves :meth:`structured_labels`).
        cancelRequested(): Cancel was pressed.
        editingChanged(bool): the mode started (``True``) or ended.
        changed(): the segments, or the one picked, changed.
    """

    saveRequested = Signal()
    cancelRequested = Signal()
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
        #: the dialog asking for a label, while one is open
        self.dialog: Optional[TextDialog] = None
        self.bands: list[SegmentBand] = []
        self.lines: list[pg.InfiniteLine] = []
        self.tags: list[pg.TextItem] = []
        self.draft: Optional[pg.LinearRegionItem] = None
        self._draft_start = 0.0
        #: the segments before each edit (Ctrl+Z while editing), and the edits undone
        self._undo: list[list[Segment]] = []
        self._redo: list[list[Segment]] = []
        self._legend_anchor: tuple = (None, None, (0, 0))
        #: the segments shown read-only out of the mode (see :meth:`show_segments`)
        self._view: Optional[LabelSegments] = None

        self.title = QLabel("Label segments:")
        font = self.title.font()
        font.setBold(True)
        self.title.setFont(font)
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.summary.setMinimumWidth(40)
        self.summary.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.add_button = QToolButton()
        self.add_button.setText("Add segment")
        self.add_button.setToolTip("Label a part of the view (or drag across the plot)")
        self.add_button.clicked.connect(self.ask_add)
        self.relabel_button = QToolButton()
        self.relabel_button.setText("Relabel…")
        self.relabel_button.setToolTip("Relabel the picked segment (F2 or double-click)")
        self.relabel_button.clicked.connect(lambda: self.ask_relabel())
        self.delete_button = QToolButton()
        self.delete_button.setText("Delete segment")
        self.delete_button.setToolTip(
            "Remove the picked segment: the one before it takes its values (Delete)"
        )
        self.delete_button.clicked.connect(lambda: self.remove())
        self.save_button = QPushButton("Save")
        self.save_button.setDefault(True)
        self.save_button.setToolTip("Save the label segments (Ctrl+S)")
        self.save_button.clicked.connect(self.saveRequested)
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setToolTip("Leave without changing the sample (Esc)")
        self.cancel_button.clicked.connect(self.cancelRequested)
        for button in (self.add_button, self.relabel_button, self.delete_button):
            button.setMinimumWidth(button.sizeHint().width())  # never elided

        self.title.setMinimumWidth(self.title.sizeHint().width())
        # what Save stores, with Save and Cancel (the summary wraps); the edits below
        top = QHBoxLayout()
        top.addWidget(self.title, 0, Qt.AlignmentFlag.AlignTop)
        top.addWidget(self.summary, 1)
        top.addWidget(self.save_button, 0, Qt.AlignmentFlag.AlignTop)
        top.addWidget(self.cancel_button, 0, Qt.AlignmentFlag.AlignTop)
        edits = QHBoxLayout()
        for button in (self.add_button, self.relabel_button, self.delete_button):
            edits.addWidget(button)
        edits.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 2, 4, 2)
        layout.setSpacing(2)
        layout.addLayout(top)
        layout.addLayout(edits)
        self.setVisible(False)

        view = plot.plot_item.getViewBox()
        view.sigRangeChanged.connect(self._layout_tags)
        view.sigResized.connect(self._layout_tags)
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
        self._undo, self._redo = [], []
        self.plot.set_reset_on_double_click(False)  # a double click relabels
        # the tags take the top of the plot: the legend waits in the bottom corner
        self._legend_anchor = _anchor_of(self.plot.legend)
        self.plot.legend.anchor(itemPos=(1, 1), parentPos=(1, 1), offset=(-10, -10))
        self.setVisible(True)
        self._rebuild()
        self.editingChanged.emit(True)

    def stop(self) -> None:
        """Leave the mode and remove what it drew (the segments edited are dropped)."""
        if self.dialog is not None:
            self.dialog.reject()
        was = self.segments is not None
        self._clear_items()
        self.segments = None
        self.stored = None
        self.selected = None
        self.dirty = False
        self._undo, self._redo = [], []
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
        self._paint_bands()
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
        self._sync_positions()
        self._update_bar()
        self.changed.emit()
        return where

    def undo(self) -> bool:
        """Take back the latest edit (Ctrl+Z while editing); False when there is none."""
        return self._step(self._undo, self._redo)

    def redo(self) -> bool:
        """Make the latest edit taken back again; False when there is none."""
        return self._step(self._redo, self._undo)

    def _step(self, source: list[list[Segment]], target: list[list[Segment]]) -> bool:
        if self.segments is None or not source:
            return False
        target.append(self.segments.segments())
        self.segments = LabelSegments(self.segments.rows, source.pop())
        self.dirty = bool(self._undo)
        if self.selected is not None and self.selected >= len(self.segments):
            self.selected = None
        self._rebuild()
        self.changed.emit()
        return True

    def _remember(self, before: list[Segment]) -> None:
        if self.segments is not None and self.segments.segments() != before:
            self._undo.append(before)
            self._redo.clear()
        self.dirty = bool(self._undo)

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
        return self._ask(
            "Add segment",
            f"&Label of the new segment ({span}):",
            "Add",
            "",
            lambda label: self.add_segment(start, end, label),
        )

    def ask_relabel(self, index: Optional[int] = None) -> Optional[TextDialog]:
        """Ask for a new label for segment ``index`` (default: the one picked)."""
        index = self.selected if index is None else index
        if self.segments is None or index is None or not 0 <= index < len(self.segments):
            return None
        segment = self.segments[index]
        return self._ask(
            "Relabel segment",
            f"&Label of the segment {self._span(segment.start, segment.end)}:",
            "Relabel",
            segment.label,
            lambda label: self.relabel(index, label),
        )

    def _ask(
        self, title: str, prompt: str, action: str, initial: str, done: Callable[[str], object]
    ) -> TextDialog:
        if self.dialog is not None:
            self.dialog.reject()
        dialog = TextDialog(
            title,
            prompt,
            action,
            initial=initial,
            completions=self.label_choices,
            parent=self.window(),
        )
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.dialog = dialog

        def finished(result: int) -> None:
            if self.dialog is dialog:
                self.dialog = None
            if result == TextDialog.DialogCode.Accepted:
                done(dialog.text())

        dialog.finished.connect(finished)
        dialog.open()
        return dialog

    # -- dragging a new segment ----------------------------------------------------------------

    def draft_started(self, x: float) -> None:
        """A drag over the plot started at value position ``x``."""
        self._remove_draft()
        if self.segments is None:
            return
        self._draft_start = x
        self.draft = pg.LinearRegionItem(
            values=(x, x),
            movable=False,
            brush=pg.mkBrush(_DRAFT_FILL),
            pen=pg.mkPen(_DRAFT_EDGE, width=2, style=Qt.PenStyle.DashLine),
        )
        self.draft.setZValue(_Z_DRAFT)
        self.plot.plot_item.addItem(self.draft, ignoreBounds=True)

    def draft_moved(self, x: float) -> None:
        """The drag is at value position ``x``."""
        if self.draft is not None and self.segments is not None:
            rows = self.segments.rows
            low, high = sorted((self._draft_start, x))
            self.draft.setRegion((max(0.0, low), min(float(rows), high)))

    def draft_finished(self) -> Optional[TextDialog]:
        """The drag ended: ask for the label of the range it covered."""
        if self.draft is None:
            return None
        low, high = self.draft.getRegion()
        if int(round(high)) <= int(round(low)):
            self._remove_draft()
            return None
        dialog = self.ask_label_for(low, high)
        if dialog is not None:
            dialog.finished.connect(lambda _result: self._remove_draft())
        return dialog

    def _remove_draft(self) -> None:
        if self.draft is not None:
            self.plot.plot_item.removeItem(self.draft)
            self.draft = None

    # -- drawing -------------------------------------------------------------------------------

    def tag_texts(self) -> list[str]:
        """The text of each segment's tag, in order."""
        return [tag.textItem.toPlainText() for tag in self.tags]

    def _edited(self, selected: Optional[int], before: list[Segment]) -> None:
        self._remember(before)
        self.selected = selected
        self._rebuild()
        self.changed.emit()

    def _clear_items(self) -> None:
        self._remove_draft()
        for item in [*self.bands, *self.lines, *self.tags]:
            self.plot.plot_item.removeItem(item)
        self.bands, self.lines, self.tags = [], [], []

    @property
    def _drawn(self) -> Optional[LabelSegments]:
        return self.segments if self.segments is not None else self._view

    def _rebuild(self) -> None:
        self._clear_items()
        segments = self._drawn
        if segments is None:
            return
        item = self.plot.plot_item
        colors = label_colors(segments.labels())
        for index, segment in enumerate(segments.segments()):
            band = SegmentBand(self, index, segment.start, segment.end)
            band.setToolTip(
                f"{segment.label}: {self._span(segment.start, segment.end)}"
                + (
                    "\nDrag across the plot to add a segment; double-click (F2) to relabel"
                    if self.editing
                    else ""
                )
            )
            item.addItem(band, ignoreBounds=True)
            self.bands.append(band)
            color = colors[segment.label]
            fill = QColor(color)
            fill.setAlpha(215)
            tag = pg.TextItem(
                _tag_text(segment.label), color=text_color_on(color), anchor=(0, 0), fill=fill
            )
            tag.setToolTip(segment.label)
            tag.setZValue(_Z_TAG)
            item.addItem(tag, ignoreBounds=True)
            self.tags.append(tag)
        for index in range(len(segments) - 1 if self.editing else 0):
            line = pg.InfiniteLine(
                angle=90,
                movable=True,
                pen=pg.mkPen(_LINE, width=2),
                hoverPen=pg.mkPen(_LINE_HOVER, width=3),
            )
            line.setZValue(_Z_LINE)
            line.setToolTip("Drag to move the boundary between the two segments")
            line.sigPositionChanged.connect(lambda ln, i=index: self._line_moving(i, ln.value()))
            line.sigPositionChangeFinished.connect(
                lambda ln, i=index: self.move_boundary(i, ln.value())
            )
            item.addItem(line, ignoreBounds=True)
            self.lines.append(line)
        self._sync_positions()
        self._paint_bands()
        self._update_bar()

    def _sync_positions(self) -> None:
        segments = self._drawn
        if segments is None or len(self.bands) != len(segments):
            return
        for band, segment in zip(self.bands, segments.segments()):
            band.setRegion((segment.start, segment.end))
        for index, line in enumerate(self.lines):
            before, after = segments[index], segments[index + 1]
            line.blockSignals(True)
            line.setBounds((before.start + 1, after.end - 1))
            line.setValue(after.start)
            line.blockSignals(False)
        self._layout_tags()

    def _line_moving(self, index: int, x: float) -> None:
        # the neighbours' edges follow the line while it is dragged
        if self.segments is None or index + 1 >= len(self.bands):
            return
        self.bands[index].setRegion((self.segments[index].start, x))
        self.bands[index + 1].setRegion((x, self.segments[index + 1].end))
        self._layout_tags()

    def _paint_bands(self) -> None:
        segments = self._drawn
        if segments is None:
            return
        colors = label_colors(segments.labels())
        for index, (band, segment) in enumerate(zip(self.bands, segments.segments())):
            picked = index == self.selected
            fill = QColor(colors[segment.label])
            fill.setAlpha(110 if picked else 55)
            edge = QColor(colors[segment.label])
            edge.setAlpha(230 if picked else 120)
            band.setBrush(pg.mkBrush(fill))
            band.setHoverBrush(pg.mkBrush(fill))
            for line in band.lines:
                line.setPen(pg.mkPen(edge, width=3 if picked else 1))

    def _layout_tags(self, *_args) -> None:
        """Put each tag at the top of the view over its segment's visible part, inside the
        view, one row lower when it would cover the tag before it.
        """
        if self._drawn is None or not self.tags:
            return
        view = self.plot.plot_item.getViewBox()
        (left, right), (_bottom, top) = view.viewRange()
        pixel = view.viewPixelSize()
        if pixel is None or pixel[0] <= 0 or pixel[1] <= 0:
            return
        px, py = pixel
        row_ends: list[float] = []
        for tag, band in zip(self.tags, self.bands):
            start, end = band.getRegion()
            if end <= left or start >= right:
                tag.setVisible(False)
                continue
            rect = tag.textItem.boundingRect()
            width, height = rect.width() * px, (rect.height() + 2) * py
            x = max(start, left)
            x = max(left, min(x, right - width))
            row = next((r for r, ends in enumerate(row_ends) if ends + 3 * px <= x), None)
            if row is None:
                if len(row_ends) < TAG_ROWS:
                    row_ends.append(x + width)
                    row = len(row_ends) - 1
                else:
                    row = min(range(len(row_ends)), key=row_ends.__getitem__)
            row_ends[row] = x + width
            tag.setPos(x, top - row * height)
            tag.setVisible(True)

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
        self.relabel_button.setEnabled(picked)
        self.delete_button.setEnabled(picked and len(self.segments or []) > 1)
        self.save_button.setEnabled(self.can_save())
        text = self.summary_text()
        self.summary.setText(text)
        self.summary.setToolTip(text)

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


def _anchor_of(item) -> tuple:
    """Where a pyqtgraph anchored item (the legend) is anchored: ``(itemPos, parentPos,
    offset)``, as given to its ``anchor()`` (pyqtgraph keeps them private).
    """
    prefix = "_GraphicsWidgetAnchor__"
    return (
        getattr(item, prefix + "itemAnchor", None),
        getattr(item, prefix + "parentAnchor", None),
        getattr(item, prefix + "offset", (0, 0)),
    )


def _tag_text(label: str) -> str:
    return label if len(label) <= TAG_CHARS else label[: TAG_CHARS - 1] + "…"
