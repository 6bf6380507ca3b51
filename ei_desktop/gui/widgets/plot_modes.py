"""What the editing modes drawn over a :class:`SignalPlot` share (the cut tools and the label
segment editor): how they name a span of values, and how they take the plot's keys.
"""

from __future__ import annotations

from collections.abc import Callable, Collection

from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QKeyEvent


def ms_text(ms: float) -> str:
    """``1200``, ``22.7``: milliseconds without a useless fraction."""
    return f"{ms:.1f}".rstrip("0").rstrip(".")


def span_text(start: int, end: int, interval_ms: float, *, last: int) -> str:
    """Values ``start`` up to ``end`` in milliseconds (``"0–1200 ms"``) when ``interval_ms``
    is known, else as value indices from ``start`` to ``last`` (``"values 0–99"``).
    """
    if interval_ms > 0:
        return f"{ms_text(start * interval_ms)}–{ms_text(end * interval_ms)} ms"
    return f"values {start:,}–{last:,}"


def take_key(event: QEvent, keys: Collection[Qt.Key], act: Callable[[Qt.Key], object]) -> bool:
    """Take a press of one of ``keys`` on the plot: accept its shortcut override (so the
    window's shortcuts, such as Delete for the sample, do not fire) and on the press itself
    call ``act(key)``. Returns True when the event was one of them (the filter eats it).
    """
    kind = event.type()
    if (
        kind in (QEvent.Type.ShortcutOverride, QEvent.Type.KeyPress)
        and isinstance(event, QKeyEvent)
        and event.key() in keys
    ):
        event.accept()
        if kind == QEvent.Type.KeyPress:
            act(event.key())
        return True
    return False
