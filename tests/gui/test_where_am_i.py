"""The title and the status bar say where the samples come from: the kind of place with its
icon, the project's name, and whether it is open, being opened or unreachable.
"""

from __future__ import annotations

import pytest
from gui_helpers import seed_csv, wait_listed

from ei_desktop.core.backends.base import BackendError, InvalidApiKey
from ei_desktop.core.backends.local import LocalBackend
from ei_desktop.gui.connections import ConnectionSpec
from ei_desktop.gui.models.location import Location, failed_state

REMOTE_MARKER = "\U0001f5a7"  # the marker the status bar used to show


def status(window) -> str:
    return window.connection_label.text()


def assert_no_emoji(window) -> None:
    for text in (window.windowTitle(), status(window), window.connection_label.toolTip()):
        assert REMOTE_MARKER not in text
        assert all(ord(char) < 0x2500 or char in "…—“”·→" for char in text), text


def test_a_local_project_names_its_kind_name_and_state(qtbot, make_window, tmp_path):
    LocalBackend(tmp_path / "walk-data", create=True).close()
    window = make_window(tmp_path / "walk-data")
    assert window.windowTitle() == "walk-data — Local project — ei-desktop"
    assert status(window) == "Local project: walk-data · Open"
    assert str(tmp_path / "walk-data") in window.connection_label.toolTip()
    assert not window.location_icon.pixmap().isNull()
    assert_no_emoji(window)


def test_opening_shows_the_place_being_opened(qtbot, make_window, project, tmp_path):
    window = make_window()
    window.connection.open_connection(ConnectionSpec.local(str(project.path)))
    assert status(window) == f"Local project: {project.path.name} · Opening…"
    wait_listed(qtbot, window)
    assert status(window).endswith("· Open")


def test_a_folder_that_is_not_a_project_says_so(qtbot, make_window, tmp_path):
    (tmp_path / "typo").mkdir()
    window = make_window()
    window.connection.open_connection(ConnectionSpec.local(str(tmp_path / "typo")))
    qtbot.waitUntil(window.message_bar.isVisible, timeout=10000)
    assert status(window) == "Local project: typo · Not a project"
    assert window.backend is None


def test_a_failed_switch_keeps_showing_the_open_project(qtbot, make_window, project, tmp_path):
    (tmp_path / "typo").mkdir()
    window = make_window(project.path)
    before = status(window)
    window.connection.open_connection(ConnectionSpec.local(str(tmp_path / "typo")))
    qtbot.waitUntil(window.message_bar.isVisible, timeout=10000)
    assert status(window) == before
    assert project.path.name in window.windowTitle()


def test_remote_states_name_the_host():
    server = ConnectionSpec.server("http://192.168.1.20:4800")
    assert failed_state(server, BackendError("refused")) == "Cannot reach 192.168.1.20:4800"
    assert failed_state(server, InvalidApiKey("no")) == "API key refused"
    studio = Location.of(ConnectionSpec.studio(), "Connected", "project 42")
    assert studio.title() == "project 42 — Edge Impulse — ei-desktop"
    assert studio.status() == "Edge Impulse: project 42 · Connected"


def test_a_server_shows_connected_then_cannot_reach(qtbot, make_window, tmp_path):
    testing = pytest.importorskip("ei_desktop.server.testing")
    backend = LocalBackend(tmp_path / "served", create=True)
    seed_csv(backend, 3)
    window = make_window(tmp_path / "local")
    local_icon = window.location_icon.pixmap().toImage()
    with testing.running_server(backend, api_key="k") as (base_url, key):
        spec = ConnectionSpec.server(base_url)
        window.connection.open_connection(spec, key)
        qtbot.waitUntil(lambda: window.spec == spec, timeout=20000)
        wait_listed(qtbot, window, timeout=20000)
        host = base_url.split("://", 1)[1]
        assert status(window).startswith("ei-desktop server: project ")
        assert status(window).endswith(f" on {host} · Connected")
        assert host in window.connection_label.toolTip()
        assert "ei-desktop server" in window.windowTitle()
        assert window.location_icon.pixmap().toImage() != local_icon
        assert_no_emoji(window)
    backend.close()
    window.browse.refresh()
    qtbot.waitUntil(window.message_bar.isVisible, timeout=30000)
    qtbot.waitUntil(lambda: status(window).endswith(f"· Cannot reach {host}"), timeout=30000)
