"""Playing audio samples: the Play button and Space, the cursor on the waveform, stopping."""

from __future__ import annotations

import io
import threading

import numpy as np
import pytest
import soundfile as sf
from gui_helpers import wait_listed
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from ei_desktop.core import formats
from ei_desktop.core.backends.base import Series
from ei_desktop.core.backends.local import LocalBackend
from ei_desktop.core.model import Sample
from ei_desktop.data import upload_samples
from ei_desktop.gui.widgets.audio import AudioView
from ei_desktop.gui.widgets.media_player import NO_DEVICE, DeviceOutput, NoAudioOutput

miniaudio = pytest.importorskip("miniaudio")


class ManualOutput:
    """A sink whose clock the test drives: each :meth:`advance` is the device taking frames."""

    def __init__(self):
        self.pull = None
        self.taken = []
        self.closes = 0
        self.lock = threading.Lock()

    def open(self, rate, channels, pull):
        self.rate, self.channels = rate, channels
        with self.lock:
            self.pull = pull

    def close(self):
        with self.lock:
            self.pull = None
        self.closes += 1

    @property
    def open_now(self):
        with self.lock:
            return self.pull is not None

    def advance(self, frames):
        chunk = self.pull(frames)
        self.taken.append(chunk)
        return chunk


class NullDeviceOutput(DeviceOutput):
    """The real miniaudio output on its "null" backend: a device thread that discards sound."""

    @staticmethod
    def _backends():
        return [miniaudio.Backend.NULL]


def hadouken(samples_dir) -> Series:
    data = (samples_dir / "hadouken.01.wav").read_bytes()
    parsed = formats.parse("hadouken.01.wav", data, with_values=True)
    return Series(parsed.sensors, parsed.values, parsed.interval_ms)


def a_device_exists() -> bool:
    output = DeviceOutput()
    try:
        output.open(44100, 1, lambda n: np.zeros((n, 1), np.float32))
    except NoAudioOutput:
        return False
    output.close()
    return True


@pytest.fixture
def output():
    return ManualOutput()


@pytest.fixture
def view(qtbot, output, samples_dir):
    widget = AudioView(output=output)
    qtbot.addWidget(widget)
    widget.resize(800, 300)
    widget.show()
    widget.set_audio(hadouken(samples_dir))
    yield widget
    widget.player.shutdown()


def started(qtbot, view, output):
    qtbot.waitUntil(lambda: output.open_now, timeout=5000)


def test_the_button_and_space_toggle_playback(qtbot, view, output):
    assert view.play_button.text() == "Play" and "Space" in view.play_button.toolTip()
    with qtbot.waitSignal(view.player.stateChanged):
        QTest.mouseClick(view.play_button, Qt.MouseButton.LeftButton)
    assert view.player.playing and view.play_button.text() == "Pause"
    started(qtbot, view, output)

    QTest.keyClick(view, Qt.Key.Key_Space)
    assert not view.player.playing and view.play_button.text() == "Play"
    qtbot.waitUntil(lambda: not output.open_now, timeout=5000)

    QTest.keyClick(view, Qt.Key.Key_Space)
    assert view.player.playing


def test_the_cursor_follows_the_output_clock(qtbot, view, output):
    view.play_button.click()
    started(qtbot, view, output)
    assert view.cursor.isVisible() and view.cursor.value() == 0

    chunk = output.advance(11025)  # the device took a quarter of a second
    view.player.tick()
    assert view.cursor.value() == 11025
    assert view.time_label.text() == "0:00.25 / 0:01.00"
    assert chunk.dtype == np.float32 and chunk.shape == (11025, 1)
    # what the device got is the decoded WAV itself
    expected = hadouken_values(view)[:11025]
    np.testing.assert_allclose(chunk[:, 0], np.clip(expected, -1, 1), atol=1e-6)

    output.advance(22050)
    view.player.tick()
    assert view.cursor.value() == 33075

    tail = output.advance(22050)  # past the end: silence, then playback stops
    assert not tail[-100:].any()
    with qtbot.waitSignal(view.player.stateChanged):
        view.player.tick()
    assert not view.player.playing and view.play_button.text() == "Play"


def test_pausing_keeps_the_position_and_play_resumes_there(qtbot, view, output):
    view.play_button.click()
    started(qtbot, view, output)
    output.advance(4410)
    view.play_button.click()
    assert view.player.position == pytest.approx(0.1)
    assert view.cursor.value() == 4410 and view.cursor.isVisible()
    qtbot.waitUntil(lambda: not output.open_now, timeout=5000)
    view.play_button.click()
    started(qtbot, view, output)
    output.advance(4410)
    view.player.tick()
    assert view.cursor.value() == 8820


