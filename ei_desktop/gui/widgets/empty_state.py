"""What the sample area shows when there is nothing to list: an empty project invites a drop,
an empty filter result offers to clear the filter.
"""

from __future__ import annotations

from typing import Optional

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from ei_desktop.gui import icons

EMPTY_PROJECT = "empty-project"
NO_MATCH = "no-match"
LOADING = "loading"


class EmptyState(QWidget):
    """A big friendly message with buttons.

    Signals:
        uploadFiles, uploadFolder, importCsv, clearFilter: the buttons.
    """

    uploadFiles = Signal()
    uploadFolder = Signal()
    importCsv = Signal()
    clearFilter = Signal()

    def __init__(self, parent: Optional[QWidget] = None) -> None:
        super().__init__(parent)
        self.setAutoFillBackground(True)
        self.setBackgroundRole(self.backgroundRole().Base)
        self.picture = QLabel(self)
        self.picture.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.title = QLabel(self)
        self.title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        font = QFont(self.font())
        font.setPointSizeF(font.pointSizeF() * 1.5)
        font.setBold(True)
        self.title.setFont(font)
        self.detail = QLabel(self)
        self.detail.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.detail.setWordWrap(True)
        self.detail.setEnabled(False)
        self.upload_button = QPushButton("Upload files…", self)
        self.folder_button = QPushButton("Upload a folder…", self)
        self.csv_button = QPushButton("Import CSV…", self)
        self.clear_button = QPushButton("Clear the filter", self)
        self.upload_button.clicked.connect(self.uploadFiles)
        self.folder_button.clicked.connect(self.uploadFolder)
        self.csv_button.clicked.connect(self.importCsv)
        self.clear_button.clicked.connect(self.clearFilter)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        for button in (self.upload_button, self.folder_button, self.csv_button, self.clear_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addStretch(2)
        layout.addWidget(self.picture)
        layout.addSpacing(8)
        layout.addWidget(self.title)
        layout.addWidget(self.detail)
        layout.addSpacing(12)
        layout.addLayout(buttons)
        layout.addStretch(3)
        self.mode = ""
        self.set_mode(EMPTY_PROJECT)

    def set_mode(self, mode: str) -> None:
        """Show the empty-project, no-match or loading message."""
        self.mode = mode
        empty = mode == EMPTY_PROJECT
        self.picture.setPixmap(
            icons.app_icon().pixmap(96, 96)
            if empty
            else icons.standard(icons.QStyle.StandardPixmap.SP_FileDialogContentsView).pixmap(
                64, 64
            )
        )
        if mode == EMPTY_PROJECT:
            self.title.setText("Drop files here to upload")
            self.detail.setText(
                "Sensor data (CSV, JSON, CBOR), audio (WAV), images (JPG, PNG) and video "
                "(MP4, AVI), or whole folders. Labels are read from file names."
            )
        elif mode == NO_MATCH:
            self.title.setText("No samples match the filter")
            self.detail.setText("Change the name, category or label filter.")
        else:
            self.title.setText("Loading…")
            self.detail.setText("")
        for button in (self.upload_button, self.folder_button, self.csv_button):
            button.setVisible(empty)
        self.clear_button.setVisible(mode == NO_MATCH)
