"""JPEG and PNG images, contract §6.3.

The whole image is decoded, so a truncated file is refused. Pillow's decompression-bomb check
becomes a :class:`FormatError`, and Pillow's warnings and log records never reach stderr.
"""

from __future__ import annotations

import io
import logging
import threading
import warnings

from PIL import Image

from ei_desktop.core.formats import IMAGE, FormatError, ParsedSample
from ei_desktop.core.model import Sensor

_PNG = b"\x89PNG\r\n\x1a\n"
_JPEG = b"\xff\xd8\xff"

#: first bytes of other image files, to say what a refused file is
_OTHER_IMAGES = {
    b"GIF87a": "a GIF image",
    b"GIF89a": "a GIF image",
    b"BM": "a BMP image",
    b"II*\x00": "a TIFF image",
    b"MM\x00*": "a TIFF image",
    b"\x00\x00\x01\x00": "an ICO icon",
    b"<svg": "an SVG drawing",
    b"<?xml": "an XML (perhaps SVG) file",
    b"%PDF": "a PDF document",
}

# warnings.catch_warnings changes process-wide state: one image is opened at a time
_open_lock = threading.Lock()

# Pillow logs through the "PIL" logger; with a handler of its own, nothing falls through to
# Python's last-resort stderr handler, while an application's logging setup still sees it.
logging.getLogger("PIL").addHandler(logging.NullHandler())


def parse(data: bytes) -> ParsedSample:
    """Decode a JPEG or PNG image and return its pixel size.

    Raises:
        FormatError: not a PNG or JPEG image, damaged or truncated, or so large that decoding
            it could exhaust memory (Pillow's decompression-bomb limit).
    """
    if data.startswith(_PNG):
        expected = "PNG"
    elif data.startswith(_JPEG):
        expected = "JPEG"
    else:
        raise FormatError(f"This is not a PNG or JPEG image{_looks_like(data)}")
    try:
        with _open_lock, warnings.catch_warnings():
            warnings.simplefilter("ignore")
            image = Image.open(io.BytesIO(data), formats=[expected])
        with image:
            width, height = image.size
            limit = Image.MAX_IMAGE_PIXELS
            if limit is not None and width * height > limit:
                raise FormatError(_too_large(width, height, limit))
            image.load()
    except FormatError:
        raise
    except Image.DecompressionBombError:
        raise FormatError(_too_large(0, 0, Image.MAX_IMAGE_PIXELS)) from None
    except MemoryError:
        raise
    except Exception as error:  # Pillow raises many kinds of error on damaged files
        detail = str(error) if not isinstance(error, Image.UnidentifiedImageError) else ""
        detail = f" ({detail})" if detail else ""
        raise FormatError(
            f"The {expected} image is damaged or truncated and cannot be decoded{detail}"
        ) from None
    return ParsedSample(
        kind=IMAGE,
        sensors=[Sensor(name="image", units="rgba")],
        interval_ms=0.0,
        values_count=1,
        width=width,
        height=height,
    )


def _too_large(width: int, height: int, limit: int | None) -> str:
    size = f" ({width} × {height} pixels)" if width else ""
    return (
        f"The image is too large to decode safely{size}; the limit is {limit or 0:,} pixels "
        "(decompression bomb protection)"
    )


def _looks_like(data: bytes) -> str:
    head = data[:16].lstrip()
    for magic, name in _OTHER_IMAGES.items():
        if head.startswith(magic):
            return f" (it looks like {name})"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return " (it looks like a WebP image)"
    if data[4:12] in (b"ftypheic", b"ftypheix", b"ftypmif1"):
        return " (it looks like a HEIC image)"
    return ""
