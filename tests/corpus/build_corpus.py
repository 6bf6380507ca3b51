"""A corpus of malformed and awkward sample files, for format, upload and GUI tests.

:func:`build_corpus` writes the files and says, for each, what the error message must mention
(a lower-case word or phrase), or ``""`` when the file is valid and must upload.

Not included, on purpose: a file over the size limit (the limit belongs to the caller; write
a large file in the test that needs one), symlink loops and unreadable files (directory-walk
concerns, tested where the walk is).
"""

from __future__ import annotations

import io
import json
import math
import os
import struct
from pathlib import Path

import cbor2
import numpy as np
import soundfile as sf
from PIL import Image

ACCEL = [{"name": "accX", "units": "m/s2"}, {"name": "accY", "units": "m/s2"}]
ROWS = [[0.5, -9.81], [0.25, -9.8], [0.125, -9.79]]


def acquisition(**payload) -> dict:
    """Return a valid acquisition document, with ``payload`` keys replaced (``...`` deletes)."""
    document = {
        "protected": {"ver": "v1", "alg": "none", "iat": None},
        "payload": {
            "device_type": "CORPUS",
            "sensors": ACCEL,
            "values": ROWS,
            "interval_ms": 10,
            "device_name": None,
        },
        "signature": None,
    }
    for key, value in payload.items():
        if value is ...:
            del document["payload"][key]
        else:
            document["payload"][key] = value
    return document


def wav(subtype: str, frames: int = 800, rate: int = 8000) -> bytes:
    """Return a mono WAV file of a quiet tone in ``subtype`` encoding."""
    buffer = io.BytesIO()
    tone = 0.3 * np.sin(np.arange(frames) / 5.0)
    sf.write(buffer, tone, rate, format="WAV", subtype=subtype)
    return buffer.getvalue()


def image(fmt: str, size: tuple[int, int] = (32, 24)) -> bytes:
    """Return a small noisy image (noise keeps the file from compressing to nothing)."""
    buffer = io.BytesIO()
    Image.effect_noise(size, 50).convert("RGB").save(buffer, format=fmt)
    return buffer.getvalue()


def csv_text(rows: list[str], header: str = "timestamp,accX,accY") -> str:
    """Return CSV text: ``header`` and ``rows``, LF line ends."""
    return "\n".join([header, *rows]) + "\n"


def _good_csv_rows(count: int = 5) -> list[str]:
    return [f"{i * 20},{i / 4},{-i * 1.5}" for i in range(count)]


