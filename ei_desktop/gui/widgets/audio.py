"""The waveform of an audio sample."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtWidgets import QVBoxLayout, QWidget

from ei_desktop.core import display
from ei_desktop.core.backends.base import Series
from ei_desktop.gui.widgets.cut_tools import CutTools
from ei_desktop.gui.widgets.plotting import SignalPlot


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

    Curves are downsampled for display, so minutes of 44.1 kHz audio stay responsive. (No
    playback: the Qt build we ship may not include QtMultimedia.)
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.plot = SignalPlot()
        self.plot.plot_item.getAxis("left").setLabel("Amplitude")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.plot)
        #: crop and split over the waveform
        self.cut_tools = CutTools(self.plot)
        layout.addWidget(self.cut_tools)

    def set_audio(self, series: Series) -> None:
        """Show ``series`` (frames × channels, ``interval_ms`` per frame)."""
        values = np.asarray(series.values)
        if values.ndim == 1:
            values = values.reshape(-1, 1)
        frames, channels = values.shape if values.ndim == 2 else (0, 0)
        rate = 1000.0 / series.interval_ms if series.interval_ms > 0 else 0.0
        self.cut_tools.set_signal(frames if channels else 0, series.interval_ms)
        if frames == 0 or channels == 0:
            self.plot.clear()
            self.plot.info.setText("This audio sample has no frames.")
            return
        names = [None] if channels == 1 else [f"Channel {i + 1}" for i in range(channels)]
        self.plot.set_curves(values, names)
        self.plot.set_time_axis(series.interval_ms, frames, seconds=True)
        self.plot.info.setText(describe_audio(rate, channels, frames))

    @property
    def info_text(self) -> str:
        """The line describing the audio (rate, channels, duration)."""
        return self.plot.info.text()

    def curves(self) -> list[pg.PlotDataItem]:
        """One curve per channel."""
        return self.plot.curves()

    def clear(self) -> None:
        """Show nothing and let go of the last sample's arrays."""
        self.cut_tools.set_signal(0, 0.0)
        self.plot.clear()
