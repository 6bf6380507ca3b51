"""A translucent layer over the window's content while files are dragged over it."""

from __future__ import annotations

from typing import Optional

from PySide6.QtCore import QEvent, QObject, QPoint, QRect, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QPainter, QPen
from PySide6.QtWidgets import QWidget


class DropOverlay(QWidget):
    """Covers ``covered`` and says "Drop to upload"; mouse and drag events pass through.

    The overlay floats over ``covered`` as a child of its window, not of ``covered`` itself:
    a container that lays out its children (a ``QSplitter`` adopts every child widget as a
    pane) would otherwise squeeze it in beside the content instead of on top of it.
    """

    def __init__(self, covered: QWidget) -> None:
        host = covered if covered.isWindow() else covered.window()
        super().__init__(host)
        self.covered = covered
        self.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        self.setAttribute(Qt.WidgetAttribute.WA_NoSystemBackground)
        self.text = "Drop to upload"
        covered.installEventFilter(self)
        self.hide()

    def covered_rect(self) -> QRect:
        """Where :attr:`covered` is, in the coordinates of the overlay's parent."""
        host = self.parentWidget()
        if self.covered is host:
            return host.rect()
        return QRect(self.covered.mapTo(host, QPoint(0, 0)), self.covered.size())

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: D102
        moved = event.type() in (QEvent.Type.Resize, QEvent.Type.Move)
        if watched is self.covered and moved and self.isVisible():
            self.setGeometry(self.covered_rect())
        return False

    def show_for(self, text: Optional[str] = None) -> None:
        """Cover the content (with ``text``)."""
        if text:
            self.text = text
        self.setGeometry(self.covered_rect())
        self.raise_()
        self.show()

    def paintEvent(self, event) -> None:  # noqa: D102
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        accent = self.palette().highlight().color()
        fill = QColor(accent)
        fill.setAlpha(40)
        rect = QRectF(self.rect()).adjusted(10, 10, -10, -10)
        painter.setBrush(fill)
        pen = QPen(accent, 3, Qt.PenStyle.DashLine)
        painter.setPen(pen)
        painter.drawRoundedRect(rect, 14, 14)
        font = QFont(self.font())
        font.setPointSizeF(font.pointSizeF() * 1.8)
        font.setBold(True)
        painter.setFont(font)
        painter.setPen(accent.darker(130))
        painter.drawText(rect, Qt.AlignmentFlag.AlignCenter, self.text)
