"""Curation through the real widgets of the window on a local project: labels edited in
place and for a selection, moves from the context menu and by dropping rows on the tree,
disabled samples, a label renamed from the tree, undo and redo, the history panel, and what
the delete confirmation promises.
"""

from __future__ import annotations

from gui_helpers import active, closed, needs_xvfb, run_under_xvfb, wait_idle, wait_listed
from PySide6.QtCore import QMimeData, QPoint, QPointF, Qt, QTimer
from PySide6.QtGui import (
    QDrag,
    QDragEnterEvent,
    QDragMoveEvent,
    QDropEvent,
    QFont,
    QGuiApplication,
)
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QAbstractItemView, QApplication, QLineEdit, QMenu

from ei_desktop.core.backends.base import SampleQuery
from ei_desktop.core.edits import Move, SetLabel
from ei_desktop.gui.dialogs.confirm import ConfirmDialog
from ei_desktop.gui.dialogs.curation import TextDialog
from ei_desktop.gui.models.sample_table import LABEL_COLUMN
from ei_desktop.gui.widgets import sample_table as sample_table_view

EDITING = QAbstractItemView.State.EditingState


def settle(qtbot, window):
    """Wait until the change asked for ran and every view read the project again."""
    qtbot.waitUntil(lambda: not window.curation.busy, timeout=20000)
    wait_idle(qtbot, window)
    for _ in range(3):
        QApplication.processEvents()
    wait_listed(qtbot, window)


def row_of(window, sample_id) -> int:
    row = window.table_model.row_of(sample_id)
    assert row is not None, sample_id
    return row


def cell(window, sample_id, column) -> str:
    model = window.table_model
    return model.index(row_of(window, sample_id), column).data()


def wait_cells(qtbot, window, ids, column, text) -> None:
    """Wait until the rows of ``ids`` show ``text`` in ``column`` (rows refetch when painted)."""
    qtbot.waitUntil(lambda: all(cell(window, i, column) == text for i in ids), timeout=5000)


def click_row(qtbot, window, row, column=0, modifier=Qt.KeyboardModifier.NoModifier):
    table = window.table
    table.scrollTo(window.table_model.index(row, column))
    rect = table.visualRect(window.table_model.index(row, column))
    QTest.mouseClick(table.viewport(), Qt.MouseButton.LeftButton, modifier, rect.center())


def select_rows(qtbot, window, rows):
    click_row(qtbot, window, rows[0])
    for row in rows[1:]:
        click_row(qtbot, window, row, modifier=Qt.KeyboardModifier.ControlModifier)
    assert window.table.selected_count() == len(rows)
    return [window.table_model.sample_id(r) for r in rows]


def tree_count(window, category, label) -> int:
    return window.tree_model.counts.get((category, label), 0)


def menu_action(menu: QMenu, text: str):
    """The action of ``menu`` (or of one of its submenus) whose text starts with ``text``."""
    for action in menu.actions():
        if action.text().replace("&", "").startswith(text):
            return action
        if action.menu() is not None:
            found = menu_action(action.menu(), text)
            if found is not None:
                return found
    return None


def test_f2_edits_the_label_in_place(qtbot, open_on, project):
    window = open_on(project)
    click_row(qtbot, window, 0, column=1)
    sample_id = window.table.current_id()
    window.table.setFocus()
    QTest.keyClick(window.table, Qt.Key.Key_F2)
    editor = window.table.findChild(QLineEdit)
    qtbot.waitUntil(lambda: editor is not None and editor.isVisible())
    # F2 on the Name cell edits the row's label, starting from it
    assert editor.text() == project.get_sample(sample_id).label
    assert editor.completer() is not None
    assert "idle" in editor.completer().model().stringList()
    QTest.keyClicks(editor, "jump")
    QTest.keyClick(editor, Qt.Key.Key_Return)
    # the delegate commits on the next turn of the event loop, as Qt's delegates do
    qtbot.waitUntil(lambda: window.curation.busy or window.table.state() != EDITING)
    settle(qtbot, window)
    assert project.get_sample(sample_id).label == "jump"
    wait_cells(qtbot, window, [sample_id], LABEL_COLUMN, "jump")
    assert tree_count(window, "training", "jump") == 1
    assert window.statusBar().currentMessage() == "Label set to 'jump' on 1 sample."


