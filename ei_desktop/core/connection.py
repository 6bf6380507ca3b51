"""Which backend a call acts on: an explicit project, else Edge Impulse when an API key is
given, else the selected local project (``use_project``, ``EI_PROJECT``, or the default
project in the user data directory).

Keys and endpoints are always passed in: the core never reads the package's module-level
settings (``ei_desktop.API_KEY`` …); the faces that offer them read them and pass them down.
Backends are cached, so repeated calls reuse one database connection pool or one HTTP session.
"""

from __future__ import annotations

import atexit
import os
import threading
from pathlib import Path
from typing import Optional, Union

import platformdirs

from ei_desktop.core.backends.base import Backend, BackendError

APP_NAME = "ei-desktop"

_lock = threading.Lock()
_selected: Optional[Path] = None
_locals: dict[Path, Backend] = {}
_remotes: dict[tuple, Backend] = {}

ProjectArg = Union[str, os.PathLike, Backend, None]


def default_project_path() -> Path:
    """The default local project: ``<user data dir>/ei-desktop/projects/default``."""
    return platformdirs.user_data_path(APP_NAME, appauthor=False) / "projects" / "default"


def use_project(path: Union[str, os.PathLike, None], *, create: bool = False) -> None:
    """Select the local project used when no API key is configured (``None``: the default).

    Args:
        path: an existing project folder, or a new one with ``create``.
        create: make a new project at ``path`` if it is not one yet.

    Raises:
        NotAProjectError: ``path`` is not a project and ``create`` is false.
        DamagedProjectError: ``path`` is a project whose database is damaged.
    """
    global _selected
    if path is None:
        with _lock:
            _selected = None
        return
    resolved = Path(path).expanduser().resolve()
    local_backend(resolved, create=create)  # refuse a mistyped folder now, not at first use
    with _lock:
        _selected = resolved


def configured_default_path() -> Path:
    """The default project: ``EI_PROJECT``, else :func:`default_project_path`. The only
    project created on first use without being asked.
    """
    env = os.environ.get("EI_PROJECT")
    if env:
        return Path(env).expanduser().resolve()
    return default_project_path()


def local_project_path() -> Path:
    """The local project the data functions act on when no key is configured."""
    if _selected is not None:
        return _selected
    return configured_default_path()


def local_backend(path: Union[str, os.PathLike], *, create: bool = False) -> Backend:
    """The (cached) backend of the local project at ``path``.

    Args:
        path: the project folder.
        create: make a new project there if it is not one yet; the default project
            (:func:`configured_default_path`) is always created on first use.

    Raises:
        NotAProjectError: ``path`` is not a project (and may not be created).
        DamagedProjectError: the project's database is damaged.
    """
    from ei_desktop.core.backends.local import LocalBackend

    resolved = Path(path).expanduser().resolve()
    create = create or resolved == configured_default_path()
    with _lock:
        backend = _locals.get(resolved)
        if backend is None or backend.closed:
            backend = LocalBackend(resolved, create=create)
            _locals[resolved] = backend
        return backend


def studio_backend(
    api_key: str,
    api_endpoint: Optional[str] = None,
    ingestion_endpoint: Optional[str] = None,
) -> Backend:
    """The (cached) backend of the Edge Impulse project that ``api_key`` belongs to.

    Args:
        api_key: the project's API key.
        api_endpoint, ingestion_endpoint: the Studio API and ingestion service to reach;
            ``None`` (or empty): Edge Impulse's own.
    """
    try:
        from ei_desktop.core.backends.studio import StudioBackend
    except ImportError as exc:  # pragma: no cover - the HTTP backend ships with the core
        raise BackendError(f"The Edge Impulse backend is not available: {exc}") from exc
    endpoints = {
        name: value
        for name, value in (
            ("api_endpoint", api_endpoint),
            ("ingestion_endpoint", ingestion_endpoint),
        )
        if value
    }
    key = (api_key, endpoints.get("api_endpoint"), endpoints.get("ingestion_endpoint"))
    with _lock:
        backend = _remotes.get(key)
        if backend is None:
            backend = StudioBackend(api_key, **endpoints)
            _remotes[key] = backend
        return backend


def resolve(
    api_key: Optional[str] = None,
    project: ProjectArg = None,
    *,
    api_endpoint: Optional[str] = None,
    ingestion_endpoint: Optional[str] = None,
) -> Backend:
    """The backend a call acts on.

    Args:
        api_key: with a key, the Edge Impulse project it belongs to (see
            :func:`studio_backend` for the endpoints); with none, the selected local project.
        project: a backend, or a local project folder; wins over any key.
        api_endpoint, ingestion_endpoint: where Edge Impulse is, when a key is given.

    Raises:
        NotAProjectError: ``project`` is a folder that is not a project.
    """
    if project is not None:
        if isinstance(project, Backend):
            return project
        return local_backend(project)
    if api_key:
        return studio_backend(api_key, api_endpoint, ingestion_endpoint)
    return local_backend(local_project_path())


def close_all() -> None:
    """Close every cached backend."""
    with _lock:
        backends = [*_locals.values(), *_remotes.values()]
        _locals.clear()
        _remotes.clear()
    for backend in backends:
        try:
            backend.close()
        except Exception:  # noqa: BLE001 - closing at exit must not raise
            pass


atexit.register(close_all)
