"""What the cut tools draw over a signal plot: the region a crop keeps, the split points, and
the segments Find segments found (x is the value index, as on :class:`SignalPlot`).
"""

from __future__ import annotations

import pyqtgraph as pg
from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor

_REGION_FILL = QColor(60, 130, 230, 45)
_REGION_EDGE = QColor(60, 130, 230, 200)
_SEGMENT_FILL = QColor(40, 170, 90, 50)
_SEGMENT_EDGE = QColor(40, 170, 90, 200)
_LINE = QColor(220, 90, 40)
_LINE_PICKED = QColor(200, 30, 30)


class SplitLine(pg.InfiniteLine):
    """A draggable split point; a right click asks to remove it, a left click picks it."""

    sigRemoveRequested = Signal(object)
    sigPicked = Signal(object)

    def __init__(self, x: float, rows: int) -> None:
        super().__init__(
            pos=x,
            angle=90,
            movable=True,
            bounds=(0, rows),
            pen=pg.mkPen(_LINE, width=2),
            hoverPen=pg.mkPen(_LINE_PICKED, width=3),
        )
        self.setZValue(20)
        self.setToolTip("Drag to move; right-click (or Delete) to remove")

    def set_picked(self, picked: bool) -> None:
        """Draw the line as the one Delete removes."""
        self.setPen(pg.mkPen(_LINE_PICKED if picked else _LINE, width=3 if picked else 2))

    def mouseClickEvent(self, ev) -> None:  # noqa: N802 (pyqtgraph override)
        """Right click: remove; left click: pick."""
        if ev.button() == Qt.MouseButton.RightButton and not self.moving:
            ev.accept()
            self.sigRemoveRequested.emit(self)
            return
        if ev.button() == Qt.MouseButton.LeftButton:
            ev.accept()
            self.sigPicked.emit(self)
            return
        super().mouseClickEvent(ev)


def crop_region(start: float, end: float, rows: int) -> pg.LinearRegionItem:
    """The region a crop keeps, over values ``start``–``end`` of ``rows``."""
    tip = "Drag the region or its edges: the part inside is kept"
    return _region(start, end, rows, _REGION_FILL, _REGION_EDGE, tip)


def found_segment(start: float, end: float, rows: int) -> pg.LinearRegionItem:
    """A segment Find segments found, over values ``start``–``end`` of ``rows``."""
    tip = "A found segment: drag to adjust"
    return _region(start, end, rows, _SEGMENT_FILL, _SEGMENT_EDGE, tip)


def _region(
    start: float, end: float, rows: int, fill: QColor, edge: QColor, tip: str
) -> pg.LinearRegionItem:
    region = pg.LinearRegionItem(
        values=(start, end),
        bounds=(0, rows),
        brush=pg.mkBrush(fill),
        pen=pg.mkPen(edge, width=2),
    )
    region.setZValue(15)
    region.setToolTip(tip)
    return region