def hadouken_values(view):
    return view.curves()[0].envelope.values[:, 0]  # what the waveform was drawn from


def test_plays_through_a_real_audio_device_thread(qtbot, samples_dir):
    widget = AudioView(output=NullDeviceOutput())
    qtbot.addWidget(widget)
    widget.show()
    widget.set_audio(hadouken(samples_dir))
    widget.play_button.click()
    qtbot.waitUntil(lambda: widget.cursor.value() > 0, timeout=5000)
    assert widget.player.playing and widget.status.text() == ""
    widget.player.shutdown()
    assert not widget.player.playing


@pytest.mark.skipif(a_device_exists(), reason="this machine has an audio output")
def test_no_audio_device_says_why(qtbot, samples_dir):
    widget = AudioView()  # the real default output
    qtbot.addWidget(widget)
    widget.show()
    widget.set_audio(hadouken(samples_dir))
    with qtbot.waitSignal(widget.player.failed, timeout=5000) as failed:
        widget.play_button.click()
    assert failed.args == [NO_DEVICE]
    assert not widget.player.playing and widget.play_button.text() == "Play"
    assert widget.status.text() == NO_DEVICE
    assert NO_DEVICE in widget.play_button.toolTip()
    widget.player.shutdown()


@pytest.fixture
def audio_project(tmp_path, samples_dir):
    backend = LocalBackend(tmp_path / "project", create=True)
    wav = (samples_dir / "hadouken.01.wav").read_bytes()
    tone = io.BytesIO()
    sf.write(tone, 0.5 * np.sin(np.arange(16000) * 0.1), 16000, format="WAV", subtype="PCM_16")
    samples = [
        Sample(data=wav, filename="hadouken.01.wav", category="training", label="hadouken"),
        Sample(data=tone.getvalue(), filename="tone.01.wav", category="training", label="tone"),
    ]
    response = upload_samples(samples, project=backend)
    assert not response.fails, response.fails
    backend.ids = {s.filename: s.sample_id for s in response.successes}
    yield backend
    backend.close()


