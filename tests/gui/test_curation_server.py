"""Curation in the window against a real ``ei-desktop serve``: an edit reaches the served
project, and undoing a delete (final over HTTP) says so.
"""

from __future__ import annotations

import pytest
from gui_helpers import active, wait_idle, wait_listed
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from test_curation import select_rows, settle, wait_cells

from ei_desktop.core.backends.local import LocalBackend
from ei_desktop.gui.connections import ConnectionSpec
from ei_desktop.gui.dialogs.confirm import ConfirmDialog

pytest.importorskip("ei_desktop.core.backends.studio")
testing = pytest.importorskip("ei_desktop.server.testing")


@pytest.fixture
def served(tmp_path):
    from gui_helpers import seed_csv

    backend = LocalBackend(tmp_path / "served", create=True)
    seed_csv(backend, 12)
    with testing.running_server(backend, api_key="test-key") as (base_url, key):
        yield backend, base_url, key
    backend.close()


def test_edit_undo_and_a_final_delete_through_a_server(qtbot, make_window, served, tmp_path):
    served_backend, base_url, key = served
    window = make_window(tmp_path / "local")
    window.connection.open_connection(ConnectionSpec.server(base_url), key)
    qtbot.waitUntil(lambda: window.spec.kind == "server", timeout=20000)
    wait_listed(qtbot, window, timeout=20000)
    assert "cannot be brought back" in window.history_panel.note.text()

    ids = select_rows(qtbot, window, [0, 1])
    window.menu_actions.move_to["testing"].trigger()
    settle(qtbot, window)
    assert window.statusBar().currentMessage() == "Moved 2 samples to testing."
    assert {served_backend.get_sample(i).category for i in ids} == {"testing"}
    wait_cells(qtbot, window, ids, 3, "Testing")

    window.table.setFocus()
    QTest.keyClick(window.table, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    settle(qtbot, window)
    assert {served_backend.get_sample(i).category for i in ids} == {"training"}

    select_rows(qtbot, window, [0])
    gone = window.table.selected_ids().tolist()
    window.table.setFocus()
    QTest.keyClick(window.table, Qt.Key.Key_Delete)
    dialog = active(qtbot, window, ConfirmDialog)
    assert "This cannot be undone." in dialog.text.text()
    dialog.ok_button.click()
    wait_idle(qtbot, window, timeout=30000)
    assert served_backend.get_samples(gone) == {}
    qtbot.waitUntil(lambda: window.menu_actions.undo.text().startswith("&Undo Delete"))

    window.menu_actions.undo.trigger()
    settle(qtbot, window)
    assert window.message_bar.isVisible()
    assert window.message_bar.level == "error"
    assert window.message_bar.text.text().startswith("Cannot undo this change:")
    assert "cannot be undone" in window.message_bar.text.text()
    assert served_backend.get_samples(gone) == {}
