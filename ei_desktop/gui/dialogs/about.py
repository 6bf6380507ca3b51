"""About ei-desktop: what it is and the versions it runs on."""

from __future__ import annotations

import platform
import sys
from typing import Optional

from PySide6.QtCore import Qt, qVersion
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QVBoxLayout,
    QWidget,
)

from ei_desktop.core import about
from ei_desktop.gui import icons


def versions() -> list[tuple[str, str]]:
    """(component, version) of ei-desktop and what it runs on."""
    import numpy
    import PySide6

    try:
        import pyqtgraph

        pyqtgraph_version = pyqtgraph.__version__
    except ImportError:  # pragma: no cover - installed with the gui extra
        pyqtgraph_version = "not installed"
    return [
        ("ei-desktop", about.VERSION),
        ("Python", platform.python_version()),
        ("Qt", qVersion()),
        ("PySide6", PySide6.__version__),
        ("pyqtgraph", pyqtgraph_version),
        ("numpy", numpy.__version__),
        ("Platform", f"{platform.system()} {platform.release()} ({platform.machine()})"),
    ]


class AboutDialog(QDialog):
    """The app icon, a sentence, and a table of versions (copyable)."""

    def __init__(self, parent: Optional[QWidget] = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("About ei-desktop")
        logo = QLabel(self)
        logo.setPixmap(icons.app_icon().pixmap(96, 96))
        logo.setAlignment(Qt.AlignmentFlag.AlignTop)
        title = QLabel(f"<h2>ei-desktop {about.VERSION}</h2>", self)
        blurb = QLabel(
            "A desktop dataset manager for Edge Impulse projects: upload, browse, preview, "
            "download and delete samples, on a local project or on Edge Impulse.",
            self,
        )
        blurb.setWordWrap(True)
        grid = QGridLayout()
        self.rows = versions()
        for row, (name, version) in enumerate(self.rows):
            grid.addWidget(QLabel(f"{name}:", self), row, 0)
            value = QLabel(version, self)
            value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            grid.addWidget(value, row, 1)
        grid.setColumnStretch(1, 1)
        text = QVBoxLayout()
        text.addWidget(title)
        text.addWidget(blurb)
        text.addSpacing(8)
        text.addLayout(grid)
        top = QHBoxLayout()
        top.addWidget(logo)
        top.addSpacing(12)
        top.addLayout(text, 1)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        copy = buttons.addButton("&Copy versions", QDialogButtonBox.ButtonRole.ActionRole)
        copy.clicked.connect(self.copy_versions)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(buttons)
        self.setMinimumWidth(460)

    def text(self) -> str:
        """The versions as ``name: version`` lines."""
        return "\n".join(f"{name}: {version}" for name, version in self.rows) + (f"\n{sys.version}")

    def copy_versions(self) -> None:
        """Put the versions on the clipboard (for bug reports)."""
        QGuiApplication.clipboard().setText(self.text())
