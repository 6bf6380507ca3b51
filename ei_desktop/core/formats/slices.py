"""A part of a time-series or audio sample as a file of its own (for crop and split).

Time series and tables become data acquisition JSON holding exactly the rows kept; audio
stays WAV with the same encoding, cut at the frames kept.
"""

from __future__ import annotations

import io
from typing import Optional

import numpy as np
import soundfile as sf

from ei_desktop.core.formats import AUDIO, FormatError
from ei_desktop.core.formats.acquisition import to_json
from ei_desktop.core.model import Sensor


def slice_file(
    kind: str,
    data: bytes,
    *,
    values: Optional[np.ndarray],
    sensors: list[Sensor],
    interval_ms: float,
    device_type: str,
    device_name: Optional[str],
    start: int,
    end: int,
) -> tuple[str, bytes]:
    """Rows ``start`` up to but not including ``end``: the new file's extension and bytes.

    Raises:
        FormatError: the audio encoding cannot be cut here.
    """
    if kind == AUDIO:
        return ".wav", _wav_frames(data, start, end)
    assert values is not None
    text = to_json(device_type, device_name, sensors, values[start:end], interval_ms)
    return ".json", text.encode("utf-8")


def slice_structured_labels(segments: Optional[list], start: int, end: int) -> Optional[list]:
    """Label segments (inclusive row indices) of rows ``start``…``end - 1``, renumbered from 0;
    segments outside are dropped, ones that overlap an edge are cut.
    """
    if not segments:
        return None
    kept = []
    for segment in segments:
        first = max(int(segment["startIndex"]), start)
        last = min(int(segment["endIndex"]), end - 1)
        if first <= last:
            kept.append(
                {"label": segment["label"], "startIndex": first - start, "endIndex": last - start}
            )
    return kept or None


#: the sample type that holds each WAV encoding's values exactly
_EXACT_DTYPE = {
    "PCM_U8": "int16",
    "PCM_16": "int16",
    "PCM_24": "int32",
    "PCM_32": "int32",
    "FLOAT": "float32",
    "DOUBLE": "float64",
}


def _wav_frames(data: bytes, start: int, end: int) -> bytes:
    """Frames ``start``…``end - 1`` as a WAV file of the same encoding (values unchanged)."""
    try:
        info = sf.info(io.BytesIO(data))
        dtype = _EXACT_DTYPE.get(info.subtype)
        if dtype is None:
            raise FormatError(f"A WAV file in {info.subtype_info} cannot be cut")
        frames, rate = sf.read(io.BytesIO(data), start=start, stop=end, dtype=dtype, always_2d=True)
        out = io.BytesIO()
        sf.write(out, frames, rate, subtype=info.subtype, format="WAV")
    except sf.LibsndfileError as exc:
        raise FormatError(f"This WAV file cannot be cut: {exc}") from None
    return out.getvalue()
