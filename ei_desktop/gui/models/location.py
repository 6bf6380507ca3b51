"""Where the window is: the kind of place (local project, ei-desktop server, Edge Impulse),
the project's name and the connection state, as the title and the status bar say it.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Optional
from urllib.parse import urlsplit

from ei_desktop.core.backends.base import InvalidApiKey, NotAProjectError
from ei_desktop.gui.connections import LOCAL, SERVER, ConnectionSpec

#: what each kind of place is called
KIND_NAMES = {LOCAL: "Local project", SERVER: "ei-desktop server"}
EDGE_IMPULSE = "Edge Impulse"

OPENING = "Opening…"
OPEN = "Open"
CONNECTED = "Connected"


def kind_name(spec: ConnectionSpec) -> str:
    """The kind of place: Local project, ei-desktop server or Edge Impulse."""
    return KIND_NAMES.get(spec.kind, EDGE_IMPULSE)


def host_of(spec: ConnectionSpec) -> str:
    """The host (and port) a remote ``spec`` talks to; the folder of a local one."""
    if spec.kind == LOCAL:
        return str(spec.path)
    address = spec.address or spec.api_endpoint or ""
    parts = urlsplit(address if "://" in address else f"http://{address}")
    return parts.netloc or address


def project_name(spec: ConnectionSpec, name: Optional[str] = None) -> str:
    """The project's name: ``name`` when the backend told it, else what ``spec`` shows."""
    if spec.kind == SERVER:
        # several servers may serve projects of the same name: the host tells them apart
        return f"{name} on {host_of(spec)}" if name else host_of(spec)
    if name:
        return name
    if spec.kind == LOCAL:
        path = os.path.normpath(str(spec.path))
        return os.path.basename(path) or path
    return "project"


def connected_state(spec: ConnectionSpec) -> str:
    """The state of an open ``spec``: "Open" (a folder) or "Connected"."""
    return OPEN if spec.kind == LOCAL else CONNECTED


def failed_state(spec: ConnectionSpec, error: BaseException) -> str:
    """The short state after ``spec`` could not be opened or stopped answering."""
    if isinstance(error, InvalidApiKey):
        return "API key refused"
    if spec.kind == LOCAL:
        return "Not a project" if isinstance(error, NotAProjectError) else "Cannot open"
    return f"Cannot reach {host_of(spec)}"


@dataclass(frozen=True)
class Location:
    """What the title and the status bar say about the open place.

    Attributes:
        spec: the place.
        name: the project's name.
        state: "Opening…", "Open", "Connected", "Cannot reach …".
    """

    spec: ConnectionSpec
    name: str
    state: str

    @classmethod
    def of(cls, spec: ConnectionSpec, state: str, name: Optional[str] = None) -> Location:
        """The location of ``spec`` in ``state`` (``name``: the project's, if known)."""
        return cls(spec, project_name(spec, name), state)

    @property
    def kind(self) -> str:
        """The kind of place: Local project, ei-desktop server or Edge Impulse."""
        return kind_name(self.spec)

    def title(self) -> str:
        """The window title: ``walk-data — Local project — ei-desktop``."""
        return f"{self.name} — {self.kind} — ei-desktop"

    def status(self) -> str:
        """The status bar text: ``Local project: walk-data · Open``."""
        return f"{self.kind}: {self.name} · {self.state}"

    def details(self) -> str:
        """The tooltip: where exactly (the folder or the address)."""
        where = self.spec.path if self.spec.kind == LOCAL else self.spec.title()
        return f"{self.kind} “{self.name}” at {where}: {self.state}"