def select(qtbot, window, sample_id):
    row = window.table_model.row_of(sample_id)
    index = window.table_model.index(row, 0)
    rect = window.table.visualRect(index)
    QTest.mouseClick(window.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.waitUntil(
        lambda: (
            window.preview.current_id == sample_id
            and window.preview.current_page() is window.preview.audio
            and window.preview.audio.player.frames > 0
        ),
        timeout=10000,
    )


def test_selecting_another_sample_stops_playback(qtbot, open_on, audio_project):
    window = open_on(audio_project)
    wait_listed(qtbot, window)
    audio = window.preview.audio
    output = ManualOutput()
    audio.player.output = output
    first, second = audio_project.ids["hadouken.01.wav"], audio_project.ids["tone.01.wav"]

    select(qtbot, window, first)
    window.table.setFocus()
    QTest.keyClick(window.table, Qt.Key.Key_Space)  # Space plays from the table too
    assert audio.player.playing
    started(qtbot, audio, output)
    output.advance(2000)

    select(qtbot, window, second)
    assert not audio.player.playing and audio.player.position == 0
    qtbot.waitUntil(lambda: not output.open_now, timeout=5000)
    assert audio.play_button.text() == "Play"


def test_closing_the_window_stops_playback(qtbot, make_window, audio_project):
    window = make_window(audio_project.path)
    audio = window.preview.audio
    output = ManualOutput()
    audio.player.output = output
    select(qtbot, window, audio_project.ids["hadouken.01.wav"])
    audio.play_button.click()
    started(qtbot, audio, output)

    window.close()
    assert not audio.player.playing
    qtbot.waitUntil(lambda: not output.open_now, timeout=5000)


# -- video ------------------------------------------------------------------------------------

FPS = 10
VIDEO_FRAMES = 12


def mp4_bytes(frames=VIDEO_FRAMES, fps=FPS) -> bytes:
    """An MP4 whose frame i is red with level 20·i: frames are told apart by colour."""
    av = pytest.importorskip("av")
    out = io.BytesIO()
    container = av.open(out, mode="w", format="mp4")
    stream = container.add_stream("mpeg4", rate=fps)
    stream.width, stream.height, stream.pix_fmt = 64, 48, "yuv420p"
    for i in range(frames):
        rgb = np.zeros((48, 64, 3), np.uint8)
        rgb[:, :, 0] = 20 * i
        for packet in stream.encode(av.VideoFrame.from_ndarray(rgb, format="rgb24")):
            container.mux(packet)
    for packet in stream.encode():
        container.mux(packet)
    container.close()
    return out.getvalue()


def red(view) -> int:
    return view.player.image.pixelColor(32, 24).red()


@pytest.fixture
def video_view(qtbot):
    from ei_desktop.gui.widgets.video import VideoView

    widget = VideoView()
    qtbot.addWidget(widget)
    widget.resize(640, 480)
    widget.show()
    yield widget
    widget.player.shutdown()


@pytest.fixture
def make_record():
    from datetime import datetime, timezone

    from ei_desktop.core.backends.base import SampleRecord

    def make(kind, **fields):
        defaults = dict(
            id=7,
            category="training",
            label="clip",
            kind=kind,
            sensors=[],
            interval_ms=0.0,
            values_count=1,
            added=datetime(2024, 5, 6, tzinfo=timezone.utc),
            sha256="ab" * 32,
        )
        defaults.update(fields)
        return SampleRecord(**defaults)

    return make


def test_a_video_shows_its_first_frame(qtbot, video_view, make_record):
    data = mp4_bytes()
    video_view.set_video(make_record("video", filename="clip.mp4", size=len(data)), data)
    qtbot.waitUntil(lambda: video_view.player.index == 0, timeout=5000)

    assert video_view.frame.image is video_view.player.image
    assert abs(red(video_view) - 0) < 12
    assert "clip.mp4" in video_view.info.text() and "64 × 48 px" in video_view.info.text()
    assert "10 fps" in video_view.info.text()
    assert not video_view.player.playing  # shown, not playing
    assert video_view.time_label.text() == "0:00.00 / 0:01.20"


def test_video_frames_advance_at_its_rate_and_space_toggles(qtbot, video_view, make_record):
    data = mp4_bytes()
    video_view.set_video(make_record("video", filename="clip.mp4", size=len(data)), data)
    qtbot.waitUntil(lambda: video_view.player.index == 0, timeout=5000)

    QTest.keyClick(video_view, Qt.Key.Key_Space)
    assert video_view.player.playing and video_view.play_button.text() == "Pause"
    assert video_view.player._timer.interval() == 1000 // FPS
    video_view.player.pause()  # drive the clock by hand from here

    for i in range(1, 4):
        qtbot.waitUntil(video_view.player.tick, timeout=5000)  # a decoded frame was shown
        assert video_view.player.index == i
        assert video_view.player.seconds == pytest.approx(i / FPS)
        assert abs(red(video_view) - 20 * i) < 12
    assert video_view.time_label.text() == "0:00.30 / 0:01.20"

    QTest.keyClick(video_view, Qt.Key.Key_Space)
    assert video_view.player.playing
    qtbot.waitUntil(lambda: not video_view.player.playing, timeout=10000)  # ran to the end
    assert video_view.player.index == VIDEO_FRAMES - 1
    assert video_view.play_button.text() == "Play"


def test_a_broken_video_says_why(qtbot, video_view, make_record):
    data = b"\x00\x00\x00\x18ftypmp42" + b"\x00" * 200
    with qtbot.waitSignal(video_view.player.failed, timeout=5000):
        video_view.set_video(make_record("video", filename="bad.mp4", size=len(data)), data)
    assert "cannot be decoded" in video_view.status.text()
    assert video_view.frame.image is None


def test_a_video_sample_in_the_window_shows_its_first_frame_and_plays(qtbot, open_on, tmp_path):
    backend = LocalBackend(tmp_path / "videos", create=True)
    try:
        sample = Sample(data=mp4_bytes(), filename="clip.01.mp4", category="training")
        response = upload_samples([sample], project=backend)
        assert not response.fails, response.fails
        window = open_on(backend)
        select_row = window.table_model.index(0, 0)
        rect = window.table.visualRect(select_row)
        QTest.mouseClick(window.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
        video = window.preview.video
        qtbot.waitUntil(
            lambda: window.preview.current_page() is video and video.player.index == 0,
            timeout=10000,
        )
        assert abs(red(video) - 0) < 12
        assert not video.player.playing
        QTest.mouseClick(video.play_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: video.player.index >= 3, timeout=10000)
        assert red(video) > 40  # a later frame is on screen
    finally:
        backend.close()
