from __future__ import annotations

import pytest
from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QRectF, QSize
from PySide6.QtGui import QColor, QImage

from ei_desktop.gui.widgets.image_view import ImageView

BOXES = [{"label": "cat", "x": 10, "y": 10, "width": 30, "height": 20}]


def png(width: int, height: int, color: str = "white") -> bytes:
    image = QImage(width, height, QImage.Format.Format_RGB32)
    image.fill(QColor(color))
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    image.save(buffer, "PNG")
    return bytes(data)


@pytest.fixture
def view(qtbot):
    widget = ImageView()
    qtbot.addWidget(widget)
    widget.resize(400, 300)
    widget.show()
    return widget


def pixel(widget, x: int, y: int) -> str:
    return widget.grab().toImage().pixelColor(x, y).name()


def test_image_is_scaled_to_fit_keeping_its_aspect_ratio(view):
    assert view.set_image(png(100, 50), [])

    # 100×50 in 400×300: scale 4, centred vertically
    assert view.image_rect() == QRectF(0, 50, 400, 200)
    assert pixel(view, 200, 150) == "#ffffff"
    assert pixel(view, 200, 10) != "#ffffff"


def test_boxes_are_drawn_at_their_scaled_position(view):
    view.set_image(png(100, 50), BOXES)
    colour = view.box_color("cat").name()

    # left edge of the box: x = 10 * 4, from y = 50 + 10 * 4 to 50 + 30 * 4
    assert pixel(view, 40, 110) == colour
    assert pixel(view, 120, 110) == "#ffffff"  # inside the box: the image shows through
    assert pixel(view, 160, 130) == colour  # right edge at (10 + 30) * 4
    assert view.map_from_image(QRectF(10, 10, 30, 20)) == QRectF(40, 90, 120, 80)
    assert pixel(view, 40, 80) == colour  # the label's tag, just above the box


def test_boxes_follow_a_resize(view, qtbot):
    view.set_image(png(100, 50), BOXES)
    colour = view.box_color("cat").name()

    view.resize(200, 300)
    qtbot.waitUntil(lambda: view.width() == 200)
    # scale 2, image from y = 100: the left edge is now at x = 20, y 120..160
    assert pixel(view, 20, 140) == colour
    assert pixel(view, 40, 150) == "#ffffff"  # where the left edge was before the resize


def test_each_label_gets_its_own_colour(view):
    boxes = [
        {"label": "cat", "x": 1, "y": 1, "width": 5, "height": 5},
        {"label": "dog", "x": 20, "y": 20, "width": 5, "height": 5},
    ]
    view.set_image(png(100, 50), boxes)

    assert view.box_color("cat") != view.box_color("dog")


def test_malformed_boxes_are_skipped(view):
    boxes = [
        {"label": "no size", "x": 1, "y": 1},
        {"label": "text", "x": "a", "y": 1, "width": 5, "height": 5},
        {"label": "empty", "x": 1, "y": 1, "width": 0, "height": 5},
        None,
        {"label": "ok", "x": 1, "y": 1, "width": 5, "height": 5},
    ]
    assert view.set_image(png(100, 50), boxes)
    view.grab()

    assert [label for label, _rect in view.boxes()] == ["ok"]


def test_real_sample_image_decodes(view, samples_dir):
    data = (samples_dir / "capacitor.01.png").read_bytes()

    assert view.set_image(data, [{"label": "c", "x": 10, "y": 10, "width": 40, "height": 40}])
    assert view.image_size == QSize(96, 96)
    assert view.message == ""
    view.grab()


def test_a_corrupt_image_shows_a_message(view):
    assert not view.set_image(b"\x89PNG\r\n\x1a\nnot really a png", BOXES)

    assert "could not be decoded" in view.message
    image = view.grab().toImage()
    assert not image.isNull()


def test_clear_forgets_the_image(view):
    view.set_image(png(10, 10), BOXES)
    view.clear()

    assert view.image_size.isEmpty()
    assert view.image_rect().isEmpty()
