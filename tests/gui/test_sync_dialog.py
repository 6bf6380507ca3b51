"""*Project → Sync with Edge Impulse…* against a real ``ei-desktop serve``: linking, the
difference, pushing with the button, cancelling a push, the status bar's count, where the key
goes and that the link is remembered.
"""

from __future__ import annotations

import os
import socket
import sys
import threading
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "sync"))  # the tests' proxy
from fault_proxy import FaultProxy  # noqa: E402
from gui_helpers import (
    active,
    csv_series,
    finish_operation,
    seed_csv,
    shown_dialogs,
    wait_idle,
)

from ei_desktop.core.backends.base import SampleQuery, UploadItem, query_for_ids
from ei_desktop.core.backends.local import LocalBackend
from ei_desktop.core.backends.studio import StudioBackend
from ei_desktop.core.edits import SetLabel
from ei_desktop.core.sync_state import SyncState
from ei_desktop.gui.credentials import CredentialStore
from ei_desktop.gui.dialogs.progress import ProgressDialog
from ei_desktop.gui.dialogs.results import ResultsDialog
from ei_desktop.gui.dialogs.sync_conflicts import REMOTE
from ei_desktop.gui.sync_links import credential_account
from ei_desktop.ops import UploadOptions, sync
from ei_desktop.server.testing import free_port, serve_process

#: long enough for the key rules of ``serve``
KEY = "sync-dialog-key-0123456789"
ALL = SampleQuery(include_disabled="both")


def by_hash(backend) -> dict[str, list]:
    """Every sample of ``backend`` (enabled or not) by content hash."""
    found: dict[str, list] = {}
    for record in backend.iter_samples(ALL):
        found.setdefault(record.sha256, []).append(record)
    return found


@pytest.fixture
def remote(tmp_path):
    """A real ``ei-desktop serve`` in a process of its own; yields (base URL, its backend)."""
    port = free_port()
    process = serve_process(tmp_path / "remote", port, KEY)
    base = f"http://127.0.0.1:{port}"
    backend = StudioBackend(KEY, base + "/v1", base)
    try:
        yield base, backend
    finally:
        backend.close()
        process.terminate()
        process.wait(timeout=30)


def link(qtbot, window, base: str):
    """Open the sync dialog, link it to ``base`` with :data:`KEY`; returns the dialog once the
    difference shows.
    """
    dialog = window.sync.show_dialog()
    assert dialog is not None and dialog.form.isVisible()
    dialog.form.key_edit.setText(KEY)
    dialog.form.api_edit.setText(base + "/v1")
    dialog.form.ingestion_edit.setText(base)
    dialog.form.link_button.click()
    qtbot.waitUntil(lambda: dialog.push_button.isEnabled(), timeout=20000)
    return dialog


def status(window) -> str:
    label = window.sync.status_label
    return label.text() if label.isVisible() else ""


def test_link_push_and_the_status_bar_says_all_is_there(
    qtbot, make_window, project, remote, tmp_path
):
    base, backend = remote
    folder = project.path
    window = make_window(folder)
    assert window.sync.action.isEnabled()
    assert status(window) == ""  # no link, no count

    dialog = link(qtbot, window, base)

    assert dialog.count_labels["send"].text() == "30"
    assert dialog.count_labels["change"].text() == "0"
    qtbot.waitUntil(lambda: status(window) == "30 samples not yet on Edge Impulse")
    assert dialog.link_box.title() == "Remote project" and not dialog.form.isVisible()

    dialog.push_button.click()
    report = finish_operation(qtbot, window)

    assert report.ok and report.sent == 30
    assert backend.count(ALL) == 30
    assert {sha for sha in by_hash(backend)} == {sha for sha in by_hash(project)}
    qtbot.waitUntil(lambda: status(window) == "All samples are on Edge Impulse")

    for path in Path(folder).rglob("*"):
        if path.is_file():
            assert KEY.encode() not in path.read_bytes(), path
    account = credential_account(project.project_id())
    assert window.credentials.load(account) == KEY
    assert window.credentials.path.stat().st_mode & 0o777 == 0o600

    window.close()
    reopened = make_window(folder)
    qtbot.waitUntil(lambda: status(reopened) == "All samples are on Edge Impulse")
    again = reopened.sync.show_dialog()
    assert not again.form.isVisible() and again.linked_row.isVisible()
    qtbot.waitUntil(lambda: again.count_labels["send"].text() == "0", timeout=20000)
    assert not again.push_button.isEnabled()


