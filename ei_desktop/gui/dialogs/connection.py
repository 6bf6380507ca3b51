"""Choosing what to open: a local project folder, Edge Impulse, or an ``ei-desktop serve``
address.

The dialog only collects; the window opens the backend in a job and calls
:meth:`ConnectionDialog.connection_failed` or closes the dialog when it worked.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Optional

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from ei_desktop.core import about
from ei_desktop.gui.connections import LOCAL, SERVER, STUDIO, ConnectionSpec
from ei_desktop.gui.credentials import CredentialStore
from ei_desktop.gui.widgets.text import make_secondary


def _key_edit(parent: QWidget) -> QLineEdit:
    edit = QLineEdit(parent)
    edit.setEchoMode(QLineEdit.EchoMode.Password)
    edit.setPlaceholderText("ei_…")
    edit.setAccessibleName("API key")
    show = edit.addAction("Show")
    show.setCheckable(True)
    show.setToolTip("Show the key")
    show.toggled.connect(
        lambda on: edit.setEchoMode(
            QLineEdit.EchoMode.Normal if on else QLineEdit.EchoMode.Password
        )
    )
    return edit


class ConnectionDialog(QDialog):
    """Three tabs, one per kind of place.

    Signals:
        connectRequested(spec, api_key, remember): the user pressed Connect.
    """

    connectRequested = Signal(object, str, bool)

    def __init__(
        self,
        credentials: CredentialStore,
        recent: Sequence[str] = (),
        current: Optional[ConnectionSpec] = None,
        server_address: str = "",
        parent: Optional[QWidget] = None,
    ) -> None:
        super().__init__(parent)
        self.credentials = credentials
        self.setWindowTitle("Open project")
        self.setMinimumWidth(560)
        self.tabs = QTabWidget(self)

        # local ---------------------------------------------------------------------------
        local = QWidget(self)
        self.path_edit = QLineEdit(local)
        self.path_edit.setPlaceholderText("An existing project folder")
        self.path_edit.setAccessibleName("Project folder")
        browse = QPushButton("&Browse…", local)
        browse.clicked.connect(self._browse)
        path_row = QHBoxLayout()
        path_row.addWidget(self.path_edit, 1)
        path_row.addWidget(browse)
        self.recent_list = QListWidget(local)
        self.recent_list.setAccessibleName("Recent projects")
        for path in recent:
            item = QListWidgetItem(path)
            item.setToolTip(path)
            self.recent_list.addItem(item)
        self.recent_list.currentTextChanged.connect(self.path_edit.setText)
        self.recent_list.itemDoubleClicked.connect(lambda _item: self._connect())
        local_layout = QVBoxLayout(local)
        local_layout.addWidget(QLabel("Project &folder:", local, buddy=self.path_edit))
        local_layout.addLayout(path_row)
        self.create_check = QCheckBox(
            "&Create a new project in this folder if it is not one", local
        )
        self.create_check.setToolTip(
            "Unticked, a folder that is not a project is refused, so a mistyped path never"
            " becomes an empty project."
        )
        local_layout.addWidget(self.create_check)
        local_layout.addWidget(QLabel("Recent projects:", local))
        local_layout.addWidget(self.recent_list, 1)
        note = QLabel(
            "A local project is a folder with project.sqlite3 and blobs/; copy the folder to "
            "copy the project.",
            local,
        )
        note.setWordWrap(True)
        make_secondary(note)
        local_layout.addWidget(note)
        self.tabs.addTab(local, "&Local project")

        # Edge Impulse ----------------------------------------------------------------------
        studio = QWidget(self)
        self.studio_key = _key_edit(studio)
        self.api_edit = QLineEdit(about.DEFAULT_API_ENDPOINT, studio)
        self.ingestion_edit = QLineEdit(about.DEFAULT_INGESTION_ENDPOINT, studio)
        defaults = QPushButton("Restore &defaults", studio)
        defaults.clicked.connect(self._restore_defaults)
        self.studio_remember = QCheckBox("&Remember the key", studio)
        self.studio_remember.setChecked(True)
        studio_form = QFormLayout(studio)
        studio_form.addRow(
            QLabel(
                "Find the key in your Edge Impulse project under <i>Dashboard → Keys</i>.",
                studio,
            )
        )
        studio_form.addRow("API &key:", self.studio_key)
        studio_form.addRow("API endpoint:", self.api_edit)
        studio_form.addRow("Ingestion endpoint:", self.ingestion_edit)
        studio_form.addRow("", defaults)
        studio_form.addRow("", self.studio_remember)
        self.studio_note = QLabel(credentials.storage_description(), studio)
        self.studio_note.setWordWrap(True)
        make_secondary(self.studio_note)
        studio_form.addRow(self.studio_note)
        self.tabs.addTab(studio, "&Edge Impulse")

        # ei-desktop serve ------------------------------------------------------------------
        server = QWidget(self)
        self.address_edit = QLineEdit(server_address, server)
        self.address_edit.setPlaceholderText("http://192.168.1.20:4800")
        self.address_edit.setAccessibleName("Server address")
        self.server_key = _key_edit(server)
        self.server_remember = QCheckBox("Re&member the key", server)
        self.server_remember.setChecked(True)
        server_form = QFormLayout(server)
        server_form.addRow(
            QLabel("A teammate's <tt>ei-desktop serve</tt>, on this network.", server)
        )
        server_form.addRow("&Address:", self.address_edit)
        server_form.addRow("API &key:", self.server_key)
        server_form.addRow("", self.server_remember)
        self.server_note = QLabel(credentials.storage_description(), server)
        self.server_note.setWordWrap(True)
        make_secondary(self.server_note)
        server_form.addRow(self.server_note)
        self.tabs.addTab(server, "ei-desktop &server")

        # errors and buttons ----------------------------------------------------------------
        self.error_label = QLabel(self)
        self.error_label.setWordWrap(True)
        self.error_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.error_label.setStyleSheet(
            "color: palette(bright-text); background: #b3261e;padding: 6px; border-radius: 4px;"
        )
        self.error_label.hide()
        self.status_label = QLabel(self)
        self.status_label.hide()
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        self.connect_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.connect_button.setText("&Open")
        self.buttons.accepted.connect(self._connect)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.tabs)
        layout.addWidget(self.error_label)
        layout.addWidget(self.status_label)
        layout.addWidget(self.buttons)
        self.tabs.currentChanged.connect(self._tab_changed)

        if current is not None:
            self._show(current)
        self._tab_changed()

    # -- filling ------------------------------------------------------------------------------

    def _show(self, spec: ConnectionSpec) -> None:
        if spec.kind == LOCAL:
            self.tabs.setCurrentIndex(0)
            self.path_edit.setText(spec.path or "")
        elif spec.kind == STUDIO:
            self.tabs.setCurrentIndex(1)
            self.api_edit.setText(spec.api_endpoint or about.DEFAULT_API_ENDPOINT)
            self.ingestion_edit.setText(spec.ingestion_endpoint or about.DEFAULT_INGESTION_ENDPOINT)
        elif spec.kind == SERVER:
            self.tabs.setCurrentIndex(2)
            self.address_edit.setText(spec.address or spec.ingestion_endpoint or "")

    def _tab_changed(self) -> None:
        self.error_label.hide()
        self.connect_button.setText("&Open" if self.tabs.currentIndex() == 0 else "&Connect")

    def _restore_defaults(self) -> None:
        self.api_edit.setText(about.DEFAULT_API_ENDPOINT)
        self.ingestion_edit.setText(about.DEFAULT_INGESTION_ENDPOINT)

    def _browse(self) -> None:
        path = QFileDialog.getExistingDirectory(self, "Project folder", self.path_edit.text())
        if path:
            self.path_edit.setText(path)

    # -- result -------------------------------------------------------------------------------

    def spec(self) -> ConnectionSpec:
        """The place the dialog describes (raises ``ValueError`` if incomplete)."""
        tab = self.tabs.currentIndex()
        if tab == 0:
            path = self.path_edit.text().strip()
            if not path:
                raise ValueError("Choose a project folder.")
            return ConnectionSpec.local(path, create=self.create_check.isChecked())
        if tab == 1:
            api = self.api_edit.text().strip() or about.DEFAULT_API_ENDPOINT
            ingestion = self.ingestion_edit.text().strip() or about.DEFAULT_INGESTION_ENDPOINT
            return ConnectionSpec.studio(api, ingestion)
        return ConnectionSpec.server(self.address_edit.text())

    def api_key(self) -> str:
        """The key typed on the current tab (empty for a local project)."""
        tab = self.tabs.currentIndex()
        if tab == 1:
            return self.studio_key.text().strip()
        if tab == 2:
            return self.server_key.text().strip()
        return ""

    def remember(self) -> bool:
        """Whether to save the key."""
        tab = self.tabs.currentIndex()
        return (tab == 1 and self.studio_remember.isChecked()) or (
            tab == 2 and self.server_remember.isChecked()
        )

    def _connect(self) -> None:
        try:
            spec = self.spec()
        except ValueError as exc:
            self.connection_failed(str(exc))
            return
        key = self.api_key()
        if spec.is_remote and not key:
            saved = self.credentials.load(spec.credential_account)
            if not saved:
                self.connection_failed("Enter the API key.")
                return
            key = saved
        self.set_busy(True, f"Connecting to {spec.title()}…" if spec.is_remote else "Opening…")
        self.connectRequested.emit(spec, key, self.remember())

    def set_busy(self, busy: bool, text: str = "") -> None:
        """Disable the inputs while the window opens the connection."""
        self.tabs.setEnabled(not busy)
        self.connect_button.setEnabled(not busy)
        self.error_label.hide()
        self.status_label.setText(text)
        self.status_label.setVisible(busy and bool(text))

    def connection_failed(self, message: str) -> None:
        """Show why the connection failed; the user can fix it and try again."""
        self.set_busy(False)
        self.error_label.setText(message)
        self.error_label.show()
