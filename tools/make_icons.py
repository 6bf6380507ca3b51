#!/usr/bin/env python3
"""Draw the ei-desktop app icon with QPainter and write it as SVG and PNGs.

    python tools/make_icons.py [OUTDIR]   (default: resources/icons)

The icon is a rounded square in a blue-to-teal gradient holding a dataset motif: three
stacked sample cards, the front one carrying a sensor waveform. Every size is drawn from
the same vector description, with a thicker line at small sizes so it stays legible.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QPointF, QRectF, QSize, Qt  # noqa: E402
from PySide6.QtGui import (  # noqa: E402
    QColor,
    QGuiApplication,
    QImage,
    QLinearGradient,
    QPainter,
    QPainterPath,
    QPen,
)
from PySide6.QtSvg import QSvgGenerator  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
SIZES = (16, 32, 48, 64, 128, 256, 512)
UNIT = 512.0

WAVE = [
    (0.00, 0.55),
    (0.10, 0.52),
    (0.18, 0.30),
    (0.26, 0.78),
    (0.34, 0.40),
    (0.42, 0.62),
    (0.50, 0.15),
    (0.58, 0.85),
    (0.66, 0.45),
    (0.74, 0.58),
    (0.82, 0.35),
    (0.90, 0.55),
    (1.00, 0.50),
]


def paint(painter: QPainter, size: float) -> None:
    """Draw the icon into a ``size`` × ``size`` square at the origin."""
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    s = size / UNIT
    small = size <= 32

    # background: a rounded square with a diagonal gradient
    margin = 16 * s if not small else 1 * s * 16 / 16
    rect = QRectF(margin, margin, size - 2 * margin, size - 2 * margin)
    gradient = QLinearGradient(rect.topLeft(), rect.bottomRight())
    gradient.setColorAt(0.0, QColor("#3b5bdb"))
    gradient.setColorAt(1.0, QColor("#0ca678"))
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(gradient)
    radius = 104 * s
    painter.drawRoundedRect(rect, radius, radius)

    # two cards behind: the dataset
    card_color = QColor(255, 255, 255, 90)
    for offset in (2, 1):
        dx, dy = offset * 34 * s, -offset * 34 * s
        card = QRectF(96 * s + dx, 170 * s + dy, 250 * s, 210 * s)
        painter.setBrush(card_color)
        painter.drawRoundedRect(card, 30 * s, 30 * s)

    # the front card with a waveform
    front = QRectF(96 * s, 170 * s, 250 * s, 210 * s)
    painter.setBrush(QColor("#ffffff"))
    painter.drawRoundedRect(front, 30 * s, 30 * s)
    inner = front.adjusted(28 * s, 40 * s, -28 * s, -40 * s)
    path = QPainterPath()
    for index, (x, y) in enumerate(WAVE):
        point = QPointF(inner.left() + x * inner.width(), inner.top() + y * inner.height())
        if index == 0:
            path.moveTo(point)
        else:
            path.lineTo(point)
    width = (34 if small else 20) * s
    pen = QPen(QColor("#3b5bdb"), width)
    pen.setCapStyle(Qt.PenCapStyle.RoundCap)
    pen.setJoinStyle(Qt.PenJoinStyle.RoundJoin)
    painter.setPen(pen)
    painter.setBrush(Qt.BrushStyle.NoBrush)
    painter.drawPath(path)


def write_png(path: Path, size: int) -> None:
    image = QImage(size, size, QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    paint(painter, float(size))
    painter.end()
    if not image.save(str(path)):
        raise OSError(f"Cannot write {path}")


def write_svg(path: Path) -> None:
    generator = QSvgGenerator()
    generator.setFileName(str(path))
    generator.setSize(QSize(int(UNIT), int(UNIT)))
    generator.setViewBox(QRectF(0, 0, UNIT, UNIT))
    generator.setTitle("ei-desktop")
    generator.setDescription("ei-desktop application icon")
    painter = QPainter(generator)
    paint(painter, UNIT)
    painter.end()


def main() -> int:
    out = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "resources" / "icons"
    out.mkdir(parents=True, exist_ok=True)
    _app = QGuiApplication.instance() or QGuiApplication(sys.argv[:1])
    write_svg(out / "ei-desktop.svg")
    for size in SIZES:
        write_png(out / f"ei-desktop-{size}.png", size)
    print(f"wrote ei-desktop.svg and {len(SIZES)} PNGs to {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
