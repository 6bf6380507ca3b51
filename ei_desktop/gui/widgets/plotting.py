"""A pyqtgraph plot of signal columns over their row index, shared by time series and audio."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QHBoxLayout, QLabel, QToolButton, QVBoxLayout, QWidget

from ei_desktop.gui.widgets.colors import series_color
from ei_desktop.gui.widgets.envelope import Envelope

# Antialiasing a multi-million-point curve costs far more than it shows.
pg.setConfigOptions(antialias=False)

#: past this duration the time axis is in seconds rather than milliseconds
SECONDS_AXIS_FROM_MS = 5000.0


class EnvelopeCurve(pg.PlotDataItem):
    """One column of an :class:`Envelope` as a curve: it holds only what is in view, at
    screen resolution (raw values once zoomed in), and reports the whole column's bounds
    from the envelope, so pyqtgraph never measures millions of points.
    """

    def __init__(self, envelope: Envelope, column: int, **options) -> None:
        super().__init__(**options)
        self.envelope = envelope
        self.column = column

    def show_window(self, start: float, stop: float, pixels: int) -> None:
        """Hold the points drawing rows ``start`` to ``stop`` on a view ``pixels`` wide."""
        x, y = self.envelope.window(self.column, start, stop, pixels)
        self.setData(x, y)

    def dataBounds(self, ax, frac=1.0, orthoRange=None):  # noqa: N802 (pyqtgraph override)
        """The whole column's extent (not only the part held), for View All."""
        if ax == 0:
            return (0, max(self.envelope.rows - 1, 0))
        bounds = self.envelope.column_bounds[self.column]
        return bounds if bounds is not None else (None, None)


#: where the legend sits from the plot's top-right corner (pixels)
LEGEND_OFFSET = (-10, 10)


