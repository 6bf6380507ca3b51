"""Opening a project or connecting to a server, off the UI thread; the latest request wins."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Optional

import shiboken6
from PySide6.QtCore import QObject, QUrl, Signal
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QMenu

from ei_desktop.core.backends.base import (
    Backend,
    DamagedProjectError,
    InvalidApiKey,
    NotAProjectError,
)
from ei_desktop.core.connection import default_project_path
from ei_desktop.gui.alive import while_alive
from ei_desktop.gui.connections import SERVER, ConnectionSpec
from ei_desktop.gui.controllers.operation import open_dialog
from ei_desktop.gui.dialogs.connection import ConnectionDialog
from ei_desktop.gui.jobs.connect import open_backend
from ei_desktop.gui.jobs.runner import Job, error_message
from ei_desktop.gui.models import location
from ei_desktop.gui.models.location import Location

if TYPE_CHECKING:
    from ei_desktop.gui.main_window import MainWindow


def failure_message(spec: ConnectionSpec, error: BaseException) -> str:
    """What the user reads when ``spec`` could not be opened."""
    if isinstance(error, InvalidApiKey):
        if spec.kind == SERVER:
            return (
                f"The ei-desktop server at {spec.title()} refused the API key. Use the key "
                "that ei-desktop serve printed when it started, or ask whoever runs the "
                "server for the key it was given (--api-key-file or EI_SERVE_API_KEY)."
            )
        return (
            f"{spec.title()} refused the API key. Check the key (in Edge Impulse: "
            "Dashboard → Keys) and try again."
        )
    if isinstance(error, NotAProjectError):
        return (
            f"Cannot open {spec.title()}: {error}. Nothing was created: check the"
            " path, or tick “Create a new project in this folder” (Project → Open project)."
        )
    if isinstance(error, DamagedProjectError):
        return str(error)
    return f"Cannot open {spec.title()}: {error_message(error)}"


def project_name(backend: Backend) -> Optional[str]:
    """The project's name as the backend tells it (call off the UI thread): a local project's
    own name, else "project <id>" (the API gives the id, not the name).
    """
    if backend.name:
        return backend.name
    try:
        return f"project {backend.project_id()}"
    except Exception:  # noqa: BLE001 - the name is only shown; the project opened
        return None


class ConnectionController(QObject):
    """Opens projects and servers for the window; only the latest request is heard.

    On success the window switches to the new backend (:meth:`MainWindow.use_backend`); on
    failure the message goes to the connection dialog that asked, else to the message bar.

    Signals:
        opened: the window switched to a newly opened project or server.
    """

    opened = Signal()

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window = window
        self._opening = window.reads.slot(self)
        self._opening.finished.connect(self._opened)
        self._opening.failed.connect(self._failed)
        self._request: Optional[tuple[ConnectionSpec, Optional[ConnectionDialog]]] = None

    def open_startup(self, project: Optional[str] = None) -> None:
        """Open ``project`` (a folder), else the last connection, else the default project."""
        if project:
            self.open_connection(ConnectionSpec.local(os.path.abspath(project)))
            return
        settings, credentials = self.window.settings, self.window.credentials
        last = settings.last_connection()
        if last is not None and last.is_remote:
            key = credentials.load(last.credential_account)
            if key:
                self.open_connection(last, key)
                return
            last = None
        self.open_connection(last or ConnectionSpec.local(str(default_project_path())))

    def open_connection(
        self,
        spec: ConnectionSpec,
        api_key: Optional[str] = None,
        *,
        remember: bool = False,
        dialog: Optional[ConnectionDialog] = None,
    ) -> Job:
        """Open ``spec`` in a job; the window switches to it once it answered.

        Args:
            spec: what to open.
            api_key: the key for a server.
            remember: save the key in the credential store once it worked.
            dialog: the connection dialog that asked (it shows a failure, closes on success).
        """
        credentials = self.window.credentials

        def run(progress, cancel):
            backend = open_backend(spec, api_key)
            note = None
            if remember and spec.is_remote and api_key:
                note = credentials.save(spec.credential_account, api_key)
            return backend, note, project_name(backend)

        self.window.statusBar().showMessage(f"Opening {spec.title()}…")
        self.window.show_location(Location.of(spec, location.OPENING))
        self.window.browse.show_opening()
        self._request = (spec, dialog)
        return self._opening.start(run, name="connect")

    @while_alive
    def _opened(self, result) -> None:
        backend, note, name = result
        spec, dialog = self._take_request()
        settings = self.window.settings
        settings.save_last_connection(spec)
        if spec.kind == "server" and spec.address:
            settings.save_server_address(spec.address)
        self.window.message_bar.hide()
        if dialog is not None and shiboken6.isValid(dialog):
            dialog.accept()
        self.window.statusBar().showMessage(
            f"Opened {spec.title()}" + (f" · {note}" if note else ""), 6000
        )
        self.window.use_backend(backend, spec, name)
        self.opened.emit()

    @while_alive
    def _failed(self, error: BaseException) -> None:
        spec, dialog = self._take_request()
        message = failure_message(spec, error)
        window = self.window
        window.statusBar().clearMessage()
        if window.backend is not None and window.open_location is not None:
            window.show_location(window.open_location)  # the open project stays open
        else:
            window.show_location(Location.of(spec, location.failed_state(spec, error)))
        if dialog is not None and shiboken6.isValid(dialog) and dialog.isVisible():
            dialog.connection_failed(message)
            return
        self.window.message_bar.show_message(
            message, "error", ("Open project…", self.show_connection_dialog)
        )
        self.window.browse.update_empty_state()

    def _take_request(self) -> tuple[ConnectionSpec, Optional[ConnectionDialog]]:
        assert self._request is not None
        request, self._request = self._request, None
        return request

    def show_connection_dialog(self) -> ConnectionDialog:
        """Open the connection dialog (non-blocking); returns it."""
        window = self.window
        dialog = ConnectionDialog(
            window.credentials,
            recent=window.settings.recent_projects(),
            current=window.spec,
            server_address=window.settings.server_address(),
            parent=window,
        )
        dialog.connectRequested.connect(
            lambda spec, key, remember: self.open_connection(
                spec, key or None, remember=remember, dialog=dialog
            )
        )
        open_dialog(dialog)
        return dialog

    def open_default_project(self) -> None:
        """Open the default local project."""
        self.open_connection(ConnectionSpec.local(str(default_project_path())))

    def fill_recent_menu(self, menu: QMenu) -> None:
        """Fill ``menu`` with the recent local projects (each opens its project)."""
        menu.clear()
        recent = self.window.settings.recent_projects()
        if not recent:
            menu.addAction("(none)").setEnabled(False)
        for path in recent:
            action = menu.addAction(path)
            action.triggered.connect(
                lambda _checked=False, p=path: self.open_connection(ConnectionSpec.local(p))
            )

    def reveal_project_folder(self) -> None:
        """Show the local project's folder in the file manager."""
        spec = self.window.spec
        if spec is not None and spec.path:
            QDesktopServices.openUrl(QUrl.fromLocalFile(spec.path))

    def forget_key(self) -> None:
        """Forget the saved key of the current server."""
        spec = self.window.spec
        if spec is not None and spec.is_remote:
            self.window.credentials.delete(spec.credential_account)
            self.window.statusBar().showMessage("The saved API key was removed.", 5000)
