"""A folder of content-addressed files: ``blobs/ab/abcdef…`` named by their SHA-256.

A blob is written to a temporary name and renamed into place, so a blob path either does not
exist or holds the complete content. Callers make a batch of writes durable with
:meth:`BlobStore.make_durable` before they commit database rows that refer to them: on Linux
one ``syncfs`` flushes the whole batch (data, inodes and renames) at once; elsewhere each file
is fsynced as it is written and the folders are fsynced afterwards.
"""

from __future__ import annotations

import ctypes
import os
import secrets
import sys
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Optional

TMP_DIR = "tmp"


def _load_syncfs() -> Optional[Callable[[int], int]]:
    if not sys.platform.startswith("linux"):
        return None
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        syncfs = libc.syncfs
    except (OSError, AttributeError):
        return None
    syncfs.argtypes = [ctypes.c_int]
    syncfs.restype = ctypes.c_int
    return syncfs


_SYNCFS = _load_syncfs()


class BlobStore:
    """Content-addressed files under one folder."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)
        self.root.mkdir(parents=True, exist_ok=True)
        (self.root / TMP_DIR).mkdir(exist_ok=True)
        # plain strings: this is the hot path of an upload
        self._root = str(self.root)
        self._tmp = os.path.join(self._root, TMP_DIR)
        self._made_dirs: set[str] = set()

    def path(self, sha256: str) -> Path:
        """Where the blob with this hash lives."""
        return self.root / sha256[:2] / sha256

    def exists(self, sha256: str) -> bool:
        """True when the blob is present."""
        return os.path.isfile(os.path.join(self._root, sha256[:2], sha256))

    def read(self, sha256: str) -> bytes:
        """The blob's content (``FileNotFoundError`` if missing)."""
        return self.path(sha256).read_bytes()

    def write(self, sha256: str, data: bytes) -> str:
        """Store ``data`` under ``sha256`` unless it is already there; returns its folder.

        Call :meth:`make_durable` with the returned folders before relying on the blob
        surviving a power cut.
        """
        directory = os.path.join(self._root, sha256[:2])
        final = os.path.join(directory, sha256)
        try:
            if os.stat(final).st_size == len(data):
                return directory
        except FileNotFoundError:
            pass
        if directory not in self._made_dirs:
            os.makedirs(directory, exist_ok=True)
            self._made_dirs.add(directory)
        tmp = os.path.join(self._tmp, f"{sha256[:16]}.{secrets.token_hex(6)}.part")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o644)
        try:
            view = memoryview(data)
            while view:
                written = os.write(fd, view)
                view = view[written:]
            if _SYNCFS is None:
                os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(tmp, final)
        return directory

    def make_durable(self, dirs: Iterable[str]) -> None:
        """Flush blobs written into ``dirs`` (and their renames) to disk."""
        if _SYNCFS is not None:
            fd = os.open(self.root, os.O_RDONLY)
            try:
                if _SYNCFS(fd) != 0:
                    raise OSError(ctypes.get_errno(), "syncfs failed")
            finally:
                os.close(fd)
            return
        if os.name == "nt":  # NTFS journals renames; file contents were flushed on write
            return
        for directory in set(dirs):
            try:
                fd = os.open(directory, os.O_RDONLY)
            except OSError:
                continue
            try:
                os.fsync(fd)
            except OSError:
                pass
            finally:
                os.close(fd)

    def delete(self, sha256: str) -> None:
        """Remove a blob if present."""
        try:
            self.path(sha256).unlink()
        except FileNotFoundError:
            pass

    def iter_hashes(self) -> Iterator[str]:
        """Every stored blob's hash."""
        for sub in self.root.iterdir():
            if sub.name == TMP_DIR or not sub.is_dir() or len(sub.name) != 2:
                continue
            for entry in sub.iterdir():
                if entry.is_file() and len(entry.name) == 64:
                    yield entry.name

    def temporary_files(self) -> list[Path]:
        """Leftovers of interrupted writes."""
        return [p for p in (self.root / TMP_DIR).iterdir() if p.is_file()]
