"""The plot of a time-series sample, with its structured labels, or the values of a table."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QLabel,
    QStackedWidget,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ei_desktop.core import display
from ei_desktop.core.backends.base import Series
from ei_desktop.core.model import Sensor
from ei_desktop.gui.models import format as fmt
from ei_desktop.gui.widgets.colors import label_colors, text_color_on
from ei_desktop.gui.widgets.cut_tools import CutTools
from ei_desktop.gui.widgets.envelope import Envelope
from ei_desktop.gui.widgets.plotting import SignalPlot
from ei_desktop.gui.widgets.segment_editor import SegmentEditor


def axis_title(sensor: Sensor | None, column: int) -> str:
    """Legend text of one axis: ``"accX (m/s2)"``."""
    if sensor is None:
        return f"Axis {column + 1}"
    return f"{sensor.name} ({sensor.units})" if sensor.units else sensor.name


def valid_segments(structured_labels: list[dict] | None, rows: int) -> list[tuple[str, int, int]]:
    """``(label, start, end)`` for each well-formed segment, clipped to ``rows``.

    Malformed entries (missing keys, non-numbers, end before start, outside the data) are
    skipped: a bad label must not stop the preview.
    """
    segments = []
    for entry in structured_labels or []:
        try:
            label = str(entry["label"])
            start = max(0, int(entry["startIndex"]))
            end = min(rows - 1, int(entry["endIndex"]))
        except (KeyError, TypeError, ValueError):
            continue
        if start <= end:
            segments.append((label, start, end))
    return segments


class TimeSeriesView(QWidget):
    """Shows a time-series sample as one curve per axis, or a one-row table as a table.

    Structured labels are shaded regions with their label at the top. Zoom with the mouse
    wheel, pan by dragging, double-click (or *Reset view*) to see everything.
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.plot = SignalPlot()
        self.table = QTableWidget(0, 3)
        self.table.setHorizontalHeaderLabels(["Name", "Value", "Units"])
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        # Sized to the contents, so a value stays next to its name.
        self.table.horizontalHeader().setStretchLastSection(False)
        self.message = QLabel()
        self.message.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.message.setWordWrap(True)

        #: crop and split over the plot, in a bar below it
        self.cut_tools = CutTools(self.plot)
        #: the label segments edited on the plot (its bar shows while editing)
        self.segment_editor = SegmentEditor(self.plot)
        self.segment_editor.editingChanged.connect(self._segments_editing)
        self._plot_page = QWidget()
        plot_layout = QVBoxLayout(self._plot_page)
        plot_layout.setContentsMargins(0, 0, 0, 0)
        plot_layout.setSpacing(0)
        plot_layout.addWidget(self.plot, 1)
        plot_layout.addWidget(self.cut_tools)
        plot_layout.addWidget(self.segment_editor)

        self._stack = QStackedWidget()
        for page in (self._plot_page, self.table, self.message):
            self._stack.addWidget(page)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self._stack)
        self._regions: list[tuple[str, pg.LinearRegionItem, pg.InfiniteLine]] = []

    def set_series(
        self,
        series: Series,
        structured_labels: list[dict] | None = None,
        envelope: Envelope | None = None,
    ) -> None:
        """Show ``series``; ``structured_labels`` are ``{"label", "startIndex", "endIndex"}``
        segments over row indices (inclusive).

        ``envelope`` is the values' :class:`Envelope`, computed with them off the UI thread
        (see ``preview_job``); without it, it is computed here, which reads every value. The
        values array is plotted without copying it.
        """
        self.clear()
        values = np.asarray(series.values)
        if values.ndim == 1:
            values = values.reshape(-1, 1)
        rows, columns = values.shape if values.ndim == 2 else (0, 0)
        if rows == 0 or columns == 0:
            self._show_message("This sample has no values.")
            return
        sensors: list[Sensor | None] = list(series.sensors[:columns])
        sensors += [None] * (columns - len(sensors))
        if rows == 1:
            self._show_table(values[0], sensors)
            return

        names = [axis_title(s, i) for i, s in enumerate(sensors)]
        self.plot.set_curves(values, names, envelope)
        self.plot.set_time_axis(series.interval_ms, rows)
        self.plot.info.setText(self._summary(series.interval_ms, rows, columns))
        segments = valid_segments(structured_labels, rows)
        self._add_regions(segments)
        # the segment tags run along the top edge: the legend goes below them
        self.plot.keep_legend_below(self.fontMetrics().height() + 12 if segments else 0)
        self.cut_tools.set_signal(rows, series.interval_ms)
        self._stack.setCurrentWidget(self._plot_page)

    def clear(self) -> None:
        """Show nothing and let go of the last sample's arrays."""
        self.cut_tools.set_signal(0, 0.0)
        self.plot.clear()
        self._regions = []
        self.table.setRowCount(0)
        self.message.clear()

    def curves(self) -> list[pg.PlotDataItem]:
        """The curves shown, one per axis."""
        return self.plot.curves()

    def legend_texts(self) -> list[str]:
        """The legend entries: ``"name (units)"`` per axis."""
        return self.plot.legend_texts()

    def regions(self) -> list[pg.LinearRegionItem]:
        """The shaded structured-label segments, in the order given."""
        return [region for _label, region, _marker in self._regions]

    def region_labels(self) -> list[str]:
        """The text drawn at the top of each segment, in the order given."""
        return [marker.label.textItem.toPlainText() for _label, _region, marker in self._regions]

    def showing(self) -> str:
        """What is shown: ``"plot"``, ``"table"`` or ``"message"``."""
        current = self._stack.currentWidget()
        if current is self._plot_page:
            return "plot"
        return "table" if current is self.table else "message"

    # -- helpers -----------------------------------------------------------------------------

    @staticmethod
    def _summary(interval_ms: float, rows: int, columns: int) -> str:
        parts = [f"{columns} {'axis' if columns == 1 else 'axes'}", f"{rows:,} values"]
        if interval_ms > 0:
            parts += [display.frequency(1000.0 / interval_ms), display.duration(interval_ms * rows)]
        return " · ".join(parts)

    def _show_message(self, text: str) -> None:
        self.message.setText(text)
        self._stack.setCurrentWidget(self.message)

    def _show_table(self, row: np.ndarray, sensors: list[Sensor | None]) -> None:
        self.table.setRowCount(len(row))
        for index, (value, sensor) in enumerate(zip(row, sensors)):
            name = sensor.name if sensor else f"Axis {index + 1}"
            units = sensor.units if sensor else ""
            cells = (name, fmt.reading(float(value)), units)
            for column, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setFlags(Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemIsEnabled)
                if column == 1:
                    item.setTextAlignment(
                        Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
                    )
                self.table.setItem(index, column, item)
        for column in range(3):
            self.table.resizeColumnToContents(column)
        self.table.setColumnHidden(2, not any(sensor and sensor.units for sensor in sensors))
        self._stack.setCurrentWidget(self.table)

    def _segments_editing(self, editing: bool) -> None:
        # the editor draws the segments while it edits them
        for _label, region, marker in self._regions:
            region.setVisible(not editing)
            marker.setVisible(not editing)

    def _add_regions(self, segments: list[tuple[str, int, int]]) -> None:
        colors = label_colors(label for label, _start, _end in segments)
        for label, start, end in segments:
            color = colors[label]
            fill = QColor(color)
            fill.setAlpha(45)
            edge = QColor(color)
            edge.setAlpha(140)
            # Row i lasts from i to i + 1 on the axis, so an inclusive [start, end] segment
            # covers [start, end + 1): a one-row segment still has a width.
            region = pg.LinearRegionItem(
                values=(start, end + 1), brush=fill, pen=edge, movable=False
            )
            region.setZValue(-10)
            region.setToolTip(f"{label}: rows {start}–{end}")
            self.plot.plot_item.addItem(region, ignoreBounds=True)
            # The text rides on its own line above the curves; as a child of the region it
            # would sit under them and vanish behind a dense curve.
            tag = QColor(color)
            tag.setAlpha(210)
            marker = pg.InfiniteLine(
                pos=start,
                angle=90,
                movable=False,
                pen=pg.mkPen(None),
                # the label is a str.format template: escape braces so any text shows as is
                label=label.replace("{", "{{").replace("}", "}}"),
                labelOpts={
                    "position": 0.97,
                    "anchors": [(0, 0), (0, 0)],
                    "color": text_color_on(color),
                    "fill": tag,
                },
            )
            marker.setZValue(10)
            self.plot.plot_item.addItem(marker, ignoreBounds=True)
            self._regions.append((label, region, marker))
