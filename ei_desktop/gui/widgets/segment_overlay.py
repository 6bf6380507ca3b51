"""The items the label segment editor draws over its plot, kept in step with the segments:
a band and a tag per segment, a draggable line per boundary while editing, and the range
being dragged out for a new segment.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Optional

import pyqtgraph as pg

from ei_desktop.core.label_segments import LabelSegments
from ei_desktop.gui.widgets.colors import label_colors
from ei_desktop.gui.widgets.segment_items import (
    SegmentBand,
    boundary_line,
    draft_region,
    label_tag,
    paint_band,
    place_tags,
)

if TYPE_CHECKING:
    from ei_desktop.gui.widgets.segment_editor import SegmentEditor


class SegmentOverlay:
    """What :class:`SegmentEditor` draws over its plot. The bands and lines pass the mouse to
    the editor (a click picks, a drag of a line moves a boundary); this only draws.
    """

    def __init__(self, editor: SegmentEditor) -> None:
        self.editor = editor
        self.plot_item = editor.plot.plot_item
        self.bands: list[SegmentBand] = []
        self.lines: list[pg.InfiniteLine] = []
        self.tags: list[pg.TextItem] = []
        #: the range being dragged out for a new segment, while a drag lasts
        self.draft: Optional[pg.LinearRegionItem] = None
        self._draft_start = 0.0
        #: the segments drawn (``None``: none)
        self._segments: Optional[LabelSegments] = None

    def tag_texts(self) -> list[str]:
        """The text of each segment's tag, in order."""
        return [tag.textItem.toPlainText() for tag in self.tags]

    def clear(self) -> None:
        """Remove everything drawn."""
        self.remove_draft()
        for item in [*self.bands, *self.lines, *self.tags]:
            self.plot_item.removeItem(item)
        self.bands, self.lines, self.tags = [], [], []
        self._segments = None

    def draw(
        self,
        segments: Optional[LabelSegments],
        editing: bool,
        span: Callable[[int, int], str],
        selected: Optional[int],
    ) -> bool:
        """Draw ``segments`` afresh (boundary lines only while ``editing``), ``selected``
        picked, naming ranges with ``span``; False when there are none to draw.
        """
        self.clear()
        if segments is None:
            return False
        self._segments = segments
        item = self.plot_item
        colors = label_colors(segments.labels())
        for index, segment in enumerate(segments.segments()):
            band = SegmentBand(self.editor, index, segment.start, segment.end)
            band.setToolTip(
                f"{segment.label}: {span(segment.start, segment.end)}"
                + (
                    "\nDrag across the plot to add a segment; double-click (F2) to relabel"
                    if editing
                    else ""
                )
            )
            item.addItem(band, ignoreBounds=True)
            self.bands.append(band)
            tag = label_tag(segment.label, colors[segment.label])
            item.addItem(tag, ignoreBounds=True)
            self.tags.append(tag)
        for index in range(len(segments) - 1 if editing else 0):
            line = boundary_line()
            line.sigPositionChanged.connect(lambda ln, i=index: self.line_moving(i, ln.value()))
            line.sigPositionChangeFinished.connect(
                lambda ln, i=index: self.editor.move_boundary(i, ln.value())
            )
            item.addItem(line, ignoreBounds=True)
            self.lines.append(line)
        self.sync_positions()
        self.paint(selected)
        return True

    def sync_positions(self) -> None:
        """Move the bands, lines and tags to where the segments now are."""
        segments = self._segments
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
        self.layout_tags()

    def line_moving(self, index: int, x: float) -> None:
        """Boundary line ``index`` is being dragged to ``x``: its neighbours' edges follow."""
        segments = self._segments
        if segments is None or index + 1 >= len(self.bands):
            return
        self.bands[index].setRegion((segments[index].start, x))
        self.bands[index + 1].setRegion((x, segments[index + 1].end))
        self.layout_tags()

    def paint(self, selected: Optional[int]) -> None:
        """Colour the bands by label, segment ``selected`` stronger."""
        segments = self._segments
        if segments is None:
            return
        colors = label_colors(segments.labels())
        for index, (band, segment) in enumerate(zip(self.bands, segments.segments())):
            paint_band(band, colors[segment.label], index == selected)

    def layout_tags(self, *_args) -> None:
        """Put each tag at the top of the view over its segment's visible part, inside the
        view, one row lower when it would cover the tag before it.
        """
        if self._segments is None or not self.tags:
            return
        place_tags(self.tags, self.bands, self.plot_item.getViewBox())

    # -- the range being dragged ---------------------------------------------------------------

    def start_draft(self, x: float) -> None:
        """Show the range of a drag starting at value position ``x``."""
        self.remove_draft()
        self._draft_start = x
        self.draft = draft_region(x)
        self.plot_item.addItem(self.draft, ignoreBounds=True)

    def move_draft(self, x: float, rows: int) -> None:
        """The drag is at value position ``x`` (the range stays inside ``rows`` values)."""
        if self.draft is not None:
            low, high = sorted((self._draft_start, x))
            self.draft.setRegion((max(0.0, low), min(float(rows), high)))

    def remove_draft(self) -> None:
        """Remove the range of the drag, if one is shown."""
        if self.draft is not None:
            self.plot_item.removeItem(self.draft)
            self.draft = None
