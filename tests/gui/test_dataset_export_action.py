"""File → Export dataset… writes the selection or the whole project in the chosen format,
and the upload progress names the dataset format, classes and boxes it found.
"""

from __future__ import annotations

import sys
from pathlib import Path

from gui_helpers import active, finish_operation
from PySide6.QtCore import QPoint, Qt
from PySide6.QtTest import QTest

sys.path.insert(0, str(Path(__file__).parents[1] / "core" / "formats" / "datasets"))
from dataset_helpers import annotation_set, write_images  # noqa: E402

from ei_desktop.core.formats import datasets  # noqa: E402
from ei_desktop.core.progress import CancelToken  # noqa: E402
from ei_desktop.gui.dialogs.export_options import ExportOptionsDialog  # noqa: E402
from ei_desktop.gui.jobs.upload import upload_paths_job  # noqa: E402
from ei_desktop.ops import UploadOptions  # noqa: E402


def coco(root: Path) -> Path:
    write_images(root / "train")
    annotation_set().save_coco(root / "train" / "instances.json", auto_ids=True)
    return root


def test_upload_progress_names_the_dataset(project, tmp_path):
    messages = []
    job = upload_paths_job(project, [coco(tmp_path / "ds")], UploadOptions())
    report = job(lambda p: messages.append(p.message), CancelToken())
    assert report.done_count == 3
    assert "Uploading 3 files (COCO; 2 classes (blue, red cube); 3 boxes)…" in messages


def test_export_action_writes_the_chosen_format(qtbot, make_window, project, tmp_path):
    from ei_desktop.ops import plan_upload, upload

    upload(project, plan_upload([coco(tmp_path / "ds")], UploadOptions()))
    window = make_window(project.path)
    file_menu = window.menuBar().actions()[0].menu()
    assert window.exports.action in file_menu.actions()
    window.exports.action.trigger()
    dialog = active(qtbot, window, ExportOptionsDialog)
    assert dialog.whole_project()  # nothing selected
    QTest.keyClicks(dialog.folder_edit, str(tmp_path / "out"))
    button = dialog.choice_buttons["yolo"]
    QTest.mouseClick(
        button,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
        QPoint(8, button.height() // 2),
    )
    QTest.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    report = finish_operation(qtbot, window)
    assert report.ok
    dataset = datasets.read(str(tmp_path / "out"), "yolo")
    assert dataset.box_count == 3 and dataset.problems == []
