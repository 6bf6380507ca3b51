"""A folder of content-addressed files: ``blobs/ab/abcdef…`` named by their SHA-256.

A blob is written to a temporary name and renamed into place, so a blob path either does not
exist or holds the complete content. Callers make a batch of writes durable with
:meth:`BlobStore.make_durable` before they commit database rows that refer to them: on Linux
one ``syncfs`` flushes the whole batch (data, inodes and renames) at once; elsewhere each file
is fsynced as it is written and the folders are fsynced afterwards.

Reads check the content against its name: a blob whose bytes changed on disk (bit rot, a
stray editor) raises :class:`CorruptContentError` instead of handing out garbage. Temporary
files carry the writing process's id, so a cleaner can tell a live writer's file from the
leftover of a crash. Files are created readable by their owner only.
"""

from __future__ import annotations

import ctypes
import errno
import hashlib
import os
import secrets
import sys
import time
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import BinaryIO, Optional

from ei_desktop.core.backends.base import CorruptContentError

TMP_DIR = "tmp"
#: a temporary file whose writer cannot be identified is left alone for this long
STALE_TMP_SECONDS = 3600.0
#: blobs and temporary files: readable by the project's owner only
FILE_MODE = 0o600
_READ_CHUNK = 1024 * 1024
#: after this long even a file whose writer's pid is alive is abandoned (the pid was reused)
_PID_REUSE_SECONDS = 24 * 3600.0


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
        """The blob's content, checked against its hash.

        Raises:
            FileNotFoundError: the blob is missing.
            CorruptContentError: its bytes no longer match the hash.
        """
        data = self.path(sha256).read_bytes()
        if hashlib.sha256(data).hexdigest() != sha256:
            raise CorruptContentError(corrupt_message(sha256))
        return data

    def open(self, sha256: str) -> BinaryIO:
        """The blob as an open binary file positioned at its start, after checking its hash
        in one streaming pass (memory stays small whatever the size).

        Raises:
            FileNotFoundError: the blob is missing.
            CorruptContentError: its bytes no longer match the hash.
        """
        handle = open(self.path(sha256), "rb")  # noqa: SIM115 - returned to the caller
        try:
            if _file_digest(handle) != sha256:
                raise CorruptContentError(corrupt_message(sha256))
            handle.seek(0)
        except BaseException:
            handle.close()
            raise
        return handle

    def verify(self, sha256: str) -> bool:
        """True when the blob is present and its bytes match its hash."""
        try:
            with open(self.path(sha256), "rb") as handle:
                return _file_digest(handle) == sha256
        except OSError:
            return False

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
        tmp = os.path.join(self._tmp, f"{os.getpid()}.{sha256[:16]}.{secrets.token_hex(6)}.part")
        flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
        fd = os.open(tmp, flags, FILE_MODE)
        try:
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
        except BaseException:
            # a partial file must not stay behind (on a full disk it keeps the disk full)
            _unlink_quietly(tmp)
            raise
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
        """Temporary files: blobs being written, or leftovers of interrupted writes."""
        return [p for p in (self.root / TMP_DIR).iterdir() if p.is_file()]

    def abandoned_temporary_files(self, *, min_age_seconds: float = 0.0) -> list[Path]:
        """Temporary files whose writer is gone (its process no longer runs), or that are
        older than :data:`STALE_TMP_SECONDS` when the writer cannot be identified; only files
        older than ``min_age_seconds``.
        """
        now = time.time()
        abandoned = []
        for path in self.temporary_files():
            try:
                age = now - path.stat().st_mtime
            except FileNotFoundError:
                continue
            if age < min_age_seconds:
                continue
            writer = _writer_pid(path.name)
            if writer is None or writer == os.getpid():
                if age >= STALE_TMP_SECONDS:
                    abandoned.append(path)
            elif age >= _PID_REUSE_SECONDS or not _process_alive(writer):
                abandoned.append(path)
        return abandoned


def _file_digest(handle: BinaryIO) -> str:
    digest = hashlib.sha256()
    for chunk in iter(lambda: handle.read(_READ_CHUNK), b""):
        digest.update(chunk)
    return digest.hexdigest()


def corrupt_message(sha256: str) -> str:
    """What a read of damaged content says."""
    return (
        f"The stored content {sha256[:12]}… is damaged: its bytes no longer match their"
        " checksum (changed on disk since it was stored)"
    )


def _unlink_quietly(path: str) -> None:
    try:
        os.unlink(path)
    except OSError:
        pass


def _writer_pid(name: str) -> Optional[int]:
    head = name.split(".", 1)[0]
    return int(head) if head.isdigit() else None


def _process_alive(pid: int) -> bool:
    if os.name == "nt":  # no signal 0 there: trust the age rule instead
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # alive, owned by someone else
    except OSError as exc:
        return exc.errno != errno.ESRCH
    return True
