"""Crop and split on the preview's plot, through the real window on a local project: the
region to keep, split points, found segments, undo, Esc, and when the modes are offered.
"""

from __future__ import annotations

import io
import math
import wave

import numpy as np
import pytest
from gui_helpers import SAMPLES, active, wait_idle, wait_listed
from PySide6.QtCore import QPointF, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from ei_desktop.core.backends.local import LocalBackend
from ei_desktop.core.model import Sample
from ei_desktop.data import upload_samples
from ei_desktop.gui.dialogs.confirm import ConfirmDialog

ROWS = 300
BURST_ROWS = 1000
BURSTS = (150, 500, 800)


def ramp_csv(rows: int = ROWS, offset: int = 0) -> str:
    """Two axes, 10 ms apart, every value distinct (so a slice is recognisable)."""
    lines = ["timestamp,accX,accY"]
    lines += [f"{i * 10},{i + offset},{math.sin(i / 7):.6f}" for i in range(rows)]
    return "\n".join(lines) + "\n"


def bursts_csv() -> str:
    """Quiet (a tiny ripple) with three strong 50-value wiggles at ``BURSTS``."""
    lines = ["timestamp,accX"]
    for i in range(BURST_ROWS):
        value = 0.01 * ((i % 3) - 1)
        if any(start <= i < start + 50 for start in BURSTS):
            value = 5.0 * math.sin(i * 1.3)
        lines.append(f"{i * 10},{value:.5f}")
    return "\n".join(lines) + "\n"


def pcm_wav(rate: int = 8000, seconds: float = 1.0) -> bytes:
    """A mono 16-bit WAV of a 440 Hz tone."""
    frames = np.arange(int(rate * seconds))
    tone = (8000 * np.sin(2 * np.pi * 440 * frames / rate)).astype("<i2")
    out = io.BytesIO()
    with wave.open(out, "wb") as file:
        file.setnchannels(1)
        file.setsampwidth(2)
        file.setframerate(rate)
        file.writeframes(tone.tobytes())
    return out.getvalue()


@pytest.fixture
def cut_project(tmp_path):
    """A local project with two ramps, a recording with bursts, an image and an audio file."""
    backend = LocalBackend(tmp_path / "project", create=True)
    samples = [
        Sample(data=ramp_csv(), filename="ramp.a.csv", category="training", label="ramp"),
        Sample(
            data=ramp_csv(offset=1000), filename="ramp.b.csv", category="training", label="ramp"
        ),
        Sample(data=bursts_csv(), filename="bursts.csv", category="training", label="punch"),
        Sample(
            data=(SAMPLES / "capacitor.01.png").read_bytes(),
            filename="capacitor.01.png",
            category="training",
            label="capacitor",
        ),
        Sample(
            data=pcm_wav(),
            filename="hadouken.01.wav",
            category="training",
            label="hadouken",
        ),
    ]
    response = upload_samples(samples, project=backend)
    assert not response.fails, response.fails
    backend.ids = {s.filename: s.sample_id for s in response.successes}
    yield backend
    backend.close()


def settle(qtbot, window):
    """Wait until the change asked for ran and every view read the project again."""
    qtbot.waitUntil(lambda: not window.curation.busy, timeout=20000)
    wait_idle(qtbot, window)
    for _ in range(3):
        QApplication.processEvents()
    wait_listed(qtbot, window)


def click_row(window, sample_id, modifier=Qt.KeyboardModifier.NoModifier):
    row = window.table_model.row_of(sample_id)
    assert row is not None, sample_id
    index = window.table_model.index(row, 0)
    window.table.scrollTo(index)
    rect = window.table.visualRect(index)
    QTest.mouseClick(window.table.viewport(), Qt.MouseButton.LeftButton, modifier, rect.center())


def show(qtbot, window, sample_id):
    """Select ``sample_id`` alone and wait until its plot is in the preview."""
    click_row(window, sample_id)
    qtbot.waitUntil(
        lambda: window.preview.current_id == sample_id and window.preview.cut_tools() is not None,
        timeout=10000,
    )
    return window.preview.cut_tools()


