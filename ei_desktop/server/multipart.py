"""Read a ``multipart/form-data`` ingestion body within the size limits."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass

from starlette.datastructures import FormData, UploadFile
from starlette.formparsers import MultiPartException, MultiPartParser
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
#: file (Starlette's default, 1 MB, lets a request of many files hold hundreds of MB)
SPOOL_BYTES = 64 * 1024


class _Parser(MultiPartParser):
    spool_max_size = SPOOL_BYTES


@dataclass
class FilePart:
    """One file part: its name as sent (``%22`` turned back into ``"``) and its content."""

    sent_name: str
    upload: UploadFile

    @property
    def size(self) -> int:
        """Bytes received for this part."""
        return self.upload.size or 0


def too_large(what: str, limit: str) -> RequestError:
    """The 413 answer for a body over a limit (no ``Retry-After``: retrying cannot help)."""
    return RequestError(f"The request is too large: {what} (the limit is {limit})", 413)


class _Body:
    """The request body as the parser reads it: counted against the limit, and with its last
    bytes kept to check that the closing boundary arrived.
    """

    TAIL = 2048

    def __init__(self, request: Request, limit: int) -> None:
        self._request = request
        self._limit = limit
        self.received = 0
        self.tail = b""

    async def chunks(self) -> AsyncIterator[bytes]:
        async for chunk in self._request.stream():
            self.received += len(chunk)
            if self.received > self._limit:
                raise too_large("the body is over the size limit", display.size(self._limit))
            self.tail = (self.tail + chunk)[-self.TAIL :]
            yield chunk


def _boundary(content_type: str) -> bytes:
    _, params = parse_options_header(content_type)
    return params.get(b"boundary", b"")


async def read_file_parts(request: Request, limits: Limits) -> tuple[list[FilePart], FormData]:
    """The file parts of the body, in order (any field name), and the form to close afterwards.

    Raises:
        RequestError: 400 for a body that is not (valid) multipart, 413 for one over
            ``limits.max_request_bytes`` or with too many files.
    """
    content_type = request.headers.get("content-type", "")
    if not content_type.lower().startswith("multipart/form-data"):
        raise RequestError(
            "Expected a multipart/form-data body with one 'data' part per file"
            f" (got Content-Type {content_type or 'none'!r})"
        )
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limits.max_request_bytes:
        limit = display.size(limits.max_request_bytes)
        raise too_large(f"Content-Length is {declared} bytes", limit)
    body = _Body(request, limits.max_request_bytes)
    parser = _Parser(
        request.headers,
        body.chunks(),
        max_files=limits.max_files + limits.companion_allowance,
        max_fields=1000,
    )
    try:
        form = await parser.parse()
    except MultiPartException as exc:
        if exc.message.startswith("Too many files"):
            raise too_large("too many files", f"{limits.max_files} files") from None
        raise RequestError(f"Malformed multipart body: {exc.message}") from None
    except ClientDisconnect:
        raise RequestError("The client disconnected before the body was complete") from None
    # python-multipart accepts a body that stops early and drops its unfinished last part;
    # a request whose closing boundary never came is refused instead of half stored.
    if b"--" + _boundary(content_type) + b"--" not in body.tail:
        await form.close()
        raise RequestError(
            "Malformed multipart body: it ends before the closing boundary"
            " (was the upload cut short?)"
        )
    parts = [
        FilePart(value.filename.replace("%22", '"'), value)
        for _name, value in form.multi_items()
        if isinstance(value, UploadFile) and value.filename is not None
    ]
    return parts, form
