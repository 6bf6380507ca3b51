"""Turn the bytes of an uploaded file into a validated sample description, or a clear error.

One module per kind of file; :func:`parse` dispatches on the file name's extension (never on
content type), as the Edge Impulse ingestion service does. Every problem is a
:class:`FormatError` whose message names the problem in plain words (the caller adds the file
name).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Optional

import numpy as np

from ei_desktop.core.model import Sensor

#: sample kinds as stored and shown
TIMESERIES = "timeseries"  # acquisition JSON/CBOR, multi-row CSV, Parquet
TABLE = "table"  # single-row CSV without timestamp (non-time-series)
AUDIO = "audio"
IMAGE = "image"
VIDEO = "video"

#: extension (lower case, with dot) -> reader kind
EXTENSIONS: dict[str, str] = {
    ".json": "acquisition",
    ".cbor": "acquisition",
    ".csv": "csv",
    ".parquet": "parquet",
    ".txt": "csv",
    ".wav": "wav",
    ".jpg": "image",
    ".jpeg": "image",
    ".png": "image",
    ".mp4": "video",
    ".avi": "video",
}

#: default size limit for one file (the ingestion service documents 100 MB per file)
DEFAULT_MAX_FILE_BYTES = 100 * 1024 * 1024


class FormatError(ValueError):
    """A file that cannot be stored as a sample; ``str(error)`` says why."""


@dataclass
class ParsedSample:
    """What a file holds, validated.

    Attributes:
        kind: one of ``timeseries``, ``table``, ``audio``, ``image``, ``video``.
        sensors: the axes (time series, table, audio: one per channel named ``audio`` with
            units ``wav``) or one pseudo-sensor (``image``/``video`` with units ``rgba``).
        values: rows × axes, float64, for ``timeseries`` and ``table``; for ``audio`` only
            when asked for (``with_values=True``); ``None`` for images and video. A large
            CSV file parsed without ``with_values`` is only validated: its values are read
            from the file on first use of ``values``, so callers that need them ask.
        interval_ms: milliseconds between rows (> 0 for every kind but image and video,
            which have 0; a table uses 1).
        values_count: number of rows (audio: frames; image and video: 1).
        device_type, device_name: from an acquisition file; ``EDGE_IMPULSE_UPLOADER`` and
            ``None`` for other files.
        width, height: pixel size of an image, when known.
        signed: ``True`` when an acquisition file carries a non-empty HS256 signature (not
            verified).
    """

    kind: str
    sensors: list[Sensor]
    values: Optional[np.ndarray] = None
    interval_ms: float = 0.0
    values_count: int = 0
    device_type: str = "EDGE_IMPULSE_UPLOADER"
    device_name: Optional[str] = None
    width: Optional[int] = None
    height: Optional[int] = None
    signed: bool = False
    extra: dict = field(default_factory=dict)

    @property
    def frequency_hz(self) -> float:
        """Readings per second (0 for images and video)."""
        return 1000.0 / self.interval_ms if self.interval_ms > 0 else 0.0


def extension_of(filename: str) -> str:
    """Return the last extension of ``filename``, lower case, with its dot (``""`` when none)."""
    return os.path.splitext(filename)[1].lower()


def is_supported(filename: str) -> bool:
    """Tell whether ``filename``'s extension is a kind of sample the ingestion service accepts."""
    return extension_of(filename) in EXTENSIONS


def parse(filename: str, data: bytes, *, with_values: bool = False) -> ParsedSample:
    """Validate ``data`` as the kind of file ``filename``'s extension names.

    Args:
        filename: the uploaded name; only its extension matters.
        data: the whole file content.
        with_values: also decode audio frames, and read a large CSV file's rows, into
            ``values`` (without it, validating a CSV file holds one block of rows at a time).

    Raises:
        FormatError: the extension is not supported or the content is not valid for it.
    """
    reader = EXTENSIONS.get(extension_of(filename))
    if reader is None:
        ext = extension_of(filename) or "(none)"
        raise FormatError(
            f"Unsupported file type '{ext}' (expected one of: {', '.join(sorted(EXTENSIONS))})"
        )
    if not data:
        raise FormatError("The file is empty")
    try:
        if reader == "acquisition":
            from ei_desktop.core.formats import acquisition

            return acquisition.parse(data, cbor=extension_of(filename) == ".cbor")
        if reader == "csv":
            from ei_desktop.core.formats import csv

            return csv.parse(data, with_values=with_values)
        if reader == "parquet":
            from ei_desktop.core.formats import parquet

            return parquet.parse(data)
        if reader == "wav":
            from ei_desktop.core.formats import wav

            return wav.parse(data, with_values=with_values)
        if reader == "image":
            from ei_desktop.core.formats import image

            return image.parse(data)
        from ei_desktop.core.formats import video

        return video.parse(data, expected=extension_of(filename))
    except RecursionError:
        raise FormatError("The file is nested too deeply to read") from None
    except MemoryError:
        raise FormatError("The file is too large to read into memory") from None