def _files() -> dict[str, tuple[bytes, str]]:
    good_json = json.dumps(acquisition()).encode()
    good_cbor = cbor2.dumps(acquisition())
    good_csv = csv_text(_good_csv_rows()).encode()
    pcm = wav("PCM_16")
    png = image("PNG")
    files: dict[str, tuple[bytes, str]] = {
        # empty files, whatever the extension
        "empty/empty.csv": (b"", "empty"),
        "empty/empty.txt": (b"", "empty"),
        "empty/empty.json": (b"", "empty"),
        "empty/empty.cbor": (b"", "empty"),
        "empty/empty.wav": (b"", "empty"),
        "empty/empty.png": (b"", "empty"),
        "empty/empty.jpg": (b"", "empty"),
        "empty/empty.mp4": (b"", "empty"),
        # data acquisition format
        "acquisition/truncated.cbor": (good_cbor[: len(good_cbor) // 2], "truncated"),
        "acquisition/values-as-strings.json": (
            json.dumps(acquisition(values=[["0.5", "-9.81"]])).encode(),
            "not a number",
        ),
        "acquisition/values-as-strings.cbor": (
            cbor2.dumps(acquisition(values=[["0.5", "-9.81"]])),
            "not a number",
        ),
        "acquisition/values-as-bools.json": (
            json.dumps(acquisition(values=[[True, False]])).encode(),
            "not a number",
        ),
        "acquisition/sensors-not-a-list.json": (
            json.dumps(acquisition(sensors={"name": "accX", "units": "m/s2"})).encode(),
            "payload.sensors must be a list",
        ),
        "acquisition/sensors-empty.cbor": (
            cbor2.dumps(acquisition(sensors=[])),
            "sensors is empty",
        ),
        "acquisition/interval-as-string.cbor": (
            cbor2.dumps(acquisition(interval_ms="10")),
            "interval_ms must be a number",
        ),
        "acquisition/interval-negative.json": (
            json.dumps(acquisition(interval_ms=-5)).encode(),
            "greater than 0, got -5",
        ),
        "acquisition/interval-nan.cbor": (
            cbor2.dumps(acquisition(interval_ms=math.nan)),
            "interval_ms must be a number",
        ),
        "acquisition/device-type-missing.json": (
            json.dumps(acquisition(device_type=...)).encode(),
            "device_type is missing",
        ),
        "acquisition/no-payload.json": (
            b'{"protected": {"ver": "v1"}, "signature": null}',
            "payload",
        ),
        "acquisition/zero-rows.json": (
            json.dumps(acquisition(values=[])).encode(),
            "values is empty",
        ),
        "acquisition/ragged-rows.json": (
            json.dumps(acquisition(values=[[1, 2], [3], [4, 5]])).encode(),
            "row 2 has 1 value, expected 2",
        ),
        "acquisition/ragged-rows.cbor": (
            cbor2.dumps(acquisition(values=[[1, 2], [3, 4], [5, 6, 7]])),
            "row 3 has 3 values, expected 2",
        ),
        "acquisition/nan-literal.json": (
            good_json.replace(b"0.125", b"NaN"),
            "nan, which is not a number allowed",
        ),
        "acquisition/infinite-value.cbor": (
            cbor2.dumps(acquisition(values=[[1.0, math.inf]])),
            "not a finite number",
        ),
        "acquisition/top-level-list.json": (b"[1, 2, 3]", "top level"),
        "acquisition/deeply-nested.json": (b"[" * 100_000, "nested too deeply"),
        "acquisition/deeply-nested.cbor": (b"\x81" * 100_000 + b"\x00", "nested too deeply"),
        "acquisition/json-in-a.cbor": (good_json, "not valid cbor"),
        "acquisition/cbor-in-a.json": (good_cbor, "not utf-8"),
        "acquisition/broken.json": (good_json[:-2], "not valid json"),
        "acquisition/utf-16.json": (good_json.decode().encode("utf-16"), "utf-16"),
        "acquisition/flat-single-axis.json": (
            json.dumps(
                acquisition(sensors=[{"name": "audio", "units": "wav"}], values=[0, 0.5, -0.5])
            ).encode(),
            "",
        ),
        "acquisition/one-row-zero-interval.cbor": (
            cbor2.dumps(acquisition(values=[[1, 2]], interval_ms=0)),
            "",
        ),
        "acquisition/extra-keys-any-order.cbor": (
            cbor2.dumps(
                {
                    "signature": "0" * 64,
                    "payload": {"values": ROWS, "extra": 1, **acquisition()["payload"]},
                    "protected": {"alg": "HS256", "ver": "v1", "iat": 1564128599},
                    "vendor": {"x": [1, 2]},
                }
            ),
            "",
        ),
        # CSV
        "csv/text-in-numbers.csv": (
            csv_text(["0,1,2", "20,abc,4"]).encode(),
            "row 3, column 'accx': 'abc' is not a number",
        ),
        "csv/empty-cell.csv": (csv_text(["0,1,2", "20,,4"]).encode(), "is empty"),
        "csv/ragged-row.csv": (csv_text(["0,1,2", "20,3", "40,5,6"]).encode(), "row 3 has 2 cells"),
        "csv/no-timestamp.csv": (
            csv_text([row.split(",", 1)[1] for row in _good_csv_rows(200)], "accX,accY").encode(),
            "no 'timestamp' column",
        ),
        "csv/decreasing-timestamps.csv": (
            csv_text(["0,1,2", "20,1,2", "10,1,2"]).encode(),
            "row 4: timestamp 10 is smaller",
        ),
        "csv/nan.csv": (csv_text(["0,1,2", "20,NaN,2"]).encode(), "not a finite number"),
        "csv/inf.csv": (csv_text(["0,1,inf", "20,1,2"]).encode(), "not a finite number"),
        "csv/latin-1.csv": (
            csv_text(["0,1,2", "20,3,4"], "timestamp,température,accY").encode("latin-1"),
            "not utf-8",
        ),
        "csv/header-only.csv": (b"timestamp,accX,accY\n", "no data rows"),
        "csv/only-whitespace.csv": (b"   \r\n\r\n", "must be a header"),
        "csv/utf-16.csv": (good_csv.decode().encode("utf-16"), "not utf-8 text but utf-16"),
        "csv/missing-timestamps.csv": (
            csv_text([",1,2"] * 100).encode(),
            "row 2, column 'timestamp' is empty",
        ),
        "csv/blank-line-inside.csv": (csv_text(["0,1,2", "", "20,3,4"]).encode(), "row 3 is empty"),
        "csv/excel-trailing-commas.csv": (good_csv + b",,\r\n,,\r\n", ""),
        "csv/ten-digits.csv": (b"1234567890", "no data rows"),
        "csv/timestamp-only.csv": (b"timestamp\n0\n10\n20\n", "no sensor columns"),
        "csv/duplicate-header.csv": (b"timestamp,acc,acc\n0,1,2\n10,3,4\n", "more than once"),
        "csv/empty-header-name.csv": (b"timestamp,,accY\n0,1,2\n10,3,4\n", "empty name"),
        "csv/png-named.csv": (png, "not utf-8"),
        "csv/utf8-bom.csv": (b"\xef\xbb\xbf" + good_csv, ""),
        "csv/crlf.csv": (good_csv.replace(b"\n", b"\r\n"), ""),
        "csv/no-final-newline.csv": (good_csv.rstrip(b"\n"), ""),
        "csv/good.02.txt": (good_csv, ""),
        "csv/one-row-table.csv": (b"temperature,humidity,x\n45,80,0.3\n", ""),
        "csv/quoted-cells.csv": (b'"timestamp","acc X"\n"0","1.5"\n"10","2.5"\n', ""),
        # WAV
        "wav/zero-frames.wav": (wav("PCM_16", frames=0), "no audio"),
        "wav/mu-law.wav": (wav("ULAW"), "µ-law encoding"),
        "wav/ima-adpcm.wav": (wav("IMA_ADPCM"), "ima adpcm encoding"),
        "wav/truncated.wav": (pcm[: len(pcm) // 2], "truncated"),
        "wav/text.wav": (b"this is not audio at all", "riff/wave header"),
        "wav/pcm-u8.wav": (wav("PCM_U8"), ""),
        "wav/float-stereo.wav": (_stereo_float_wav(), ""),
        # images
        "image/truncated.png": (png[: len(png) // 2], "damaged or truncated"),
        "image/truncated.jpg": (image("JPEG")[:300], "damaged or truncated"),
        "image/text.jpg": (b"hello, I am a text file", "not a png or jpeg image"),
        "image/gif-named.png": (image("GIF"), "not a png or jpeg image"),
        "image/jpeg-named.png": (image("JPEG"), ""),
        "image/UPPER.JPEG": (image("JPEG"), ""),
        # video
        "video/text.mp4": (b"not a movie", "not an mp4 video"),
        "video/avi-named.mp4": (_avi(), "not an mp4 video"),
        "video/tiny.mp4": (_mp4(), ""),
        "video/tiny.avi": (_avi(), ""),
        # extensions that are not samples
        "other/data.wrong": (good_csv, "unsupported file type"),
        "other/no-extension": (good_csv, "unsupported file type"),
        "other/notes.csv.bak": (good_csv, "unsupported file type"),
        # awkward names of valid files (labels are inferred from names)
        "names/it's a wave.01.json": (good_json, ""),
        "names/emoji 🚀 wave.cbor": (good_cbor, ""),
        "names/space in name.csv": (good_csv, ""),
        "names/we..ird.csv": (good_csv, ""),
        "names/..leading-dots.csv": (good_csv, ""),
        "names/ünïcödé-日本語.png": (png, ""),
        "names/label.with.many.dots.01.wav": (pcm, ""),
        "names/LOUD.CSV": (good_csv, ""),
        "names/deeper/nested dir/idle.02.cbor": (good_cbor, ""),
    }
    if os.name != "nt":  # Windows forbids double quotes in file names
        files['names/"quoted" name.json'] = (good_json, "")
    return files


def _stereo_float_wav() -> bytes:
    buffer = io.BytesIO()
    frames = np.stack([np.linspace(-1, 1, 400), np.linspace(1, -1, 400)], axis=1)
    sf.write(buffer, frames, 16000, format="WAV", subtype="FLOAT")
    return buffer.getvalue()


def _mp4() -> bytes:
    """Return the first boxes of an MP4 file (an ISO-BMFF 'ftyp' box, then 'free')."""
    ftyp = b"ftypisom" + struct.pack(">I", 0x200) + b"isomiso2avc1mp41"
    return struct.pack(">I", 8 + len(ftyp) - 4) + ftyp + struct.pack(">I", 8) + b"free"


def _avi() -> bytes:
    """Return the start of an AVI file (RIFF 'AVI ' with an empty 'hdrl' list)."""
    hdrl = b"LIST" + struct.pack("<I", 4) + b"hdrl"
    return b"RIFF" + struct.pack("<I", 4 + len(hdrl)) + b"AVI " + hdrl


def build_corpus(directory: Path) -> dict[str, str]:
    """Write the corpus into ``directory`` (created if needed).

    Returns:
        ``{relative path (with "/"): expected}``, where ``expected`` is a lower-case word or
        phrase the error message must contain, or ``""`` for a valid file that must upload.
    """
    directory = Path(directory)
    expected = {}
    for relative, (content, problem) in _files().items():
        path = directory.joinpath(*relative.split("/"))
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)
        expected[relative] = problem
    return expected