def test_double_click_on_the_label_cell_edits_it(qtbot, open_on, project):
    window = open_on(project)
    click_row(qtbot, window, 2, column=LABEL_COLUMN)
    sample_id = window.table.current_id()
    index = window.table_model.index(2, LABEL_COLUMN)
    point = window.table.visualRect(index).center()
    QTest.mouseDClick(window.table.viewport(), Qt.MouseButton.LeftButton, pos=point)
    editor = window.table.findChild(QLineEdit)
    qtbot.waitUntil(lambda: editor is not None and editor.isVisible())
    assert editor.text() == project.get_sample(sample_id).label
    # completion offers the project's labels: "w" completes to "wave"
    editor.clear()
    QTest.keyClicks(editor, "w")
    completer = editor.completer()
    qtbot.waitUntil(lambda: completer.popup().isVisible())
    assert completer.currentCompletion() == "wave"
    QTest.keyClick(completer.popup(), Qt.Key.Key_Down)  # pick it in the list
    QTest.keyClick(completer.popup(), Qt.Key.Key_Return)
    assert editor.text() == "wave"
    QTest.keyClick(editor, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: window.curation.busy or window.table.state() != EDITING)
    settle(qtbot, window)
    assert project.get_sample(sample_id).label == "wave"
    wait_cells(qtbot, window, [sample_id], LABEL_COLUMN, "wave")
    assert tree_count(window, "training", "wave") == 11


def test_rename_the_selected_sample(qtbot, open_on, project):
    window = open_on(project)
    click_row(qtbot, window, 3)
    sample_id = window.table.current_id()
    old = project.get_sample(sample_id).filename
    window.table.setFocus()
    QTest.keyClick(window.table, Qt.Key.Key_R, Qt.KeyboardModifier.ControlModifier)
    dialog = active(qtbot, window, TextDialog)
    assert dialog.edit.text() == old
    dialog.edit.clear()
    QTest.keyClicks(dialog.edit, "morning.walk")
    QTest.keyClick(dialog.edit, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: closed(dialog))
    settle(qtbot, window)
    assert project.get_sample(sample_id).filename == "morning.walk"
    wait_cells(qtbot, window, [sample_id], 1, "morning.walk")


def test_set_label_for_the_selection_with_the_dialog(qtbot, open_on, project):
    window = open_on(project)
    ids = select_rows(qtbot, window, [0, 2, 4])
    window.menu_actions.set_label.trigger()
    dialog = active(qtbot, window, TextDialog)
    assert not dialog.ok_button.isEnabled()
    QTest.keyClicks(dialog.edit, "sitting")
    dialog.ok_button.click()
    settle(qtbot, window)
    assert {project.get_sample(i).label for i in ids} == {"sitting"}
    assert tree_count(window, "training", "sitting") == 3
    wait_cells(qtbot, window, ids, LABEL_COLUMN, "sitting")
    assert window.statusBar().currentMessage() == "Label set to 'sitting' on 3 samples."


def test_move_from_the_context_menu(qtbot, open_on, project):
    window = open_on(project)
    ids = select_rows(qtbot, window, [1, 3])
    position = window.table.visualRect(window.table_model.index(1, 0)).center()
    menu = window.browse.show_table_menu(position)
    move = menu_action(menu, "3 Validation")
    assert move is not None and move.isEnabled()
    move.trigger()
    menu.close()
    settle(qtbot, window)
    assert {project.get_sample(i).category for i in ids} == {"validation"}
    assert window.tree_model.counts.get(("validation", project.get_sample(ids[0]).label)) >= 1
    assert sum(n for (c, _), n in window.tree_model.counts.items() if c == "validation") == 2
    wait_cells(qtbot, window, ids, 3, "Validation")
    assert window.statusBar().currentMessage() == "Moved 2 samples to validation."
    # the details of the current sample say where it is now, as its row does
    assert window.table.current_id() in ids
    details = window.preview.details
    qtbot.waitUntil(lambda: details.field_text("category") == "Validation", timeout=5000)


