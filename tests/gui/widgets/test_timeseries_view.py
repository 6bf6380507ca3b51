from __future__ import annotations

import tracemalloc

import numpy as np
import pyqtgraph as pg
import pytest
from PySide6.QtCore import QPoint, Qt

from ei_desktop.core.backends.base import Series
from ei_desktop.core.model import Sensor
from ei_desktop.gui.widgets.envelope import Envelope
from ei_desktop.gui.widgets.timeseries import TimeSeriesView


@pytest.fixture
def view(qtbot):
    widget = TimeSeriesView()
    qtbot.addWidget(widget)
    widget.resize(800, 400)
    widget.show()
    return widget


def x_range(view):
    return view.plot.plot_item.getViewBox().viewRange()[0]


def test_one_curve_per_axis_with_units_in_the_legend(view, make_series):
    view.set_series(make_series(rows=200))

    assert view.showing() == "plot"
    assert len(view.curves()) == 3
    assert view.legend_texts() == ["accX (m/s2)", "accY (m/s2)", "accZ (m/s2)"]


def test_curves_have_distinct_colours(view, make_series):
    view.set_series(make_series(rows=50, sensors=[Sensor(f"s{i}", "u") for i in range(12)]))

    colours = {curve.opts["pen"].color().name() for curve in view.curves()}
    assert len(colours) == 12


def test_a_long_series_draws_its_peaks_and_zooming_in_shows_the_raw_values(view):
    rows = 1_000_000
    values = np.zeros((rows, 1))
    values[::7, 0] = np.arange(len(values[::7])) % 5
    values[654_321, 0] = 40.0  # one spike must survive the decimation
    view.set_series(Series([Sensor("x", "g")], values, interval_ms=1.0))
    view.grab()

    (curve,) = view.curves()
    x, y = curve.getData()
    assert len(x) < 10_000  # a few points per pixel, not a million
    assert y.max() == 40.0 and y.min() == 0.0
    viewbox = view.plot.plot_item.getViewBox()
    assert viewbox.viewRange()[1][1] >= 40.0

    viewbox.setXRange(654_000, 655_000, padding=0)
    view.grab()
    x, y = curve.getData()
    assert x[0] <= 654_000 and x[-1] >= 655_000 and len(x) < 2_000
    np.testing.assert_array_equal(y, values[x, 0])  # every raw value, exactly
    assert np.shares_memory(y, values)


def test_view_all_from_the_menu_covers_the_whole_sample_after_a_zoom(view, make_series):
    series = make_series(rows=100_000)
    view.set_series(series)
    viewbox = view.plot.plot_item.getViewBox()
    viewbox.setXRange(10, 20, padding=0)

    viewbox.autoRange(padding=0)  # what the view menu's "View All" does

    (left, right), (bottom, top) = viewbox.viewRange()
    assert left <= 0 and right >= 99_999
    assert bottom <= series.values.min() and top >= series.values.max()


def test_values_are_plotted_without_copies(view, make_series):
    series = make_series(rows=1000)
    view.set_series(series)

    for column, curve in enumerate(view.curves()):
        _x, y = curve.getOriginalDataset()
        assert np.shares_memory(y, series.values)
        assert y[5] == series.values[5, column]


def test_short_samples_use_milliseconds_and_long_ones_seconds(view, make_series):
    axis = view.plot.plot_item.getAxis("bottom")

    view.set_series(make_series(rows=100, interval_ms=10.0))  # 1 s
    assert axis.labelText == "Time (ms)"
    assert axis.scale == pytest.approx(10.0)

    view.set_series(make_series(rows=1000, interval_ms=10.0))  # 10 s
    assert axis.labelText == "Time (s)"
    assert axis.scale == pytest.approx(0.01)


def test_structured_labels_are_shaded_regions_with_their_labels(view, make_series):
    labels = [
        {"label": "idle", "startIndex": 0, "endIndex": 29},
        {"label": "wave", "startIndex": 30, "endIndex": 59},
        {"label": "idle", "startIndex": 60, "endIndex": 99},
    ]
    view.set_series(make_series(rows=100), labels)

    regions = view.regions()
    assert len(regions) == 3
    assert view.region_labels() == ["idle", "wave", "idle"]
    assert [r.getRegion() for r in regions] == [(0, 30), (30, 60), (60, 100)]
    assert all(not r.movable for r in regions)
    fills = [r.brush.color().name() for r in regions]
    assert fills[0] == fills[2] != fills[1]
    items = view.plot.plot_item.items
    assert sum(isinstance(item, pg.LinearRegionItem) for item in items) == 3


def test_malformed_structured_labels_are_skipped(view, make_series):
    labels = [
        {"label": "ok {not a format}", "startIndex": 5, "endIndex": 10},
        {"label": "no end", "startIndex": 5},
        {"label": "backwards", "startIndex": 10, "endIndex": 5},
        {"label": "text", "startIndex": "a", "endIndex": 9},
        {"label": "past the end", "startIndex": 90, "endIndex": 500},
        "not a dict",
    ]
    view.set_series(make_series(rows=100), labels)

    assert view.region_labels() == ["ok {not a format}", "past the end"]
    assert view.regions()[1].getRegion() == (90, 100)


