"""An image sample scaled to fit, with its bounding boxes (editable through its
:class:`~ei_desktop.gui.widgets.box_editor.BoxEditor`).
"""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFontMetricsF, QImage, QPainter, QPalette, QPen, QPixmap
from PySide6.QtWidgets import QSizePolicy, QWidget

from ei_desktop.gui.widgets.box_editor import BoxEditor
from ei_desktop.gui.widgets.colors import label_colors, text_color_on


def valid_boxes(bounding_boxes: list[dict] | None) -> list[tuple[str, QRectF]]:
    """``(label, rect)`` in image pixels for each well-formed box; malformed ones are skipped."""
    boxes = []
    for box in bounding_boxes or []:
        try:
            rect = QRectF(
                float(box["x"]), float(box["y"]), float(box["width"]), float(box["height"])
            )
            label = str(box.get("label", ""))
        except (KeyError, TypeError, ValueError, AttributeError):
            continue
        if rect.width() > 0 and rect.height() > 0:
            boxes.append((label, rect))
    return boxes


class ImageView(QWidget):
    """Shows an image scaled to fit (aspect ratio kept) with its bounding boxes drawn on top.

    Boxes are given in image pixels and stay on their objects as the widget is resized. An
    image that cannot be decoded shows a message instead. :attr:`editor` edits the boxes.
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setMinimumSize(64, 64)
        self._image = QImage()
        self._boxes: list[tuple[str, QRectF]] = []
        self._colors: dict[str, QColor] = {}
        self._message = ""
        self._scaled: QPixmap | None = None  # cache of the image at its drawn size
        self._scaled_key: tuple[int, int, float] | None = None
        #: the box editing mode (its bar shows once it is given its action)
        self.editor = BoxEditor(self)

    # -- content -----------------------------------------------------------------------------

    def set_image(self, data: bytes, bounding_boxes: list[dict] | None = None) -> bool:
        """Decode ``data`` (PNG, JPEG…) and show it with ``bounding_boxes``
        (``{"label", "x", "y", "width", "height"}`` in image pixels).

        Returns ``False`` (and shows a message) when the data is not an image Qt can read.
        """
        self.editor.leave()
        self._image = QImage.fromData(data) if data else QImage()
        self._scaled = None
        self._boxes = valid_boxes(bounding_boxes)
        self._colors = label_colors(label for label, _rect in self._boxes)
        if self._image.isNull():
            self._boxes = []
            self._message = (
                "No image data."
                if not data
                else f"This image could not be decoded ({len(data):,} bytes)."
            )
        else:
            self._message = ""
        self.editor.sync()
        self.update()
        return not self._image.isNull()

    def set_message(self, text: str) -> None:
        """Show ``text`` instead of an image."""
        self.clear()
        self._message = text
        self.update()

    def clear(self) -> None:
        """Show nothing."""
        self.editor.leave()
        self._image = QImage()
        self._scaled = None
        self._boxes = []
        self._message = ""
        self.editor.sync()
        self.update()

    @property
    def message(self) -> str:
        """The message shown instead of an image (``""`` when an image is shown)."""
        return self._message

    @property
    def image_size(self) -> QSize:
        """The decoded image's size in pixels (empty when there is none)."""
        return self._image.size()

    def boxes(self) -> list[tuple[str, QRectF]]:
        """The boxes drawn: ``(label, rect in image pixels)``."""
        return list(self._boxes)

    def set_boxes(self, boxes: list[tuple[str, QRectF]]) -> None:
        """Draw ``boxes`` (``(label, rect in image pixels)``) instead of the image's."""
        self._boxes = [(label, QRectF(rect)) for label, rect in boxes]
        self._colors = label_colors(label for label, _rect in self._boxes)
        self.update()

    def box_color(self, label: str) -> QColor | None:
        """The colour the boxes with ``label`` are drawn in."""
        return self._colors.get(label)

    def image_rect(self) -> QRectF:
        """Where the image is drawn, in widget coordinates (logical pixels)."""
        if self._image.isNull():
            return QRectF()
        area = self.contentsRect()  # the box editing bar takes the bottom
        size = QSize(self._image.size())
        size.scale(area.size(), Qt.AspectRatioMode.KeepAspectRatio)
        left = area.left() + (area.width() - size.width()) / 2
        top = area.top() + (area.height() - size.height()) / 2
        return QRectF(left, top, size.width(), size.height())

    def map_from_image(self, rect: QRectF) -> QRectF:
        """``rect`` in image pixels mapped to widget coordinates."""
        target = self.image_rect()
        if target.isEmpty():
            return QRectF()
        sx = target.width() / self._image.width()
        sy = target.height() / self._image.height()
        return QRectF(
            target.left() + rect.left() * sx,
            target.top() + rect.top() * sy,
            rect.width() * sx,
            rect.height() * sy,
        )

    def map_to_image(self, point: QPointF) -> QPointF:
        """``point`` in widget coordinates mapped to image pixels (not clamped to the image)."""
        target = self.image_rect()
        if target.isEmpty():
            return QPointF()
        return QPointF(
            (point.x() - target.left()) * self._image.width() / target.width(),
            (point.y() - target.top()) * self._image.height() / target.height(),
        )

    def sizeHint(self) -> QSize:  # noqa: N802 (Qt override)
        """A comfortable default size."""
        return QSize(480, 360)

    # -- painting ----------------------------------------------------------------------------

    def resizeEvent(self, event) -> None:  # noqa: N802 (Qt override)
        """Drop the cached scaled image; it is rebuilt at the new size."""
        self._scaled = None
        super().resizeEvent(event)

    def paintEvent(self, event) -> None:  # noqa: N802 (Qt override)
        """Draw the image, its boxes, or the message."""
        painter = QPainter(self)
        if self._image.isNull():
            if self._message:
                painter.setPen(self.palette().color(QPalette.ColorRole.WindowText))
                painter.drawText(
                    self.rect().adjusted(12, 12, -12, -12),
                    Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap,
                    self._message,
                )
            return
        target = self.image_rect()
        painter.drawPixmap(target.topLeft(), self._scaled_pixmap(target.size().toSize()))
        for label, rect in self._boxes:
            self._draw_box(painter, label, self.map_from_image(rect))
        self.editor.paint(painter)

    def _scaled_pixmap(self, size: QSize) -> QPixmap:
        # Scale once per size, at the screen's device pixel ratio so HiDPI stays sharp.
        ratio = self.devicePixelRatioF()
        key = (size.width(), size.height(), ratio)
        if self._scaled is None or self._scaled_key != key:
            pixels = QSize(round(size.width() * ratio), round(size.height() * ratio))
            # Enlarged small images keep hard pixel edges (it is a dataset: show the pixels).
            mode = (
                Qt.TransformationMode.FastTransformation
                if pixels.width() > self._image.width()
                else Qt.TransformationMode.SmoothTransformation
            )
            scaled = QPixmap.fromImage(
                self._image.scaled(pixels, Qt.AspectRatioMode.IgnoreAspectRatio, mode)
            )
            scaled.setDevicePixelRatio(ratio)
            self._scaled, self._scaled_key = scaled, key
        return self._scaled

    def _draw_box(self, painter: QPainter, label: str, rect: QRectF) -> None:
        color = self._colors.get(label, QColor("red"))
        pen = QPen(color, 2)
        pen.setCosmetic(True)
        pen.setJoinStyle(Qt.PenJoinStyle.MiterJoin)
        painter.setPen(pen)
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawRect(rect)
        if not label:
            return
        metrics = QFontMetricsF(painter.font())
        tag = QRectF(0, 0, metrics.horizontalAdvance(label) + 8, metrics.height() + 2)
        # Above the box when there is room, else just inside its top edge.
        top = rect.top() - tag.height() if rect.top() - tag.height() >= 0 else rect.top()
        tag.moveTopLeft(QPointF(rect.left() - 1, top))
        painter.fillRect(tag, color)
        painter.setPen(text_color_on(color))
        painter.drawText(tag, Qt.AlignmentFlag.AlignCenter, label)