def copy_mime(mime: QMimeData) -> QMimeData:
    copy = QMimeData()
    for name in mime.formats():
        copy.setData(name, mime.data(name))
    return copy


def deliver_drop(widget, position: QPoint, mime: QMimeData) -> None:
    """What the window system's drag loop delivers to the widget under the pointer."""
    action = Qt.DropAction.MoveAction
    buttons, modifiers = Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier
    enter = QDragEnterEvent(position, action, mime, buttons, modifiers)
    QApplication.sendEvent(widget, enter)
    move = QDragMoveEvent(position, action, mime, buttons, modifiers)
    QApplication.sendEvent(widget, move)
    assert move.isAccepted()
    QApplication.sendEvent(widget, QDropEvent(QPointF(position), action, mime, buttons, modifiers))


def drag_rows_to_tree(qtbot, monkeypatch, window, row, key):
    """Press on ``row`` of the table, move past the drag distance, and release over the tree
    node ``key``: the table starts a real QDrag, dropped on the tree's viewport.

    Where the platform runs no drag loop (offscreen), the drag still starts from the mouse
    events, and the drop events a window system would send go to the tree's viewport.
    """
    started: list[QMimeData] = []

    class Drag(QDrag):
        def exec(self, *args):
            started.append(copy_mime(self.mimeData()))
            return super().exec(*args)

    monkeypatch.setattr(sample_table_view, "QDrag", Drag)
    table, tree = window.table, window.tree
    index = window.tree_model.index_of(key)
    tree.scrollTo(index)
    target = tree.visualRect(index).center()
    start = table.visualRect(window.table_model.index(row, 1)).center()
    viewport = tree.viewport()
    released = []

    def over_the_tree():
        # the drag's own event loop runs now: move over the node, then drop
        QTest.mouseMove(viewport, target - QPoint(0, 1))
        QTest.mouseMove(viewport, target)
        QTest.mouseRelease(viewport, Qt.MouseButton.LeftButton, pos=target)
        released.append(True)

    QTest.mousePress(table.viewport(), Qt.MouseButton.LeftButton, pos=start)
    QTimer.singleShot(100, over_the_tree)
    # the first move arms the drag, the next one past the drag distance starts it
    distance = QApplication.startDragDistance() + 5
    QTest.mouseMove(table.viewport(), start + QPoint(2, 0))
    QTest.mouseMove(table.viewport(), start + QPoint(distance, distance))
    qtbot.waitUntil(lambda: bool(released))
    assert len(started) == 1, "the table started no drag"
    if QGuiApplication.platformName() == "offscreen":
        deliver_drop(viewport, target, started[0])


def test_dropping_rows_on_a_tree_category_moves_them(qtbot, monkeypatch, open_on, project):
    window = open_on(project)
    ids = select_rows(qtbot, window, [0, 1, 2])
    drag_rows_to_tree(qtbot, monkeypatch, window, 1, ("testing", None))
    settle(qtbot, window)
    assert {project.get_sample(i).category for i in ids} == {"testing"}
    assert sum(n for (c, _), n in window.tree_model.counts.items() if c == "testing") == 3
    assert window.statusBar().currentMessage() == "Moved 3 samples to testing."


def test_dropping_rows_on_a_tree_label_relabels_and_moves_them(
    qtbot, monkeypatch, open_on, project
):
    window = open_on(project)
    window.tree.expand(window.tree_model.index_of(("training", None)))
    ids = select_rows(qtbot, window, [0, 1, 2])
    labels = sorted(project.get_sample(i).label for i in ids)
    assert labels == ["idle", "run", "wave"]
    drag_rows_to_tree(qtbot, monkeypatch, window, 1, ("training", "wave"))
    settle(qtbot, window)
    assert {project.get_sample(i).label for i in ids} == {"wave"}
    assert {project.get_sample(i).category for i in ids} == {"training"}
    assert tree_count(window, "training", "wave") == 12
    assert tree_count(window, "training", "idle") == 9
    wait_cells(qtbot, window, ids, LABEL_COLUMN, "wave")


