"""The main window against real local projects: browsing, drag and drop, every operation,
and the error paths.
"""

from __future__ import annotations

import numpy as np
import pytest
from gui_helpers import (
    active,
    closed,
    copy_samples,
    drop,
    finish_operation,
    seed_csv,
    shown_dialogs,
    wait_idle,
    wait_listed,
)
from PySide6.QtCore import QMimeData, QPointF, Qt
from PySide6.QtGui import QDragEnterEvent
from PySide6.QtWidgets import QApplication

from ei_desktop.core.backends.base import SampleQuery
from ei_desktop.core.backends.local import LocalBackend
from ei_desktop.gui.dialogs.confirm import ConfirmDialog, TypedConfirmDialog
from ei_desktop.gui.dialogs.progress import ProgressDialog
from ei_desktop.gui.dialogs.results import ResultsDialog
from ei_desktop.gui.dialogs.upload_options import UploadOptionsDialog
from ei_desktop.gui.models.category_tree import ALL
from ei_desktop.ops import UploadOptions

pytestmark = pytest.mark.filterwarnings("ignore:Function.*QDrag.*deprecated:DeprecationWarning")


# -- browsing ------------------------------------------------------------------------------


def test_opens_a_project_and_lists_it(qtbot, make_window, project):
    window = make_window(project.path)
    assert window.table_model.rowCount() == 30
    assert window.tree_model.total() == 30
    assert window.count_label.text() == "30 samples"
    assert window.stack.currentWidget() is window.table
    assert window.settings.last_connection().path == str(project.path)
    assert str(project.path) in window.settings.recent_projects()


def test_an_empty_project_invites_a_drop(qtbot, make_window, tmp_path):
    window = make_window(tmp_path / "empty")
    assert window.stack.currentWidget() is window.empty_state
    assert window.empty_state.title.text() == "Drop files here to upload"


def test_filter_bar_and_tree_filter_through_the_backend(qtbot, make_window, project):
    window = make_window(project.path)
    window.filter_bar.set_text("wave.0001")
    wait_listed(qtbot, window)
    assert window.table_model.query.filename == "wave.0001"
    assert window.table_model.rowCount() == 4  # wave.00010, 00013, 00016, 00019
    expected = project.sample_ids(SampleQuery(filename="wave.0001"))
    assert np.array_equal(window.table_model.ids, expected)
    window.filter_bar.set_text("")
    wait_listed(qtbot, window)
    # choosing a label in the tree filters and updates the combo boxes
    index = window.tree_model.index_of(("training", "idle"))
    window.tree.setCurrentIndex(index)
    wait_listed(qtbot, window)
    assert window.table_model.query == SampleQuery(category="training", labels=("idle",))
    assert window.filter_bar.label() == "idle" and window.filter_bar.category() == "training"
    assert window.table_model.rowCount() == 10
    assert window.count_label.text() == "10 of 30 samples"


def test_name_filter_typing_is_debounced(qtbot, make_window, project):
    window = make_window(project.path)
    starts = []
    window.table_model.listingStarted.connect(lambda: starts.append(1))
    for text in ("i", "id", "idl", "idle"):
        window.filter_bar.text_edit.setText(text)
    assert starts == []
    qtbot.waitUntil(lambda: window.table_model.query.filename == "idle", timeout=3000)
    wait_listed(qtbot, window)
    assert len(starts) == 1
    assert window.table_model.rowCount() == 10