def test_a_wrong_key_is_refused_and_nothing_is_linked(qtbot, make_window, project, remote):
    base, _backend = remote
    window = make_window(project.path)
    dialog = window.sync.show_dialog()
    dialog.form.key_edit.setText("not-the-key-0123456789")
    dialog.form.api_edit.setText(base + "/v1")
    dialog.form.ingestion_edit.setText(base)
    dialog.form.link_button.click()

    qtbot.waitUntil(lambda: dialog.form.error.isVisible(), timeout=20000)
    assert "refused the API key" in dialog.form.error.text()
    assert window.sync.links.load(project.project_id()) is None
    assert status(window) == ""


def test_a_cancelled_push_leaves_a_consistent_state_and_a_second_push_sends_the_rest(
    qtbot, make_window, tmp_path, remote
):
    base, backend = remote
    # every request waits 0.05-0.5 s on the way, as on a slow link: the push lasts long
    # enough to be cancelled half-way however fast the machine is
    slow = FaultProxy(int(base.rsplit(":", 1)[1]), 5, cut_rate=0, delay_rate=1, outage_every=None)
    try:
        cancel_and_push_again(qtbot, make_window, tmp_path, slow.url, backend)
    finally:
        slow.close()


def cancel_and_push_again(qtbot, make_window, tmp_path, url: str, backend) -> None:
    folder = tmp_path / "big"
    with LocalBackend(folder, create=True) as local:
        seed_csv(local, 600)
    window = make_window(folder)
    dialog = link(qtbot, window, url)
    assert dialog.count_labels["send"].text() == "600"

    dialog.push_button.click()
    progress = active(qtbot, window, ProgressDialog, timeout=20000)
    qtbot.waitUntil(lambda: progress.bar.value() > 0, timeout=20000)
    progress.cancel_button.click()
    report = finish_operation(qtbot, window)

    assert report.cancelled
    on_remote = backend.count(ALL)
    assert 0 < on_remote < 600
    assert all(len(copies) == 1 for copies in by_hash(backend).values())
    linked = StudioBackend(KEY, url + "/v1", url)  # the push state names the remote so
    with SyncState(folder) as state:
        recorded = state.counts(sync.remote_name(linked)).get("remote", 0)
    linked.close()
    assert recorded == on_remote
    qtbot.waitUntil(lambda: status(window) == f"{600 - on_remote} samples not yet on Edge Impulse")

    for shown in shown_dialogs(window, ResultsDialog):
        shown.accept()  # read, as a user would, before syncing again

    # the rest shows in a new comparison, and Push sends exactly that
    rest = 600 - on_remote
    second = window.sync.show_dialog()
    qtbot.waitUntil(lambda: second.push_button.isEnabled(), timeout=20000)
    assert second.count_labels["send"].text() == f"{rest:,}"
    second.push_button.click()
    assert [job.name for job in window.jobs.running()] == ["Pushing to Edge Impulse"]
    qtbot.waitUntil(lambda: not window.jobs.running(), timeout=180000)  # a slow link
    report = finish_operation(qtbot, window)

    assert report.ok and not report.cancelled, report.summary()
    assert report.sent == rest, report.summary()
    assert backend.count(ALL) == 600
    assert all(len(copies) == 1 for copies in by_hash(backend).values())
    # counted off the UI thread after the listing's own reads: give a loaded machine time
    qtbot.waitUntil(lambda: status(window) == "All samples are on Edge Impulse", timeout=60000)
    assert os.path.exists(folder / "sync.sqlite3")