@needs_xvfb
def test_dropping_rows_with_a_real_window_system_drag_loop():
    """The same drag under X11 (Xvfb), where Qt's own drag loop carries the drop."""
    run_under_xvfb(f"{__file__}::test_dropping_rows_on_a_tree_category_moves_them[local]")


def test_disabled_rows_leave_the_list_and_come_back_greyed(qtbot, open_on, project):
    window = open_on(project)
    ids = select_rows(qtbot, window, [0, 1])
    window.table.setFocus()
    QTest.keyClick(
        window.table,
        Qt.Key.Key_E,
        Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier,
    )
    settle(qtbot, window)
    assert window.statusBar().currentMessage() == "Disabled 2 samples."
    assert all(project.get_sample(i).disabled for i in ids)
    assert all(window.table_model.row_of(i) is None for i in ids)
    assert window.table_model.rowCount() == 28
    assert window.tree_model.total() == 30  # the tree counts every sample

    window.filter_bar.disabled_box.click()
    settle(qtbot, window)
    assert window.table_model.rowCount() == 30
    model = window.table_model
    qtbot.waitUntil(lambda: model.record(ids[0]) is not None and model.record(ids[0]).disabled)
    index = model.index(row_of(window, ids[0]), 1)
    assert index.data(Qt.ItemDataRole.ForegroundRole) is not None
    font = index.data(Qt.ItemDataRole.FontRole)
    assert isinstance(font, QFont) and font.italic()
    enabled = model.index(row_of(window, model.ids[-1]), 1)
    assert enabled.data(Qt.ItemDataRole.FontRole) is None
    # the choice is remembered
    assert window.settings.qsettings.value("view/show_disabled") in (True, "true")

    select_rows(qtbot, window, [row_of(window, i) for i in ids])
    window.menu_actions.enable.trigger()
    settle(qtbot, window)
    assert not any(project.get_sample(i).disabled for i in ids)


def test_rename_a_label_from_the_tree(qtbot, open_on, project):
    window = open_on(project)
    window.tree.expand(window.tree_model.index_of(("training", None)))
    index = window.tree_model.index_of(("training", "wave"))
    assert index.isValid()
    position = window.tree.visualRect(index).center()
    menu = window.curation.show_tree_menu(position)
    rename = menu_action(menu, "Rename label wave")
    assert rename is not None
    rename.trigger()
    menu.close()
    dialog = active(qtbot, window, TextDialog)
    assert dialog.edit.text() == "wave"
    dialog.edit.clear()
    QTest.keyClicks(dialog.edit, "waving")
    QTest.keyClick(dialog.edit, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: closed(dialog))
    settle(qtbot, window)
    assert project.count(SampleQuery(labels=("wave",), include_disabled="both")) == 0
    assert project.count(SampleQuery(labels=("waving",))) == 10
    assert tree_count(window, "training", "waving") == 10
    assert not window.tree_model.index_of(("training", "wave")).isValid()
    assert window.statusBar().currentMessage() == "Label 'wave' renamed to 'waving' on 10 samples."


