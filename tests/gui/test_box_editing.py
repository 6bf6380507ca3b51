"""Bounding boxes edited with the mouse on the preview's image, through the real window on a
local project and on a real ``ei-desktop serve``: move, resize (clamped to the image), draw a
new box and name it, delete, rename; Save makes one undoable change, Cancel and Esc change
nothing, and another sample saves what was staged.
"""

from __future__ import annotations

import pytest
from gui_helpers import seed_csv, wait_listed
from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QPoint, Qt
from PySide6.QtGui import QAction, QColor, QImage
from PySide6.QtTest import QTest
from test_cutting import click_row, settle

from ei_desktop.core.backends.local import LocalBackend
from ei_desktop.core.model import Sample
from ei_desktop.data import upload_samples
from ei_desktop.gui.connections import ConnectionSpec
from ei_desktop.gui.widgets.image_view import ImageView

WIDTH, HEIGHT = 200, 100
CAT = {"label": "cat", "x": 20, "y": 20, "width": 40, "height": 30}
DOG = {"label": "dog", "x": 120, "y": 30, "width": 50, "height": 40}
LEFT = Qt.MouseButton.LeftButton
NONE = Qt.KeyboardModifier.NoModifier


def png(width: int = WIDTH, height: int = HEIGHT, color: str = "#dfe6e9") -> bytes:
    image = QImage(width, height, QImage.Format.Format_RGB32)
    image.fill(QColor(color))
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    image.save(buffer, "PNG")
    return bytes(data)


def seed_images(backend) -> dict[str, int]:
    """Two images, with a cat and a dog box and with a cat box; returns ids by file name."""
    samples = [
        Sample(
            data=png(),
            filename="pets.01.png",
            category="training",
            label="pets",
            bounding_boxes=[CAT, DOG],
        ),
        Sample(
            data=png(color="#b2bec3"),
            filename="pets.02.png",
            category="training",
            label="pets",
            bounding_boxes=[dict(CAT)],
        ),
    ]
    response = upload_samples(samples, project=backend)
    assert not response.fails, response.fails
    return {s.filename: s.sample_id for s in response.successes}


@pytest.fixture
def pets(tmp_path):
    backend = LocalBackend(tmp_path / "project", create=True)
    backend.ids = seed_images(backend)
    yield backend
    backend.close()


def stored(backend, sample_id) -> list[tuple]:
    """The boxes the backend keeps for ``sample_id``: ``(label, x, y, width, height)``."""
    boxes = backend.get_sample(sample_id).bounding_boxes or []
    return sorted((b["label"], b["x"], b["y"], b["width"], b["height"]) for b in boxes)


def as_tuple(box: dict) -> tuple:
    return (box["label"], box["x"], box["y"], box["width"], box["height"])


def near(actual: tuple, expected: tuple) -> bool:
    """Same label, and each number within a pixel (widget pixels map to fractions)."""
    return actual[0] == expected[0] and all(
        abs(a - b) <= 1 for a, b in zip(actual[1:], expected[1:])
    )


def at(view: ImageView, x: float, y: float) -> QPoint:
    """The widget point over image pixel ``x``, ``y``."""
    rect = view.image_rect()
    scale = rect.width() / view.image_size.width()
    return QPoint(round(rect.left() + x * scale), round(rect.top() + y * scale))


def drag(view: ImageView, start: QPoint, end: QPoint) -> None:
    """Press at ``start``, move there in steps, release at ``end``."""
    QTest.mousePress(view, LEFT, NONE, start)
    for step in (1, 2, 3, 4):
        QTest.mouseMove(view, start + (end - start) * (step / 4))
    QTest.mouseRelease(view, LEFT, NONE, end)


def show_image(qtbot, window, sample_id) -> ImageView:
    """Select ``sample_id`` and wait until the preview shows its image."""
    click_row(window, sample_id)
    view = window.preview.image
    qtbot.waitUntil(
        lambda: (
            window.preview.current_id == sample_id
            and window.preview.current_page() is view
            and not view.image_rect().isEmpty()
            and view.editor.bar.isVisible()
        ),
        timeout=10000,
    )
    return view


def start_editing(qtbot, window, sample_id) -> ImageView:
    """Show ``sample_id`` and press B (with the table focused, as a user would)."""
    view = show_image(qtbot, window, sample_id)
    window.table.setFocus()
    QTest.keyClick(window.table, Qt.Key.Key_B)
    qtbot.waitUntil(lambda: view.editor.editing, timeout=3000)
    assert window.box_editing.action.isChecked()
    return view


