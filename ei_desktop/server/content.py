"""Answers that carry a sample's content, sent in pieces so no request holds a whole large
sample (or many) as one JSON document or one bytes object.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import AsyncIterator, Iterable, Iterator
from typing import Any, BinaryIO, Optional

import numpy as np
import orjson
from starlette.responses import Response, StreamingResponse

from ei_desktop.core import formats
from ei_desktop.core.backends.base import Backend, SampleRecord, Series
from ei_desktop.server.blocking import BlockingPool
from ei_desktop.server.budget import MB, MemoryBudget

#: sample values per encoded piece of a streamed answer (about 1.5 MB of JSON)
VALUES_PER_PIECE = 1 << 16
#: files read at once rather than streamed, and the size of a streamed file's pieces
SMALL_FILE = 1024 * 1024
#: what parsing a stored file into values costs at its peak, as a multiple of its size (a
#: dense acquisition JSON file; a CSV file's values are at most about 2.5 times its size)
EXPANSION = 6
#: what reading and encoding one block of a CSV file's values costs, beyond its bytes
#: (measured at about 40 MB)
CSV_BLOCK_BYTES = 48 * MB
#: stored files up to this size are answered in one piece, read and encoded at once (the
#: memory that takes is bounded by the pool's threads, not held against the budget)
AT_ONCE = 256 * 1024
SERIES_KINDS = (formats.TIMESERIES, formats.TABLE, formats.AUDIO)


def expansion_bytes(record: SampleRecord) -> int:
    """The memory the values of ``record`` take while they are read and sent."""
    if record.kind not in SERIES_KINDS:
        return 0
    if _is_csv(record):  # its bytes, and one block of values at a time
        return min(EXPANSION * int(record.size), int(record.size) + CSV_BLOCK_BYTES)
    return EXPANSION * int(record.size)


def _is_csv(record: SampleRecord) -> bool:
    return formats.EXTENSIONS.get(formats.extension_of(record.upload_name)) == "csv"


class CsvValues:
    """The values of a stored CSV file, read a block of rows at a time as they are encoded
    (:func:`json_pieces`), so sending them costs the file's bytes and one block.

    Sliced like the array it stands for (``values[:n]``) to send only the first rows.
    """

    def __init__(self, data: bytes, limit: Optional[int] = None) -> None:
        self.data = data
        self.limit = limit

    def __getitem__(self, part: slice) -> CsvValues:
        if not isinstance(part, slice) or part.start or part.step or part.stop is None:
            raise TypeError("only the first rows of CSV values can be taken: values[:n]")
        stop = max(0, int(part.stop))
        return CsvValues(self.data, stop if self.limit is None else min(stop, self.limit))

    def readable(self) -> bool:
        """Whether the content reads as CSV (its header and first row), before any is sent."""
        from ei_desktop.core.formats import csv

        try:
            next(csv.iter_values(self.data, rows=1), None)
        except formats.FormatError:
            return False
        return True

    def blocks(self) -> Iterator[np.ndarray]:
        """The values, rows × sensors, float64, a block of rows at a time."""
        left = self.limit
        if left == 0:
            return
        from ei_desktop.core.formats import csv

        for block in csv.iter_values(self.data):
            if left is not None and len(block) >= left:
                yield block[:left]
                return
            if left is not None:
                left -= len(block)
            yield block


def load_series(
    backend: Backend, record: SampleRecord, *, checked: bool = True
) -> Optional[Series]:
    """``backend.load_series(record.id)`` for an answer: a CSV file's values come as
    :class:`CsvValues` (read while they are sent, see :func:`json_pieces`) rather than a
    whole array. ``None`` when the sample is gone.

    A backend may hold a converted copy rather than the file as uploaded: the content's start
    is read as CSV first, unless not ``checked`` (then reading the values raises
    :class:`formats.FormatError`, and the caller falls back to ``backend.load_series``).

    Raises:
        CorruptContentError, BackendError: as ``backend.load_series``.
    """
    if not _is_csv(record) or record.kind not in (formats.TIMESERIES, formats.TABLE):
        return backend.load_series(record.id)
    data = backend.load_bytes(record.id)
    if data is None:
        return None
    values: Any = CsvValues(data)
    if checked and not values.readable():
        return backend.load_series(record.id)
    return Series(
        sensors=record.sensors,
        values=values,
        interval_ms=record.interval_ms,
        device_type=record.device_type,
        device_name=record.device_name,
    )


#: the most values an answer limited by ``limitPayloadValues`` reads from the start of a CSV
#: or WAV file instead of parsing it whole
HEAD_VALUES = 100_000
#: how much of a CSV file is read first for its first values (doubled until enough)
_HEAD_BYTES = 64 * 1024


def load_head(backend: Backend, record: SampleRecord, limit: int) -> Optional[Series]:
    """The first ``limit`` values of ``record`` read from the start of its file, so a limited
    answer costs what it sends rather than the whole file parsed: CSV and WAV files, and no
    values at all for a limit of 0. ``None`` where that cannot be done (another format, a
    larger limit, a file that does not read that way, a sample gone): then the whole series
    is loaded as usual.

    Raises:
        CorruptContentError, BackendError: as ``backend.open_content``.
    """
    if record.kind not in SERIES_KINDS or not 0 <= limit <= HEAD_VALUES:
        return None
    if limit == 0:
        values: Optional[np.ndarray] = np.zeros((0, len(record.sensors)))
    elif _is_csv(record) and record.kind in (formats.TIMESERIES, formats.TABLE):
        values = _read_head(backend, record, lambda handle: _csv_head(handle, limit))
    elif record.kind == formats.AUDIO and formats.extension_of(record.upload_name) == ".wav":
        values = _read_head(backend, record, lambda handle: _wav_head(handle, limit))
    else:
        return None
    if values is None:
        return None
    return Series(
        sensors=record.sensors,
        values=values,
        interval_ms=record.interval_ms,
        device_type=record.device_type,
        device_name=record.device_name,
    )


def _read_head(backend: Backend, record: SampleRecord, read) -> Optional[np.ndarray]:
    handle = backend.open_content(record.id)
    if handle is None:
        return None
    with handle:
        return read(handle)


def _csv_head(handle: BinaryIO, limit: int) -> Optional[np.ndarray]:
    """The first ``limit`` rows of values of an open CSV file, reading only as much of it as
    they need; ``None`` when its start does not read as CSV.
    """
    data = b""
    want = _HEAD_BYTES
    while True:
        more = handle.read(want - len(data))
        data += more
        whole = len(data) < want  # the end of the file
        text = data if whole else data[: data.rfind(b"\n") + 1]
        try:
            blocks = list(CsvValues(text, limit).blocks()) if text else []
        except formats.FormatError:
            return None
        values = np.concatenate(blocks) if blocks else None
        if whole or (values is not None and len(values) >= limit):
            return values
        want *= 2


def _wav_head(handle: BinaryIO, limit: int) -> Optional[np.ndarray]:
    """The first ``limit`` frames of an open WAV file (frames × channels, float64, -1..1),
    as the whole file's values start; ``None`` when it does not read.
    """
    import soundfile as sf

    try:
        values, _ = sf.read(handle, frames=limit, dtype="float64", always_2d=True)
    except Exception:  # libsndfile's errors: the whole file's parse names the problem
        return None
    return values


def json_pieces(document: dict[str, Any]) -> Iterator[bytes]:
    """``document`` as JSON in pieces; a ``payload.values`` array (or :class:`CsvValues`) is
    encoded a slice at a time (non-finite numbers written as finite ones: JSON has no NaN).
    """
    payload = document.get("payload")
    values = payload.get("values") if isinstance(payload, dict) else None
    if isinstance(values, CsvValues):
        blocks: Iterable[np.ndarray] = values.blocks()
    elif isinstance(values, np.ndarray):
        blocks = [values]
    else:
        yield orjson.dumps(document, option=orjson.OPT_SERIALIZE_NUMPY)
        return
    marker = "values-" + secrets.token_hex(16)
    text = orjson.dumps({**document, "payload": {**payload, "values": marker}})
    head, _, tail = text.partition(orjson.dumps(marker))
    yield head
    yield from _value_pieces(blocks)
    yield tail


def _value_pieces(blocks: Iterable[np.ndarray]) -> Iterator[bytes]:
    yield b"["
    comma = b""
    for values in blocks:
        width = values.shape[1] if values.ndim == 2 else 1
        rows = max(1, VALUES_PER_PIECE // max(1, width))
        for start in range(0, len(values), rows):
            part = np.ascontiguousarray(values[start : start + rows], dtype=np.float64)
            if not np.isfinite(part).all():
                part = np.nan_to_num(part)
            text = orjson.dumps(part, option=orjson.OPT_SERIALIZE_NUMPY)
            yield comma + text[1:-1]
            comma = b","
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


async def each_on(pool: BlockingPool, pieces: Iterator[bytes]) -> AsyncIterator[bytes]:
    """A synchronous iterator of pieces as an asynchronous one, each piece made on ``pool``
    (reading a block of CSV values is work the event loop must not wait for).
    """
    while True:
        piece = await pool.run(next, pieces, None)
        if piece is None:
            break
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
