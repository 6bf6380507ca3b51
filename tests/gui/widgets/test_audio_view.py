from __future__ import annotations

import numpy as np
import pytest

from ei_desktop.core import formats
from ei_desktop.core.backends.base import Series
from ei_desktop.core.model import Sensor
from ei_desktop.gui.widgets.audio import AudioView, describe_audio


@pytest.fixture
def view(qtbot):
    widget = AudioView()
    qtbot.addWidget(widget)
    widget.resize(800, 300)
    widget.show()
    return widget


def test_real_wav_shows_one_curve_and_its_format(view, samples_dir):
    parsed = formats.parse(
        "hadouken.01.wav", (samples_dir / "hadouken.01.wav").read_bytes(), with_values=True
    )
    view.set_audio(Series(parsed.sensors, parsed.values, parsed.interval_ms))

    assert len(view.curves()) == 1
    assert view.info_text == "44.1 kHz · mono · 1 s · 44,100 frames"
    axis = view.plot.plot_item.getAxis("bottom")
    assert axis.labelText == "Time (s)"
    assert axis.scale == pytest.approx(1 / 44100)


def test_a_long_stereo_clip_is_downsampled(view):
    frames = 60 * 44100
    values = np.empty((frames, 2), dtype=np.float64)
    values[:, 0] = np.sin(np.arange(frames) * 0.05)
    values[:, 1] = -values[:, 0]
    view.set_audio(Series([Sensor("audio", "wav")] * 2, values, 1000 / 44100))
    view.grab()

    assert view.plot.legend_texts() == ["Channel 1", "Channel 2"]
    assert "stereo" in view.info_text and "1 min 00 s" in view.info_text
    for curve in view.curves():
        x, y = curve.getData()
        assert len(x) < 20_000  # a few points per pixel, not 2.6 million
        assert y.max() == pytest.approx(1.0, abs=1e-3) and y.min() == pytest.approx(-1, abs=1e-3)


def test_no_frames_shows_a_note(view):
    view.set_audio(Series([Sensor("audio", "wav")], np.empty((0, 1)), 1000 / 16000))

    assert view.curves() == []
    assert "no frames" in view.info_text


def test_describe_audio_names_the_layout():
    assert describe_audio(16000, 1, 8000) == "16 kHz · mono · 500 ms · 8,000 frames"
    assert describe_audio(48000, 6, 48000).startswith("48 kHz · 6 channels")
