"""Colours for curves and labels that read well on light and dark palettes."""

from __future__ import annotations

import zlib
from collections.abc import Iterable

from PySide6.QtGui import QColor

#: one colour per axis of a time series (the matplotlib "tab10" set)
SERIES_COLORS: tuple[str, ...] = (
    "#1f77b4",
    "#ff7f0e",
    "#2ca02c",
    "#d62728",
    "#9467bd",
    "#8c564b",
    "#e377c2",
    "#7f7f7f",
    "#bcbd22",
    "#17becf",
)

#: colours for labels (bounding boxes, structured-label segments); saturated enough for a
#: 2 px outline on a photo, and no pale yellow that vanishes on white
LABEL_COLORS: tuple[str, ...] = (
    "#e6194b",
    "#3cb44b",
    "#4363d8",
    "#f58231",
    "#911eb4",
    "#42d4f4",
    "#f032e6",
    "#469990",
    "#9a6324",
    "#800000",
    "#808000",
    "#000075",
)


def _spread_color(index: int) -> QColor:
    # golden-angle steps keep any number of hues apart from their neighbours
    return QColor.fromHsv(int(index * 137.508) % 360, 200, 220)


def series_color(index: int) -> QColor:
    """The colour of the ``index``-th axis of a plot."""
    if 0 <= index < len(SERIES_COLORS):
        return QColor(SERIES_COLORS[index])
    return _spread_color(index)


def label_colors(labels: Iterable[str]) -> dict[str, QColor]:
    """A distinct colour for each distinct label.

    A label keeps the same colour from one sample to the next whenever it can (its colour
    comes from a hash of its text); labels that would collide within one call get the next
    free colour instead.
    """
    colors: dict[str, QColor] = {}
    used: set[int] = set()
    for number, label in enumerate(sorted(set(labels))):
        if len(used) >= len(LABEL_COLORS):
            colors[label] = _spread_color(number)
            continue
        slot = zlib.crc32(label.encode("utf-8")) % len(LABEL_COLORS)
        while slot in used:
            slot = (slot + 1) % len(LABEL_COLORS)
        used.add(slot)
        colors[label] = QColor(LABEL_COLORS[slot])
    return colors


def text_color_on(background: QColor) -> QColor:
    """Black or white, whichever reads better on ``background``."""
    luminance = 0.299 * background.red() + 0.587 * background.green() + 0.114 * background.blue()
    return QColor("black") if luminance > 150 else QColor("white")
