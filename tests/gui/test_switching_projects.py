"""Connecting and switching: advice that fits what refused the key, and a new project that
starts unfiltered.
"""

from __future__ import annotations

import pytest
from gui_helpers import seed_csv, wait_listed

from ei_desktop.core.backends.base import InvalidApiKey, MetadataFilter, SampleQuery
from ei_desktop.core.backends.local import LocalBackend
from ei_desktop.gui.connections import ConnectionSpec
from ei_desktop.gui.controllers.connection import failure_message
from ei_desktop.gui.models.category_tree import ALL


def test_a_refused_key_for_edge_impulse_points_to_its_dashboard():
    message = failure_message(ConnectionSpec.studio(), InvalidApiKey("refused"))
    assert "Dashboard → Keys" in message


def test_a_refused_key_for_a_server_points_to_the_server_key():
    spec = ConnectionSpec.server("http://192.168.1.20:4800")
    message = failure_message(spec, InvalidApiKey("refused"))
    assert "Dashboard" not in message and "Edge Impulse" not in message
    assert "ei-desktop serve" in message
    assert "--api-key-file" in message and "EI_SERVE_API_KEY" in message
    assert "192.168.1.20:4800" in message


def test_a_wrong_key_for_a_real_server_gets_the_server_advice(qtbot, make_window, tmp_path):
    testing = pytest.importorskip("ei_desktop.server.testing")
    backend = LocalBackend(tmp_path / "served", create=True)
    seed_csv(backend, 3)
    window = make_window(tmp_path / "local")
    try:
        with testing.running_server(backend, api_key="right-key") as (base_url, _key):
            dialog = window.connection.show_connection_dialog()
            dialog.tabs.setCurrentIndex(2)
            dialog.address_edit.setText(base_url)
            dialog.server_key.setText("wrong-key")
            dialog.connect_button.click()
            qtbot.waitUntil(dialog.error_label.isVisible, timeout=20000)
            text = dialog.error_label.text()
            assert "EI_SERVE_API_KEY" in text and "Dashboard" not in text
            dialog.reject()
    finally:
        backend.close()


def test_the_filters_do_not_carry_over_to_another_project(qtbot, make_window, project, tmp_path):
    other = LocalBackend(tmp_path / "other", create=True)
    seed_csv(other, 12, labels=("walk", "wave"))
    other.close()
    window = make_window(project.path)
    window.filter_bar.set_text("wave")
    window.tree.setCurrentIndex(window.tree_model.index_of(("training", "wave")))
    wait_listed(qtbot, window)
    assert window.table_model.rowCount() == 10
    window.metadata_filter.add("site", "eq", "lab")  # none of them has a site
    wait_listed(qtbot, window)
    assert window.table_model.rowCount() == 0
    window.connection.open_connection(ConnectionSpec.local(str(tmp_path / "other")))
    qtbot.waitUntil(lambda: window.spec.path == str(tmp_path / "other"), timeout=10000)
    wait_listed(qtbot, window)
    assert window.metadata_filter.filters() == () and window.metadata_filter.chip_texts() == []
    assert window.filter_bar.text() is None
    assert window.filter_bar.category() is None and window.filter_bar.label() is None
    assert window.tree_model.key_of(window.tree.currentIndex()) == ALL
    assert window.table_model.query == SampleQuery()
    assert window.table_model.rowCount() == 12


def test_reopening_the_same_project_keeps_the_filter(qtbot, make_window, project):
    window = make_window(project.path)
    window.filter_bar.set_text("wave")
    window.metadata_filter.add("site", "neq", "lab")  # keeps them all: none has a site
    wait_listed(qtbot, window)
    window.backend = None  # as after a lost connection: Refresh opens it again
    window.browse.refresh()
    wait_listed(qtbot, window)
    assert window.filter_bar.text() == "wave"
    assert window.metadata_filter.chip_texts() == ["site ≠ lab"]
    assert window.table_model.query.metadata == (MetadataFilter("site", "neq", ("lab",)),)
    assert window.table_model.rowCount() == 10
