"""Secondary text: help and notes that read as less important than the main text, yet stay
easy to read (a disabled label is too faint, and looks like something that cannot be used).
"""

from __future__ import annotations

from typing import Optional

from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QLabel, QWidget

#: how far the secondary text colour moves from the text colour towards the background
_FADE = 0.3


def secondary_color(palette: QPalette) -> QColor:
    """The colour of secondary text in ``palette``: the text colour, slightly faded."""
    text = palette.color(QPalette.ColorRole.WindowText)
    back = palette.color(QPalette.ColorRole.Window)
    mix = [
        round(t + (b - t) * _FADE)
        for t, b in zip(
            (text.red(), text.green(), text.blue()), (back.red(), back.green(), back.blue())
        )
    ]
    return QColor(*mix)


def make_secondary(label: QLabel) -> QLabel:
    """Give ``label`` the secondary text colour (it stays enabled and selectable)."""
    palette = label.palette()
    palette.setColor(QPalette.ColorRole.WindowText, secondary_color(palette))
    label.setPalette(palette)
    return label


def secondary_label(text: str = "", parent: Optional[QWidget] = None) -> QLabel:
    """A word-wrapped :class:`QLabel` of secondary text."""
    label = QLabel(text, parent)
    label.setWordWrap(True)
    return make_secondary(label)


def contrast_ratio(foreground: QColor, background: QColor) -> float:
    """The WCAG contrast ratio of two colours (1 to 21; body text wants at least 4.5)."""

    def luminance(color: QColor) -> float:
        def channel(value: float) -> float:
            return value / 12.92 if value <= 0.03928 else ((value + 0.055) / 1.055) ** 2.4

        return (
            0.2126 * channel(color.redF())
            + 0.7152 * channel(color.greenF())
            + 0.0722 * channel(color.blueF())
        )

    high, low = sorted((luminance(foreground), luminance(background)), reverse=True)
    return (high + 0.05) / (low + 0.05)
