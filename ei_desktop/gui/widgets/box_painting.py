"""What the box editor draws over the image view's boxes: the selected box's handles, and the
box being drawn (widget coordinates).
"""

from __future__ import annotations

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QPainter, QPen

#: half the side of a resize handle, in widget pixels
HANDLE = 4.0


def paint_selection(painter: QPainter, rect: QRectF, color: QColor) -> None:
    """Outline the selected box at ``rect`` in ``color``, with a handle at each corner and
    edge middle.
    """
    pen = QPen(color, 3)
    pen.setCosmetic(True)
    painter.setPen(pen)
    painter.setBrush(Qt.BrushStyle.NoBrush)
    painter.drawRect(rect)
    painter.setPen(QPen(color, 1))
    painter.setBrush(QColor("white"))
    for x in (rect.left(), rect.center().x(), rect.right()):
        for y in (rect.top(), rect.center().y(), rect.bottom()):
            if x == rect.center().x() and y == rect.center().y():
                continue
            painter.drawRect(QRectF(x - HANDLE, y - HANDLE, 2 * HANDLE, 2 * HANDLE))


def paint_draft(painter: QPainter, rect: QRectF, color: QColor) -> None:
    """Draw the box being drawn at ``rect``: dashed, lightly filled with ``color``."""
    pen = QPen(color, 2, Qt.PenStyle.DashLine)
    pen.setCosmetic(True)
    painter.setPen(pen)
    painter.setBrush(QColor(color.red(), color.green(), color.blue(), 40))
    painter.drawRect(rect)
