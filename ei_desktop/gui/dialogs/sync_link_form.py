"""The sync dialog's "Link to Edge Impulse" form: an API key and the two endpoints.

The form only collects; the dialog's owner checks the link in a job and calls
:meth:`LinkForm.failed` or shows the link once it answered.
"""

from __future__ import annotations

from typing import Optional

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ei_desktop.gui.dialogs.connection import _key_edit
from ei_desktop.gui.sync_links import SyncLink
from ei_desktop.gui.widgets.text import make_secondary


class LinkForm(QWidget):
    """API key (a password field), API endpoint and ingestion endpoint, and a Link button.

    Signals:
        linkRequested(SyncLink, str): the user asked to link to these endpoints with this key.
        cancelled(): the user gave up changing an existing link.
    """

    linkRequested = Signal(object, str)
    cancelled = Signal()

    def __init__(self, storage_note: str, parent: Optional[QWidget] = None) -> None:
        super().__init__(parent)
        self.key_edit = _key_edit(self)
        self.api_edit = QLineEdit(self)
        self.api_edit.setAccessibleName("API endpoint")
        self.ingestion_edit = QLineEdit(self)
        self.ingestion_edit.setAccessibleName("Ingestion endpoint")
        intro = QLabel(
            "Enter the API key of the Edge Impulse project (Dashboard → Keys), or of an"
            " ei-desktop server with its address.",
            self,
        )
        intro.setWordWrap(True)
        note = QLabel(storage_note, self)
        note.setWordWrap(True)
        make_secondary(note)
        self.error = QLabel("", self)
        self.error.setWordWrap(True)
        self.error.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.error.setStyleSheet(  # as the connection dialog's errors
            "color: palette(bright-text); background: #b3261e; padding: 6px; border-radius: 4px;"
        )
        self.error.hide()
        self.link_button = QPushButton("&Link", self)
        self.link_button.clicked.connect(self._link)
        self.cancel_button = QPushButton("Keep the current link", self)
        self.cancel_button.clicked.connect(self.cancelled.emit)
        self.cancel_button.hide()
        self.key_edit.returnPressed.connect(self._link)

        form = QFormLayout()
        form.addRow("API &key:", self.key_edit)
        form.addRow("API &endpoint:", self.api_edit)
        form.addRow("&Ingestion endpoint:", self.ingestion_edit)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.cancel_button)
        buttons.addWidget(self.link_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(note)
        layout.addWidget(self.error)
        layout.addLayout(buttons)
        self.reset(SyncLink(), can_cancel=False)

    def reset(self, link: SyncLink, *, can_cancel: bool) -> None:
        """Show ``link``'s endpoints, an empty key and no error."""
        self.api_edit.setText(link.api_endpoint)
        self.ingestion_edit.setText(link.ingestion_endpoint)
        self.key_edit.clear()
        self.error.hide()
        self.cancel_button.setVisible(can_cancel)
        self.set_busy(False)

    def set_busy(self, busy: bool) -> None:
        """While a link is being checked the form cannot be sent again."""
        self.link_button.setEnabled(not busy)
        self.link_button.setText("Checking…" if busy else "&Link")

    def failed(self, message: str) -> None:
        """Say why the link did not work; the fields stay as typed."""
        self.set_busy(False)
        self.error.setText(message)
        self.error.show()

    def _link(self) -> None:
        key = self.key_edit.text().strip()
        api, ingestion = self.api_edit.text().strip(), self.ingestion_edit.text().strip()
        if not key:
            self.failed("Enter the API key of the project to sync with.")
            return
        if not api.startswith(("http://", "https://")) or not ingestion.startswith(
            ("http://", "https://")
        ):
            self.failed("The endpoints are web addresses (http:// or https://).")
            return
        self.error.hide()
        self.set_busy(True)
        self.linkRequested.emit(SyncLink(api.rstrip("/"), ingestion.rstrip("/")), key)
