"""The app's icons: the logo from ``resources/icons`` and Qt's standard icons for actions and
places.
"""

from __future__ import annotations

import sys
from functools import lru_cache
from pathlib import Path
from typing import Optional

from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication, QStyle

from ei_desktop.gui.connections import LOCAL, SERVER

#: PNG sizes drawn by tools/make_icons.py
SIZES = (16, 32, 48, 64, 128, 256, 512)


def resources_dir() -> Optional[Path]:
    """The ``resources`` folder (a source checkout, or a frozen app's bundle), if present."""
    candidates = []
    frozen = getattr(sys, "_MEIPASS", None)
    if frozen:
        candidates.append(Path(frozen) / "resources")
    candidates.append(Path(__file__).resolve().parents[2] / "resources")
    candidates.append(Path(sys.prefix) / "share" / "ei-desktop" / "resources")
    for candidate in candidates:
        if (candidate / "icons").is_dir():
            return candidate
    return None


@lru_cache(maxsize=1)
def app_icon() -> QIcon:
    """The ei-desktop logo at every size available (a standard icon if none is found)."""
    icon = QIcon()
    root = resources_dir()
    if root is not None:
        for size in SIZES:
            path = root / "icons" / f"ei-desktop-{size}.png"
            if path.is_file():
                icon.addFile(str(path))
        svg = root / "icons" / "ei-desktop.svg"
        if icon.isNull() and svg.is_file():
            icon.addFile(str(svg))
    if icon.isNull():
        icon = QApplication.style().standardIcon(QStyle.StandardPixmap.SP_DriveHDIcon)
    return icon


def standard(pixmap: QStyle.StandardPixmap) -> QIcon:
    """One of Qt's standard icons in the current style."""
    return QApplication.style().standardIcon(pixmap)


def location_icon(kind: str) -> QIcon:
    """The icon of a kind of place: a folder (local project), a computer (an ei-desktop
    server) or a network drive (Edge Impulse).
    """
    pixmap = QStyle.StandardPixmap
    return standard(
        {LOCAL: pixmap.SP_DirIcon, SERVER: pixmap.SP_ComputerIcon}.get(kind, pixmap.SP_DriveNetIcon)
    )