def confirm_if_final(qtbot, window) -> None:
    """Through a server a crop or split is final: the window asks first; say yes."""
    if window.spec.kind != "server":
        return
    dialog = active(qtbot, window, ConfirmDialog)
    assert "This cannot be undone." in dialog.text.text()
    dialog.ok_button.click()
    window.activateWindow()  # back to the window, as closing the dialog does on a desktop
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window, timeout=5000)


def values(backend, sample_id) -> np.ndarray:
    return np.asarray(backend.load_series(sample_id).values)


def test_crop_keeps_the_region_and_ctrl_z_restores(qtbot, open_on, cut_project):
    window = open_on(cut_project)
    sample_id = cut_project.ids["ramp.a.csv"]
    original = values(cut_project, sample_id)
    tools = show(qtbot, window, sample_id)
    actions = window.menu_actions
    assert actions.crop.isEnabled() and actions.split.isEnabled()
    assert tools.crop_button.isVisible()

    actions.crop.trigger()
    assert window.cutting.mode == "crop" and tools.region is not None
    assert tools.crop_indices() == (30, 270)  # the middle 80 %
    assert tools.summary.text() == "Keep 300–2700 ms · 240 of 300 values kept"
    tools.set_crop_region(40.4, 250.6)  # as a drag of its edges leaves it
    assert tools.crop_indices() == (40, 251)
    assert tools.summary.text() == "Keep 400–2510 ms · 211 of 300 values kept"
    qtbot.mouseClick(tools.apply_button, Qt.MouseButton.LeftButton)
    confirm_if_final(qtbot, window)
    settle(qtbot, window)

    assert np.array_equal(values(cut_project, sample_id), original[40:251])
    # the preview shows the cropped sample, out of crop mode
    qtbot.waitUntil(lambda: window.preview.cut_tools() is not None and tools.rows == 211)
    assert window.cutting.mode is None and tools.region is None

    window.table.setFocus()
    QTest.keyClick(window.table, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    settle(qtbot, window)
    if window.spec.kind == "server":  # a crop over the Studio API is final, and says so
        assert window.message_bar.isVisible() and window.message_bar.level == "error"
        assert window.message_bar.text.text().startswith("Cannot undo this change:")
        assert np.array_equal(values(cut_project, sample_id), original[40:251])
        return
    assert np.array_equal(values(cut_project, sample_id), original)
    qtbot.waitUntil(lambda: window.preview.cut_tools() is not None and tools.rows == ROWS)


def test_crop_by_dragging_the_region_edge(qtbot, open_on, cut_project):
    window = open_on(cut_project)
    sample_id = cut_project.ids["ramp.b.csv"]
    tools = show(qtbot, window, sample_id)
    window.menu_actions.crop.trigger()
    view = tools.plot.plot_item.getViewBox()
    graphics = tools.plot.plot_widget

    def at(x):
        y = sum(view.viewRange()[1]) / 2
        return graphics.mapFromScene(view.mapViewToScene(QPointF(x, y)))

    start = at(270)  # the region's right edge
    end = at(200)
    QTest.mousePress(graphics.viewport(), Qt.MouseButton.LeftButton, pos=start)
    for step in range(1, 11):
        point = start + (end - start) * step / 10
        QTest.mouseMove(graphics.viewport(), point)
    QTest.mouseRelease(graphics.viewport(), Qt.MouseButton.LeftButton, pos=end)
    low, high = tools.crop_indices()
    assert low == 30 and 195 <= high <= 205, (low, high)


def test_split_with_two_points_makes_three_samples(qtbot, open_on, cut_project):
    window = open_on(cut_project)
    sample_id = cut_project.ids["ramp.a.csv"]
    original = values(cut_project, sample_id)
    tools = show(qtbot, window, sample_id)
    window.menu_actions.split.trigger()
    assert window.cutting.mode == "split"
    assert not tools.apply_button.isEnabled()

    tools.add_point(120.2)
    line = tools.add_point_in_view()  # the middle of the view: 150
    assert line is not None and round(line.value()) == 150
    line.setValue(250)  # dragged
    assert tools.summary.text() == "3 pieces: 0–1200 ms, 1200–2500 ms, 2500–3000 ms"
    assert tools.split_ranges_ms() == [(0, 1200), (1200, 2500), (2500, 3000)]
    with qtbot.waitSignal(window.curation.finished, timeout=20000) as finished:
        qtbot.mouseClick(tools.apply_button, Qt.MouseButton.LeftButton)
        confirm_if_final(qtbot, window)
    settle(qtbot, window)

    report = finished.args[0]
    assert report.error is None, report.message
    assert cut_project.get_sample(sample_id) is None
    made = cut_project.get_samples(report.created)
    assert [made[i].filename.split(".csv")[0] for i in report.created] == [
        "ramp.a.s1",
        "ramp.a.s2",
        "ramp.a.s3",
    ]
    pieces = [values(cut_project, i) for i in report.created]
    assert [len(p) for p in pieces] == [120, 130, 50]
    assert np.array_equal(np.concatenate(pieces), original)
    # the new samples are listed (and selected)
    assert all(window.table_model.row_of(i) is not None for i in report.created)
    qtbot.waitUntil(lambda: window.table.selected_count() == 3)


def test_split_points_removed_with_right_click_and_delete(qtbot, make_window, cut_project):
    window = make_window(cut_project.path)
    tools = show(qtbot, window, cut_project.ids["ramp.a.csv"])
    window.menu_actions.split.trigger()
    first, second = tools.add_point(100), tools.add_point(200)
    assert second is not None
    assert len(tools.lines) == 2
    tools.plot.plot_widget.setFocus()
    QTest.keyClick(tools.plot.plot_widget, Qt.Key.Key_Delete)  # the one picked last
    assert tools.lines == [first]
    first.sigRemoveRequested.emit(first)  # what a right click on it sends
    assert tools.lines == []
    assert window.menu_actions.delete.isEnabled()  # Delete went to the point, not the samples
    assert cut_project.get_sample(cut_project.ids["ramp.a.csv"]) is not None


def test_find_segments_proposes_the_bursts_and_splits_them(qtbot, open_on, cut_project):
    window = open_on(cut_project)
    sample_id = cut_project.ids["bursts.csv"]
    tools = show(qtbot, window, sample_id)
    window.menu_actions.split.trigger()
    assert tools.length.value() == 1000
    qtbot.mouseClick(tools.find_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: len(tools.segments) == 3, timeout=10000)
    assert tools.summary.text().startswith("3 pieces: ")
    starts = [start for start, _end in tools.pieces()]
    for burst, start in zip(BURSTS, starts):
        assert start <= burst and burst + 50 <= start + 100
    with qtbot.waitSignal(window.curation.finished, timeout=20000) as finished:
        qtbot.mouseClick(tools.apply_button, Qt.MouseButton.LeftButton)
        confirm_if_final(qtbot, window)
    settle(qtbot, window)
    report = finished.args[0]
    assert len(report.created) == 3
    assert cut_project.get_sample(sample_id) is None
    assert [len(values(cut_project, i)) for i in report.created] == [100, 100, 100]


def test_crop_audio(qtbot, make_window, cut_project):
    window = make_window(cut_project.path)
    sample_id = cut_project.ids["hadouken.01.wav"]
    before = cut_project.get_sample(sample_id).values_count
    tools = show(qtbot, window, sample_id)
    assert window.preview.current_page() is window.preview.audio
    window.menu_actions.crop.trigger()
    start, end = tools.crop_indices()
    qtbot.mouseClick(tools.apply_button, Qt.MouseButton.LeftButton)
    settle(qtbot, window)
    message = window.statusBar().currentMessage()
    assert message.startswith("Cropped"), message
    assert cut_project.get_sample(sample_id).values_count == end - start < before


def test_offered_only_for_one_time_series_or_audio(qtbot, make_window, cut_project):
    window = make_window(cut_project.path)
    actions = window.menu_actions
    ids = cut_project.ids
    click_row(window, ids["capacitor.01.png"])
    qtbot.waitUntil(lambda: window.preview.current_page() is window.preview.image)
    assert not actions.crop.isEnabled() and not actions.split.isEnabled()
    assert window.cutting.start("crop") is False

    show(qtbot, window, ids["ramp.a.csv"])
    assert actions.crop.isEnabled() and actions.split.isEnabled()
    click_row(window, ids["ramp.b.csv"], Qt.KeyboardModifier.ControlModifier)
    assert window.table.selected_count() == 2
    assert not actions.crop.isEnabled() and not actions.split.isEnabled()


def test_selecting_another_sample_leaves_the_mode(qtbot, make_window, cut_project):
    window = make_window(cut_project.path)
    tools = show(qtbot, window, cut_project.ids["ramp.a.csv"])
    window.menu_actions.split.trigger()
    tools.add_point(100)
    click_row(window, cut_project.ids["ramp.b.csv"])
    qtbot.waitUntil(lambda: window.cutting.mode is None)
    assert tools.lines == []


def test_escape_cancels_and_changes_nothing(qtbot, make_window, cut_project):
    window = make_window(cut_project.path)
    sample_id = cut_project.ids["ramp.a.csv"]
    original = values(cut_project, sample_id)
    tools = show(qtbot, window, sample_id)
    window.activateWindow()
    for mode in ("crop", "split"):
        assert window.cutting.start(mode)
        if mode == "crop":
            tools.set_crop_region(10, 20)
        else:
            tools.add_point(100)
        assert tools.apply_button.isVisible() and not tools.crop_button.isVisible()
        tools.plot.plot_widget.setFocus()
        QTest.keyClick(tools.plot.plot_widget, Qt.Key.Key_Escape)
        assert window.cutting.mode is None
        assert tools.region is None and tools.lines == []
        assert tools.crop_button.isVisible() and not tools.apply_button.isVisible()
    wait_idle(qtbot, window)
    assert np.array_equal(values(cut_project, sample_id), original)
    assert window.menu_actions.undo.text() == "&Undo Upload of 5 samples"


def test_double_click_adds_a_split_point_where_clicked(qtbot, make_window, cut_project):
    window = make_window(cut_project.path)
    tools = show(qtbot, window, cut_project.ids["ramp.a.csv"])
    window.menu_actions.split.trigger()
    view = tools.plot.plot_item.getViewBox()
    before = view.viewRange()[0]
    graphics = tools.plot.plot_widget
    y = sum(view.viewRange()[1]) / 2
    point = graphics.mapFromScene(view.mapViewToScene(QPointF(100, y)))
    viewport = graphics.viewport()
    # a real double click is press, release, double-click, release
    qtbot.mouseClick(viewport, Qt.MouseButton.LeftButton, pos=point)
    qtbot.mouseDClick(viewport, Qt.MouseButton.LeftButton, pos=point)
    qtbot.mouseRelease(viewport, Qt.MouseButton.LeftButton, pos=point)
    assert len(tools.lines) == 1 and abs(tools.lines[0].value() - 100) < 3
    assert view.viewRange()[0] == pytest.approx(before)  # the view was not reset
    window.cutting.cancel()
    # out of split mode a double click shows everything again, as before
    view.setXRange(100, 200, padding=0)
    qtbot.mouseClick(viewport, Qt.MouseButton.LeftButton, pos=point)
    qtbot.mouseDClick(viewport, Qt.MouseButton.LeftButton, pos=point)
    qtbot.mouseRelease(viewport, Qt.MouseButton.LeftButton, pos=point)
    assert view.viewRange()[0][1] - view.viewRange()[0][0] > 250
    assert tools.lines == []
