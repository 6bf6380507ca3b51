"""Audio playback on the system's default output, with a clock the views follow.

Sound goes out through miniaudio (a small C library with wheels for every platform we ship;
it talks to PulseAudio/ALSA/JACK, WASAPI or Core Audio itself, so the installers need no system
package). The device pulls frames on its own thread; the UI thread only reads the position.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Protocol

import numpy as np
from PySide6.QtCore import QObject, QTimer, Signal

log = logging.getLogger(__name__)

#: how often the position is published while playing (ms)
TICK_MS = 30

#: shown when no audio output could be opened
NO_DEVICE = "No audio output device was found, so the sample can't be played."


class NoAudioOutput(Exception):
    """No audio output device could be opened; the message says why in plain words."""


class AudioOutput(Protocol):
    """Where frames go. ``open`` starts pulling ``pull(n)`` (float32, frames × channels) on
    the output's own thread and raises :class:`NoAudioOutput` when there is no device.
    """

    def open(self, rate: int, channels: int, pull: Callable[[int], np.ndarray]) -> None:
        """Start pulling frames; raise :class:`NoAudioOutput` when there is no device."""

    def close(self) -> None:
        """Stop pulling frames."""


class DeviceOutput:
    """The system's default audio output, through miniaudio."""

    def __init__(self) -> None:
        self._device = None

    @staticmethod
    def _backends() -> list:
        import miniaudio

        # every real backend, never the "null" device miniaudio falls back to silently
        skip = {miniaudio.Backend.NULL, miniaudio.Backend.CUSTOM, miniaudio.Backend.WEBAUDIO}
        return [backend for backend in miniaudio.Backend if backend not in skip]

    def open(self, rate: int, channels: int, pull: Callable[[int], np.ndarray]) -> None:
        """Start the default output at ``rate`` Hz with ``channels`` channels."""
        try:
            import miniaudio
        except ImportError as error:  # a source install without the dependency
            raise NoAudioOutput(f"Audio playback needs the miniaudio package ({error}).") from error
        try:
            device = miniaudio.PlaybackDevice(
                output_format=miniaudio.SampleFormat.FLOAT32,
                nchannels=channels,
                sample_rate=rate,
                buffersize_msec=100,
                backends=self._backends(),
                app_name="ei-desktop",
            )
        except miniaudio.MiniaudioError as error:
            raise NoAudioOutput(NO_DEVICE) from error
        feed = _feed(pull)
        next(feed)
        try:
            device.start(feed)
        except miniaudio.MiniaudioError as error:
            device.close()
            raise NoAudioOutput(f"The audio output could not be started ({error}).") from error
        self._device = device

    def close(self) -> None:
        """Stop the output (waits for its thread)."""
        device, self._device = self._device, None
        if device is not None:
            device.close()


def _feed(pull: Callable[[int], np.ndarray]):
    """The device callback's protocol: receives the frame count, yields the bytes."""
    frames = yield b""
    while True:
        frames = yield pull(frames).tobytes()