def test_linking_comparing_and_pushing_never_wait_on_the_ui_thread(
    qtbot, make_window, project, remote, monkeypatch
):
    base, backend = remote
    window = make_window(project.path)
    asked: list[str] = []

    def watch(owner, name):
        original = getattr(owner, name)

        def call(*args, **kwargs):
            if threading.current_thread() is threading.main_thread():
                asked.append(f"{owner.__name__}.{name}")
            return original(*args, **kwargs)

        monkeypatch.setattr(owner, name, call)

    for owner, name in (
        (socket.socket, "connect"),
        (socket.socket, "send"),
        (socket.socket, "sendall"),
        (SyncState, "__init__"),
        (CredentialStore, "load"),
        (CredentialStore, "save"),
    ):
        watch(owner, name)

    dialog = link(qtbot, window, base)
    dialog.push_button.click()
    finish_operation(qtbot, window)
    qtbot.waitUntil(lambda: status(window) == "All samples are on Edge Impulse")
    monkeypatch.undo()

    assert asked == []
    assert backend.count(ALL) == 30


def test_an_address_where_nothing_answers_is_said_at_once(qtbot, make_window, project):
    window = make_window(project.path)
    dialog = window.sync.show_dialog()
    nowhere = f"http://127.0.0.1:{free_port()}"
    dialog.form.key_edit.setText(KEY)
    dialog.form.api_edit.setText(nowhere + "/v1")
    dialog.form.ingestion_edit.setText(nowhere)
    dialog.form.link_button.click()

    qtbot.waitUntil(lambda: dialog.form.error.isVisible(), timeout=20000)
    assert f"Cannot open {nowhere}" in dialog.form.error.text()
    assert dialog.form.link_button.isEnabled()
    assert window.sync.links.load(project.project_id()) is None


def test_pull_fetches_what_only_the_remote_holds(qtbot, make_window, project, remote):
    base, backend = remote
    items = [
        UploadItem(f"remote.{n}.csv", csv_series("far", 900 + n).encode(), "testing", "far")
        for n in range(7)
    ]
    assert all(r.success for r in backend.upload(items))
    window = make_window(project.path)
    dialog = link(qtbot, window, base)
    assert dialog.count_labels["fetch"].text() == "7"
    assert dialog.count_labels["send"].text() == "30"
    assert dialog.count_labels["delete"].text() == "–"  # not asked for
    assert dialog.pull_button.isEnabled()

    dialog.pull_button.click()
    report = finish_operation(qtbot, window)

    assert report.ok and report.fetched == 7
    assert project.count(ALL) == 37
    assert project.count(SampleQuery(labels=("far",))) == 7
    # fetched samples are on both sides; the 30 of this project are not yet
    qtbot.waitUntil(lambda: status(window) == "30 samples not yet on Edge Impulse")


def test_conflict_choices_per_row_and_for_all(qtbot):
    from ei_desktop.gui.dialogs.sync_conflicts import LOCAL, ConflictRow, ConflictsTable

    table = ConflictsTable()
    qtbot.addWidget(table)
    table.set_conflicts(
        [
            ConflictRow("a" * 64, "walk.1.csv", "label: walk here, run there"),
            ConflictRow("b" * 64, "x", ""),
        ]
    )
    assert table.choices() == {}  # nothing decided for the user
    table.choose(1, REMOTE)
    assert table.choices() == {"b" * 64: REMOTE}
    table.all_remote.click()
    assert table.choices() == {"a" * 64: REMOTE, "b" * 64: REMOTE}
    table.all_local.click()
    assert table.choices() == {"a" * 64: LOCAL, "b" * 64: LOCAL}


