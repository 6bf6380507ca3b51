"""Datasets in the app: *Upload folder* on a YOLO dataset shows its format, classes and boxes
in the plan; *Export dataset…* shows progress, stops on Cancel, and run again completes.
"""

from __future__ import annotations

import io
import sys
from pathlib import Path

from gui_helpers import active, finish_operation
from PIL import Image
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

sys.path.insert(0, str(Path(__file__).parents[1] / "core" / "formats" / "datasets"))
from dataset_helpers import annotation_set, write_images  # noqa: E402

from ei_desktop.core.backends.base import SampleQuery, UploadItem  # noqa: E402
from ei_desktop.core.backends.local import LocalBackend  # noqa: E402
from ei_desktop.core.formats import datasets  # noqa: E402
from ei_desktop.gui.dialogs.export_options import ExportOptionsDialog  # noqa: E402
from ei_desktop.gui.dialogs.progress import ProgressDialog  # noqa: E402
from ei_desktop.gui.dialogs.upload_options import UploadOptionsDialog  # noqa: E402


def test_upload_folder_shows_a_yolo_dataset_in_the_plan(qtbot, make_window, tmp_path):
    folder = tmp_path / "exported from a labelling tool"
    for split, names in (("train", ["a.png", "b.jpg"]), ("valid", ["c.png"])):
        write_images(folder / split / "images", names)
        annotation_set(names).save_yolo_v5(
            folder / split / "labels", label_to_id={"red cube": 0, "blue": 1}
        )
    (folder / "data.yaml").write_text("nc: 2\nnames: ['red cube', 'blue']\n")
    (folder / "README.roboflow.txt").write_text("Exported with boxes\n")
    window = make_window(tmp_path / "project")
    window.uploads.upload_folder(str(folder))  # what the action does once a folder is chosen
    dialog = active(qtbot, window, UploadOptionsDialog)
    qtbot.waitUntil(lambda: dialog.plan_for(dialog.options()) is not None, timeout=15000)
    headline = dialog.plan_preview.headline.text()
    assert "YOLO" in headline and "2 classes (red cube, blue)" in headline, headline
    assert "3 boxes" in headline, headline
    dialog.ok_button.click()
    assert finish_operation(qtbot, window).ok
    with LocalBackend(tmp_path / "project") as backend:
        stored = {r.upload_name: r for r in backend.iter_samples(SampleQuery())}
    assert sorted(stored) == ["a.png", "b.jpg", "c.png"]
    assert stored["c.png"].category == "validation"
    assert sum(len(r.bounding_boxes or ()) for r in stored.values()) == 3


IMAGES = 2000


def image_project(path: Path) -> None:
    def png(n: int) -> bytes:
        out = io.BytesIO()
        Image.new("RGB", (20, 12), (n % 256, n // 256, 3)).save(out, "PNG")
        return out.getvalue()

    box = {"label": "cap", "x": 1, "y": 2, "width": 5, "height": 4}
    items = [
        UploadItem(f"i{n:05d}.png", png(n), "training", bounding_boxes=[box]) for n in range(IMAGES)
    ]
    with LocalBackend(path, create=True) as backend:
        assert all(r.success for r in backend.upload(items))


def test_export_shows_progress_cancels_and_completes_when_run_again(qtbot, make_window, tmp_path):
    image_project(tmp_path / "project")
    out = tmp_path / "out"
    window = make_window(tmp_path / "project")

    def export_whole_project() -> None:
        window.exports.action.trigger()
        dialog = active(qtbot, window, ExportOptionsDialog)
        assert dialog.whole_project()
        dialog.folder_edit.clear()
        QTest.keyClicks(dialog.folder_edit, str(out))
        dialog.choice_buttons["coco"].setChecked(True)
        QTest.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)

    export_whole_project()
    progress = active(qtbot, window, ProgressDialog, timeout=20000)
    qtbot.waitUntil(lambda: progress.bar.value() > 0, timeout=20000)
    progress.cancel_button.click()
    stopped = finish_operation(qtbot, window)
    assert stopped.cancelled and 0 < stopped.done_count < IMAGES
    partial = datasets.read(str(out), "coco")
    assert len(partial.samples) == stopped.done_count  # the files describe what was written

    export_whole_project()
    report = finish_operation(qtbot, window)
    assert report.ok and report.done_count == IMAGES
    dataset = datasets.read(str(out), "coco")
    assert dataset.problems == [] and len(dataset.samples) == IMAGES
    assert dataset.box_count == IMAGES
    assert len(list(out.rglob("*.png"))) == IMAGES  # nothing written twice
