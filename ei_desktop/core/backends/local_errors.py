"""Turn SQLite and file-system failures of a local project into the errors a user can act on.

SQLite reports a corrupt file, a full disk and a failing disk with codes that mean nothing to
the people who own the data; these helpers name the cause in plain words (and never with a
traceback).
"""

from __future__ import annotations

import errno
import shutil
import sqlite3
from pathlib import Path

from ei_desktop.core.backends.base import BackendError, DamagedProjectError, DiskFullError

#: below this much free space, an I/O error is taken to be the disk being full
_NEARLY_FULL_BYTES = 1024 * 1024
_DAMAGED_CODES = {"SQLITE_CORRUPT", "SQLITE_NOTADB", "SQLITE_CORRUPT_INDEX", "SQLITE_CORRUPT_VTAB"}
_DAMAGED_WORDS = ("malformed", "not a database", "file is encrypted", "corrupt")


def disk_is_full(path: Path) -> bool:
    """True when the file system holding ``path`` has (almost) no space left."""
    try:
        return shutil.disk_usage(path).free < _NEARLY_FULL_BYTES
    except OSError:
        return False


def damaged_message(path: Path, detail: object) -> str:
    """The one line that says a project is damaged and what to do about it."""
    return (
        f"The project at {path} is damaged ({detail}). Nothing was changed or removed; "
        f"run 'ei-desktop check --recover --project {path}' to rebuild it from its content."
    )


def disk_full_message(path: Path) -> str:
    """The one line that says the disk holding a project is full."""
    return f"The disk is full: no space left for the project at {path}. Free some space and retry."


def database_error(path: Path, exc: sqlite3.Error, doing: str) -> BackendError:
    """The error to raise for ``exc``, met while ``doing`` (e.g. "read the project")."""
    name = getattr(exc, "sqlite_errorname", "") or ""
    text = str(exc)
    lowered = text.lower()
    if name in _DAMAGED_CODES or any(word in lowered for word in _DAMAGED_WORDS):
        return DamagedProjectError(damaged_message(path, text))
    if name == "SQLITE_FULL" or "disk is full" in lowered:
        return DiskFullError(disk_full_message(path))
    if (name.startswith("SQLITE_IOERR") or "disk i/o error" in lowered) and disk_is_full(path):
        return DiskFullError(disk_full_message(path))
    return BackendError(f"Could not {doing} at {path}: {text}")


def os_error_message(path: Path, exc: OSError, doing: str) -> str:
    """A plain message for a file-system error met while ``doing`` (e.g. "store the file")."""
    if exc.errno in (errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC)):
        return disk_full_message(path)
    return f"Cannot {doing}: {exc.strerror or exc}"
