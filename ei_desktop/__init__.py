"""ei-desktop: a desktop dataset manager for Edge Impulse projects.

Module-level settings mirror the official SDK (``edgeimpulse``): they are read from the
environment once at import and may be reassigned at any time; every function of
:mod:`ei_desktop.data` reads them when it is called (the command line reads them too; the rest
of the package never does: it is given keys and endpoints explicitly).

- ``API_KEY`` (``EI_API_KEY``): when set, data functions talk to Edge Impulse over HTTP.
- ``API_ENDPOINT`` (``EI_API_ENDPOINT``) and ``INGESTION_ENDPOINT`` (``EI_INGESTION_ENDPOINT``).
- With no key, data functions act on a local project: the one chosen with :func:`use_project`,
  else ``EI_PROJECT``, else the default project in the user data directory.
"""

from __future__ import annotations

import os

from ei_desktop.core.about import DEFAULT_API_ENDPOINT, DEFAULT_INGESTION_ENDPOINT, VERSION

__version__ = VERSION

API_KEY: str | None = os.environ.get("EI_API_KEY") or None
API_ENDPOINT: str = os.environ.get("EI_API_ENDPOINT", DEFAULT_API_ENDPOINT)
INGESTION_ENDPOINT: str = os.environ.get("EI_INGESTION_ENDPOINT", DEFAULT_INGESTION_ENDPOINT)


def use_project(path: str | os.PathLike | None, *, create: bool = False) -> None:
    """Make the data functions act on the local project at ``path``.

    A folder that is not a project is refused (``NotAProjectError``) unless ``create`` is
    true, so a mistyped path never becomes an empty project. ``None`` goes back to
    ``EI_PROJECT`` or the default project, which are created on first use.
    """
    from ei_desktop.core import connection

    connection.use_project(path, create=create)


def __getattr__(name: str):
    # `ei_desktop.data` is imported on first use so that `import ei_desktop` stays cheap.
    if name == "data":
        import importlib

        return importlib.import_module("ei_desktop.data")
    raise AttributeError(name)
