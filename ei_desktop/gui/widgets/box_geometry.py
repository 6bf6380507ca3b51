"""The geometry of box editing, in image pixels: staged boxes, Edge Impulse's integer boxes,
and moving, resizing and grabbing a box inside the image's bounds.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QPointF, QRectF

#: how close to an edge or corner of the selected box a press resizes it (widget pixels)
GRAB = 7.0
#: the smallest side of a box, in image pixels
MIN_SIDE = 1.0


@dataclass
class Box:
    """A staged box: its label and its rectangle in image pixels."""

    label: str
    rect: QRectF


def copy_boxes(boxes: list[Box]) -> list[Box]:
    """Copies of ``boxes`` (their rectangles too), to keep as they are now."""
    return [Box(b.label, QRectF(b.rect)) for b in boxes]


def key_of(boxes: list[Box]) -> list[tuple]:
    """What tells two lists of boxes apart (labels and rectangles), comparable with ``==``."""
    return [(b.label, b.rect.getRect()) for b in boxes]


def box_dicts(boxes: list[Box], width: int, height: int) -> list[dict]:
    """``boxes`` as Edge Impulse boxes: integer pixels inside a ``width`` × ``height`` image."""
    out = []
    for box in boxes:
        rect = box.rect.normalized()
        left = min(max(round(rect.left()), 0), max(width - 1, 0))
        top = min(max(round(rect.top()), 0), max(height - 1, 0))
        right = min(max(round(rect.right()), left + 1), width)
        bottom = min(max(round(rect.bottom()), top + 1), height)
        out.append(
            {
                "label": box.label,
                "x": left,
                "y": top,
                "width": max(right - left, 1),
                "height": max(bottom - top, 1),
            }
        )
    return out


def edges_at(r: QRectF, pos: QPointF) -> tuple[int, int]:
    """Which edges of ``r`` a press at ``pos`` grabs (both in widget pixels): -1 the left
    (top) one, 1 the right (bottom) one, 0 neither.
    """
    if not r.adjusted(-GRAB, -GRAB, GRAB, GRAB).contains(pos):
        return (0, 0)
    hx = hy = 0
    left, right = abs(pos.x() - r.left()), abs(pos.x() - r.right())
    top, bottom = abs(pos.y() - r.top()), abs(pos.y() - r.bottom())
    if min(left, right) <= GRAB:
        hx = -1 if left <= right else 1
    if min(top, bottom) <= GRAB:
        hy = -1 if top <= bottom else 1
    return (hx, hy)


def clamped_point(point: QPointF, b: QRectF) -> QPointF:
    """``point`` moved inside bounds ``b``."""
    return QPointF(
        min(max(point.x(), b.left()), b.right()), min(max(point.y(), b.top()), b.bottom())
    )


def moved(rect: QRectF, delta: QPointF, b: QRectF) -> QRectF:
    """``rect`` moved by ``delta``, as far as it stays inside bounds ``b``."""
    dx = min(max(delta.x(), b.left() - rect.left()), b.right() - rect.right())
    dy = min(max(delta.y(), b.top() - rect.top()), b.bottom() - rect.bottom())
    return rect.translated(dx, dy)


def resized(rect: QRectF, handle: tuple[int, int], delta: QPointF, b: QRectF) -> QRectF:
    """``rect`` with the edges ``handle`` names moved by ``delta``, inside bounds ``b`` and
    never smaller than :data:`MIN_SIDE`.
    """
    left, top, right, bottom = rect.left(), rect.top(), rect.right(), rect.bottom()
    hx, hy = handle
    if hx < 0:
        left = min(max(left + delta.x(), b.left()), right - MIN_SIDE)
    elif hx > 0:
        right = max(min(right + delta.x(), b.right()), left + MIN_SIDE)
    if hy < 0:
        top = min(max(top + delta.y(), b.top()), bottom - MIN_SIDE)
    elif hy > 0:
        bottom = max(min(bottom + delta.y(), b.bottom()), top + MIN_SIDE)
    return QRectF(QPointF(left, top), QPointF(right, bottom))
