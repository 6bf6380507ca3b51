"""The list, the preview and the actions follow every change of what is listed: a new filter,
sort or tree choice starts at the top, and a sample that left the list is no longer shown.
"""

from __future__ import annotations

import pytest
from gui_helpers import seed_csv, wait_idle, wait_listed
from PySide6.QtCore import QPoint, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QAbstractItemView, QApplication

from ei_desktop.core.backends.local import LocalBackend


@pytest.fixture
def long_project(tmp_path):
    """A local project of 300 samples (idle, wave, run): more than a screen of rows."""
    backend = LocalBackend(tmp_path / "long", create=True)
    seed_csv(backend, 300)
    yield backend
    backend.close()


def settle(qtbot, window):
    """Wait for the listing, then let the view finish laying out and scrolling."""
    wait_listed(qtbot, window)
    for _ in range(3):
        QApplication.processEvents()


def choose_row(qtbot, window, row: int = 150) -> int:
    """Make ``row`` current and selected, scrolled to the bottom of the view; returns its id.

    The row is within the first page of a listing, where a new listing would find it again.
    """
    table, model = window.table, window.table_model
    table.selectRow(row)
    table.scrollTo(model.index(row, 0), QAbstractItemView.ScrollHint.PositionAtBottom)
    sample_id = model.sample_id(row)
    qtbot.waitUntil(lambda: window.preview.current_id == sample_id, timeout=5000)
    assert table.verticalScrollBar().value() > 0
    return sample_id


def assert_at_top(window) -> None:
    table = window.table
    assert table.verticalScrollBar().value() == 0
    assert table.rowAt(0) == 0
    current = table.currentIndex()
    assert not current.isValid() or current.row() == 0


def test_a_new_name_filter_starts_at_the_top(qtbot, make_window, long_project):
    window = make_window(long_project.path)
    chosen = choose_row(qtbot, window)
    # the chosen sample still matches, with others listed above it
    window.filter_bar.set_text("00")
    settle(qtbot, window)
    assert window.table_model.row_of(chosen) is not None
    assert_at_top(window)


def test_sorting_starts_at_the_top(qtbot, make_window, long_project):
    window = make_window(long_project.path)
    choose_row(qtbot, window)
    window.table.sortByColumn(1, Qt.SortOrder.AscendingOrder)
    settle(qtbot, window)
    assert window.table_model.query.sort != "id"
    assert_at_top(window)


def test_a_tree_choice_starts_at_the_top(qtbot, make_window, long_project):
    window = make_window(long_project.path)
    label = window.table_model.record(choose_row(qtbot, window)).label
    window.tree.setCurrentIndex(window.tree_model.index_of(("training", label)))
    settle(qtbot, window)
    assert window.table_model.rowCount() == 100
    assert_at_top(window)


def test_the_preview_clears_when_its_sample_is_filtered_out(qtbot, make_window, project):
    window = make_window(project.path)
    window.table.selectRow(0)
    chosen = window.table_model.sample_id(0)
    qtbot.waitUntil(lambda: window.preview.current_id == chosen, timeout=5000)
    name = window.table_model.record(chosen).filename
    other = next(lab for lab in ("idle", "wave", "run") if not name.startswith(lab))
    window.filter_bar.set_text(other)
    settle(qtbot, window)
    qtbot.waitUntil(lambda: window.preview.current_id is None, timeout=5000)
    assert not window.preview.details.isVisible()
    assert window.table.selected_count() == 0
    assert not window.menu_actions.download.isEnabled()
    assert not window.menu_actions.delete.isEnabled()


def test_deleting_the_selection_clears_the_preview_and_the_actions(qtbot, make_window, project):
    window = make_window(project.path)
    doomed = window.table_model.ids[:3].tolist()
    window.select_ids(doomed, current=doomed[0])
    qtbot.waitUntil(lambda: window.preview.current_id == doomed[0], timeout=5000)
    assert window.menu_actions.delete.isEnabled()
    window.deletes.start_delete(doomed)
    wait_idle(qtbot, window)
    assert window.table_model.rowCount() == 27
    qtbot.waitUntil(lambda: window.preview.current_id is None, timeout=5000)
    assert window.table.selected_count() == 0
    assert not window.menu_actions.download.isEnabled()
    assert not window.menu_actions.delete.isEnabled()
    assert "selected" not in window.count_label.text()


def test_after_a_delete_the_preview_follows_the_remaining_current_row(qtbot, make_window, project):
    window = make_window(project.path)
    ids = window.table_model.ids[:4].tolist()
    window.select_ids(ids, current=ids[3])
    qtbot.waitUntil(lambda: window.preview.current_id == ids[3], timeout=5000)
    window.deletes.start_delete(ids[:2])
    wait_idle(qtbot, window)
    assert sorted(window.table.selected_ids().tolist()) == sorted(ids[2:])
    assert window.preview.current_id == ids[3]
    assert window.menu_actions.delete.isEnabled()


def test_a_tree_click_that_hides_the_sample_clears_the_preview(qtbot, make_window, project):
    window = make_window(project.path)
    window.table.selectRow(0)
    chosen = window.table_model.sample_id(0)
    qtbot.waitUntil(lambda: window.preview.current_id == chosen, timeout=5000)
    label = window.table_model.record(chosen).label
    other = next(lab for lab in ("idle", "wave", "run") if lab != label)
    tree = window.tree
    tree.expand(window.tree_model.index_of(("training", None)))
    index = window.tree_model.index_of(("training", other))
    tree.scrollTo(index)
    QTest.mouseClick(
        tree.viewport(), Qt.MouseButton.LeftButton, pos=tree.visualRect(index).center()
    )
    settle(qtbot, window)
    assert window.table_model.row_of(chosen) is None
    qtbot.waitUntil(lambda: window.preview.current_id is None, timeout=5000)
    assert not window.preview.details.isVisible()
    assert not window.menu_actions.download.isEnabled()
    assert not window.menu_actions.delete.isEnabled()


def test_after_a_sort_the_preview_shows_only_what_is_current(qtbot, make_window, long_project):
    window = make_window(long_project.path)
    chosen = choose_row(qtbot, window)
    header = window.table.horizontalHeader()
    QTest.mouseClick(
        header.viewport(),
        Qt.MouseButton.LeftButton,
        pos=QPoint(header.sectionViewportPosition(1) + 10, header.height() // 2),
    )
    settle(qtbot, window)
    assert window.table_model.query.sort != "id"
    assert_at_top(window)
    current = window.table.current_id()
    # either the sample now current is shown, or nothing: never one the table left behind
    qtbot.waitUntil(lambda: window.preview.current_id == current, timeout=5000)
    if current != chosen:
        assert window.preview.current_id != chosen
    assert window.menu_actions.delete.isEnabled() == (window.table.selected_count() > 0)


def test_no_preview_load_starts_once_the_window_is_closing(qtbot, make_window, project):
    """A load started after the window waited for its reads would outlive it (against a
    server, a thread still retrying when the app exits).
    """
    from ei_desktop.gui.controllers.preview import PREVIEW_DELAY_MS

    window = make_window(project.path)
    window.table.selectRow(0)  # the preview waits PREVIEW_DELAY_MS for the selection to settle
    window.close()
    qtbot.wait(PREVIEW_DELAY_MS * 4)
    assert window.preview.current_id is None
    assert not window.reads.running()