class SignalPlot(QWidget):
    """A zoomable plot of columns against row numbers, with time on the x axis.

    Mouse wheel zooms, dragging pans, a double click or the *Reset view* button shows
    everything again. Each curve holds only the part in view, from the columns' min/max
    :class:`Envelope` (a few points per pixel; raw values once zoomed in), so tens of millions
    of points stay interactive: the UI thread never goes through all of them.
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.info = QLabel()
        self.info.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.reset_button = QToolButton()
        self.reset_button.setText("Reset view")
        self.reset_button.setToolTip("Show the whole sample (or double-click the plot)")
        self.reset_button.clicked.connect(self.reset_view)

        self.plot_widget = pg.PlotWidget()
        self.plot_item: pg.PlotItem = self.plot_widget.getPlotItem()
        self._envelope: Envelope | None = None
        self.plot_item.showGrid(x=True, y=True, alpha=0.25)
        # Keep the view menu (View All, mouse mode) but drop "Plot Options": its transforms
        # (FFT, no downsampling…) would freeze the UI on a large sample.
        self.plot_item.setMenuEnabled(enableMenu=False, enableViewBoxMenu=True)
        self.plot_item.hideButtons()
        # Our labels name the unit; an automatic "(x0.001)" would contradict them.
        for name in ("left", "bottom"):
            self.plot_item.getAxis(name).enableAutoSIPrefix(False)
        self.legend = self.plot_item.addLegend(offset=LEGEND_OFFSET)
        self.plot_widget.scene().sigMouseClicked.connect(self._on_scene_click)
        viewbox = self.plot_item.getViewBox()
        viewbox.sigXRangeChanged.connect(self._show_view)
        viewbox.sigResized.connect(self._show_view)

        header = QHBoxLayout()
        header.setContentsMargins(4, 2, 4, 0)
        header.addWidget(self.info, 1)
        header.addWidget(self.reset_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addLayout(header)
        layout.addWidget(self.plot_widget, 1)
        self._apply_palette()

    # -- content -----------------------------------------------------------------------------

    def set_curves(
        self,
        values: np.ndarray,
        names: Sequence[str | None],
        envelope: Envelope | None = None,
    ) -> list[EnvelopeCurve]:
        """Replace the curves with one per column of ``values`` (rows × columns).

        ``names`` gives each column's legend text (``None``: not in the legend).
        ``envelope`` is ``values``' :class:`Envelope`, best computed off the UI thread (it
        reads every value); without it, it is computed here. The values are not copied.
        """
        self.clear()
        if envelope is None:
            envelope = Envelope(values)
        self._envelope = envelope
        # Auto-range would measure the curves as they change; reset_view uses the envelope.
        self.plot_item.disableAutoRange()
        curves = []
        for column, name in enumerate(names):
            curve = EnvelopeCurve(
                envelope, column, pen=pg.mkPen(series_color(column), width=1), name=name
            )
            self.plot_item.addItem(curve)
            curves.append(curve)
        self.legend.setColumnCount(1 if len(names) <= 12 else 2 if len(names) <= 24 else 3)
        self.legend.setVisible(any(name is not None for name in names))
        self.reset_view()
        self._show_view()  # the range may not have changed since the last sample
        return curves

    def set_time_axis(self, interval_ms: float, rows: int, *, seconds: bool | None = None) -> None:
        """Label the x axis as time, ``interval_ms`` per row.

        ``seconds`` forces the unit; by default samples longer than a few seconds use
        seconds and shorter ones milliseconds. A non-positive interval shows row numbers.
        """
        axis = self.plot_item.getAxis("bottom")
        if interval_ms <= 0:
            axis.setScale(1.0)
            axis.setLabel("Row")
            return
        if seconds is None:
            seconds = interval_ms * rows > SECONDS_AXIS_FROM_MS
        axis.setScale(interval_ms / 1000.0 if seconds else interval_ms)
        axis.setLabel("Time (s)" if seconds else "Time (ms)")

    def curves(self) -> list[pg.PlotDataItem]:
        """The curves shown, in column order."""
        return list(self.plot_item.listDataItems())

    def keep_legend_below(self, height: float) -> None:
        """Anchor the legend ``height`` pixels lower (below tags drawn along the top edge)."""
        x, y = LEGEND_OFFSET
        self.legend.anchor(itemPos=(1, 0), parentPos=(1, 0), offset=(x, y + height))

    def legend_texts(self) -> list[str]:
        """The legend entries, in column order."""
        return [label.text for _sample, label in self.legend.items]

    def clear(self) -> None:
        """Remove every curve and region, freeing the arrays they held."""
        self._envelope = None
        self.plot_item.clear()
        self.info.clear()

    def reset_view(self) -> None:
        """Zoom out to show all the data."""
        envelope = self._envelope
        if envelope is None or envelope.y_bounds is None:
            self.plot_item.enableAutoRange(axis=pg.ViewBox.XYAxes, enable=True)
            return
        self.plot_item.getViewBox().setRange(
            xRange=(0, max(envelope.rows - 1, 1)), yRange=envelope.y_bounds
        )

    def _show_view(self, *_args) -> None:
        if self._envelope is None:
            return
        viewbox = self.plot_item.getViewBox()
        (start, stop), _ = viewbox.viewRange()
        pixels = max(int(viewbox.width()), 1)
        for curve in self.curves():
            if isinstance(curve, EnvelopeCurve):
                curve.show_window(start, stop, pixels)

    # -- look --------------------------------------------------------------------------------

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 (Qt override)
        """Follow palette changes (light/dark)."""
        if event.type() == QEvent.Type.PaletteChange:
            self._apply_palette()
        super().changeEvent(event)

    def _apply_palette(self) -> None:
        palette = self.palette()
        background = palette.color(QPalette.ColorRole.Base)
        foreground = palette.color(QPalette.ColorRole.Text)
        self.plot_widget.setBackground(background)
        for name in ("left", "bottom"):
            axis = self.plot_item.getAxis(name)
            axis.setPen(foreground)
            axis.setTextPen(foreground)
        legend_background = QColor(background)
        legend_background.setAlpha(200)
        self.legend.setBrush(legend_background)
        self.legend.setPen(palette.color(QPalette.ColorRole.Mid))
        self.legend.setLabelTextColor(foreground)
        for _sample, label in self.legend.items:
            label.setText(label.text, color=foreground)  # setLabelTextColor does not redraw

    def set_reset_on_double_click(self, enabled: bool) -> None:
        """Let a double click show everything (the default), or not: a mode that gives the
        double click its own meaning (a split point, relabelling a segment) turns it off.
        """
        scene = self.plot_widget.scene()
        try:
            if enabled:
                scene.sigMouseClicked.connect(self._on_scene_click)
            else:
                scene.sigMouseClicked.disconnect(self._on_scene_click)
        except (RuntimeError, TypeError):
            pass

    def _on_scene_click(self, event) -> None:
        if event.double() and event.button() == Qt.MouseButton.LeftButton:
            self.reset_view()
