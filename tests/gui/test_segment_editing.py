"""Label segments (structured labels) edited on the preview's plot, through the real window
with the mouse: boundaries dragged, segments drawn by dragging and labelled, relabelled with a
double click, removed with Delete; Save stores one undoable change, Esc changes nothing, and
the same works against a real ``ei-desktop serve``.
"""

from __future__ import annotations

import pyqtgraph as pg
import pytest
from gui_helpers import active, closed, wait_listed
from PySide6.QtCore import QPointF, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication
from test_cutting import ROWS, click_row, pcm_wav, ramp_csv, settle, show

from ei_desktop.core.backends.local import LocalBackend
from ei_desktop.core.model import Sample
from ei_desktop.data import upload_samples
from ei_desktop.gui.dialogs.curation import TextDialog

THREE = [
    {"label": "idle", "startIndex": 0, "endIndex": 99},
    {"label": "wave", "startIndex": 100, "endIndex": 199},
    {"label": "idle", "startIndex": 200, "endIndex": 299},
]


#: segments too narrow for their tags, and a long label at the very end
NARROW = [
    {"label": "idle", "startIndex": 0, "endIndex": 99},
    {"label": "extraction", "startIndex": 100, "endIndex": 103},
    {"label": "pull-up", "startIndex": 104, "endIndex": 107},
    {"label": "idle", "startIndex": 108, "endIndex": 289},
    {"label": "a rather long final label", "startIndex": 290, "endIndex": 299},
]


@pytest.fixture(autouse=True)
def every_mouse_move():
    """QTest moves the mouse faster than a hand: let pyqtgraph see every move (it drops
    moves closer than 10 ms apart, which would make a drag depend on timing).
    """
    limit = pg.getConfigOption("mouseRateLimit")
    pg.setConfigOptions(mouseRateLimit=0)
    yield
    pg.setConfigOptions(mouseRateLimit=limit)


@pytest.fixture
def seg_project(tmp_path):
    """A local project: a three-segment sample, a single-label one, and an audio clip."""
    backend = LocalBackend(tmp_path / "project", create=True)
    samples = [
        Sample(
            data=ramp_csv(),
            filename="multi.csv",
            category="training",
            structured_labels=[dict(s) for s in THREE],
        ),
        Sample(
            data=ramp_csv(offset=1000), filename="single.csv", category="training", label="ramp"
        ),
        Sample(data=pcm_wav(), filename="tone.wav", category="training", label="tone"),
        Sample(
            data=ramp_csv(offset=2000),
            filename="narrow.csv",
            category="training",
            structured_labels=NARROW,
        ),
    ]
    response = upload_samples(samples, project=backend)
    assert not response.fails, response.fails
    backend.ids = {s.filename: s.sample_id for s in response.successes}
    yield backend
    backend.close()


def stored(backend, sample_id):
    return backend.get_sample(sample_id).structured_labels


def spans(labels):
    return [(s["label"], s["startIndex"], s["endIndex"]) for s in labels or []]


def start_editing(qtbot, window, sample_id):
    """Show ``sample_id`` and press L on the table: the editor of its plot is on."""
    show(qtbot, window, sample_id)
    window.activateWindow()
    window.table.setFocus()
    QTest.keyClick(window.table, Qt.Key.Key_L)
    editor = window.segments.editor
    assert editor is not None and editor.isVisible()
    assert window.segments.action.isChecked()
    return editor


def at(editor, x, height=0.5):
    """The viewport point over value position ``x``, ``height`` of the way up the view."""
    view = editor.plot.plot_item.getViewBox()
    (_l, _r), (bottom, top) = view.viewRange()
    y = bottom + (top - bottom) * height
    return editor.plot.plot_widget.mapFromScene(view.mapViewToScene(QPointF(x, y)))


def drag(editor, x0, x1, steps=10):
    viewport = editor.plot.plot_widget.viewport()
    start, end = at(editor, x0), at(editor, x1)
    QTest.mousePress(viewport, Qt.MouseButton.LeftButton, pos=start)
    for step in range(1, steps + 1):
        QTest.mouseMove(viewport, start + (end - start) * step / steps)
    QTest.mouseRelease(viewport, Qt.MouseButton.LeftButton, pos=end)


def double_click(editor, x):
    viewport, point = editor.plot.plot_widget.viewport(), at(editor, x)
    QTest.mouseClick(viewport, Qt.MouseButton.LeftButton, pos=point)
    QTest.mouseDClick(viewport, Qt.MouseButton.LeftButton, pos=point)
    QTest.mouseRelease(viewport, Qt.MouseButton.LeftButton, pos=point)


