"""A video sample: its first frame, and playback at the video's frame rate."""

from __future__ import annotations

import logging
import queue
import threading
from typing import Optional

from PySide6.QtCore import QEvent, QObject, QRectF, Qt, QTimer, Signal
from PySide6.QtGui import QImage, QPainter, QPalette
from PySide6.QtWidgets import QLabel, QStyle, QVBoxLayout, QWidget

from ei_desktop.core import display
from ei_desktop.core.backends.base import SampleRecord
from ei_desktop.core.formats import FormatError
from ei_desktop.core.formats import video as video_format
from ei_desktop.gui.widgets.audio import clock
from ei_desktop.gui.widgets.playback_bar import PlaybackBar

log = logging.getLogger(__name__)

#: decoded frames kept ahead of the one shown
AHEAD = 8
_END = object()


class FrameView(QWidget):
    """Paints one frame scaled to fit, keeping its aspect ratio."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.image: Optional[QImage] = None
        self.setMinimumSize(160, 120)
        self.setBackgroundRole(QPalette.ColorRole.Dark)
        self.setAutoFillBackground(True)

    def set_image(self, image: Optional[QImage]) -> None:
        """Show ``image`` (``None``: nothing)."""
        self.image = image
        self.update()

    def paintEvent(self, event: QEvent) -> None:  # noqa: N802 (Qt override)
        """Draw the frame centred."""
        if self.image is None or self.image.isNull():
            return
        size = self.image.size().scaled(self.size(), Qt.AspectRatioMode.KeepAspectRatio)
        x = (self.width() - size.width()) / 2
        y = (self.height() - size.height()) / 2
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
        painter.drawImage(QRectF(x, y, size.width(), size.height()), self.image)


class VideoPlayer(QObject):
    """Decodes a video on a helper thread and hands its frames out one tick at a time.

    The decoder stays a few frames ahead (:data:`AHEAD`); a timer at the video's frame rate
    calls :meth:`tick` while playing, which shows the next decoded frame. The first frame is
    shown as soon as it is decoded.

    Signals:
        frameShown(int, float): the index and time (s) of the frame now shown.
        stateChanged(bool): playing or not.
        failed(str): the video could not be decoded; the text says why.
    """

    frameShown = Signal(int, float)
    stateChanged = Signal(bool)
    failed = Signal(str)
    _decoded = Signal(int, object)  # (generation, VideoStream | Exception | None: a frame)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.image: Optional[QImage] = None
        self.info: Optional[video_format.VideoStream] = None
        self.index = -1
        self.seconds = 0.0
        self._data: Optional[bytes] = None
        self._generation = 0
        self._frames: queue.Queue = queue.Queue(AHEAD)
        self._stop = threading.Event()
        self._playing = False
        self._ended = False
        self._timer = QTimer(self)
        self._timer.setTimerType(Qt.TimerType.PreciseTimer)
        self._timer.timeout.connect(self.tick)
        self._decoded.connect(self._on_decoded)

    @property
    def playing(self) -> bool:
        """Whether frames advance."""
        return self._playing

    def load(self, data: Optional[bytes]) -> None:
        """Stop, forget the last video and start decoding ``data`` (``None``: nothing)."""
        self.pause()
        self._halt_decoder()
        self._data = data
        self.image, self.info, self.index, self.seconds = None, None, -1, 0.0
        self._ended = False
        if data is not None:
            self._start_decoder()

    def toggle(self) -> None:
        """Play when paused, pause when playing."""
        if self._playing:
            self.pause()
        else:
            self.play()

    def play(self) -> None:
        """Advance frames at the video's rate (from the start again after the end)."""
        if self._playing or self._data is None:
            return
        if self._ended:  # decode again from the first frame
            self._halt_decoder()
            self._ended = False
            self.index = -1
            self._start_decoder()
        fps = self.info.fps if self.info is not None and self.info.fps > 0 else 25.0
        self._timer.start(max(1, round(1000.0 / fps)))
        self._playing = True
        self.stateChanged.emit(True)

    def pause(self) -> None:
        """Stop advancing, keep the frame shown."""
        if not self._playing:
            return
        self._playing = False
        self._timer.stop()
        self.stateChanged.emit(False)

    def shutdown(self) -> None:
        """Stop decoding (when the view goes away for good)."""
        self.load(None)

    def tick(self) -> bool:
        """Show the next decoded frame; ``False`` when none is ready yet (or at the end)."""
        try:
            item = self._frames.get_nowait()
        except queue.Empty:
            return False
        if item is _END:
            self._ended = True
            self.pause()
            return False
        self._show(item)
        return True

    # -- decoding ----------------------------------------------------------------------------

    def _start_decoder(self) -> None:
        self._generation += 1
        self._stop = threading.Event()
        self._frames = queue.Queue(AHEAD)
        threading.Thread(
            target=self._decode,
            args=(self._generation, self._data, self._frames, self._stop),
            daemon=True,
            name="video-decoder",
        ).start()

    def _halt_decoder(self) -> None:
        self._generation += 1
        self._stop.set()
        try:  # unblock a decoder waiting for room
            while True:
                self._frames.get_nowait()
        except queue.Empty:
            pass

    def _decode(self, generation: int, data: bytes, frames: queue.Queue, stop) -> None:
        try:
            info, decoded = video_format.decode(data)
            self._decoded.emit(generation, info)
            try:
                for frame in decoded:
                    image = _to_image(frame.rgb)
                    item = (frame.index, frame.seconds, image)
                    while not stop.is_set():
                        try:
                            frames.put(item, timeout=0.1)
                            break
                        except queue.Full:
                            continue
                    if stop.is_set():
                        return
                    if frame.index == 0:
                        self._decoded.emit(generation, None)
            finally:
                decoded.close()
            while not stop.is_set():
                try:
                    frames.put(_END, timeout=0.1)
                    break
                except queue.Full:
                    continue
        except FormatError as error:
            self._decoded.emit(generation, error)
        except Exception as error:  # a broken file must not take the window down
            log.exception("Decoding a video failed")
            self._decoded.emit(generation, error)

    def _on_decoded(self, generation: int, what: object) -> None:
        if generation != self._generation:
            return
        if isinstance(what, video_format.VideoStream):
            self.info = what
            if self._playing and what.fps > 0:
                self._timer.setInterval(max(1, round(1000.0 / what.fps)))
        elif isinstance(what, Exception):
            self.pause()
            self.failed.emit(str(what))
        elif self.index < 0:  # the first frame is ready: show it
            self.tick()

    def _show(self, item) -> None:
        self.index, self.seconds, self.image = item
        self.frameShown.emit(self.index, self.seconds)


