"""Where a local project keeps sample content: small contents inside the project database,
larger ones as content-addressed files (:mod:`ei_desktop.core.backends.blobs`).

A content of at most :data:`INLINE_MAX` bytes is a row of ``stored_content`` (keyed by its
SHA-256), written in the transaction that commits the samples referring to it: a committed
row can never point at missing content, and one commit (one log flush) makes a whole chunk of
samples durable instead of one file each. Larger contents stay files. Projects made before
keep their files, which are read as before; :func:`migrate_files` moves the small ones into
the database.

Reads look in the database first, then in the files. Every read checks the bytes against
their hash (:class:`CorruptContentError` otherwise).
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import sqlite3
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import AbstractContextManager
from pathlib import Path
from typing import BinaryIO, Optional

from ei_desktop.core.backends.base import CorruptContentError
from ei_desktop.core.backends.blobs import BlobStore, corrupt_message

#: contents up to this size live in the database. Measured here (chunks of 256, durable):
#: writing costs 190 µs in the database against 1,050 µs as a file at 4 KiB, 590 µs against
#: 4,240 µs at 64 KiB, but 6,900 µs against 5,400 µs at 256 KiB; reads are alike up to
#: 64 KiB (88 against 164 µs at 4 KiB, 540 against 370 µs at 64 KiB).
INLINE_MAX = 64 * 1024
#: hashes per statement (SQLite's bound-parameter limit is far above)
_BATCH = 500
_INSERT = "INSERT OR IGNORE INTO stored_content (sha256, data) VALUES (?, ?)"


def inline(size: int) -> bool:
    """True when a content of ``size`` bytes is kept in the database."""
    return size <= INLINE_MAX


_INSERT_JOINED = (
    "INSERT OR IGNORE INTO stored_content (sha256, data)"
    " SELECT json_extract(value, '$[0]'),"
    " substr(?2, json_extract(value, '$[1]'), json_extract(value, '$[2]'))"
    " FROM json_each(?1) ORDER BY key"
)


def store(conn: sqlite3.Connection, contents: Iterable[tuple[str, bytes]]) -> None:
    """Write small contents inside the caller's write transaction (kept if already there).

    One statement for all of them (their bytes joined, each cut out again by SQLite), not
    one per content: see :func:`ei_desktop.core.backends.local_rows.insert_all`.
    """
    places, pieces, at = [], [], 1
    for sha256, data in contents:
        places.append((sha256, at, len(data)))
        pieces.append(bytes(data))
        at += len(data)
    if len(places) == 1:
        conn.execute(_INSERT, (places[0][0], pieces[0]))
    elif places:
        conn.execute(_INSERT_JOINED, (json.dumps(places), b"".join(pieces)))


def read(conn: sqlite3.Connection, sha256: str) -> Optional[bytes]:
    """The content kept in the database under ``sha256``, checked; ``None`` if not there.

    Raises:
        CorruptContentError: the stored bytes no longer match their hash.
    """
    row = conn.execute("SELECT data FROM stored_content WHERE sha256 = ?", (sha256,)).fetchone()
    if row is None:
        return None
    data = bytes(row[0])
    if hashlib.sha256(data).hexdigest() != sha256:
        raise CorruptContentError(corrupt_message(sha256))
    return data


def open_bytes(data: bytes) -> BinaryIO:
    """Content read from the database as a binary file object."""
    return io.BytesIO(data)


def present(conn: sqlite3.Connection, hashes: Sequence[str]) -> set[str]:
    """Those of ``hashes`` kept in the database."""
    found: set[str] = set()
    hashes = list(hashes)
    for start in range(0, len(hashes), _BATCH):
        chunk = hashes[start : start + _BATCH]
        rows = conn.execute(
            f"SELECT sha256 FROM stored_content WHERE sha256 IN ({','.join('?' * len(chunk))})",
            chunk,
        )
        found.update(row[0] for row in rows)
    return found


def all_hashes(conn: sqlite3.Connection) -> set[str]:
    """Every hash kept in the database."""
    return {row[0] for row in conn.execute("SELECT sha256 FROM stored_content")}


def delete(conn: sqlite3.Connection, hashes: Sequence[str]) -> int:
    """Remove contents from the database, inside the caller's write transaction (which has
    just seen no row refer to them); returns how many were there.
    """
    if not hashes:
        return 0
    cursor = conn.execute(
        f"DELETE FROM stored_content WHERE sha256 IN ({','.join('?' * len(hashes))})",
        list(hashes),
    )
    return max(cursor.rowcount, 0)


def verify_all(conn: sqlite3.Connection, hashes: set[str]) -> Iterator[tuple[str, bool]]:
    """``(hash, intact)`` for each of ``hashes`` kept in the database, one row at a time."""
    for sha, data in conn.execute("SELECT sha256, data FROM stored_content"):
        if sha in hashes:
            yield sha, hashlib.sha256(data).hexdigest() == sha


def small_files(blobs: BlobStore) -> list[str]:
    """Hashes of content files small enough to be kept in the database."""
    out = []
    for sha in blobs.iter_hashes():
        try:
            size = os.stat(blobs.path(sha)).st_size
        except FileNotFoundError:
            continue
        if inline(size):
            out.append(sha)
    return out


class ProjectContent:
    """Every content of a project, in the database or in a file, by hash: what maintenance,
    recovery and tests look at. Uploads write through the backend, not through this.

    Args:
        files: the content files.
        reading: a context manager giving a reading connection (the backend's pool).
        writing: a context manager giving the writing connection inside a write
            transaction (the backend's ``_write_transaction``).
    """

    def __init__(
        self,
        files: BlobStore,
        reading: Callable[[], AbstractContextManager[sqlite3.Connection]],
        writing: Callable[[str], AbstractContextManager[sqlite3.Connection]],
    ) -> None:
        self.files = files
        self.root = files.root
        self._reading = reading
        self._writing = writing

    def path(self, sha256: str) -> Path:
        """Where the content's file is (or would be): contents in the database have none."""
        return self.files.path(sha256)

    def in_database(self, sha256: str) -> bool:
        """True when the content is kept in the database."""
        with self._reading() as conn:
            return bool(present(conn, [sha256]))

    def exists(self, sha256: str) -> bool:
        """True when the content is stored, in the database or as a file."""
        return self.in_database(sha256) or self.files.exists(sha256)

    def read(self, sha256: str) -> bytes:
        """The content, checked against its hash.

        Raises:
            FileNotFoundError: it is stored nowhere.
            CorruptContentError: its bytes no longer match the hash.
        """
        with self._reading() as conn:
            data = read(conn, sha256)
        return data if data is not None else self.files.read(sha256)

    def verify(self, sha256: str) -> bool:
        """True when the content is stored and its bytes match its hash."""
        try:
            self.read(sha256)
        except (OSError, CorruptContentError):
            return False
        return True

    def write(self, sha256: str, data: bytes) -> str:
        """Store ``data`` as a content file (see :meth:`BlobStore.write`)."""
        return self.files.write(sha256, data)

    def make_durable(self, dirs: Iterable[str]) -> None:
        """See :meth:`BlobStore.make_durable`."""
        self.files.make_durable(dirs)

    def delete(self, sha256: str) -> None:
        """Remove the content from wherever it is (whatever refers to it)."""
        with self._writing("remove content") as conn:
            delete(conn, [sha256])
            self.files.delete(sha256)

    def iter_hashes(self) -> Iterator[str]:
        """Every stored content's hash, once."""
        with self._reading() as conn:
            stored = all_hashes(conn)
        yield from stored
        for sha in self.files.iter_hashes():
            if sha not in stored:
                yield sha

    def temporary_files(self) -> list[Path]:
        """See :meth:`BlobStore.temporary_files`."""
        return self.files.temporary_files()
