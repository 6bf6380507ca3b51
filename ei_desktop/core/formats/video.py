"""MP4 and AVI videos, recognised by their first bytes, contract §6.3.

Uploading does not decode the container: the ingestion service stores the bytes as they are.
Previews decode frames with PyAV (FFmpeg), imported only when a video is shown.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Optional

import numpy as np

from ei_desktop.core.formats import VIDEO, FormatError, ParsedSample
from ei_desktop.core.model import Sensor

_NAMES = {"mp4": "an MP4 video", "avi": "an AVI video"}


def container_of(data: bytes) -> Optional[str]:
    """Return ``"mp4"`` (an ISO-BMFF ``ftyp`` box first), ``"avi"`` (``RIFF….AVI ``) or ``None``."""
    if len(data) >= 12 and data[4:8] == b"ftyp":
        return "mp4"
    if len(data) >= 12 and data[:4] == b"RIFF" and data[8:12] == b"AVI ":
        return "avi"
    return None


def parse(data: bytes, *, expected: Optional[str] = None) -> ParsedSample:
    """Check that ``data`` is the video container its file name says.

    Args:
        data: the whole file.
        expected: the file's extension (``".mp4"`` or ``".avi"``, dot optional); ``None``
            accepts either container.

    Raises:
        FormatError: the bytes are not an MP4 or AVI container, or not the one ``expected``
            names.
    """
    found = container_of(data)
    wanted = expected.lower().lstrip(".") if expected else None
    if wanted is not None and wanted not in _NAMES:
        raise FormatError(f"'{expected}' is not a video file type (expected .mp4 or .avi)")
    if found is None or (wanted is not None and found != wanted):
        what = _NAMES[wanted] if wanted else "an MP4 or AVI video"
        hint = f" (it looks like {_NAMES[found]}; rename it to .{found})" if found else ""
        raise FormatError(f"This is not {what}{hint}")
    return ParsedSample(
        kind=VIDEO,
        sensors=[Sensor(name="video", units="rgba")],
        interval_ms=0.0,
        values_count=1,
    )


#: frames wider than this are scaled down for previews (aspect ratio kept)
PREVIEW_MAX_WIDTH = 1280


@dataclass
class VideoStream:
    """What a preview needs to know about a video's picture."""

    width: int
    height: int
    fps: float  # frames per second (25 when the file does not say)
    duration_s: float  # 0: not known


@dataclass
class VideoFrame:
    """One decoded picture: ``rgb`` is height × width × 3 ``uint8``."""

    index: int
    seconds: float
    rgb: np.ndarray


def _open(data: bytes):
    try:
        import av
    except ImportError as error:
        raise FormatError(f"Decoding video needs the PyAV package ({error})") from error
    try:
        container = av.open(io.BytesIO(data), mode="r")
    except Exception as error:  # PyAV raises one class per FFmpeg error code
        raise FormatError(f"This video cannot be decoded: {error}") from error
    if not container.streams.video:
        container.close()
        raise FormatError("This file has no video track")
    return container


def describe(data: bytes) -> VideoStream:
    """The size, frame rate and duration of ``data``'s first video track.

    Raises:
        FormatError: the bytes cannot be decoded (or PyAV is not installed).
    """
    container = _open(data)
    try:
        return _stream_info(container, container.streams.video[0])
    finally:
        container.close()


def _stream_info(container, stream) -> VideoStream:
    rate = stream.average_rate or stream.base_rate or stream.guessed_rate
    fps = float(rate) if rate else 25.0
    if stream.duration is not None and stream.time_base is not None:
        duration = float(stream.duration * stream.time_base)
    elif container.duration is not None:
        duration = container.duration / 1_000_000
    else:
        duration = 0.0
    return VideoStream(stream.codec_context.width, stream.codec_context.height, fps, duration)


def decode(
    data: bytes, *, max_width: int = PREVIEW_MAX_WIDTH
) -> tuple[VideoStream, Iterator[VideoFrame]]:
    """Open ``data`` and return its first video track's description and a lazy iterator over
    its frames as RGB arrays (scaled down to ``max_width`` pixels wide at most). Closing the
    iterator (or reaching its end) closes the file.

    Raises:
        FormatError: the bytes cannot be decoded (or PyAV is not installed); also raised by
            the iterator for a file that breaks halfway.
    """
    container = _open(data)
    stream = container.streams.video[0]
    stream.thread_type = "AUTO"
    info = _stream_info(container, stream)
    width, height = info.width, info.height
    if width > max_width > 0:
        height = max(2, round(height * max_width / width / 2) * 2)
        width = max_width

    def frames() -> Iterator[VideoFrame]:
        try:
            for index, frame in enumerate(container.decode(stream)):
                seconds = float(frame.time) if frame.time is not None else index / info.fps
                rgb = frame.to_ndarray(format="rgb24", width=width, height=height)
                yield VideoFrame(index, seconds, rgb)
        except FormatError:
            raise
        except Exception as error:
            raise FormatError(f"This video cannot be decoded: {error}") from error
        finally:
            container.close()

    return info, frames()