def test_a_single_row_is_shown_as_a_table(view, make_series):
    series = make_series(rows=1)
    view.set_series(series)

    assert view.showing() == "table"
    assert view.table.rowCount() == 3
    assert view.table.item(0, 0).text() == "accX"
    assert float(view.table.item(1, 1).text()) == pytest.approx(series.values[0, 1], rel=1e-5)
    assert view.table.item(2, 2).text() == "m/s2"


def test_no_values_shows_a_message(view):
    view.set_series(Series(sensors=[], values=np.empty((0, 0)), interval_ms=10.0))

    assert view.showing() == "message"
    assert "no values" in view.message.text()


def test_double_click_and_reset_button_show_everything_again(view, qtbot, make_series):
    view.set_series(make_series(rows=1000))
    full = x_range(view)
    viewbox = view.plot.plot_item.getViewBox()

    viewbox.setXRange(100, 200, padding=0)
    assert x_range(view)[1] - x_range(view)[0] < 200
    qtbot.mouseClick(view.plot.reset_button, Qt.MouseButton.LeftButton)
    assert x_range(view) == pytest.approx(full)

    viewbox.setXRange(100, 200, padding=0)
    viewport = view.plot.plot_widget.viewport()
    # a real double click is press, release, double-click, release
    qtbot.mouseClick(viewport, Qt.MouseButton.LeftButton, pos=QPoint(300, 150))
    qtbot.mouseDClick(viewport, Qt.MouseButton.LeftButton, pos=QPoint(300, 150))
    qtbot.mouseRelease(viewport, Qt.MouseButton.LeftButton, pos=QPoint(300, 150))
    assert x_range(view) == pytest.approx(full)


def test_clear_removes_curves_and_regions(view, make_series):
    view.set_series(make_series(rows=100), [{"label": "a", "startIndex": 1, "endIndex": 5}])
    view.clear()

    assert view.curves() == []
    assert view.regions() == []
    assert view.plot.plot_item.items == []


def test_ten_million_points_are_drawn_from_the_envelope_in_view(view):
    """What keeps a huge sample quick to show: the preview job computes its envelope off the
    UI thread; the UI thread then copies no values and hands pyqtgraph only a screenful of
    points, zoomed out or in (timings are in benchmarks/, not asserted here)."""
    rows = 10_000_000
    values = np.empty((rows, 3))
    values[:, 0] = np.arange(rows) % 1000
    values[:, 1] = -values[:, 0]
    values[:, 2] = 1.5
    series = Series([Sensor("x", "g"), Sensor("y", "g"), Sensor("z", "g")], values, interval_ms=1.0)
    labels = [{"label": "a", "startIndex": 1000, "endIndex": 2_000_000}]
    envelope = Envelope(values)

    tracemalloc.start()
    try:
        view.set_series(series, labels, envelope)
        view.grab()
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 0.01 * values.nbytes  # nothing of the size of the values

    def shown():
        return [curve.getData() for curve in view.curves()]

    assert len(view.regions()) == 1
    assert all(0 < len(x) < 20_000 for x, _y in shown())
    assert [(y.min(), y.max()) for _x, y in shown()] == [(0, 999), (-999, 0), (1.5, 1.5)]
    viewbox = view.plot.plot_item.getViewBox()
    (left, right), (bottom, top) = viewbox.viewRange()
    assert left <= 0 and right >= rows - 1 and bottom <= -999 and top >= 999

    viewbox.setXRange(5_000_000, 5_002_000, padding=0)
    view.grab()
    for column, (x, y) in enumerate(shown()):
        assert x[0] <= 5_000_000 and x[-1] >= 5_002_000
        np.testing.assert_array_equal(y, values[x, column])

    viewbox.translateBy(x=-3_000_000)  # pan far away: the points follow
    x, y = shown()[0]
    assert x[0] <= 2_000_000 <= x[-1] and len(x) < 20_000
    np.testing.assert_array_equal(y, values[x, 0])


def test_the_legend_does_not_cover_the_last_segment_tag(view, qtbot, make_series):
    labels = [
        {"label": "idle", "startIndex": 0, "endIndex": 59},
        {"label": "updown", "startIndex": 60, "endIndex": 99},
    ]
    view.set_series(make_series(rows=100), labels)
    qtbot.wait(50)  # the legend and tags are placed when laid out
    legend = view.plot.legend.sceneBoundingRect()
    assert legend.width() > 0
    tags = [marker.label.sceneBoundingRect() for _label, _region, marker in view._regions]
    assert tags and not any(tag.intersects(legend) for tag in tags)
    # without segments the legend goes back up to the corner
    view.set_series(make_series(rows=100))
    qtbot.wait(50)
    assert view.plot.legend.sceneBoundingRect().top() < legend.top()
