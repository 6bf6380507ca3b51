"""What the app remembers between runs: window layout, the last connection, recent projects.

Stored with :class:`QSettings` in INI format. ``EI_DESKTOP_SETTINGS`` (a file path) overrides
the location, which is how tests keep away from the user's real settings.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Optional

from PySide6.QtCore import QByteArray, QSettings

from ei_desktop.gui.connections import ConnectionSpec

ORGANIZATION = "ei-desktop"
APPLICATION = "ei-desktop"
#: recent local projects kept in the menu and the connection dialog
MAX_RECENT = 8


class Settings:
    """Typed access to the app's settings.

    Args:
        path: an INI file to use instead of the platform's user settings location.
    """

    def __init__(self, path: Optional[os.PathLike | str] = None) -> None:
        path = path if path is not None else os.environ.get("EI_DESKTOP_SETTINGS")
        if path:
            self.qsettings = QSettings(str(path), QSettings.Format.IniFormat)
        else:
            self.qsettings = QSettings(
                QSettings.Format.IniFormat, QSettings.Scope.UserScope, ORGANIZATION, APPLICATION
            )

    @property
    def file_name(self) -> str:
        """The settings file."""
        return self.qsettings.fileName()

    def sync(self) -> None:
        """Write pending changes to disk."""
        self.qsettings.sync()

    # -- window -------------------------------------------------------------------------------

    def window_state(self) -> tuple[Optional[QByteArray], Optional[QByteArray]]:
        """Saved (geometry, dock/toolbar state) of the main window, if any."""
        geometry = self.qsettings.value("window/geometry")
        state = self.qsettings.value("window/state")
        return (
            geometry if isinstance(geometry, QByteArray) else None,
            state if isinstance(state, QByteArray) else None,
        )

    def save_window_state(self, geometry: QByteArray, state: QByteArray) -> None:
        """Remember the main window's geometry and state."""
        self.qsettings.setValue("window/geometry", geometry)
        self.qsettings.setValue("window/state", state)

    def splitter_state(self, name: str) -> Optional[QByteArray]:
        """A saved splitter or header state."""
        value = self.qsettings.value(f"window/{name}")
        return value if isinstance(value, QByteArray) else None

    def save_splitter_state(self, name: str, state: QByteArray) -> None:
        """Remember a splitter or header state."""
        self.qsettings.setValue(f"window/{name}", state)

    # -- connections --------------------------------------------------------------------------

    def last_connection(self) -> Optional[ConnectionSpec]:
        """The connection open when the app last closed."""
        text = self.qsettings.value("connection/last")
        if not isinstance(text, str):
            return None
        try:
            return ConnectionSpec.from_dict(json.loads(text))
        except ValueError:
            return None

    def save_last_connection(self, spec: ConnectionSpec) -> None:
        """Remember ``spec`` as the connection to reopen; local ones also go to the recents."""
        self.qsettings.setValue("connection/last", json.dumps(spec.to_dict()))
        if spec.path and spec.kind == "local":
            self.add_recent_project(spec.path)

    def recent_projects(self) -> list[str]:
        """Recently opened local project folders, newest first."""
        text = self.qsettings.value("connection/recent")
        if not isinstance(text, str):
            return []
        try:
            items = json.loads(text)
        except ValueError:
            return []
        return [str(p) for p in items if isinstance(p, str)][:MAX_RECENT]

    def add_recent_project(self, path: str) -> None:
        """Put ``path`` first in the recent projects."""
        path = str(Path(path))
        items = [p for p in self.recent_projects() if p != path]
        items.insert(0, path)
        self.qsettings.setValue("connection/recent", json.dumps(items[:MAX_RECENT]))

    def server_address(self) -> str:
        """The last ``ei-desktop serve`` address typed."""
        value = self.qsettings.value("connection/server_address")
        return value if isinstance(value, str) else ""

    def save_server_address(self, address: str) -> None:
        """Remember the server address for the connection dialog."""
        self.qsettings.setValue("connection/server_address", address)
