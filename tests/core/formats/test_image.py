from __future__ import annotations

import io
import subprocess
import sys
import zlib
from pathlib import Path

import pytest
from PIL import Image

from ei_desktop.core import formats
from ei_desktop.core.formats import FormatError
from ei_desktop.core.model import Sensor

SAMPLES = Path(__file__).resolve().parents[2] / "data" / "ei-samples"


def image_bytes(fmt: str, size=(40, 30), mode: str = "RGB", **options) -> bytes:
    buffer = io.BytesIO()
    Image.new(mode, size, "orange" if mode == "RGB" else 0).save(buffer, format=fmt, **options)
    return buffer.getvalue()


def huge_png(width: int, height: int) -> bytes:
    """A small file that claims a huge 1-bit image (all zeros compress very well)."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        crc = zlib.crc32(kind + body) & 0xFFFFFFFF
        return len(body).to_bytes(4, "big") + kind + body + crc.to_bytes(4, "big")

    ihdr = width.to_bytes(4, "big") + height.to_bytes(4, "big") + bytes([1, 0, 0, 0, 0])
    rows = zlib.compress(bytes(1 + (width + 7) // 8) * height, 9)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", rows) + chunk(b"IEND", b"")


def error_of(data: bytes, name: str = "picture.png") -> str:
    with pytest.raises(FormatError) as caught:
        formats.parse(name, data)
    return str(caught.value)


def test_real_png_sample():
    sample = formats.parse("capacitor.01.png", (SAMPLES / "capacitor.01.png").read_bytes())
    assert sample.kind == formats.IMAGE
    assert sample.sensors == [Sensor("image", "rgba")]
    assert (sample.width, sample.height) == (96, 96)
    assert sample.interval_ms == 0
    assert sample.frequency_hz == 0
    assert sample.values_count == 1
    assert sample.values is None


@pytest.mark.parametrize(
    ("name", "fmt", "mode"),
    [
        ("a.jpg", "JPEG", "RGB"),
        ("a.jpeg", "JPEG", "L"),
        ("a.JPG", "JPEG", "CMYK"),
        ("a.png", "PNG", "RGBA"),
        ("a.png", "PNG", "P"),
        ("a.png", "PNG", "I;16"),
    ],
)
def test_png_and_jpeg_are_accepted(name, fmt, mode):
    sample = formats.parse(name, image_bytes(fmt, (40, 30), mode))
    assert (sample.width, sample.height) == (40, 30)
    assert sample.sensors == [Sensor("image", "rgba")]


def test_extension_does_not_have_to_match_the_jpeg_or_png_inside():
    assert formats.parse("photo.png", image_bytes("JPEG")).width == 40


def test_multi_picture_jpeg_from_a_camera_is_accepted():
    frames = [Image.new("RGB", (16, 8), "red"), Image.new("RGB", (16, 8), "blue")]
    buffer = io.BytesIO()
    frames[0].save(buffer, format="MPO", save_all=True, append_images=frames[1:])
    assert (formats.parse("stereo.jpg", buffer.getvalue()).width, 8) == (16, 8)


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (image_bytes("GIF"), "not a PNG or JPEG image (it looks like a GIF image)"),
        (image_bytes("BMP"), "not a PNG or JPEG image (it looks like a BMP image)"),
        (image_bytes("TIFF"), "not a PNG or JPEG image (it looks like a TIFF image)"),
        (image_bytes("WEBP"), "not a PNG or JPEG image (it looks like a WebP image)"),
        (b"<svg xmlns='http://www.w3.org/2000/svg'/>", "(it looks like an SVG drawing)"),
        (b"just some text, not a picture", "This is not a PNG or JPEG image"),
        (b"\x89PNG\r\n\x1a\n", "The PNG image is damaged or truncated"),
        (image_bytes("PNG")[:60], "The PNG image is damaged or truncated"),
        (image_bytes("JPEG")[:200], "The JPEG image is damaged or truncated"),
        (image_bytes("JPEG")[:-2] + b"", "The JPEG image is damaged or truncated"),
        (b"\xff\xd8\xff" + bytes(50), "The JPEG image is damaged or truncated"),
    ],
)
def test_other_or_damaged_images_are_refused(data, expected):
    assert expected in error_of(data)


def test_truncated_pixel_data_is_refused():
    picture = Image.effect_noise((200, 200), 64).convert("RGB")  # noise does not compress
    buffer = io.BytesIO()
    picture.save(buffer, format="PNG")
    data = buffer.getvalue()
    assert "The PNG image is damaged or truncated" in error_of(data[: len(data) // 2])


def test_crc_damage_is_refused():
    data = bytearray(image_bytes("PNG"))
    data[29] ^= 0xFF  # inside the IHDR checksum
    assert "The PNG image is damaged or truncated" in error_of(bytes(data))


def test_decompression_bomb_is_refused_without_a_warning(recwarn):
    data = huge_png(20_000, 10_000)  # 2e8 pixels: above 2x Pillow's limit -> Pillow error
    assert len(data) < 1_000_000
    assert "too large to decode safely" in error_of(data)
    data = huge_png(10_000, 10_000)  # 1e8 pixels: above the limit -> only a Pillow warning
    message = error_of(data)
    assert "too large to decode safely (10000 × 10000 pixels)" in message
    assert "89,478,485 pixels" in message
    assert not [w for w in recwarn if issubclass(w.category, Image.DecompressionBombWarning)]


def test_nothing_is_written_to_stderr():
    script = (
        "from ei_desktop.core import formats\n"
        "import sys\n"
        f"data = {huge_png(10_000, 10_000)!r}\n"
        "for _ in range(2):\n"
        "    try:\n"
        "        formats.parse('x.png', data)\n"
        "    except formats.FormatError:\n"
        "        pass\n"
        f"formats.parse('y.png', {image_bytes('PNG')!r})\n"
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert result.returncode == 0
    assert result.stderr == ""


def test_dispatch_reports_empty_files():
    with pytest.raises(FormatError, match="The file is empty"):
        formats.parse("x.jpg", b"")