def _to_image(rgb) -> QImage:
    height, width, _ = rgb.shape
    return QImage(rgb.data, width, height, 3 * width, QImage.Format.Format_RGB888).copy()


class VideoView(QWidget):
    """A video sample: its first frame, Play/Pause (Space) and the time, with its name,
    size and resolution above.
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.player = VideoPlayer(self)
        self.info = QLabel()
        self.info.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.frame = FrameView()
        self.controls = PlaybackBar(self.player.toggle)
        self.play_action = self.controls.play_action
        self.play_button = self.controls.play_button
        self.time_label = self.controls.time_label
        self.status = self.controls.status
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.info)
        layout.addWidget(self.frame, 1)
        layout.addWidget(self.controls)

        self.player.frameShown.connect(self._on_frame)
        self.player.stateChanged.connect(self._on_state)
        self.player.failed.connect(self._on_failed)
        self._record: Optional[SampleRecord] = None
        self._on_state(False)

    def set_video(self, record: SampleRecord, data: Optional[bytes]) -> None:
        """Show ``record``'s video from its file's bytes (``None``: not loaded)."""
        self._record = record
        self.status.setText("" if data is not None else "The video could not be loaded.")
        self.frame.set_image(None)
        self.player.load(data)
        self._describe()
        self._on_state(False)

    def clear(self) -> None:
        """Stop and show nothing."""
        self._record = None
        self.player.load(None)
        self.frame.set_image(None)
        self.info.clear()
        self.time_label.clear()
        self.status.clear()

    def hideEvent(self, event: QEvent) -> None:  # noqa: N802 (Qt override)
        """Pause when the view goes away (another page, the window closing)."""
        self.player.pause()
        super().hideEvent(event)

    def _describe(self) -> None:
        record = self._record
        if record is None:
            self.info.clear()
            return
        facts = [record.filename]
        if record.size > 0:
            facts.append(display.size(record.size))
        stream = self.player.info
        width = stream.width if stream else record.width
        height = stream.height if stream else record.height
        if width and height:
            facts.append(f"{width} × {height} px")
        if stream and stream.fps > 0:
            facts.append(f"{stream.fps:g} fps")
        self.info.setText(" · ".join(facts))

    def _on_frame(self, index: int, seconds: float) -> None:
        self.frame.set_image(self.player.image)
        if index == 0:
            self._describe()
        total = self.player.info.duration_s if self.player.info else 0.0
        self.time_label.setText(f"{clock(seconds)} / {clock(total)}" if total else clock(seconds))

    def _on_state(self, playing: bool) -> None:
        pixmap = QStyle.StandardPixmap
        icon = pixmap.SP_MediaPause if playing else pixmap.SP_MediaPlay
        self.play_action.setIcon(self.style().standardIcon(icon))
        self.play_action.setText("Pause" if playing else "Play")
        self.play_action.setToolTip("Pause (Space)" if playing else "Play the video (Space)")

    def _on_failed(self, message: str) -> None:
        self.status.setText(message)
