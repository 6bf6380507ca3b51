"""Read a ``multipart/form-data`` ingestion body within the size limits.

The body is split with ``bytes.find`` on the boundary, a chunk at a time as it arrives, not
by a byte-by-byte state machine with a callback per piece (python-multipart's, which
Starlette's form reader drives): for a request of many small files that parser cost more
CPU than storing the files did. Parts are bounded by bytes: a part up to
:data:`SPOOL_BYTES` stays in memory, a larger one goes to a temporary file as it arrives,
and the fields that are not files are counted and dropped.
"""

from __future__ import annotations

import codecs
import io
import re
import tempfile
from collections.abc import AsyncIterator, Iterable
from dataclasses import dataclass
from typing import BinaryIO, Optional

from starlette.requests import ClientDisconnect, Request

from ei_desktop.core import display
from ei_desktop.server.errors import RequestError
from ei_desktop.server.limits import Limits

try:
    from python_multipart.multipart import parse_options_header
except ImportError:  # python-multipart < 0.0.13 named its module ``multipart``
    from multipart.multipart import parse_options_header  # type: ignore[no-redef]

MB = 1024 * 1024
#: parts up to this size stay in memory while the body is read; larger ones go to a temporary
#: file (so a request of many files never holds hundreds of MB)
SPOOL_BYTES = 64 * 1024
#: the headers of one part may take this many bytes
MAX_PART_HEADERS = 16 * 1024
#: fields that are not files a request may carry (their values are dropped)
MAX_FIELDS = 1000


@dataclass
class FilePart:
    """One file part: its name as sent (``%22`` turned back into ``"``) and its content
    (in memory, or in a temporary file for a large part), read from the start.
    """

    sent_name: str
    file: BinaryIO
    size: int

    def close(self) -> None:
        """Free the content (remove its temporary file)."""
        self.file.close()


def too_large(what: str, limit: str) -> RequestError:
    """The 413 answer for a body over a limit (no ``Retry-After``: retrying cannot help)."""
    return RequestError(f"The request is too large: {what} (the limit is {limit})", 413)


def malformed(why: str) -> RequestError:
    """The 400 answer for a body that is not valid multipart."""
    return RequestError(f"Malformed multipart body: {why}")


def _decode(raw: bytes, charset: str) -> str:
    try:
        return raw.decode(charset)
    except (UnicodeDecodeError, LookupError):
        return raw.decode("latin-1")


#: the Content-Disposition of almost every file part (no quote, backslash or ``;`` inside the
#: values), read without python-multipart's general parser, which costs more than the rest
#: of reading a small part together
_PLAIN_DISPOSITION = re.compile(
    rb'(?i:form-data)[ \t]*;[ \t]*name="([^"\\;]*)"[ \t]*;[ \t]*filename="([^"\\;]*)"[ \t]*'
)


def disposition_options(value: Optional[bytes]) -> dict[bytes, bytes]:
    """The parameters of a part's Content-Disposition, as python-multipart's
    ``parse_options_header`` reads them.
    """
    if value is not None:
        plain = _PLAIN_DISPOSITION.fullmatch(value)
        if plain is not None:
            return {b"name": plain[1], b"filename": plain[2]}
    return parse_options_header(value)[1]


class _Part:
    """The part being read: its content so far, in memory or (once large) in a file."""

    def __init__(self, name: Optional[str]) -> None:
        self.name = name  # None: a field that is not a file (its content is dropped)
        self.pieces: list[bytes] = []
        self.size = 0
        self.spill: Optional[BinaryIO] = None

    def add(self, data: bytes) -> None:
        if self.name is None or not data:
            return
        self.size += len(data)
        if self.spill is not None:
            self.spill.write(data)
            return
        self.pieces.append(data)
        if self.size > SPOOL_BYTES:
            self.spill = tempfile.TemporaryFile()  # noqa: SIM115 - closed by FilePart.close
            for piece in self.pieces:
                self.spill.write(piece)
            self.pieces = []

    def finish(self) -> FilePart:
        assert self.name is not None
        if self.spill is not None:
            self.spill.seek(0)
            return FilePart(self.name, self.spill, self.size)
        data = self.pieces[0] if len(self.pieces) == 1 else b"".join(self.pieces)
        return FilePart(self.name, io.BytesIO(data), self.size)

    def discard(self) -> None:
        if self.spill is not None:
            self.spill.close()


