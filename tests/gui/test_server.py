"""The window against a real ``ei-desktop serve`` started by the test: connect, list, upload,
download, delete; a wrong key and a server that goes away give clear messages.
"""

from __future__ import annotations

import pytest
from gui_helpers import (
    active,
    closed,
    copy_samples,
    seed_csv,
    shown_dialogs,
    wait_idle,
    wait_listed,
)

from ei_desktop.core.backends.base import SampleQuery
from ei_desktop.core.backends.local import LocalBackend
from ei_desktop.gui.connections import ConnectionSpec
from ei_desktop.gui.dialogs.results import ResultsDialog
from ei_desktop.ops import UploadOptions

pytest.importorskip("ei_desktop.core.backends.studio")
testing = pytest.importorskip("ei_desktop.server.testing")


@pytest.fixture
def served(tmp_path):
    backend = LocalBackend(tmp_path / "served", create=True)
    seed_csv(backend, 12)
    with testing.running_server(backend, api_key="test-key") as (base_url, key):
        yield backend, base_url, key
    backend.close()


def connect_with_dialog(qtbot, window, address, key):
    dialog = window.connection.show_connection_dialog()
    dialog.tabs.setCurrentIndex(2)
    dialog.address_edit.setText(address)
    dialog.server_key.setText(key)
    dialog.connect_button.click()
    return dialog


def test_connect_list_upload_download_and_delete(qtbot, make_window, served, tmp_path):
    backend, base_url, key = served
    window = make_window(tmp_path / "local")
    dialog = connect_with_dialog(qtbot, window, base_url, key)
    qtbot.waitUntil(lambda: closed(dialog), timeout=20000)
    wait_listed(qtbot, window, timeout=20000)
    assert window.spec == ConnectionSpec.server(base_url)
    assert window.spec.api_endpoint == f"{base_url}/v1"
    assert window.table_model.rowCount() == 12
    assert window.tree_model.total() == 12
    # the key was remembered in the 0600 file (no keyring on this machine)
    assert window.credentials.load(f"{base_url}/v1") == key

    files = copy_samples(tmp_path / "files")
    window.uploads.start_upload([str(p) for p in files], UploadOptions())
    wait_idle(qtbot, window, timeout=60000)
    outcome = active(qtbot, window, ResultsDialog).report
    assert outcome.done_count == len(files), outcome.failed
    assert backend.count(SampleQuery()) == 12 + len(files)
    assert window.table_model.rowCount() == 12 + len(files)

    ids = window.table_model.ids[:3].tolist()
    window.select_ids(ids)
    window.downloads.download_selected(str(tmp_path / "out"))
    wait_idle(qtbot, window, timeout=60000)
    assert len(active(qtbot, window, ResultsDialog).report.done) == 3
    assert len(list((tmp_path / "out").iterdir())) == 3

    window.deletes.start_delete(ids)
    wait_idle(qtbot, window, timeout=60000)
    assert window.statusBar().currentMessage() == "3 samples deleted."
    assert backend.get_samples(ids) == {}
    assert window.table_model.rowCount() == 12 + len(files) - 3


def test_a_wrong_key_gives_a_clear_message(qtbot, make_window, served, tmp_path):
    _, base_url, _ = served
    window = make_window(tmp_path / "local")
    dialog = connect_with_dialog(qtbot, window, base_url, "wrong-key")
    qtbot.waitUntil(lambda: dialog.error_label.isVisible(), timeout=20000)
    assert "refused the API key" in dialog.error_label.text()
    assert window.spec.kind == "local"  # still on the local project
    assert window.credentials.load(f"{base_url}/v1") is None
    dialog.reject()


def test_a_server_that_goes_away_gives_a_message_and_the_app_carries_on(
    qtbot, make_window, tmp_path
):
    backend = LocalBackend(tmp_path / "served", create=True)
    seed_csv(backend, 5)
    window = make_window(tmp_path / "local")
    with testing.running_server(backend, api_key="k") as (base_url, key):
        window.connection.open_connection(ConnectionSpec.server(base_url), key)
        qtbot.waitUntil(
            lambda: window.spec is not None and window.spec.kind == "server", timeout=20000
        )
        wait_listed(qtbot, window, timeout=20000)
        assert window.table_model.rowCount() == 5
    backend.close()
    window.browse.refresh()
    qtbot.waitUntil(lambda: window.message_bar.isVisible(), timeout=30000)
    assert "Cannot" in window.message_bar.text.text()
    assert window.message_bar.action_button.text() == "Retry"
    # the old rows stay, the window still answers
    assert window.table_model.rowCount() == 5
    window.filter_bar.set_text("idle")
    window.connection.open_connection(ConnectionSpec.local(str(tmp_path / "local")))
    qtbot.waitUntil(lambda: window.spec.kind == "local", timeout=20000)
    wait_listed(qtbot, window)
    assert not active_error(window)


def active_error(window):
    return any(dialog.report.failed for dialog in shown_dialogs(window, ResultsDialog))


def test_a_corrupt_file_uploaded_to_a_server_is_reported(qtbot, make_window, served, tmp_path):
    _, base_url, key = served
    window = make_window(tmp_path / "local")
    window.connection.open_connection(ConnectionSpec.server(base_url), key)
    qtbot.waitUntil(lambda: window.spec.kind == "server", timeout=20000)
    wait_listed(qtbot, window, timeout=20000)
    bad = tmp_path / "bad.01.cbor"
    bad.write_bytes(b"\xff\x00garbage")
    window.uploads.start_upload([str(bad)], UploadOptions())
    wait_idle(qtbot, window, timeout=60000)
    results = active(qtbot, window, ResultsDialog)
    assert len(results.report.done) == 0
    assert len(results.report.failed) == 1
    assert results.table.item(0, 0).text() == str(bad)