def test_a_sample_changed_on_both_sides_is_a_conflict_settled_by_the_choice_made(
    qtbot, make_window, project, remote
):
    base, backend = remote
    window = make_window(project.path)
    link(qtbot, window, base).push_button.click()
    finish_operation(qtbot, window)
    first, second = project.sample_ids(SampleQuery(labels=("idle",))).tolist()[:2]
    records = project.get_samples([first, second])
    there = by_hash(backend)
    for sample_id, here_label, there_label in ((first, "calm", "still"), (second, "a", "b")):
        project.edit(query_for_ids([sample_id]), SetLabel(here_label))
        remote_id = there[records[sample_id].sha256][0].id
        backend.edit(query_for_ids([remote_id]), SetLabel(there_label))

    dialog = window.sync.show_dialog()
    qtbot.waitUntil(lambda: dialog.conflicts.isVisible(), timeout=20000)
    table = dialog.conflicts.table
    rows = {table.item(r, 0).text(): r for r in range(table.rowCount())}
    assert set(rows) == {records[first].filename, records[second].filename}
    assert table.item(rows[records[first].filename], 1).text() == "label: calm here, still there"
    assert dialog.push_button.isEnabled()

    dialog.conflicts.choose(rows[records[first].filename], REMOTE)
    dialog.push_button.click()
    finish_operation(qtbot, window)

    assert project.get_sample(first).label == "still"  # the remote's side, kept
    assert backend.get_sample(there[records[first].sha256][0].id).label == "still"
    # the undecided one stays as it is on both sides, and is listed again
    assert project.get_sample(second).label == "a"
    assert backend.get_sample(there[records[second].sha256][0].id).label == "b"
    again = window.sync.show_dialog()
    qtbot.waitUntil(lambda: again.conflicts.isVisible(), timeout=20000)
    assert again.conflicts.table.rowCount() == 1

    again.conflicts.all_remote.click()  # settled by a pull this time
    again.pull_button.click()
    finish_operation(qtbot, window)

    assert project.get_sample(second).label == "b"
    last = window.sync.show_dialog()
    qtbot.waitUntil(lambda: "same samples" in last.state_label.text(), timeout=20000)
    assert not last.conflicts.isVisible()


def test_the_count_follows_uploads_and_deletes_and_the_link_can_be_changed(
    qtbot, make_window, project, remote, tmp_path
):
    base, _backend = remote
    window = make_window(project.path)
    dialog = link(qtbot, window, base)
    qtbot.waitUntil(lambda: status(window) == "30 samples not yet on Edge Impulse")

    folder = tmp_path / "new"
    folder.mkdir()
    for n in range(2):
        (folder / f"new.{n}.csv").write_text(csv_series("new", 700 + n))
    window.uploads.start_upload([str(folder)], UploadOptions(label="new"))
    finish_operation(qtbot, window)
    qtbot.waitUntil(lambda: status(window) == "32 samples not yet on Edge Impulse")

    ids = window.backend.sample_ids(SampleQuery(labels=("new",))).tolist()
    window.deletes.start_delete(ids)
    wait_idle(qtbot, window)
    qtbot.waitUntil(lambda: status(window) == "30 samples not yet on Edge Impulse")

    dialog.change_button.click()
    assert dialog.form.isVisible() and not dialog.push_button.isEnabled()
    assert dialog.form.api_edit.text() == base + "/v1" and dialog.form.key_edit.text() == ""
    dialog.form.cancel_button.click()
    assert dialog.linked_row.isVisible() and not dialog.form.isVisible()


def test_only_a_local_project_syncs(qtbot, make_window, project, remote):
    from ei_desktop.gui.connections import ConnectionSpec

    base, _backend = remote
    window = make_window(project.path)
    assert window.sync.action.isEnabled()
    window.connection.open_connection(ConnectionSpec.server(base), KEY)
    qtbot.waitUntil(lambda: window.spec is not None and window.spec.kind == "server")
    assert not window.sync.action.isEnabled()
    assert window.sync.show_dialog() is None
    assert status(window) == ""


def test_deletions_travel_only_when_asked(qtbot, make_window, project, remote):
    base, backend = remote
    window = make_window(project.path)
    link(qtbot, window, base).push_button.click()
    finish_operation(qtbot, window)
    window.deletes.start_delete(project.sample_ids(SampleQuery(labels=("run",))).tolist()[:2])
    wait_idle(qtbot, window)

    dialog = window.sync.show_dialog()
    qtbot.waitUntil(lambda: "deleted here" in dialog.state_label.text(), timeout=20000)
    assert "2 samples deleted here since the last sync" in dialog.state_label.text()
    assert dialog.count_labels["delete"].text() == "–"
    assert not dialog.push_button.isEnabled()

    dialog.delete_check.setChecked(True)
    qtbot.waitUntil(lambda: dialog.count_labels["delete"].text() == "2", timeout=20000)
    qtbot.waitUntil(dialog.push_button.isEnabled)
    dialog.push_button.click()
    report = finish_operation(qtbot, window)

    assert report.ok and report.deleted == 2
    assert backend.count(ALL) == 28
    qtbot.waitUntil(lambda: status(window) == "All samples are on Edge Impulse")