class MultipartReader:
    """Splits a ``multipart/form-data`` body fed a chunk at a time into file parts.

    :meth:`feed` each chunk in order, then :meth:`finish`; ``parts`` are the file parts
    (parts with a ``filename``, any field name) in order. On an error call :meth:`close`.
    """

    _PREAMBLE, _AFTER_BOUNDARY, _HEADERS, _DATA, _END = range(5)

    def __init__(self, boundary: bytes, *, max_files: int, charset: str = "utf-8") -> None:
        # the CRLF before a boundary belongs to it; the body's first line has none
        self._delimiter = b"\r\n--" + boundary
        self._buffer = b"\r\n"
        self._state = self._PREAMBLE
        self._part: Optional[_Part] = None
        self._files = 0
        self._fields = 0
        self._max_files = max_files
        self._charset = charset
        self.parts: list[FilePart] = []

    def feed(self, chunk: bytes) -> None:
        """Read ``chunk``, the next bytes of the body.

        Raises:
            RequestError: 400 for a malformed body, 413 for too many files.
        """
        if self._state == self._END:
            return  # the epilogue after the closing boundary is ignored
        buffer = self._buffer + chunk if self._buffer else chunk
        self._buffer = buffer[self._consume(buffer) :]

    def _consume(self, buffer: bytes) -> int:
        """Read what ``buffer`` holds; the offset of the bytes to keep for the next chunk."""
        delimiter = self._delimiter
        keep = len(delimiter) - 1  # bytes that may be the start of a delimiter
        at = 0
        while True:
            state = self._state
            if state == self._DATA:
                found = buffer.find(delimiter, at)
                part = self._part
                assert part is not None
                if found < 0:
                    end = max(at, len(buffer) - keep)
                    part.add(buffer[at:end])
                    return end
                part.add(buffer[at:found])
                if part.name is not None:
                    self.parts.append(part.finish())
                self._part = None
                at = found + len(delimiter)
                self._state = self._AFTER_BOUNDARY
            elif state == self._AFTER_BOUNDARY:
                line_end = buffer.find(b"\r\n", at)
                if buffer.startswith(b"--", at):
                    self._state = self._END
                    return len(buffer)
                if line_end < 0:
                    if len(buffer) - at > 1024:
                        raise malformed("a boundary line does not end")
                    return at
                if buffer[at:line_end].strip(b" \t"):
                    raise malformed("unexpected bytes after a boundary")
                at = line_end + 2
                self._state = self._HEADERS
            elif state == self._HEADERS:
                if buffer.startswith(b"\r\n", at):  # a part without headers
                    end, block = at + 2, b""
                else:
                    found = buffer.find(b"\r\n\r\n", at)
                    if found < 0:
                        if len(buffer) - at > MAX_PART_HEADERS:
                            raise malformed(f"a part's headers are over {MAX_PART_HEADERS} bytes")
                        return at
                    end, block = found + 4, buffer[at:found]
                self._part = self._begin(block)
                at = end
                self._state = self._DATA
            elif state == self._PREAMBLE:
                found = buffer.find(delimiter, at)
                if found < 0:
                    return max(at, len(buffer) - keep)
                at = found + len(delimiter)
                self._state = self._AFTER_BOUNDARY
            else:
                return len(buffer)

    def _begin(self, block: bytes) -> _Part:
        """The part whose header lines are ``block``."""
        disposition = None
        for line in block.split(b"\r\n"):
            name, colon, value = line.partition(b":")
            if not colon or not name or name != name.strip():
                raise malformed(f"invalid part header {line[:100]!r}")
            if name.lower() == b"content-disposition":
                disposition = value.strip(b" \t")
        options = disposition_options(disposition)
        if b"name" not in options:
            raise malformed('The Content-Disposition header field "name" must be provided.')
        if b"filename" not in options:
            self._fields += 1
            if self._fields > MAX_FIELDS:
                raise malformed(f"Too many fields. Maximum number of fields is {MAX_FIELDS}.")
            return _Part(None)
        self._files += 1
        if self._files > self._max_files:
            raise too_large("too many files", f"{self._max_files} files")
        return _Part(_decode(options[b"filename"], self._charset).replace("%22", '"'))

    def finish(self) -> list[FilePart]:
        """The file parts, once the whole body was fed.

        Raises:
            RequestError: 400 when the closing boundary never came.
        """
        # python-multipart accepted a body that stops early and dropped its unfinished last
        # part; a request whose closing boundary never came is refused instead of half stored.
        if self._state != self._END:
            raise malformed("it ends before the closing boundary (was the upload cut short?)")
        return self.parts

    def close(self) -> None:
        """Free every part read so far."""
        close_parts(self.parts)
        if self._part is not None:
            self._part.discard()


def close_parts(parts: Iterable[FilePart]) -> None:
    """Free the content of ``parts`` (their temporary files)."""
    for part in parts:
        part.close()


def reader_for(content_type: str, limits: Limits) -> MultipartReader:
    """A reader for a body of ``content_type``.

    Raises:
        RequestError: 400 when it is not ``multipart/form-data`` with a boundary.
    """
    if not content_type.lower().startswith("multipart/form-data"):
        raise RequestError(
            "Expected a multipart/form-data body with one 'data' part per file"
            f" (got Content-Type {content_type or 'none'!r})"
        )
    _, params = parse_options_header(content_type)
    boundary = params.get(b"boundary")
    if not boundary:
        raise malformed("Missing boundary in multipart.")
    charset = params.get(b"charset", b"utf-8").decode("latin-1")
    try:
        charset = codecs.lookup(charset).name
    except LookupError:
        charset = "latin-1"
    return MultipartReader(
        boundary, max_files=limits.max_files + limits.companion_allowance, charset=charset
    )


async def _chunks(request: Request, limit: int) -> AsyncIterator[bytes]:
    received = 0
    async for chunk in request.stream():
        received += len(chunk)
        if received > limit:
            raise too_large("the body is over the size limit", display.size(limit))
        yield chunk


async def read_file_parts(request: Request, limits: Limits) -> list[FilePart]:
    """The file parts of the body, in order (any field name); :func:`close_parts` them.

    Raises:
        RequestError: 400 for a body that is not (valid) multipart, 413 for one over
            ``limits.max_request_bytes`` or with too many files.
    """
    reader = reader_for(request.headers.get("content-type", ""), limits)
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limits.max_request_bytes:
        limit = display.size(limits.max_request_bytes)
        raise too_large(f"Content-Length is {declared} bytes", limit)
    try:
        async for chunk in _chunks(request, limits.max_request_bytes):
            reader.feed(chunk)
        return reader.finish()
    except ClientDisconnect:
        reader.close()
        raise RequestError("The client disconnected before the body was complete") from None
    except BaseException:
        reader.close()
        raise
