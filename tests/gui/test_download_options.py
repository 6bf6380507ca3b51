"""The Download action asks for a folder and a layout, writes that layout, and remembers both."""

from __future__ import annotations

import json

from gui_helpers import active, closed, finish_operation
from PySide6.QtCore import QPoint, Qt
from PySide6.QtTest import QTest

from ei_desktop.gui.dialogs.download_options import DownloadOptionsDialog
from ei_desktop.ops.export import Layout


def ask(qtbot, window, count: int) -> DownloadOptionsDialog:
    window.select_ids(window.table_model.ids[:count].tolist())
    assert window.downloads.download_selected() is None
    return active(qtbot, window, DownloadOptionsDialog)


def choose(dialog: DownloadOptionsDialog, folder, layout: Layout) -> None:
    dialog.folder_edit.clear()
    QTest.keyClicks(dialog.folder_edit, str(folder))
    button = dialog.choice_buttons[layout]
    # on the indicator: a wide radio button only takes clicks on its indicator and text
    on_indicator = QPoint(8, button.height() // 2)
    QTest.mouseClick(
        button, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, on_indicator
    )
    assert dialog.chosen_layout() is layout
    QTest.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)


def test_export_layout_writes_folders_and_info_labels(qtbot, make_window, project, tmp_path):
    window = make_window(project.path)
    dialog = ask(qtbot, window, 4)
    assert dialog.windowTitle() == "Download 4 samples"
    assert dialog.chosen_layout() is Layout.SDK  # nothing remembered yet
    out = tmp_path / "export"
    choose(dialog, out, Layout.EXPORT)
    report = finish_operation(qtbot, window)
    assert report.done_count == 4 and not report.failed
    info = json.loads((out / "info.labels").read_text())
    assert len(info["files"]) == 4
    for entry in info["files"]:
        assert entry["category"] == "training" and entry["label"]["type"] == "label"
    for item in report.done:
        assert open(item.name, "rb").read() == project.load_bytes(item.sample_id)
    assert sorted(p.name for p in out.iterdir()) == ["info.labels", "training"]


def test_the_last_choice_is_offered_again(qtbot, make_window, project, tmp_path):
    window = make_window(project.path)
    first = tmp_path / "first"
    choose(ask(qtbot, window, 2), first, Layout.UPLOADED)
    finish_operation(qtbot, window)
    assert len(list((first / "training").iterdir())) == 2

    again = ask(qtbot, window, 3)
    assert again.folder() == str(first)
    assert again.chosen_layout() is Layout.UPLOADED
    QTest.mouseClick(again.ok_button, Qt.MouseButton.LeftButton)
    report = finish_operation(qtbot, window)
    assert report.done_count == 3
    names = sorted(p.name for p in (first / "training").iterdir())
    assert len(names) == 5 and sum("(2)" in n for n in names) == 2
    assert not (first / "info.labels").exists()


def test_no_folder_no_download_and_cancel_writes_nothing(qtbot, make_window, project, tmp_path):
    window = make_window(project.path)
    dialog = ask(qtbot, window, 2)
    assert not dialog.ok_button.isEnabled()
    QTest.keyClicks(dialog.folder_edit, str(tmp_path / "never"))
    assert dialog.ok_button.isEnabled()
    QTest.keyClick(dialog, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: closed(dialog))
    assert not window.jobs.running()
    assert not (tmp_path / "never").exists()