def test_ctrl_z_undoes_and_ctrl_shift_z_redoes(qtbot, open_on, project):
    window = open_on(project)
    ids = select_rows(qtbot, window, [0, 1, 2])
    window.curation.apply(SetLabel("jump"))
    settle(qtbot, window)
    undo, redo = window.menu_actions.undo, window.menu_actions.redo
    qtbot.waitUntil(lambda: undo.text() == "&Undo Label 'jump' on 3 samples")
    assert undo.isEnabled() and not redo.isEnabled()
    before = {i: project.get_sample(i).label for i in ids}

    window.table.setFocus()
    QTest.keyClick(window.table, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    settle(qtbot, window)
    assert window.statusBar().currentMessage() == "Undone: Label 'jump' on 3 samples."
    labels = {i: project.get_sample(i).label for i in ids}
    assert labels != before and sorted(labels.values()) == ["idle", "run", "wave"]
    for i in ids:
        wait_cells(qtbot, window, [i], LABEL_COLUMN, labels[i])
    assert tree_count(window, "training", "idle") == 10
    qtbot.waitUntil(lambda: redo.text() == "&Redo Label 'jump' on 3 samples")
    assert redo.isEnabled()

    QTest.keyClick(
        window.table,
        Qt.Key.Key_Z,
        Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier,
    )
    settle(qtbot, window)
    assert window.statusBar().currentMessage() == "Redone: Label 'jump' on 3 samples."
    assert {project.get_sample(i).label for i in ids} == {"jump"}
    wait_cells(qtbot, window, ids, LABEL_COLUMN, "jump")
    assert tree_count(window, "training", "jump") == 3
    assert tree_count(window, "training", "idle") == 9
    qtbot.waitUntil(lambda: not redo.isEnabled())


def test_history_panel_lists_changes_and_undoes_to_an_entry(qtbot, open_on, project):
    window = open_on(project)
    window.history_dock.toggleViewAction().trigger()
    assert window.history_dock.isVisible()
    ids = select_rows(qtbot, window, [0, 1])
    window.curation.apply(SetLabel("first"))
    settle(qtbot, window)
    window.curation.apply(Move("testing"))
    settle(qtbot, window)
    window.curation.apply(SetLabel("third"))
    settle(qtbot, window)
    panel = window.history_panel
    # a local project reads its whole history back; a server connection lists the changes
    # made through it since it was opened
    local = window.spec.kind == "local"
    count = 4 if local else 3
    qtbot.waitUntil(lambda: panel.tree.topLevelItemCount() == count)
    texts = [panel.tree.topLevelItem(r).text(2) for r in range(count)]
    assert texts[:3] == [
        "Label 'third' on 2 samples",
        "Move of 2 samples to testing",
        "Label 'first' on 2 samples",
    ], texts
    if local:
        assert texts[3].startswith("Upload of 30 samples")
    assert panel.tree.topLevelItem(0).text(1)  # who

    # click the move, then "Undo to here"
    move = panel.tree.visualItemRect(panel.tree.topLevelItem(1)).center()
    QTest.mouseClick(panel.tree.viewport(), Qt.MouseButton.LeftButton, pos=move)
    assert panel.selected_id() == panel.entries[1].id
    assert panel.undo_button.isEnabled()
    QTest.mouseClick(panel.undo_button, Qt.MouseButton.LeftButton)
    settle(qtbot, window)
    assert window.statusBar().currentMessage() == "Undone 2 changes."
    assert {project.get_sample(i).category for i in ids} == {"training"}
    assert {project.get_sample(i).label for i in ids} == {"first"}
    qtbot.waitUntil(lambda: [e.undone for e in panel.entries[:3]] == [True, True, False])
    undone = panel.tree.topLevelItem(0)
    assert undone.font(2).italic()
    assert undone.foreground(2).color() != panel.tree.topLevelItem(2).foreground(2).color()
    panel.select_id(panel.entries[0].id)
    assert not panel.undo_button.isEnabled()  # already undone
    assert window.menu_actions.undo.text() == "&Undo Label 'first' on 2 samples"


def test_delete_confirmation_on_a_local_project_says_it_can_be_undone(qtbot, make_window, project):
    window = make_window(project.path)
    ids = select_rows(qtbot, window, [0, 1])
    window.table.setFocus()
    QTest.keyClick(window.table, Qt.Key.Key_Delete)
    dialog = active(qtbot, window, ConfirmDialog)
    assert "cannot be undone" not in dialog.text.text()
    assert "undo it with Edit → Undo" in dialog.text.text()
    dialog.ok_button.click()
    wait_idle(qtbot, window)
    assert project.get_samples(ids) == {}
    qtbot.waitUntil(lambda: window.menu_actions.undo.text() == "&Undo Delete of 2 samples")
    window.menu_actions.undo.trigger()
    settle(qtbot, window)
    assert set(project.get_samples(ids)) == set(ids)
    assert window.table_model.rowCount() == 30
