"""Decoding videos for previews (PyAV): size, rate, duration and frames in order."""

from __future__ import annotations

import io

import numpy as np
import pytest

from ei_desktop.core.formats import FormatError, video

av = pytest.importorskip("av")


def mp4(frames=6, fps=5, width=96, height=64) -> bytes:
    out = io.BytesIO()
    container = av.open(out, mode="w", format="mp4")
    stream = container.add_stream("mpeg4", rate=fps)
    stream.width, stream.height, stream.pix_fmt = width, height, "yuv420p"
    for i in range(frames):
        rgb = np.full((height, width, 3), 30 * i, np.uint8)
        for packet in stream.encode(av.VideoFrame.from_ndarray(rgb, format="rgb24")):
            container.mux(packet)
    for packet in stream.encode():
        container.mux(packet)
    container.close()
    return out.getvalue()


def test_describe_gives_size_rate_and_duration():
    info = video.describe(mp4())
    assert (info.width, info.height, info.fps) == (96, 64, 5.0)
    assert info.duration_s == pytest.approx(1.2)


def test_frames_come_in_order_with_their_times():
    info, frames = video.decode(mp4())
    decoded = list(frames)
    assert [f.index for f in decoded] == list(range(6))
    assert [f.seconds for f in decoded] == pytest.approx([i / 5 for i in range(6)])
    assert decoded[0].rgb.shape == (64, 96, 3) and decoded[0].rgb.dtype == np.uint8
    levels = [int(f.rgb[32, 48].mean()) for f in decoded]
    assert levels == sorted(levels) and levels[-1] - levels[0] > 100


def test_wide_frames_are_scaled_down_keeping_the_aspect_ratio():
    _info, frames = video.decode(mp4(frames=1, width=320, height=240), max_width=160)
    assert next(frames).rgb.shape == (120, 160, 3)


def test_not_a_video_is_a_format_error():
    with pytest.raises(FormatError, match="cannot be decoded"):
        video.describe(b"\x00\x00\x00\x18ftypmp42" + b"\x00" * 100)