def name_box(qtbot, view: ImageView, label: str | None) -> None:
    """Type ``label`` into the label editor (``None``: keep its text) and press Enter."""
    edit = view.editor.label_edit
    qtbot.waitUntil(lambda: edit.isVisible(), timeout=3000)
    if label is not None:
        edit.selectAll()
        QTest.keyClicks(edit, label)
    QTest.keyClick(edit, Qt.Key.Key_Return)
    assert not edit.isVisible()


def drawn(view: ImageView) -> list[tuple]:
    """The boxes the view draws, in image pixels, rounded."""
    return sorted(
        (label, round(r.x()), round(r.y()), round(r.width()), round(r.height()))
        for label, r in view.boxes()
    )


# -- a local project -------------------------------------------------------------------------


def test_move_and_resize_then_save_and_undo(qtbot, open_on, pets):
    window = open_on(pets)
    sample_id = pets.ids["pets.01.png"]
    before = stored(pets, sample_id)
    view = start_editing(qtbot, window, sample_id)

    # move the cat 30 px right, 10 px down by dragging its middle
    drag(view, at(view, 40, 35), at(view, 70, 45))
    # the dog's bottom-right corner, pulled far outside the image: clamped to its edges
    drag(view, at(view, 145, 50), at(view, 145, 50))  # a click selects the dog
    assert view.editor.selected is not None
    corner = at(view, 170, 70)
    outside = QPoint(view.width() + 50, view.height() + 50)  # the mouse left the view
    drag(view, corner, outside)
    assert view.editor.dirty
    assert pets.get_sample(sample_id).bounding_boxes == [CAT, DOG]  # staged only
    # the bar says what is staged, and what the mouse and keys do in full, wrapped
    bar = view.editor.bar
    assert bar.status.text() == "2 boxes, not saved"
    assert bar.hint.isVisible() and "Ctrl+S saves" in bar.hint.text()
    assert bar.hint.height() >= bar.hint.heightForWidth(bar.hint.width())

    qtbot.mouseClick(view.editor.bar.save_button, LEFT)
    settle(qtbot, window)
    cat, dog = sorted(stored(pets, sample_id))
    assert near(cat, ("cat", 50, 30, 40, 30)), cat
    assert dog == ("dog", 120, 30, WIDTH - 120, HEIGHT - 30), dog
    assert not view.editor.editing and not window.box_editing.action.isChecked()
    assert window.statusBar().currentMessage().startswith("Bounding boxes set on 1 sample")
    assert window.menu_actions.undo.text().startswith("&Undo")

    window.menu_actions.undo.trigger()
    settle(qtbot, window)
    assert stored(pets, sample_id) == before


