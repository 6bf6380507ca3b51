"""The waveform of an audio sample."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QEvent
from PySide6.QtWidgets import QStyle, QVBoxLayout, QWidget

from ei_desktop.core import display
from ei_desktop.core.backends.base import Series
from ei_desktop.gui.widgets.cut_tools import CutTools
from ei_desktop.gui.widgets.envelope import Envelope
from ei_desktop.gui.widgets.media_player import AudioOutput, AudioPlayer
from ei_desktop.gui.widgets.playback_bar import PlaybackBar
from ei_desktop.gui.widgets.plotting import SignalPlot
from ei_desktop.gui.widgets.segment_editor import SegmentEditor

PLAY_TIP = "Play the sample (Space)"
PAUSE_TIP = "Pause (Space)"


def clock(seconds: float) -> str:
    """``"0:03.25"``: minutes, seconds and hundredths."""
    seconds = max(0.0, seconds)
    minutes, rest = divmod(seconds, 60.0)
    return f"{int(minutes)}:{rest:05.2f}"


def describe_audio(rate_hz: float, channels: int, frames: int) -> str:
    """``"44,100 Hz · mono · 1.00 s"``."""
    layout = {1: "mono", 2: "stereo"}.get(channels, f"{channels} channels")
    parts = [display.frequency(rate_hz) if rate_hz > 0 else "unknown rate", layout]
    if rate_hz > 0:
        parts.append(display.duration(frames * 1000.0 / rate_hz))
    parts.append(f"{frames:,} frames")
    return " · ".join(parts)


class AudioView(QWidget):
    """Shows an audio sample's waveform, one curve per channel over time in seconds, with its
    sample rate, channel count and duration above it.

    Curves are downsampled for display, so minutes of 44.1 kHz audio stay responsive. The
    Play button (or Space while the waveform is shown) plays the sample on the default audio
    output with a cursor following the sound; hiding the view (another sample, another kind,
    the window closing) stops it.
    """

    def __init__(self, parent: QWidget | None = None, output: AudioOutput | None = None) -> None:
        super().__init__(parent)
        self.plot = SignalPlot()
        self.plot.plot_item.getAxis("left").setLabel("Amplitude")
        #: plays the sample; its position moves :attr:`cursor`
        self.player = AudioPlayer(output, self)
        self.cursor = pg.InfiniteLine(angle=90, movable=False, pen=pg.mkPen("#e8710a", width=2))
        self.cursor.setZValue(50)
        self.cursor.setVisible(False)
        self._rows = 0

        self.controls = PlaybackBar(self.toggle_playback)
        self.play_action = self.controls.play_action
        self.play_button = self.controls.play_button
        self.time_label = self.controls.time_label
        self.status = self.controls.status

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.controls)
        layout.addWidget(self.plot)
        #: crop and split over the waveform
        self.cut_tools = CutTools(self.plot)
        layout.addWidget(self.cut_tools)
        #: the label segments edited on the waveform (its bar shows while editing)
        self.segment_editor = SegmentEditor(self.plot)
        layout.addWidget(self.segment_editor)

        self.player.stateChanged.connect(self._on_state)
        self.player.positionChanged.connect(self._on_position)
        self.player.failed.connect(self._on_failed)
        self._on_state(False)

    def set_audio(
        self,
        series: Series,
        structured_labels: list | None = None,
        envelope: Envelope | None = None,
    ) -> None:
        """Show ``series`` (frames × channels, ``interval_ms`` per frame) with its label
        segments (``structured_labels``), if any. ``envelope``: the values' :class:`Envelope`
        when computed already (off the UI thread).
        """
        values = np.asarray(series.values)
        if values.ndim == 1:
            values = values.reshape(-1, 1)
        frames, channels = values.shape if values.ndim == 2 else (0, 0)
        rate = 1000.0 / series.interval_ms if series.interval_ms > 0 else 0.0
        self.cut_tools.set_signal(frames if channels else 0, series.interval_ms)
        self._rows = frames if channels else 0
        if frames == 0 or channels == 0:
            self.player.unload()
            self.plot.clear()
            self.plot.info.setText("This audio sample has no frames.")
            self.segment_editor.show_segments(None, 0)
            self._on_state(False)
            return
        self.player.load(values, rate)
        names = [None] if channels == 1 else [f"Channel {i + 1}" for i in range(channels)]
        self.plot.set_curves(values, names, envelope)
        self.plot.plot_item.addItem(self.cursor, ignoreBounds=True)
        self._on_state(False)
        self.plot.set_time_axis(series.interval_ms, frames, seconds=True)
        self.plot.info.setText(describe_audio(rate, channels, frames))
        self.segment_editor.show_segments(structured_labels, frames, series.interval_ms)
        # the segment tags run along the top edge: the legend goes below them
        self.plot.keep_legend_below(self.fontMetrics().height() + 12 if structured_labels else 0)

    @property
    def info_text(self) -> str:
        """The line describing the audio (rate, channels, duration)."""
        return self.plot.info.text()

    def curves(self) -> list[pg.PlotDataItem]:
        """One curve per channel."""
        return self.plot.curves()

    def clear(self) -> None:
        """Stop playing, show nothing and let go of the last sample's arrays."""
        self.player.unload()
        self._rows = 0
        self.cut_tools.set_signal(0, 0.0)
        self.plot.clear()
        self.segment_editor.show_segments(None, 0)
        self._on_state(False)

    # -- playback ----------------------------------------------------------------------------

    def toggle_playback(self) -> None:
        """Play or pause (the Play button and Space)."""
        self.status.clear()
        self.player.toggle()

    def hideEvent(self, event: QEvent) -> None:  # noqa: N802 (Qt override)
        """Stop playing when the view goes away (another page, the window closing)."""
        self.player.stop()
        super().hideEvent(event)

    def _on_state(self, playing: bool) -> None:
        style = self.style()
        pixmap = QStyle.StandardPixmap
        icon = pixmap.SP_MediaPause if playing else pixmap.SP_MediaPlay
        self.play_action.setIcon(style.standardIcon(icon))
        self.play_action.setText("Pause" if playing else "Play")
        self.play_action.setEnabled(self.player.frames > 0 and self.player.rate > 0)
        if not self.status.text():
            self.play_action.setToolTip(PAUSE_TIP if playing else PLAY_TIP)
        self._on_position(self.player.position)

    def _on_position(self, seconds: float) -> None:
        frames = self.player.position_frames
        self.cursor.setValue(frames)
        self.cursor.setVisible(self._rows > 0 and (self.player.playing or frames > 0))
        total = self.player.frames / self.player.rate if self.player.rate else 0.0
        self.time_label.setText(f"{clock(seconds)} / {clock(total)}" if self._rows else "")

    def _on_failed(self, message: str) -> None:
        self.status.setText(message)
        self.play_action.setToolTip(f"{message}\n{PLAY_TIP}")