def click(editor, x):
    viewport, point = editor.plot.plot_widget.viewport(), at(editor, x)
    QTest.mouseClick(viewport, Qt.MouseButton.LeftButton, pos=point)


def answer(qtbot, window, text):
    """Type ``text`` in the label dialog the window shows, and press its OK button."""
    dialog = active(qtbot, window, TextDialog)
    dialog.edit.clear()
    QTest.keyClicks(dialog.edit, text)
    assert dialog.ok_button.isEnabled()
    dialog.ok_button.click()
    qtbot.waitUntil(lambda: closed(dialog))
    return dialog


def ctrl_z(qtbot, window):
    window.activateWindow()  # shortcuts work in the active window
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
    window.table.setFocus()
    QTest.keyClick(window.table, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    settle(qtbot, window)


def test_drag_a_boundary_then_save_and_undo(qtbot, open_on, seg_project):
    window = open_on(seg_project)
    sample_id = seg_project.ids["multi.csv"]
    editor = start_editing(qtbot, window, sample_id)
    assert editor.tag_texts() == ["idle", "wave", "idle"]
    assert [round(line.value()) for line in editor.lines] == [100, 200]
    assert not editor.save_button.isEnabled()  # nothing changed yet

    drag(editor, 100, 150)
    first, second = editor.segments[0], editor.segments[1]
    assert 145 <= first.end <= 155 and second.start == first.end  # the neighbour followed
    assert editor.segments[2].start == 200
    assert editor.save_button.isEnabled()
    moved = first.end

    editor.plot.plot_widget.setFocus()
    QTest.keyClick(editor.plot.plot_widget, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    assert window.segments.editor is None and not editor.isVisible()
    settle(qtbot, window)
    assert spans(stored(seg_project, sample_id)) == [
        ("idle", 0, moved - 1),
        ("wave", moved, 199),
        ("idle", 200, 299),
    ]
    assert window.menu_actions.undo.text().startswith("&Undo")
    assert "segments" in window.menu_actions.undo.text()
    # the preview shows the saved segments again, read-only
    qtbot.waitUntil(lambda: len(window.preview.timeseries.regions()) == 3)

    ctrl_z(qtbot, window)
    assert spans(stored(seg_project, sample_id)) == spans(THREE)


def test_drag_over_a_single_label_sample_adds_a_labelled_segment(qtbot, open_on, seg_project):
    window = open_on(seg_project)
    sample_id = seg_project.ids["single.csv"]
    assert stored(seg_project, sample_id) is None
    editor = start_editing(qtbot, window, sample_id)
    # a single-label sample starts as one segment with its label
    assert editor.tag_texts() == ["ramp"] and editor.lines == []

    drag(editor, 60, 120)
    dialog = active(qtbot, window, TextDialog)
    completer = dialog.edit.completer()
    assert completer is not None and "tone" in completer.model().stringList()
    assert editor.draft is not None  # the dragged range is shown until it is labelled
    answer(qtbot, window, "punch")
    assert editor.draft is None
    assert editor.tag_texts() == ["ramp", "punch", "ramp"]
    low, high = editor.segments[1].start, editor.segments[1].end
    assert 57 <= low <= 63 and 117 <= high <= 123

    qtbot.mouseClick(editor.save_button, Qt.MouseButton.LeftButton)
    settle(qtbot, window)
    assert spans(stored(seg_project, sample_id)) == [
        ("ramp", 0, low - 1),
        ("punch", low, high - 1),
        ("ramp", high, ROWS - 1),
    ]
    ctrl_z(qtbot, window)
    record = seg_project.get_sample(sample_id)
    assert record.structured_labels is None and record.label == "ramp"


def test_relabel_with_a_double_click_and_delete_a_segment(qtbot, open_on, seg_project):
    window = open_on(seg_project)
    sample_id = seg_project.ids["multi.csv"]
    editor = start_editing(qtbot, window, sample_id)

    double_click(editor, 150)  # the "wave" segment
    dialog = active(qtbot, window, TextDialog)
    assert dialog.edit.text() == "wave"
    answer(qtbot, window, "run")
    assert editor.tag_texts() == ["idle", "run", "idle"]

    click(editor, 250)  # pick the last segment, then Delete on the plot
    assert editor.selected == 2
    QTest.keyClick(editor.plot.plot_widget, Qt.Key.Key_Delete)
    # merged into the segment before it
    assert editor.tag_texts() == ["idle", "run"]
    assert (editor.segments[1].start, editor.segments[1].end) == (100, ROWS)
    assert window.menu_actions.delete.isEnabled()  # Delete went to the segment, not the sample
    assert seg_project.get_sample(sample_id) is not None

    click(editor, 150)
    QTest.keyClick(editor.plot.plot_widget, Qt.Key.Key_F2)
    answer(qtbot, window, "walk")
    qtbot.mouseClick(editor.save_button, Qt.MouseButton.LeftButton)
    settle(qtbot, window)
    assert spans(stored(seg_project, sample_id)) == [("idle", 0, 99), ("walk", 100, 299)]
    assert seg_project.get_sample(sample_id).label == "idle"


def test_add_segment_button_and_escape_changes_nothing(qtbot, make_window, seg_project):
    window = make_window(seg_project.path)
    sample_id = seg_project.ids["multi.csv"]
    undo_before = window.menu_actions.undo.text()
    legend = window.preview.timeseries.plot.legend
    show(qtbot, window, sample_id)
    QApplication.processEvents()
    legend_at = legend.pos()
    editor = start_editing(qtbot, window, sample_id)
    QApplication.processEvents()
    assert legend.pos().y() > legend_at.y()  # in the bottom corner, away from the tags
    qtbot.mouseClick(editor.add_button, Qt.MouseButton.LeftButton)
    answer(qtbot, window, "jump")  # the middle of the view: values 120–180
    assert editor.tag_texts() == ["idle", "wave", "jump", "wave", "idle"]
    assert (editor.segments[2].start, editor.segments[2].end) == (120, 180)
    drag(editor, 200, 230)
    assert editor.segments.boundaries()[3] != 200
    # Ctrl+Z and Ctrl+Shift+Z undo and redo the editor's edits, not the project's
    plot = editor.plot.plot_widget
    plot.setFocus()
    QTest.keyClick(plot, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert editor.segments.boundaries() == [100, 120, 180, 200]
    QTest.keyClick(plot, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert editor.tag_texts() == ["idle", "wave", "idle"] and not editor.dirty
    window.table.setFocus()  # anywhere in the window
    QTest.keyClick(
        window.table,
        Qt.Key.Key_Z,
        Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier,
    )
    assert editor.tag_texts() == ["idle", "wave", "jump", "wave", "idle"] and editor.dirty
    assert window.menu_actions.undo.text() == undo_before

    editor.plot.plot_widget.setFocus()
    QTest.keyClick(editor.plot.plot_widget, Qt.Key.Key_Escape)
    assert window.segments.editor is None and not editor.isVisible()
    assert editor.bands == [] and editor.tags == []
    # the read-only segments are back, and nothing was changed
    assert all(region.isVisible() for region in window.preview.timeseries.regions())
    assert window.menu_actions.crop.isEnabled()
    QApplication.processEvents()
    assert legend.pos() == legend_at  # back where the plot keeps it
    settle(qtbot, window)
    assert spans(stored(seg_project, sample_id)) == spans(THREE)
    assert window.menu_actions.undo.text() == undo_before


def test_selecting_another_sample_saves_the_edits(qtbot, make_window, seg_project):
    window = make_window(seg_project.path)
    sample_id = seg_project.ids["multi.csv"]
    editor = start_editing(qtbot, window, sample_id)
    assert editor.move_boundary(1, 260) == 260  # as a drag of the second boundary ends
    click_row(window, seg_project.ids["single.csv"])
    qtbot.waitUntil(lambda: window.segments.editor is None)
    settle(qtbot, window)
    assert spans(stored(seg_project, sample_id)) == [
        ("idle", 0, 99),
        ("wave", 100, 259),
        ("idle", 260, 299),
    ]
    # an unedited sample is left as it was
    editor = start_editing(qtbot, window, seg_project.ids["single.csv"])
    click_row(window, sample_id)
    qtbot.waitUntil(lambda: window.segments.editor is None)
    settle(qtbot, window)
    assert stored(seg_project, seg_project.ids["single.csv"]) is None


def test_closing_the_window_saves_the_edits(qtbot, make_window, seg_project):
    window = make_window(seg_project.path)
    sample_id = seg_project.ids["multi.csv"]
    editor = start_editing(qtbot, window, sample_id)
    assert editor.move_boundary(1, 260) == 260
    window.close()
    assert spans(stored(seg_project, sample_id)) == [
        ("idle", 0, 99),
        ("wave", 100, 259),
        ("idle", 260, 299),
    ]


def test_audio_segments(qtbot, make_window, seg_project):
    window = make_window(seg_project.path)
    sample_id = seg_project.ids["tone.wav"]
    frames = seg_project.get_sample(sample_id).values_count
    editor = start_editing(qtbot, window, sample_id)
    assert window.preview.current_page() is window.preview.audio
    assert editor is window.preview.audio.segment_editor
    drag(editor, frames * 0.5, frames * 0.75)
    answer(qtbot, window, "hadouken")
    middle = editor.segments[1]
    qtbot.mouseClick(editor.save_button, Qt.MouseButton.LeftButton)
    settle(qtbot, window)
    assert spans(stored(seg_project, sample_id)) == [
        ("tone", 0, middle.start - 1),
        ("hadouken", middle.start, middle.end - 1),
        ("tone", middle.end, frames - 1),
    ]
    # the waveform shows the saved segments, read-only
    qtbot.waitUntil(lambda: editor.tag_texts() == ["tone", "hadouken", "tone"])
    assert not editor.editing and not editor.isVisible() and editor.lines == []
    assert [band.getRegion() for band in editor.bands][1] == (middle.start, middle.end)


def test_tags_are_whole_inside_the_plot_and_never_cover_each_other(qtbot, make_window, seg_project):
    window = make_window(seg_project.path)
    editor = start_editing(qtbot, window, seg_project.ids["narrow.csv"])
    assert editor.tag_texts() == [s["label"] for s in NARROW]
    view = editor.plot.plot_item.getViewBox()

    def check(shown):
        QApplication.processEvents()
        inside = view.sceneBoundingRect()
        rects = [tag.sceneBoundingRect() for tag in editor.tags if tag.isVisible()]
        assert len(rects) == shown
        for i, rect in enumerate(rects):
            assert inside.contains(rect), (NARROW[i]["label"], rect, inside)
            assert not rect.intersects(editor.plot.legend.sceneBoundingRect())
            for other in rects[i + 1 :]:
                assert not rect.intersects(other)

    check(len(NARROW))
    view.setXRange(95, 115, padding=0)  # zoomed in: each tag over its own segment
    check(4)  # the last segment is out of view
    tags = dict(zip(editor.tag_texts(), editor.tags))
    assert tags["extraction"].pos().x() == pytest.approx(100)
    assert tags["pull-up"].pos().x() == pytest.approx(104)


def test_offered_only_for_one_plotted_sample(qtbot, make_window, seg_project):
    window = make_window(seg_project.path)
    action = window.segments.action
    show(qtbot, window, seg_project.ids["multi.csv"])
    assert action.isEnabled()
    assert action in window.preview.timeseries.cut_tools.tool_buttons[0].actions()
    click_row(window, seg_project.ids["single.csv"], Qt.KeyboardModifier.ControlModifier)
    assert window.table.selected_count() == 2
    assert not action.isEnabled()
    assert window.segments.start() is False


testing = pytest.importorskip("ei_desktop.server.testing")


@pytest.fixture
def served(tmp_path):
    backend = LocalBackend(tmp_path / "served", create=True)
    samples = [
        Sample(
            data=ramp_csv(),
            filename="multi.csv",
            category="training",
            structured_labels=[dict(s) for s in THREE],
        ),
    ]
    response = upload_samples(samples, project=backend)
    assert not response.fails, response.fails
    backend.ids = {s.filename: s.sample_id for s in response.successes}
    with testing.running_server(backend, api_key="test-key") as (base_url, key):
        yield backend, base_url, key
    backend.close()


def test_edit_segments_through_a_server(qtbot, make_window, served, tmp_path):
    from ei_desktop.gui.connections import ConnectionSpec

    served_backend, base_url, key = served
    sample_id = served_backend.ids["multi.csv"]
    window = make_window(tmp_path / "local")
    window.connection.open_connection(ConnectionSpec.server(base_url), key)
    qtbot.waitUntil(lambda: window.spec.kind == "server", timeout=20000)
    wait_listed(qtbot, window, timeout=20000)

    editor = start_editing(qtbot, window, sample_id)
    assert editor.tag_texts() == ["idle", "wave", "idle"]
    drag(editor, 200, 240)  # the second boundary
    moved = editor.segments[2].start
    assert 235 <= moved <= 245
    double_click(editor, 50)
    answer(qtbot, window, "rest")
    editor.plot.plot_widget.setFocus()
    QTest.keyClick(editor.plot.plot_widget, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    settle(qtbot, window)
    assert spans(stored(served_backend, sample_id)) == [
        ("rest", 0, 99),
        ("wave", 100, moved - 1),
        ("idle", moved, 299),
    ]

    ctrl_z(qtbot, window)
    assert spans(stored(served_backend, sample_id)) == spans(THREE)