def test_draw_new_boxes_with_a_label_and_the_last_one_as_default(qtbot, open_on, pets):
    seed_csv(pets, 1, labels=("idle",))
    window = open_on(pets)
    sample_id = pets.ids["pets.01.png"]
    view = start_editing(qtbot, window, sample_id)
    editor = view.editor
    offered = editor.label_edit.completer().model().stringList()
    assert {"cat", "dog", "idle"} <= set(offered)  # the image's and the project's labels

    drag(view, at(view, 70, 60), at(view, 110, 95))
    name_box(qtbot, view, "bird")
    drag(view, at(view, 2, 60), at(view, 16, 90))
    assert editor.label_edit.text() == "bird"  # the last label given is the default
    name_box(qtbot, view, None)
    # a click on empty image makes no box, and Esc while naming drops the new one
    drag(view, at(view, 100, 10), at(view, 100, 10))
    drag(view, at(view, 180, 80), at(view, 195, 95))
    qtbot.waitUntil(lambda: editor.label_edit.isVisible(), timeout=3000)
    QTest.keyClick(editor.label_edit, Qt.Key.Key_Escape)
    assert editor.editing  # Esc in the label editor does not leave the mode
    assert len(view.boxes()) == 4

    QTest.keyClick(view, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    settle(qtbot, window)
    boxes = stored(pets, sample_id)
    assert [b[0] for b in boxes] == ["bird", "bird", "cat", "dog"]
    assert near(boxes[0], ("bird", 2, 60, 14, 30)), boxes
    assert near(boxes[1], ("bird", 70, 60, 40, 35)), boxes
    assert boxes[2:] == [as_tuple(CAT), as_tuple(DOG)]


def test_delete_and_rename_boxes(qtbot, open_on, pets):
    window = open_on(pets)
    sample_id = pets.ids["pets.01.png"]
    view = start_editing(qtbot, window, sample_id)

    # select the dog and press Delete: the box goes, the sample stays
    drag(view, at(view, 145, 50), at(view, 145, 50))
    QTest.keyClick(view, Qt.Key.Key_Delete)
    assert [label for label, _r in view.boxes()] == ["cat"]
    # double-click the cat to rename it
    QTest.mouseDClick(view, LEFT, NONE, at(view, 40, 35))
    assert view.editor.label_edit.text() == "cat"
    name_box(qtbot, view, "kitten")
    assert [label for label, _r in view.boxes()] == ["kitten"]
    # F2 renames the selected box too
    QTest.keyClick(view, Qt.Key.Key_F2)
    name_box(qtbot, view, "tiger")

    qtbot.mouseClick(view.editor.bar.save_button, LEFT)
    settle(qtbot, window)
    assert pets.get_sample(sample_id) is not None
    assert stored(pets, sample_id) == [("tiger", 20, 20, 40, 30)]
    qtbot.waitUntil(lambda: drawn(window.preview.image) == [("tiger", 20, 20, 40, 30)])


def test_cancel_and_escape_change_nothing(qtbot, make_window, pets):
    window = make_window(pets.path)
    sample_id = pets.ids["pets.01.png"]
    before = stored(pets, sample_id)
    view = start_editing(qtbot, window, sample_id)
    history = len(window.curation.history)

    drag(view, at(view, 40, 35), at(view, 90, 60))
    assert drawn(view) != before
    qtbot.mouseClick(view.editor.bar.cancel_button, LEFT)
    assert not view.editor.editing
    assert drawn(view) == before

    view = start_editing(qtbot, window, sample_id)
    QTest.keyClick(view, Qt.Key.Key_Delete)  # nothing selected: nothing deleted
    drag(view, at(view, 145, 50), at(view, 145, 50))
    QTest.keyClick(view, Qt.Key.Key_Delete)
    assert len(view.boxes()) == 1
    QTest.keyClick(view, Qt.Key.Key_Escape)
    assert not view.editor.editing
    assert drawn(view) == before
    settle(qtbot, window)
    assert stored(pets, sample_id) == before
    assert len(window.curation.history) == history


def test_ctrl_z_while_editing_steps_through_the_staged_edits(qtbot, make_window, pets):
    window = make_window(pets.path)
    sample_id = pets.ids["pets.01.png"]
    before = stored(pets, sample_id)
    view = start_editing(qtbot, window, sample_id)
    history = len(window.curation.history)

    drag(view, at(view, 40, 35), at(view, 70, 45))  # move the cat
    moved = drawn(view)
    drag(view, at(view, 145, 50), at(view, 145, 50))
    QTest.keyClick(view, Qt.Key.Key_Delete)  # delete the dog
    drag(view, at(view, 10, 60), at(view, 40, 90))  # draw a bird
    name_box(qtbot, view, "bird")
    assert [b[0] for b in drawn(view)] == ["bird", "cat"]

    ctrl = Qt.KeyboardModifier.ControlModifier
    QTest.keyClick(view, Qt.Key.Key_Z, ctrl)  # the new box, label and all, in one step
    assert [b[0] for b in drawn(view)] == ["cat"]
    QTest.keyClick(view, Qt.Key.Key_Z, ctrl)
    assert drawn(view) == moved
    QTest.keyClick(view, Qt.Key.Key_Z, ctrl)
    assert drawn(view) == before and not view.editor.dirty
    QTest.keyClick(view, Qt.Key.Key_Z, ctrl | Qt.KeyboardModifier.ShiftModifier)
    assert drawn(view) == moved
    assert view.editor.editing
    # the project's history was not touched: Ctrl+Z here undid staged edits only
    settle(qtbot, window)
    assert stored(pets, sample_id) == before
    assert len(window.curation.history) == history


def test_another_sample_saves_the_staged_boxes(qtbot, make_window, pets):
    window = make_window(pets.path)
    first, second = pets.ids["pets.01.png"], pets.ids["pets.02.png"]
    view = start_editing(qtbot, window, first)
    drag(view, at(view, 145, 50), at(view, 145, 50))
    QTest.keyClick(view, Qt.Key.Key_Backspace)

    show_image(qtbot, window, second)
    settle(qtbot, window)
    assert stored(pets, first) == [as_tuple(CAT)]
    assert stored(pets, second) == [as_tuple(CAT)]
    assert not window.box_editing.editing

    # B again (here with the image focused) leaves the mode, and saves too
    view = start_editing(qtbot, window, second)
    drag(view, at(view, 40, 35), at(view, 40, 35))
    QTest.keyClick(view, Qt.Key.Key_Delete)
    QTest.keyClick(view, Qt.Key.Key_B)
    assert not window.box_editing.editing
    settle(qtbot, window)
    assert stored(pets, second) == []


def test_edit_boxes_is_offered_only_for_an_image(qtbot, make_window, pets):
    seed_csv(pets, 1)
    window = make_window(pets.path)
    action = window.box_editing.action
    show_image(qtbot, window, pets.ids["pets.01.png"])
    assert action.isEnabled()
    csv_id = next(i for i in window.table_model.ids.tolist() if i not in pets.ids.values())
    click_row(window, csv_id)
    qtbot.waitUntil(lambda: window.preview.current_page() is window.preview.timeseries)
    assert not action.isEnabled()
    assert window.box_editing.start() is False


# -- the mapping at any size, on the widget alone ---------------------------------------------


@pytest.mark.parametrize("size", [(300, 200), (900, 700), (260, 600)])
def test_dragging_maps_to_image_pixels_at_any_size(qtbot, size):
    view = ImageView()
    qtbot.addWidget(view)
    view.editor.set_action(QAction("Edit boxes", view))
    view.resize(*size)
    view.show()
    view.set_image(png(), [CAT, DOG])
    assert view.editor.start()
    image = view.image_rect()
    assert view.contentsRect().contains(image.toRect().adjusted(1, 1, -1, -1))
    assert not image.intersects(view.editor.bar.geometry().toRectF())

    # the cat's left edge dragged to x = 5 (an edge handle resizes one side)
    drag(view, at(view, 20, 35), at(view, 5, 35))
    cat = next(b for b in view.editor.staged() if b["label"] == "cat")
    assert near(as_tuple(cat), ("cat", 5, 20, 55, 30)), cat
    # the dog moved past the top-left corner stays on the image
    drag(view, at(view, 145, 50), at(view, -400, -400))
    dog = next(b for b in view.editor.staged() if b["label"] == "dog")
    assert as_tuple(dog) == ("dog", 0, 0, 50, 40)


# -- a real ei-desktop serve -------------------------------------------------------------------


def test_box_edits_reach_a_served_project_and_undo(qtbot, make_window, tmp_path):
    pytest.importorskip("ei_desktop.core.backends.studio")
    testing = pytest.importorskip("ei_desktop.server.testing")
    served = LocalBackend(tmp_path / "served", create=True)
    ids = seed_images(served)
    sample_id = ids["pets.01.png"]
    try:
        with testing.running_server(served, api_key="test-key") as (base_url, key):
            window = make_window(tmp_path / "local")
            window.connection.open_connection(ConnectionSpec.server(base_url), key)
            qtbot.waitUntil(lambda: window.spec.kind == "server", timeout=20000)
            wait_listed(qtbot, window, timeout=20000)
            view = start_editing(qtbot, window, sample_id)

            drag(view, at(view, 40, 35), at(view, 70, 45))  # move the cat
            drag(view, at(view, 145, 50), at(view, 145, 50))
            QTest.keyClick(view, Qt.Key.Key_Delete)  # delete the dog
            drag(view, at(view, 120, 60), at(view, 160, 90))  # draw a bird
            name_box(qtbot, view, "bird")
            window.table.setFocus()  # Ctrl+S saves wherever the focus is
            QTest.keyClick(window.table, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
            settle(qtbot, window)
            bird, cat = stored(served, sample_id)
            assert near(cat, ("cat", 50, 30, 40, 30)), cat
            assert near(bird, ("bird", 120, 60, 40, 30)), bird

            window.menu_actions.undo.trigger()
            settle(qtbot, window)
            assert stored(served, sample_id) == [as_tuple(CAT), as_tuple(DOG)]
    finally:
        served.close()


def test_closing_the_window_saves_the_staged_boxes(qtbot, make_window, pets):
    window = make_window(pets.path)
    sample_id = pets.ids["pets.01.png"]
    view = start_editing(qtbot, window, sample_id)
    drag(view, at(view, 145, 50), at(view, 145, 50))
    QTest.keyClick(view, Qt.Key.Key_Delete)
    window.close()
    assert stored(pets, sample_id) == [as_tuple(CAT)]
