"""The table fits beside the preview at the window's default size, and the header's context
menu shows or hides columns (remembered with the layout).
"""

from __future__ import annotations

from gui_helpers import seed_csv, wait_listed
from PySide6.QtCore import Qt

from ei_desktop.core.backends.local import LocalBackend
from ei_desktop.gui.models.sample_table import COLUMNS

SENSORS = next(i for i, c in enumerate(COLUMNS) if c.title == "Sensors")


def test_default_columns_fit_without_scrolling_sideways(qtbot, make_window, tmp_path):
    with LocalBackend(tmp_path / "project", create=True) as backend:
        seed_csv(backend, 5)
    window = make_window(tmp_path / "project")
    wait_listed(qtbot, window)
    header = window.table.horizontalHeader()
    qtbot.waitUntil(lambda: window.table.viewport().width() > 0)
    shown = [COLUMNS[i].title for i in range(len(COLUMNS)) if not header.isSectionHidden(i)]
    assert shown == ["ID", "Name", "Label", "Category", "Length / size", "Added"]
    assert window.table.horizontalScrollBar().maximum() == 0
    assert window.preview.width() > 300  # the preview keeps its room


def test_the_header_menu_shows_a_hidden_column_and_it_is_remembered(qtbot, make_window, tmp_path):
    with LocalBackend(tmp_path / "project", create=True) as backend:
        seed_csv(backend, 5)
    window = make_window(tmp_path / "project")
    wait_listed(qtbot, window)
    header = window.table.horizontalHeader()
    assert header.isSectionHidden(SENSORS)
    menu = window.table.show_columns_menu(header.rect().center())
    actions = {action.text(): action for action in menu.actions()}
    assert not actions["ID"].isEnabled() and not actions["Name"].isEnabled()
    actions["Sensors"].trigger()
    menu.close()
    assert not header.isSectionHidden(SENSORS)
    window.save_layout()
    window.close()

    again = make_window(tmp_path / "project")
    wait_listed(qtbot, again)
    assert not again.table.horizontalHeader().isSectionHidden(SENSORS)


def test_opening_the_history_keeps_the_category_tree_readable(qtbot, make_window, tmp_path):
    with LocalBackend(tmp_path / "project", create=True) as backend:
        seed_csv(backend, 5)
    window = make_window(tmp_path / "project")
    wait_listed(qtbot, window)
    window.history_dock.show()
    qtbot.waitUntil(lambda: window.history_dock.isVisible())
    qtbot.wait(50)
    char = window.tree.fontMetrics().horizontalAdvance("0")
    # the tree keeps room for a short label next to its count, whatever the dock takes
    assert window.tree.viewport().width() >= 18 * char
    assert window.history_dock.width() < window.width() // 3


def test_with_the_history_open_the_name_filter_stays_readable(qtbot, make_window, tmp_path):
    with LocalBackend(tmp_path / "project", create=True) as backend:
        seed_csv(backend, 5)
    window = make_window(tmp_path / "project")
    wait_listed(qtbot, window)
    window.resize(1600, 900)
    window.history_dock.show()
    window.resizeDocks([window.history_dock], [380], Qt.Orientation.Horizontal)
    window.splitter.setSizes([210, 600, 400])
    qtbot.waitUntil(lambda: window.history_dock.isVisible())
    qtbot.wait(50)
    edit = window.filter_bar.text_edit
    # the typed filter has room beside the combo boxes, not just its first letters
    assert edit.width() >= edit.fontMetrics().horizontalAdvance(edit.placeholderText()) + 30
    bar = window.filter_bar
    assert bar.geometry().right() <= bar.parentWidget().contentsRect().right()


def test_a_time_series_details_show_their_frequency_without_scrolling(qtbot, make_window, tmp_path):
    from PySide6.QtCore import QPoint
    from PySide6.QtWidgets import QScrollArea

    with LocalBackend(tmp_path / "project", create=True) as backend:
        seed_csv(backend, 3)
    window = make_window(tmp_path / "project")
    wait_listed(qtbot, window)
    first = window.table_model.sample_id(0)
    window.select_ids([first], current=first)
    details = window.preview.details
    qtbot.waitUntil(
        lambda: details.isVisible() and bool(details.field_text("frequency")), timeout=10000
    )
    qtbot.wait(50)
    scroll = details.findChild(QScrollArea)
    frequency = details._values["frequency"]
    bottom = frequency.mapTo(scroll.viewport(), QPoint(0, frequency.height())).y()
    assert bottom <= scroll.viewport().height()
