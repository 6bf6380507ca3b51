from __future__ import annotations

import pytest

from ei_desktop.core import formats
from ei_desktop.core.formats import FormatError, video
from ei_desktop.core.model import Sensor

# the first bytes of real files: an ISO-BMFF 'ftyp' box, and a RIFF 'AVI ' header
MP4 = b"\x00\x00\x00\x20ftypisom\x00\x00\x02\x00isomiso2avc1mp41" + b"\x00\x00\x00\x08free"
AVI = b"RIFF\x24\x00\x00\x00AVI LIST\x18\x00\x00\x00hdrlavih" + bytes(16)


def error_of(name: str, data: bytes) -> str:
    with pytest.raises(FormatError) as caught:
        formats.parse(name, data)
    return str(caught.value)


@pytest.mark.parametrize(("name", "data"), [("clip.mp4", MP4), ("clip.avi", AVI), ("C.MP4", MP4)])
def test_mp4_and_avi_are_accepted(name, data):
    sample = formats.parse(name, data)
    assert sample.kind == formats.VIDEO
    assert sample.sensors == [Sensor("video", "rgba")]
    assert sample.interval_ms == 0
    assert sample.values_count == 1
    assert sample.values is None


@pytest.mark.parametrize(
    ("name", "data", "expected"),
    [
        (
            "clip.mp4",
            AVI,
            "This is not an MP4 video (it looks like an AVI video; rename it to .avi)",
        ),
        (
            "clip.avi",
            MP4,
            "This is not an AVI video (it looks like an MP4 video; rename it to .mp4)",
        ),
        ("clip.mp4", b"just text", "This is not an MP4 video"),
        ("clip.avi", b"RIFF\x24\x00\x00\x00WAVEfmt ", "This is not an AVI video"),
        ("clip.mp4", b"\x00\x00\x00\x20ftyp", "This is not an MP4 video"),  # cut inside the box
        ("clip.avi", b"\x89PNG\r\n\x1a\n" + bytes(20), "This is not an AVI video"),
    ],
)
def test_other_content_is_refused(name, data, expected):
    assert expected in error_of(name, data)


def test_parse_without_an_expected_container_accepts_both():
    assert video.parse(MP4).kind == formats.VIDEO
    assert video.parse(AVI).kind == formats.VIDEO
    with pytest.raises(FormatError, match="This is not an MP4 or AVI video"):
        video.parse(b"\x1aE\xdf\xa3 matroska")
    with pytest.raises(FormatError, match="'.mkv' is not a video file type"):
        video.parse(MP4, expected=".mkv")


def test_dispatch_reports_empty_files():
    with pytest.raises(FormatError, match="The file is empty"):
        formats.parse("x.mp4", b"")
