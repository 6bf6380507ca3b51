"""What the label segment editor draws over a signal plot: a coloured band per segment, a
draggable line per boundary, a tag with the label above each segment, and the range being
dragged out for a new segment (x is the value index, as on :class:`SignalPlot`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor

from ei_desktop.gui.widgets.colors import text_color_on

if TYPE_CHECKING:
    from ei_desktop.gui.widgets.segment_editor import SegmentEditor

#: rows of tags at most, before tags of narrow segments may overlap
TAG_ROWS = 4
#: labels longer than this are shortened on their tag (the tooltip has them in full)
TAG_CHARS = 32
_Z_BAND, _Z_DRAFT, _Z_LINE, _Z_TAG = 12, 14, 20, 30
_LINE = QColor(40, 40, 40, 200)
_LINE_HOVER = QColor(220, 90, 40)
_DRAFT_FILL = QColor(120, 120, 120, 70)
_DRAFT_EDGE = QColor(80, 80, 80, 200)


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


def paint_band(band: SegmentBand, color: QColor, picked: bool) -> None:
    """Fill ``band`` and draw its edges in its label's ``color``, stronger when ``picked``."""
    fill = QColor(color)
    fill.setAlpha(110 if picked else 55)
    edge = QColor(color)
    edge.setAlpha(230 if picked else 120)
    band.setBrush(pg.mkBrush(fill))
    band.setHoverBrush(pg.mkBrush(fill))
    for line in band.lines:
        line.setPen(pg.mkPen(edge, width=3 if picked else 1))


def label_tag(label: str, color: QColor) -> pg.TextItem:
    """The tag naming ``label`` above its segment, on its label's ``color``."""
    fill = QColor(color)
    fill.setAlpha(215)
    tag = pg.TextItem(_tag_text(label), color=text_color_on(color), anchor=(0, 0), fill=fill)
    tag.setToolTip(label)
    tag.setZValue(_Z_TAG)
    return tag


def boundary_line() -> pg.InfiniteLine:
    """A draggable line on the boundary between two segments."""
    line = pg.InfiniteLine(
        angle=90,
        movable=True,
        pen=pg.mkPen(_LINE, width=2),
        hoverPen=pg.mkPen(_LINE_HOVER, width=3),
    )
    line.setZValue(_Z_LINE)
    line.setToolTip("Drag to move the boundary between the two segments")
    return line


def draft_region(x: float) -> pg.LinearRegionItem:
    """The range a drag starting at ``x`` covers, before it becomes a segment."""
    draft = pg.LinearRegionItem(
        values=(x, x),
        movable=False,
        brush=pg.mkBrush(_DRAFT_FILL),
        pen=pg.mkPen(_DRAFT_EDGE, width=2, style=Qt.PenStyle.DashLine),
    )
    draft.setZValue(_Z_DRAFT)
    return draft


def place_tags(tags: list[pg.TextItem], bands: list[SegmentBand], view: pg.ViewBox) -> None:
    """Put each tag at the top of ``view`` over its band's visible part, inside the view, one
    row lower when it would cover the tag before it.
    """
    (left, right), (_bottom, top) = view.viewRange()
    pixel = view.viewPixelSize()
    if pixel is None or pixel[0] <= 0 or pixel[1] <= 0:
        return
    px, py = pixel
    row_ends: list[float] = []
    for tag, band in zip(tags, bands):
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


def anchor_of(item) -> tuple:
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