def test_select_all_and_status_counts(qtbot, make_window, project):
    window = make_window(project.path)
    window.table.setFocus()
    qtbot.keyClick(window.table, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    assert window.table.selected_count() == 30
    assert window.count_label.text() == "30 samples · 30 selected"
    assert window.menu_actions.delete.isEnabled() and window.menu_actions.download.isEnabled()


def test_preview_shows_the_current_sample_and_drops_stale_loads(qtbot, make_window, project):
    window = make_window(project.path)
    shown = []
    original = window.preview.show_sample
    window.preview.show_sample = lambda record, **content: (
        shown.append(record.id),
        original(record, **content),
    )
    # move quickly over many rows: only the last one may be shown
    for row in range(8):
        window.table.selectRow(row)
        window.previews.load_current()  # no settle delay: the loads compete
    last = window.table_model.sample_id(7)
    qtbot.waitUntil(lambda: window.preview.current_id == last and bool(shown), timeout=5000)
    window.reads.wait_all(timeout_s=10)
    assert shown == [last]


# -- drag and drop and upload --------------------------------------------------------------


def test_dropping_files_and_folders_uploads_them(qtbot, make_window, tmp_path):
    window = make_window(tmp_path / "target")
    files = copy_samples(tmp_path / "drop" / "training")
    folder = tmp_path / "drop"
    drop(window, [folder])
    dialog = active(qtbot, window, UploadOptionsDialog)
    assert dialog.paths == [str(folder)]
    dialog.category_combo.setCurrentIndex(dialog.category_combo.findData("from-folders"))
    dialog.metadata_editor.add_row("site", "lab-2", edit=False)
    dialog.ok_button.click()
    outcome = finish_operation(qtbot, window)
    assert outcome.done_count == len(files) and outcome.failed == []
    results = active(qtbot, window, ResultsDialog)
    assert "5 samples uploaded" in results.summary.text()
    assert window.table_model.rowCount() == 5
    records = window.backend.get_samples(window.table_model.ids.tolist()).values()
    assert {r.category for r in records} == {"training"}
    assert all(r.metadata == {"site": "lab-2"} for r in records)
    assert {r.label for r in records} == {"capacitor", "hadouken", "idle", "wave"}
    assert window.stack.currentWidget() is window.table


def test_a_corrupt_file_is_listed_in_the_results(qtbot, make_window, tmp_path):
    window = make_window(tmp_path / "target")
    good = copy_samples(tmp_path / "in")[0]
    bad = tmp_path / "in" / "broken.01.json"
    bad.write_text('{"protected": {"ver": "v1"}, "payload": [1, 2')
    drop(window, [good, bad])
    dialog = active(qtbot, window, UploadOptionsDialog)
    dialog.fixed_radio.setChecked(True)
    dialog.label_edit.setText("mixed")
    dialog.accept()
    outcome = finish_operation(qtbot, window)
    assert outcome.done_count == 1
    assert [f.name for f in outcome.failed] == [str(bad)]
    results = active(qtbot, window, ResultsDialog)
    assert results.table.rowCount() == 1
    assert results.table.item(0, 0).text() == str(bad)
    assert results.table.item(0, 1).text() == "Failed"
    assert results.table.item(0, 2).text()  # the reason
    results.copy_list()
    assert QApplication.clipboard().text().startswith(f"{bad}\t")
    assert window.backend.label_counts() != {}
    assert set(window.tree_model.labels()) == {"mixed"}


def test_drop_is_refused_without_files(qtbot, make_window, project):
    window = make_window(project.path)
    mime = QMimeData()
    mime.setText("not a file")
    event = QDragEnterEvent(
        QPointF(10, 10).toPoint(),
        Qt.DropAction.CopyAction,
        mime,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )
    QApplication.sendEvent(window, event)
    assert not event.isAccepted()


def test_cancelling_an_upload_stops_it(qtbot, make_window, tmp_path):
    window = make_window(tmp_path / "target")
    folder = tmp_path / "many"
    folder.mkdir()
    files = 20_000  # enough that an upload at full speed is still running when Cancel lands
    for i in range(files):
        (folder / f"n.{i:05d}.csv").write_text(f"timestamp,a\n0,{i}\n10,{i + 1}\n")
    window.uploads.start_upload([str(folder)], UploadOptions(label="n"))
    progress = active(qtbot, window, ProgressDialog, timeout=20000)
    clicked = []

    def cancel_once_started(value: int) -> None:
        # Cancel is clicked as the first progress is shown, not when a poll next looks
        if value > 0 and not clicked:
            clicked.append(progress.cancel_button.text())
            progress.cancel_button.click()
            clicked.append(progress.cancel_button.text())

    progress.bar.valueChanged.connect(cancel_once_started)
    outcome = finish_operation(qtbot, window)
    assert clicked == ["Cancel", "Cancelling…"]
    assert outcome.cancelled
    assert 0 < outcome.done_count < files
    assert window.backend.count(SampleQuery()) == outcome.done_count
    results = active(qtbot, window, ResultsDialog)
    assert "Cancelled" in results.summary.text()


# -- download and delete -------------------------------------------------------------------


def test_download_selected_writes_files(qtbot, make_window, project, tmp_path):
    window = make_window(project.path)
    ids = window.table_model.ids[:4].tolist()
    window.select_ids(ids)
    assert window.count_label.text() == "30 samples · 4 selected"
    out = tmp_path / "out"
    window.downloads.download_selected(str(out))
    outcome = finish_operation(qtbot, window)
    assert outcome.done_count == 4 and not outcome.failed
    assert len(list(out.iterdir())) == 4
    assert active(qtbot, window, ResultsDialog).report.destination == str(out)


def test_download_reports_samples_deleted_meanwhile(qtbot, make_window, project, tmp_path):
    window = make_window(project.path)
    ids = window.table_model.ids[:3].tolist()
    window.select_ids(ids)
    project.delete([ids[1]])
    window.downloads.download_selected(str(tmp_path / "out"))
    outcome = finish_operation(qtbot, window)
    assert outcome.done_count == 2
    assert len(outcome.failed) == 1 and f"ID {ids[1]}" in outcome.failed[0].name


def test_delete_key_asks_then_deletes_and_keeps_the_other_selection(qtbot, make_window, project):
    window = make_window(project.path)
    doomed = window.table_model.ids[2:5].tolist()
    window.select_ids(doomed, current=doomed[0])
    window.table.setFocus()
    qtbot.keyClick(window.table, Qt.Key.Key_Delete)
    dialog = active(qtbot, window, ConfirmDialog)
    assert "3" in dialog.text.text()
    dialog.ok_button.click()
    wait_idle(qtbot, window)
    assert window.statusBar().currentMessage() == "3 samples deleted."
    assert window.table_model.rowCount() == 27
    assert not set(doomed) & set(window.table_model.ids.tolist())
    assert window.tree_model.total() == 27
    # no results dialog when all went well
    assert shown_dialogs(window, ResultsDialog) == []


def test_delete_can_be_declined(qtbot, make_window, project):
    window = make_window(project.path)
    window.select_ids(window.table_model.ids[:2].tolist())
    dialog = window.deletes.delete_selected()
    dialog.reject()
    wait_idle(qtbot, window)
    assert project.count(SampleQuery()) == 30


def test_refresh_keeps_the_selection(qtbot, make_window, project):
    window = make_window(project.path)
    keep = window.table_model.ids[[3, 9]].tolist()
    window.select_ids(keep, current=keep[1])
    seed_csv(project, 5, labels=("late",))  # another program adds samples
    qtbot.keyClick(window.table, Qt.Key.Key_F5)
    wait_idle(qtbot, window)
    assert window.table_model.rowCount() == 35
    assert sorted(window.table.selected_ids().tolist()) == sorted(keep)
    assert "late" in window.tree_model.labels()


def test_delete_all_in_a_category_needs_the_typed_name(qtbot, make_window, tmp_path):
    backend = LocalBackend(tmp_path / "p", create=True)
    try:
        seed_csv(backend, 6, category="testing")
        seed_csv(backend, 4, labels=("keep",), category="training")
    finally:
        backend.close()
    window = make_window(tmp_path / "p")
    window.tree.setCurrentIndex(window.tree_model.index_of(("testing", None)))
    wait_listed(qtbot, window)
    assert window.menu_actions.delete_category.isEnabled()
    dialog = window.deletes.delete_category()
    assert isinstance(dialog, TypedConfirmDialog)
    assert "Delete <b>all 6 samples</b> in <b>Testing</b>?" in dialog.text.text()
    assert not dialog.ok_button.isEnabled()
    dialog.edit.setText("Testing")  # not the exact name
    assert not dialog.ok_button.isEnabled()
    dialog.accept()
    assert dialog.isVisible()
    dialog.edit.setText("testing")
    dialog.ok_button.click()
    wait_idle(qtbot, window)
    assert window.statusBar().currentMessage() == "6 samples deleted."
    assert window.backend.label_counts() == {("training", "keep"): 4}
    window.tree.setCurrentIndex(window.tree_model.index_of(ALL))
    wait_listed(qtbot, window)
    assert window.table_model.rowCount() == 4


# -- connection dialog, about, errors ------------------------------------------------------


def test_connection_dialog_switches_local_projects(qtbot, make_window, project, tmp_path):
    window = make_window(project.path)
    other = LocalBackend(tmp_path / "other", create=True)
    seed_csv(other, 3, labels=("x",))
    other.close()
    dialog = window.connection.show_connection_dialog()
    assert dialog.recent_list.count() >= 1
    dialog.path_edit.setText(str(tmp_path / "other"))
    dialog.connect_button.click()
    qtbot.waitUntil(lambda: closed(dialog), timeout=10000)
    wait_listed(qtbot, window)
    assert window.table_model.rowCount() == 3
    assert window.settings.recent_projects()[:2] == [str(tmp_path / "other"), str(project.path)]


def test_an_unusable_project_folder_shows_a_clear_message(qtbot, make_window, tmp_path):
    not_a_folder = tmp_path / "file.txt"
    not_a_folder.write_text("x")
    window = make_window()
    window.connection.open_startup(str(not_a_folder))
    qtbot.waitUntil(lambda: window.message_bar.isVisible(), timeout=10000)
    assert "Cannot open" in window.message_bar.text.text()
    assert window.backend is None
    # the window still works: open a good project
    LocalBackend(tmp_path / "good", create=True).close()
    window.connection.open_startup(str(tmp_path / "good"))
    qtbot.waitUntil(lambda: window.backend is not None, timeout=10000)


def test_about_lists_versions(qtbot, make_window):
    import PySide6

    window = make_window()
    dialog = window.show_about()
    text = dialog.text()
    for part in ("ei-desktop", "Python", "Qt", "PySide6", "pyqtgraph", "numpy"):
        assert part in text
    assert PySide6.__version__ in text


def test_unexpected_errors_show_a_dialog_and_the_app_carries_on(qtbot, make_window, project):
    import sys

    from ei_desktop.gui.app import ExceptionHook
    from ei_desktop.gui.dialogs.error import ErrorDialog

    window = make_window(project.path)
    hook = ExceptionHook(lambda: window).install()
    try:
        try:
            raise RuntimeError("a bug in a slot")
        except RuntimeError:
            sys.excepthook(*sys.exc_info())
        qtbot.waitUntil(lambda: any(d.isVisible() for d in hook.dialogs), timeout=3000)
        dialog = hook.dialogs[0]
        assert isinstance(dialog, ErrorDialog)
        assert "RuntimeError: a bug in a slot" in dialog.message.text()
        assert "Traceback" in dialog.details.toPlainText()
        dialog.close()
    finally:
        hook.uninstall()
    window.browse.refresh()
    wait_listed(qtbot, window)
    assert window.table_model.rowCount() == 30


def test_window_layout_is_remembered(qtbot, make_window, project, settings):
    window = make_window(project.path)
    window.resize(701, 501)
    window.splitter.setSizes([200, 600, 300])
    sizes = window.splitter.sizes()
    window.close()
    settings.sync()
    geometry, _ = settings.window_state()
    assert geometry is not None
    again = make_window()
    assert again.height() == 501
    assert again.splitter.sizes()[0] == sizes[0]
