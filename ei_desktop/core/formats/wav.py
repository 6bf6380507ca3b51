"""WAV audio files (RIFF/WAVE, PCM or IEEE float), contract §6.3."""

from __future__ import annotations

import io
import struct

import soundfile as sf

from ei_desktop.core.formats import AUDIO, FormatError, ParsedSample
from ei_desktop.core.model import Sensor

#: libsndfile subtypes accepted: PCM 8/16/24/32-bit and IEEE float
SUBTYPES = frozenset({"PCM_U8", "PCM_S8", "PCM_16", "PCM_24", "PCM_32", "FLOAT", "DOUBLE"})

#: how the encodings the ingestion service refuses are called in messages
_ENCODING_NAMES = {
    "IMA_ADPCM": "IMA ADPCM",
    "MS_ADPCM": "Microsoft ADPCM",
    "ULAW": "µ-law",
    "ALAW": "A-law",
    "GSM610": "GSM 6.10",
    "G721_32": "G.721 ADPCM",
    "MPEG_LAYER_III": "MP3",
}

#: first bytes of files that are sometimes named .wav by mistake
_OTHER_AUDIO = {
    b"RF64": "an RF64 (64-bit WAV) file",
    b"RIFX": "a big-endian RIFX file",
    b"FORM": "an AIFF file",
    b"OggS": "an Ogg file",
    b"fLaC": "a FLAC file",
    b"ID3": "an MP3 file",
    b"\xff\xfb": "an MP3 file",
}

_SENTINEL_SIZES = (0, 0xFFFFFFFF)  # written by recorders that stream and never seek back


def parse(data: bytes, with_values: bool = False) -> ParsedSample:
    """Validate a WAV file and describe its channels and sample rate.

    Args:
        data: the whole file.
        with_values: also decode the frames into ``values`` (frames × channels, float64,
            scaled to -1..1).

    Raises:
        FormatError: not a RIFF/WAVE file, an encoding other than PCM or IEEE float, no
            frames, or a damaged or truncated file.
    """
    if len(data) < 12 or data[:4] != b"RIFF" or data[8:12] != b"WAVE":
        kind = next((name for magic, name in _OTHER_AUDIO.items() if data.startswith(magic)), "")
        hint = f" (it looks like {kind})" if kind else ""
        raise FormatError(
            f"This is not a WAV file: it does not start with a RIFF/WAVE header{hint}"
        )
    try:
        info = sf.info(io.BytesIO(data))
    except Exception as error:  # libsndfile's messages name the damaged part
        raise FormatError(f"The WAV file could not be read: {_reason(error)}") from None
    if info.format not in ("WAV", "WAVEX"):
        raise FormatError(f"This is not a WAV file (it was read as {info.format_info})")
    if info.subtype not in SUBTYPES:
        name = _ENCODING_NAMES.get(info.subtype, info.subtype_info or info.subtype)
        raise FormatError(
            f"The WAV file uses the {name} encoding, which is not supported; use PCM "
            "(8, 16, 24 or 32-bit) or IEEE float"
        )
    missing = _missing_bytes(data)
    if missing:
        raise FormatError(
            f"The WAV file is truncated: its audio data is missing {missing} bytes at the end"
        )
    if info.frames <= 0:
        raise FormatError("The WAV file contains no audio (0 frames)")
    values = None
    frames = info.frames
    if with_values:
        try:
            values, _ = sf.read(io.BytesIO(data), dtype="float64", always_2d=True)
        except Exception as error:
            raise FormatError(f"The WAV file could not be read: {_reason(error)}") from None
        frames = len(values)
    return ParsedSample(
        kind=AUDIO,
        sensors=[Sensor(name="audio", units="wav") for _ in range(info.channels)],
        values=values,
        interval_ms=1000.0 / info.samplerate,
        values_count=frames,
    )


def _missing_bytes(data: bytes) -> int:
    """Count the bytes the ``data`` chunk declares beyond the end of the file (0 if none)."""
    offset = 12
    while offset + 8 <= len(data):
        chunk_id = data[offset : offset + 4]
        (size,) = struct.unpack_from("<I", data, offset + 4)
        if chunk_id == b"data":
            if size in _SENTINEL_SIZES:
                return 0
            return max(0, size - (len(data) - offset - 8))
        offset += 8 + size + (size & 1)
    return 0


def _reason(error: Exception) -> str:
    """Return the useful part of a libsndfile message (without the file object's repr)."""
    message = str(error)
    _, found, rest = message.partition(">: ")
    text = rest if found else message
    return text.strip() or type(error).__name__
