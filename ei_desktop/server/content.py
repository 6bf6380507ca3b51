"""Answers that carry a sample's content, sent in pieces so no request holds a whole large
sample (or many) as one JSON document or one bytes object.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import AsyncIterator, Iterator
from typing import Any, BinaryIO, Optional

import numpy as np
import orjson
from starlette.responses import Response, StreamingResponse

from ei_desktop.core import formats
from ei_desktop.core.backends.base import SampleRecord
from ei_desktop.server.blocking import BlockingPool
from ei_desktop.server.budget import MemoryBudget

#: sample values per encoded piece of a streamed answer (about 1.5 MB of JSON)
VALUES_PER_PIECE = 1 << 16
#: files read at once rather than streamed, and the size of a streamed file's pieces
SMALL_FILE = 1024 * 1024
#: what parsing a stored file into values costs at its peak, as a multiple of its size (a
#: dense CSV measured at about 6)
EXPANSION = 6
SERIES_KINDS = (formats.TIMESERIES, formats.TABLE, formats.AUDIO)


def expansion_bytes(record: SampleRecord) -> int:
    """The memory the values of ``record`` take while they are read and sent."""
    return EXPANSION * int(record.size) if record.kind in SERIES_KINDS else 0


def json_pieces(document: dict[str, Any]) -> Iterator[bytes]:
    """``document`` as JSON in pieces; a ``payload.values`` array is encoded a slice at a time
    (non-finite numbers written as finite ones: JSON has no NaN).
    """
    payload = document.get("payload")
    values = payload.get("values") if isinstance(payload, dict) else None
    if not isinstance(values, np.ndarray):
        yield orjson.dumps(document, option=orjson.OPT_SERIALIZE_NUMPY)
        return
    marker = "values-" + secrets.token_hex(16)
    text = orjson.dumps({**document, "payload": {**payload, "values": marker}})
    head, _, tail = text.partition(orjson.dumps(marker))
    yield head
    yield from _value_pieces(values)
    yield tail


def _value_pieces(values: np.ndarray) -> Iterator[bytes]:
    if not len(values):
        yield b"[]"
        return
    width = values.shape[1] if values.ndim == 2 else 1
    rows = max(1, VALUES_PER_PIECE // max(1, width))
    yield b"["
    for start in range(0, len(values), rows):
        part = np.ascontiguousarray(values[start : start + rows], dtype=np.float64)
        if not np.isfinite(part).all():
            part = np.nan_to_num(part)
        text = orjson.dumps(part, option=orjson.OPT_SERIALIZE_NUMPY)
        yield (b"," if start else b"") + text[1:-1]
    yield b"]"


def released(
    pieces: AsyncIterator[bytes], budget: MemoryBudget, share: int
) -> AsyncIterator[bytes]:
    """``pieces``, then ``share`` given back to ``budget`` (however the stream ends)."""

    async def stream() -> AsyncIterator[bytes]:
        try:
            async for piece in pieces:
                yield piece
        finally:
            budget.release(share)

    return stream()


async def each(pieces: Iterator[bytes]) -> AsyncIterator[bytes]:
    """A synchronous iterator of pieces as an asynchronous one."""
    for piece in pieces:
        yield piece


def json_stream(pieces: AsyncIterator[bytes]) -> StreamingResponse:
    """A 200 JSON answer sent as it is produced."""
    return StreamingResponse(pieces, media_type="application/json")


def file_response(handle: BinaryIO, media_type: str, pool: BlockingPool) -> Response:
    """The content of an open file (closed when sent): small files at once, larger ones in
    pieces read on the pool, with their length announced.
    """
    try:
        size: Optional[int] = os.fstat(handle.fileno()).st_size
    except (OSError, AttributeError, ValueError):
        size = None
    if size is not None and size <= SMALL_FILE:
        try:
            return Response(handle.read(), media_type=media_type)
        finally:
            handle.close()

    async def pieces() -> AsyncIterator[bytes]:
        try:
            while True:
                piece = await pool.run(handle.read, SMALL_FILE)
                if not piece:
                    break
                yield piece
        finally:
            handle.close()

    headers = {"content-length": str(size)} if size is not None else None
    return StreamingResponse(pieces(), media_type=media_type, headers=headers)
