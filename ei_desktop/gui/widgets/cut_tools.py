"""Crop and split on a signal plot: a region to keep, or split points and found segments,
drawn over the curves, with a bar below the plot that says what Apply will do.

The tools know positions only (x is the value index, as on :class:`SignalPlot`); the cutting
controller starts a mode, runs the change and finds segments in the background.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Optional

import pyqtgraph as pg
from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSpinBox,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from ei_desktop.gui.widgets.cut_items import SplitLine, crop_region, found_segment
from ei_desktop.gui.widgets.plot_modes import span_text, take_key
from ei_desktop.gui.widgets.plotting import SignalPlot

CROP = "crop"
SPLIT = "split"
#: the part of the sample the crop region covers at first
CROP_START_FRACTION = 0.1
#: default and limits of the segment length (ms) for Find segments
SEGMENT_MS = 1000
SEGMENT_MS_RANGE = (1, 3_600_000)
#: pieces named in the split summary before "…"
SUMMARY_PIECES = 4
#: the keys that remove the picked split point
_REMOVE_KEYS = (Qt.Key.Key_Delete, Qt.Key.Key_Backspace)


class CutTools(QWidget):
    """The bar under a plot: *Crop…* and *Split…* buttons, and while a mode is on, what it
    will do with Apply and Cancel (and for a split, *Add point* and *Find segments*).

    Signals:
        applyRequested(): Apply was pressed.
        cancelRequested(): Cancel was pressed.
        findRequested(float): Find segments was pressed, with the segment length in ms.
        changed(): the region, points or segments moved.
    """

    applyRequested = Signal()
    cancelRequested = Signal()
    findRequested = Signal(float)
    changed = Signal()

    def __init__(self, plot: SignalPlot, parent: Optional[QWidget] = None) -> None:
        super().__init__(parent)
        self.plot = plot
        #: values in the sample shown, and milliseconds per value (0: unknown)
        self.rows = 0
        self.interval_ms = 0.0
        #: ``"crop"``, ``"split"`` or ``None``
        self.mode: Optional[str] = None
        self.region: Optional[pg.LinearRegionItem] = None
        self.lines: list[SplitLine] = []
        self.segments: list[pg.LinearRegionItem] = []
        self._picked: Optional[SplitLine] = None
        #: buttons of other plot tools shown beside Crop and Split (see :meth:`add_tool`)
        self.tool_buttons: list[QToolButton] = []

        self.crop_button = QToolButton()
        self.split_button = QToolButton()
        self.title = QLabel()
        font = self.title.font()
        font.setBold(True)
        self.title.setFont(font)
        self.summary = QLabel()
        self.summary.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.summary.setMinimumWidth(40)
        self.add_button = QToolButton()
        self.add_button.setText("Add point")
        self.add_button.setToolTip("Add a split point in the middle of the view")
        self.add_button.clicked.connect(self.add_point_in_view)
        self.length = QSpinBox()
        self.length.setRange(*SEGMENT_MS_RANGE)
        self.length.setValue(SEGMENT_MS)
        self.length.setSuffix(" ms")
        self.length.setToolTip("Length of each segment")
        self.length.setAccessibleName("Segment length")
        self.length.setMaximumWidth(self.length.fontMetrics().horizontalAdvance("00000 ms") + 28)
        self.find_button = QToolButton()
        self.find_button.setText("Find segments")
        self.find_button.setToolTip("Find the most active windows of this length")
        self.find_button.clicked.connect(self._find_clicked)
        self.apply_button = QPushButton("Apply")
        self.apply_button.setDefault(True)
        self.apply_button.clicked.connect(self.applyRequested)
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setToolTip("Leave without changing the sample (Esc)")
        self.cancel_button.clicked.connect(self.cancelRequested)
        self._mode_widgets = (
            self.title,
            self.summary,
            self.add_button,
            self.length,
            self.find_button,
            self.apply_button,
            self.cancel_button,
        )
        self._split_widgets = (self.add_button, self.length, self.find_button)

        for button in (self.add_button, self.find_button):
            button.setMinimumWidth(button.sizeHint().width())  # never elided
        # what Apply does with Apply and Cancel (the summary wraps), the split's tools below
        self.summary.setWordWrap(True)
        top = QHBoxLayout()
        top.addWidget(self.title, 0, Qt.AlignmentFlag.AlignTop)
        top.addWidget(self.summary, 1)
        top.addWidget(self.apply_button, 0, Qt.AlignmentFlag.AlignTop)
        top.addWidget(self.cancel_button, 0, Qt.AlignmentFlag.AlignTop)
        controls = QHBoxLayout()
        controls.addWidget(self.crop_button)
        controls.addWidget(self.split_button)
        for widget in self._split_widgets:
            controls.addWidget(widget)
        controls.addStretch(1)
        self._controls = controls
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 2, 4, 2)
        layout.setSpacing(2)
        layout.addLayout(top)
        layout.addLayout(controls)
        self._show_mode_widgets()

        plot.plot_widget.scene().sigMouseClicked.connect(self._scene_clicked)
        plot.plot_widget.installEventFilter(self)

    # -- setup ---------------------------------------------------------------------------------

    def set_actions(self, crop: QAction, split: QAction) -> None:
        """Show ``crop`` and ``split`` as the bar's buttons (they follow their enabled state)."""
        self.crop_button.setDefaultAction(crop)
        self.split_button.setDefaultAction(split)

    def add_tool(self, action: QAction) -> QToolButton:
        """Show ``action`` as a button beside Crop and Split (hidden while cutting)."""
        button = QToolButton()
        button.setDefaultAction(action)
        self._controls.insertWidget(2 + len(self.tool_buttons), button)
        self.tool_buttons.append(button)
        button.setVisible(self.mode is None)
        return button

    def set_signal(self, rows: int, interval_ms: float) -> None:
        """The sample now shown: ``rows`` values, ``interval_ms`` apart; ends any mode."""
        self.stop()
        self.rows = int(rows)
        self.interval_ms = float(interval_ms)

    # -- modes ---------------------------------------------------------------------------------

    def start_crop(self) -> None:
        """Show the region to keep over the middle of the sample."""
        self.stop()
        rows = self.rows
        start = int(round(rows * CROP_START_FRACTION))
        end = max(start + 1, rows - start)
        self.region = crop_region(start, end, rows)
        self.region.sigRegionChanged.connect(self._changed)
        self.plot.plot_item.addItem(self.region, ignoreBounds=True)
        self.mode = CROP
        self._show_mode_widgets()
        self._changed()

    def start_split(self) -> None:
        """Wait for split points (double click, *Add point*) or found segments."""
        self.stop()
        self.mode = SPLIT
        self.plot.set_reset_on_double_click(False)  # a double click adds a point
        self._show_mode_widgets()
        self._changed()

    def stop(self) -> None:
        """Leave the mode and remove what it drew."""
        if self.mode == SPLIT:
            self.plot.set_reset_on_double_click(True)
        self.mode = None
        for item in [self.region, *self.lines, *self.segments]:
            if item is not None:
                self.plot.plot_item.removeItem(item)
        self.region = None
        self.lines = []
        self.segments = []
        self._picked = None
        self._show_mode_widgets()

    # -- crop ----------------------------------------------------------------------------------

    def crop_indices(self) -> tuple[int, int]:
        """The values the region keeps: ``(start, end)``, end exclusive, inside the sample."""
        if self.region is None:
            return 0, self.rows
        low, high = self.region.getRegion()
        return self._clamped(low, high)

    def set_crop_region(self, start: float, end: float) -> None:
        """Move the region to ``start``–``end`` (value indices), as a drag would."""
        if self.region is not None:
            self.region.setRegion((start, end))

    # -- split ---------------------------------------------------------------------------------

    def add_point(self, x: float) -> Optional[SplitLine]:
        """Add a split point at value index ``x`` (inside the sample); found segments go."""
        if self.mode != SPLIT or not 0 < x < self.rows:
            return None
        self._clear_segments()
        line = SplitLine(x, self.rows)
        line.sigPositionChanged.connect(self._changed)
        line.sigRemoveRequested.connect(self.remove_point)
        line.sigPicked.connect(self._pick)
        self.plot.plot_item.addItem(line, ignoreBounds=True)
        self.lines.append(line)
        self._pick(line)
        self._changed()
        return line

    def add_point_in_view(self) -> Optional[SplitLine]:
        """Add a split point in the middle of what the plot shows."""
        (left, right), _ = self.plot.plot_item.getViewBox().viewRange()
        left, right = max(0.0, left), min(float(self.rows), right)
        return self.add_point((left + right) / 2)

    def remove_point(self, line: SplitLine) -> None:
        """Remove split point ``line``."""
        if line in self.lines:
            self.lines.remove(line)
            self.plot.plot_item.removeItem(line)
            if self._picked is line:
                self._picked = self.lines[-1] if self.lines else None
                if self._picked is not None:
                    self._picked.set_picked(True)
            self._changed()

    def set_segments_ms(self, ranges_ms: Sequence[tuple[float, float]]) -> None:
        """Show ``ranges_ms`` (found segments) as the pieces; the split points go."""
        if self.mode != SPLIT:
            return
        for line in list(self.lines):
            self.plot.plot_item.removeItem(line)
        self.lines = []
        self._picked = None
        self._clear_segments()
        interval = self.interval_ms
        for start_ms, end_ms in ranges_ms if interval > 0 else []:
            region = found_segment(start_ms / interval, end_ms / interval, self.rows)
            region.sigRegionChanged.connect(self._changed)
            self.plot.plot_item.addItem(region, ignoreBounds=True)
            self.segments.append(region)
        self._changed()

    def pieces(self) -> list[tuple[int, int]]:
        """The samples Apply makes, as ``(start, end)`` value indices (end exclusive)."""
        if self.segments:
            found = [self._clamped(*region.getRegion()) for region in self.segments]
            return sorted({piece for piece in found if piece[1] > piece[0]})
        cuts = sorted({self._index(line.value()) for line in self.lines} - {0, self.rows})
        bounds = [0, *cuts, self.rows]
        return [(a, b) for a, b in zip(bounds, bounds[1:]) if b > a]

    def split_ranges_ms(self) -> list[tuple[float, float]]:
        """:meth:`pieces` as half-open millisecond ranges."""
        interval = self.interval_ms
        return [(start * interval, end * interval) for start, end in self.pieces()]

    # -- what Apply does -----------------------------------------------------------------------

    def can_apply(self) -> bool:
        """True when Apply would change the sample."""
        if self.mode == CROP:
            start, end = self.crop_indices()
            return end - start < self.rows
        if self.mode == SPLIT:
            pieces = self.pieces()
            return self.interval_ms > 0 and (len(pieces) > 1 or bool(self.segments and pieces))
        return False

    def summary_text(self) -> str:
        """What Apply will do, in a line."""
        if self.mode == CROP:
            start, end = self.crop_indices()
            kept = f"{end - start:,} of {self.rows:,} values kept"
            return f"Keep {self._span(start, end)} · {kept}"
        if self.mode == SPLIT:
            if not self.lines and not self.segments:
                return "Double-click the plot to add split points, or find segments"
            pieces = self.pieces()
            named = [self._span(a, b) for a, b in pieces[:SUMMARY_PIECES]]
            more = ", …" if len(pieces) > SUMMARY_PIECES else ""
            noun = "piece" if len(pieces) == 1 else "pieces"
            return f"{len(pieces)} {noun}: {', '.join(named)}{more}"
        return ""

    def show_status(self, text: str) -> None:
        """Show ``text`` in place of the summary until something moves."""
        self.summary.setText(text)
        self.summary.setToolTip(text)

    # -- helpers -------------------------------------------------------------------------------

    def _index(self, x: float) -> int:
        return min(self.rows, max(0, int(round(x))))

    def _clamped(self, low: float, high: float) -> tuple[int, int]:
        start, end = sorted((self._index(low), self._index(high)))
        return start, end

    def _span(self, start: int, end: int) -> str:
        return span_text(start, end, self.interval_ms, last=end)

    def _changed(self, *_args) -> None:
        text = self.summary_text()
        self.summary.setText(text)
        self.summary.setToolTip(text)
        self.apply_button.setEnabled(self.can_apply())
        self.changed.emit()

    def _find_clicked(self) -> None:
        self.findRequested.emit(float(self.length.value()))

    def _clear_segments(self) -> None:
        for region in self.segments:
            self.plot.plot_item.removeItem(region)
        self.segments = []

    def _pick(self, line: SplitLine) -> None:
        if self._picked is not None and self._picked in self.lines:
            self._picked.set_picked(False)
        self._picked = line
        line.set_picked(True)

    def _show_mode_widgets(self) -> None:
        on = self.mode is not None
        self.crop_button.setVisible(not on)
        self.split_button.setVisible(not on)
        for button in self.tool_buttons:
            button.setVisible(not on)
        for widget in self._mode_widgets:
            widget.setVisible(on)
        for widget in self._split_widgets:
            widget.setVisible(self.mode == SPLIT)
        self.title.setText({CROP: "Crop:", SPLIT: "Split:"}.get(self.mode or "", ""))
        if not on:
            self.summary.clear()

    def _scene_clicked(self, event) -> None:
        if self.mode != SPLIT or event.button() != Qt.MouseButton.LeftButton:
            return
        if not event.double():
            return
        view = self.plot.plot_item.getViewBox()
        if not view.sceneBoundingRect().contains(event.scenePos()):
            return
        self.add_point(view.mapSceneToView(event.scenePos()).x())

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt override)
        """Delete (or Backspace) on the plot removes the picked split point."""
        picked = self._picked
        if (
            self.mode == SPLIT
            and picked is not None
            and take_key(event, _REMOVE_KEYS, lambda _key: self.remove_point(picked))
        ):
            return True
        return super().eventFilter(watched, event)
