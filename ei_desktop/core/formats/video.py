"""MP4 and AVI videos, recognised by their first bytes, contract §6.3.

The container is not decoded: the ingestion service stores the bytes as they are.
"""

from __future__ import annotations

from typing import Optional

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
