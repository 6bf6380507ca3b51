"""Between the SDK's :class:`Sample` objects and the backends' :class:`UploadItem` and
:class:`DownloadedSample`.
"""

from __future__ import annotations

import io
import json
import os
import secrets
from dataclasses import asdict
from typing import Any, Optional

from ei_desktop.core.backends.base import DownloadedSample, UploadItem
from ei_desktop.core.model import DataAcquisition, Sample
from ei_desktop.core.scan import FileSource

_MAGIC = (
    (b"\x89PNG\r\n\x1a\n", ".png"),
    (b"\xff\xd8\xff", ".jpg"),
    (b"RIFF", ".wav"),
)


def guess_extension(head: bytes) -> str:
    """An extension for content that came without a file name."""
    for magic, ext in _MAGIC:
        if head.startswith(magic):
            if ext == ".wav" and head[8:12] == b"AVI ":
                return ".avi"
            return ext
    if head[4:8] == b"ftyp":
        return ".mp4"
    stripped = head.lstrip()
    if stripped.startswith((b"{", b"[")):
        return ".json"
    if head[:1] and head[0] >> 5 == 5:  # a CBOR map
        return ".cbor"
    return ".csv"


class _Borrowed(io.RawIOBase):
    """A caller's file object lent to an upload: reading works, closing does not close it."""

    def __init__(self, handle: Any) -> None:
        super().__init__()
        self._handle = handle

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        data = self._handle.read(size)
        return data.encode("utf-8") if isinstance(data, str) else data

    def readinto(self, buffer) -> int:
        data = self.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)


class _Lent:
    """Opens a caller's file object for an upload: each opening reads from where the file
    stood when it was lent (so a retried upload sends the same bytes), without closing it.
    """

    def __init__(self, handle: Any) -> None:
        self._handle = handle
        self._start: Optional[int] = None
        self.size: Optional[int] = None  # bytes from the start, when known without reading
        try:
            if handle.seekable() and isinstance(handle.read(0), bytes):
                self._start = handle.tell()
                self.size = max(0, handle.seek(0, io.SEEK_END) - self._start)
                handle.seek(self._start)
        except (AttributeError, OSError, ValueError):
            self._start = self.size = None

    def __call__(self) -> _Borrowed:
        if self._start is not None:
            self._handle.seek(self._start)
        return _Borrowed(self._handle)


def _content(sample: Sample) -> Any:
    """``bytes``, a path, or a callable returning a binary file."""
    data = sample.data
    if isinstance(data, DataAcquisition):
        return json.dumps(asdict(data)).encode("utf-8")
    if isinstance(data, (bytes, bytearray, memoryview)):
        return bytes(data)
    if isinstance(data, str):
        return data.encode("utf-8")
    if isinstance(data, FileSource):
        return data.path
    if isinstance(data, io.StringIO):
        return data.getvalue().encode("utf-8")
    if hasattr(data, "read"):
        return _Lent(data)
    raise TypeError(
        f"Sample data must be bytes, text, a file object or a DataAcquisition, "
        f"not {type(data).__name__}"
    )


def sample_to_item(sample: Sample) -> UploadItem:
    """The upload item for ``sample`` (raises ``TypeError`` for data of an unusable type)."""
    source = _content(sample)
    filename = sample.filename
    if isinstance(filename, tuple):  # tolerate the official SDK's 1-tuple names
        filename = filename[0] if filename else None
    if not filename:
        if isinstance(source, bytes):
            head = source[:16]
        elif isinstance(source, str):
            with open(source, "rb") as handle:
                head = handle.read(16)
        else:
            source = _read_all(source)
            head = source[:16]
        filename = f"{secrets.token_hex(8)}{guess_extension(head)}"
    label = sample.label
    if label is not None and not isinstance(label, str):
        label = str(label)
    return UploadItem(
        filename=str(filename),
        source=source,
        category=sample.category if sample.category is not None else "split",
        label=label,
        metadata=sample.metadata,
        bounding_boxes=sample.bounding_boxes,
        structured_labels=sample.structured_labels,
        key=sample,
        length=source.size if isinstance(source, _Lent) else None,
    )


def _read_all(opener) -> bytes:
    with opener() as handle:
        return handle.read()


def downloaded_to_sample(downloaded: DownloadedSample) -> Sample:
    """A :class:`Sample` as the official downloader builds it: time series as acquisition JSON
    text, media as a ``BytesIO`` of their bytes.
    """
    record = downloaded.record
    data = downloaded.data
    if isinstance(data, bytes):
        data = io.BytesIO(data)
    return Sample(
        data=data,
        filename=downloaded.filename,
        sample_id=record.id,
        label=record.label,
        category=record.category,
        bounding_boxes=record.bounding_boxes,
        metadata=record.metadata,
        structured_labels=record.structured_labels,
    )


def save_downloaded(downloaded: DownloadedSample, directory: str | os.PathLike) -> str:
    """Write a downloaded sample into ``directory`` under a safe, unused name; returns the path."""
    from ei_desktop.core.naming import safe_filename

    name = safe_filename(downloaded.filename)
    stem, ext = os.path.splitext(name)
    path = os.path.join(directory, name)
    counter = 1
    while os.path.exists(path):
        path = os.path.join(
            directory, f"{stem}.{downloaded.record.id}{'' if counter == 1 else f'-{counter}'}{ext}"
        )
        counter += 1
    data = downloaded.data.encode("utf-8") if isinstance(downloaded.data, str) else downloaded.data
    tmp = f"{path}.part"
    with open(tmp, "wb") as handle:
        handle.write(data)
    os.replace(tmp, path)
    return path
