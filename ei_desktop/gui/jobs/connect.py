"""Opening a backend (creating a local project, checking a key) off the UI thread."""

from __future__ import annotations

from typing import Optional

from ei_desktop.core import connection
from ei_desktop.core.backends.base import Backend, BackendError
from ei_desktop.gui.connections import LOCAL, ConnectionSpec


def open_backend(spec: ConnectionSpec, api_key: Optional[str] = None) -> Backend:
    """The backend ``spec`` names, checked to be usable.

    Raises :class:`BackendError` (or :class:`InvalidApiKey`) with a message for the user.
    """
    if spec.kind == LOCAL:
        backend = connection.local_backend(spec.path or ".", create=spec.create)
        backend.label_counts()
        return backend
    if not api_key:
        raise BackendError("Enter an API key to connect.")
    backend = connection.studio_backend(api_key, spec.api_endpoint, spec.ingestion_endpoint)
    # the first request tells a wrong key or an unreachable server apart from a good one
    backend.project_id()
    backend.label_counts()
    return backend