class AudioPlayer(QObject):
    """Plays one clip (frames × channels, float in [-1, 1]) and keeps its position.

    The position is the number of frames the output has taken: the output's own clock, so
    the cursor never runs ahead of the sound. Opening and closing the device happen on a
    helper thread; the UI thread never waits for the audio system.

    Signals:
        stateChanged(bool): playing or not.
        positionChanged(float): seconds from the start, while playing and when it stops.
        failed(str): playback could not start; the text says why.
    """

    stateChanged = Signal(bool)
    positionChanged = Signal(float)
    failed = Signal(str)
    _opened = Signal(int, str)  # (generation, error or "")

    def __init__(self, output: AudioOutput | None = None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.output: AudioOutput = output if output is not None else DeviceOutput()
        self._lock = threading.Lock()
        self._data = np.zeros((0, 1), dtype=np.float32)
        self._source: np.ndarray | None = None
        self._rate = 0
        self._pos = 0
        self._playing = False
        self._generation = 0
        self._closed = False
        # opens and closes run in order on one helper thread, never on the UI thread
        self._worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="audio-output")
        self._timer = QTimer(self)
        self._timer.setInterval(TICK_MS)
        self._timer.timeout.connect(self.tick)
        self._opened.connect(self._on_opened)

    # -- state -------------------------------------------------------------------------------

    @property
    def playing(self) -> bool:
        """Whether the clip is playing (or its output is being opened)."""
        return self._playing

    @property
    def frames(self) -> int:
        """Length of the clip in frames."""
        return len(self._source) if self._source is not None else len(self._data)

    @property
    def rate(self) -> int:
        """Frames per second of the clip (0: none loaded)."""
        return self._rate

    @property
    def position_frames(self) -> int:
        """Frames played so far."""
        with self._lock:
            return self._pos

    @property
    def position(self) -> float:
        """Seconds played so far."""
        return self.position_frames / self._rate if self._rate else 0.0

    # -- control -----------------------------------------------------------------------------

    def load(self, values: np.ndarray, rate: float) -> None:
        """Stop and take ``values`` (frames × channels) at ``rate`` Hz as the clip."""
        self.stop()
        values = np.asarray(values)
        if values.ndim == 1:
            values = values.reshape(-1, 1)
        self._source = values  # converted for the device on the first play
        self._data = np.zeros((0, max(1, values.shape[1] if values.ndim == 2 else 1)), np.float32)
        self._rate = int(round(rate)) if rate > 0 else 0
        with self._lock:
            self._pos = 0

    def unload(self) -> None:
        """Stop and let go of the clip."""
        self.stop()
        self._source = None
        self._data = np.zeros((0, 1), dtype=np.float32)
        self._rate = 0

    def toggle(self) -> None:
        """Play when paused, pause when playing."""
        if self._playing:
            self.pause()
        else:
            self.play()

    def play(self) -> None:
        """Play from the current position (from the start after the end)."""
        if self._playing or self.frames == 0 or self._rate <= 0 or self._closed:
            return
        if self._source is not None:
            self._data = np.ascontiguousarray(np.clip(self._source, -1.0, 1.0), dtype=np.float32)
            self._source = None
        with self._lock:
            if self._pos >= len(self._data):
                self._pos = 0
        self._playing = True
        self._generation += 1
        generation = self._generation
        rate, channels = self._rate, self._data.shape[1]
        self._worker.submit(self._open, generation, rate, channels)
        self._timer.start()
        self.stateChanged.emit(True)

    def pause(self) -> None:
        """Stop the sound and keep the position."""
        if not self._playing:
            return
        self._playing = False
        self._generation += 1
        self._timer.stop()
        self._close_output()
        self.positionChanged.emit(self.position)
        self.stateChanged.emit(False)

    def stop(self) -> None:
        """Stop the sound and go back to the start."""
        self.pause()
        with self._lock:
            self._pos = 0

    def seek(self, seconds: float) -> None:
        """Move the position to ``seconds`` from the start."""
        with self._lock:
            self._pos = int(min(max(0.0, seconds) * self._rate, self.frames))
        self.positionChanged.emit(self.position)

    def tick(self) -> None:
        """Publish the position; stop at the end (called by a timer while playing)."""
        if not self._playing:
            return
        position = self.position
        self.positionChanged.emit(position)
        if self.position_frames >= len(self._data):
            self.stop()

    def pull(self, frames: int) -> np.ndarray:
        """The next ``frames`` frames for the output (silence past the end). Any thread."""
        with self._lock:
            start = self._pos
            chunk = self._data[start : start + frames]
            self._pos = start + len(chunk)
        if len(chunk) < frames:
            pad = np.zeros((frames - len(chunk), self._data.shape[1]), dtype=np.float32)
            chunk = np.concatenate([chunk, pad]) if len(chunk) else pad
        return chunk

    # -- device --------------------------------------------------------------------------------

    def _open(self, generation: int, rate: int, channels: int) -> None:
        try:
            self.output.open(rate, channels, self.pull)
        except NoAudioOutput as error:
            self._opened.emit(generation, str(error) or NO_DEVICE)
        except Exception as error:  # a broken audio system must not take the window down
            log.exception("Opening the audio output failed")
            self._opened.emit(generation, f"The audio output failed: {error}")
        else:
            self._opened.emit(generation, "")

    def _on_opened(self, generation: int, error: str) -> None:
        if generation != self._generation:  # paused or stopped meanwhile: already closing
            return
        if error:
            self._playing = False
            self._generation += 1
            self._timer.stop()
            self.stateChanged.emit(False)
            self.failed.emit(error)

    def _close_output(self) -> None:
        self._worker.submit(_close_quietly, self.output)

    def shutdown(self) -> None:
        """Stop and wait for the output to close (when the window closes)."""
        self.stop()
        self._closed = True
        self._worker.shutdown(wait=True)


def _close_quietly(output: AudioOutput) -> None:
    try:
        output.close()
    except Exception:  # closing a vanished device is not worth a crash
        log.exception("Closing the audio output failed")
