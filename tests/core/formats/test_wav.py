from __future__ import annotations

import io
import struct
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from ei_desktop.core import formats
from ei_desktop.core.formats import FormatError
from ei_desktop.core.model import Sensor

SAMPLES = Path(__file__).resolve().parents[2] / "data" / "ei-samples"

TONE = (0.5 * np.sin(np.arange(1600) / 8)).astype(np.float64)


def wav_bytes(subtype: str, frames=TONE, rate: int = 16000, fmt: str = "WAV") -> bytes:
    buffer = io.BytesIO()
    sf.write(buffer, frames, rate, format=fmt, subtype=subtype)
    return buffer.getvalue()


def error_of(data: bytes) -> str:
    with pytest.raises(FormatError) as caught:
        formats.parse("sound.wav", data, with_values=True)
    return str(caught.value)


def test_real_float_sample():
    data = (SAMPLES / "hadouken.01.wav").read_bytes()
    sample = formats.parse("hadouken.01.wav", data)
    assert sample.kind == formats.AUDIO
    assert sample.sensors == [Sensor("audio", "wav")]
    assert sample.interval_ms == pytest.approx(1000 / 44100)
    assert sample.frequency_hz == pytest.approx(44100)
    assert sample.values_count == 44100
    assert sample.values is None  # frames are decoded only on request
    with_values = formats.parse("hadouken.01.wav", data, with_values=True)
    assert with_values.values.shape == (44100, 1)
    assert with_values.values.dtype == np.float64
    assert with_values.values[:2, 0].tolist() == [0.000701904296875, 0.000335693359375]


@pytest.mark.parametrize(
    ("subtype", "tolerance"),
    [("PCM_U8", 1 / 64), ("PCM_16", 1e-4), ("PCM_24", 1e-6), ("PCM_32", 1e-8), ("FLOAT", 1e-7)]
    + [("DOUBLE", 0)],
)
def test_pcm_and_float_encodings_are_accepted(subtype, tolerance):
    sample = formats.parse("tone.wav", wav_bytes(subtype), with_values=True)
    assert sample.values_count == len(TONE)
    assert sample.interval_ms == 1000 / 16000
    assert np.allclose(sample.values[:, 0], TONE, atol=tolerance, rtol=0)


def test_one_sensor_per_channel():
    stereo = np.stack([TONE, -TONE], axis=1)
    sample = formats.parse("s.wav", wav_bytes("PCM_16", stereo, rate=8000), with_values=True)
    assert sample.sensors == [Sensor("audio", "wav"), Sensor("audio", "wav")]
    assert sample.values.shape == (len(TONE), 2)
    assert sample.interval_ms == 0.125


def test_wave_format_extensible_is_accepted():
    sample = formats.parse("x.wav", wav_bytes("PCM_24", fmt="WAVEX"))
    assert sample.values_count == len(TONE)


@pytest.mark.parametrize(
    ("subtype", "encoding"),
    [
        ("IMA_ADPCM", "IMA ADPCM"),
        ("MS_ADPCM", "Microsoft ADPCM"),
        ("ULAW", "µ-law"),
        ("ALAW", "A-law"),
        ("GSM610", "GSM 6.10"),
    ],
)
def test_other_encodings_are_refused_by_name(subtype, encoding):
    message = error_of(wav_bytes(subtype))
    assert f"uses the {encoding} encoding, which is not supported" in message
    assert "PCM" in message


def test_zero_frames_are_refused():
    assert "contains no audio (0 frames)" in error_of(wav_bytes("PCM_16", np.zeros(0)))


@pytest.mark.parametrize("keep", [44, 100, 3000])
def test_truncated_audio_data_is_refused(keep):
    data = wav_bytes("PCM_16")  # 44-byte header + 3200 bytes of frames
    message = error_of(data[:keep])
    assert f"truncated: its audio data is missing {3244 - keep} bytes" in message


def test_streamed_wav_with_unknown_data_size_is_accepted():
    data = bytearray(wav_bytes("PCM_16"))
    struct.pack_into("<I", data, 40, 0xFFFFFFFF)  # the data chunk's size field
    assert formats.parse("live.wav", bytes(data)).values_count == len(TONE)


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"RIFF", "not a WAV file: it does not start with a RIFF/WAVE header"),
        (b"hello, this is text and not audio", "does not start with a RIFF/WAVE header"),
        (wav_bytes("PCM_16", fmt="AIFF"), "(it looks like an AIFF file)"),
        (wav_bytes("PCM_16", fmt="FLAC"), "(it looks like a FLAC file)"),
        (b"ID3\x03\x00" + bytes(100), "(it looks like an MP3 file)"),
        (b"RIFF\x10\x00\x00\x00WAVEjunkjunkjunk", "could not be read: Error in WAV file"),
        (wav_bytes("PCM_16")[:30], "could not be read"),
    ],
)
def test_not_a_wav_or_damaged(data, expected):
    assert expected in error_of(data)


def test_dispatch_reports_empty_files():
    with pytest.raises(FormatError, match="The file is empty"):
        formats.parse("x.wav", b"")
