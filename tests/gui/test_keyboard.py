"""Keyboard use of the main window: the filter, moving into the table, Home/End, shortcuts."""

from __future__ import annotations

from gui_helpers import wait_listed
from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtTest import QTest


def test_escape_clears_the_name_filter(qtbot, make_window, project):
    window = make_window(project.path)
    window.browse.focus_filter()
    QTest.keyClicks(window.filter_bar.text_edit, "wave")
    window.filter_bar.flush()
    wait_listed(qtbot, window)
    assert window.table_model.rowCount() == 10

    QTest.keyClick(window.filter_bar.text_edit, Qt.Key.Key_Escape)
    wait_listed(qtbot, window)
    assert window.filter_bar.text_edit.text() == ""
    assert window.table_model.rowCount() == 30


def test_down_moves_from_the_filter_into_the_table(qtbot, make_window, project):
    window = make_window(project.path)
    qtbot.waitExposed(window)
    window.activateWindow()
    window.browse.focus_filter()
    qtbot.waitUntil(lambda: window.filter_bar.text_edit.hasFocus())

    QTest.keyClick(window.filter_bar.text_edit, Qt.Key.Key_Down)
    qtbot.waitUntil(lambda: window.table.hasFocus())
    assert window.table.currentIndex().row() == 0
    assert window.table.selected_count() == 1
    QTest.keyClick(window.table, Qt.Key.Key_Down)
    assert window.table.currentIndex().row() == 1


def test_ctrl_end_keeps_the_id_and_name_columns_in_view(qtbot, make_window, project):
    window = make_window(project.path)
    qtbot.waitExposed(window)
    window.resize(700, 500)  # narrower than the columns: the table scrolls sideways
    qtbot.waitUntil(lambda: window.table.horizontalScrollBar().maximum() > 0)
    window.table.setFocus()
    window.table.setCurrentIndex(window.table_model.index(0, 0))

    QTest.keyClick(window.table, Qt.Key.Key_End, Qt.KeyboardModifier.ControlModifier)
    assert window.table.currentIndex().row() == window.table_model.rowCount() - 1
    assert window.table.horizontalScrollBar().value() == 0
    for column in (0, 1):  # ID and Name
        assert window.table.columnViewportPosition(column) >= 0

    QTest.keyClick(window.table, Qt.Key.Key_Home, Qt.KeyboardModifier.ControlModifier)
    assert window.table.currentIndex().row() == 0
    assert window.table.horizontalScrollBar().value() == 0


def test_every_toolbar_action_has_a_shortcut_shown_in_its_tooltip(qtbot, make_window, project):
    window = make_window(project.path)
    actions = [a for a in window.toolbar.actions() if not a.isSeparator() and a.isVisible()]
    assert len(actions) >= 7
    for action in actions:
        keys = action.shortcut().toString(QKeySequence.SequenceFormat.NativeText)
        assert keys, action.text()
        button = window.toolbar.widgetForAction(action)
        assert keys in button.toolTip(), (action.text(), button.toolTip())
