"""The backend an SDK function acts on, from its arguments and the SDK-compatible settings.

This is the one place that reads ``ei_desktop.API_KEY``, ``API_ENDPOINT`` and
``INGESTION_ENDPOINT``: at call time, like the official SDK, so they may be reassigned at any
moment. Everything below the SDK functions gets them as arguments.
"""

from __future__ import annotations

from typing import Optional

import ei_desktop
from ei_desktop.core import connection
from ei_desktop.core.backends.base import Backend
from ei_desktop.core.connection import ProjectArg


def resolve(
    api_key: Optional[str] = None,
    project: ProjectArg = None,
    *,
    timeout_sec: Optional[float] = None,
    max_workers: Optional[int] = None,
) -> Backend:
    """The backend of one call.

    Args:
        api_key: an explicit key (``None``: ``ei_desktop.API_KEY``); with no key at all, the
            selected local project.
        project: a local project folder or a backend; wins over any key.
        timeout_sec, max_workers: this call's HTTP timeout and concurrency (Edge Impulse only).
    """
    key = api_key if api_key is not None else ei_desktop.API_KEY
    backend = connection.resolve(
        key,
        project,
        api_endpoint=ei_desktop.API_ENDPOINT,
        ingestion_endpoint=ei_desktop.INGESTION_ENDPOINT,
    )
    return backend.with_options(timeout_sec=timeout_sec, max_workers=max_workers)
