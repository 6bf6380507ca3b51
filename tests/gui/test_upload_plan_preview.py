"""The upload dialog shows the plan before anything is sent: per folder, how many files go to
which category under which labels, and the files left out with their reasons; the upload then
stores what was shown.
"""

from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path

import pytest
from gui_helpers import active, drop, finish_operation

from ei_desktop.core.backends.base import SampleQuery
from ei_desktop.core.backends.local import LocalBackend
from ei_desktop.gui.dialogs.upload_options import UploadOptionsDialog
from ei_desktop.ops import Status


def series(n: int) -> str:
    return "timestamp,accX\n" + "".join(f"{i * 10},{i * n}\n" for i in range(20))


@pytest.fixture
def dataset(tmp_path) -> Path:
    root = tmp_path / "field day"
    for category, labels in (("training", {"idle": 3, "wave": 2}), ("testing", {"idle": 2})):
        for label, count in labels.items():
            for i in range(count):
                path = root / category / f"{label}.{category}{i}.csv"
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_text(series(len(list(root.rglob("*.csv"))) + 1))
    (root / "training" / "notes.docx").write_bytes(b"not a sample")
    (root / "testing" / "broken.csv").write_text("this is not, a time series\n\x00\x01")
    return root


def rows(dialog: UploadOptionsDialog) -> dict[str, list[str]]:
    tree = dialog.plan_preview.tree
    out = {}
    for i in range(tree.topLevelItemCount()):
        item = tree.topLevelItem(i)
        out[item.text(0)] = [item.text(c) for c in range(1, 4)]
        for j in range(item.childCount()):
            child = item.child(j)
            out[f"{item.text(0)}/{child.text(0)}"] = [child.text(c) for c in range(1, 4)]
    return out


def wait_plan(qtbot, dialog: UploadOptionsDialog, options=None) -> None:
    qtbot.waitUntil(lambda: dialog.plan_for(options or dialog.options()) is not None, timeout=15000)


def test_the_dialog_shows_each_folder_with_its_category_and_labels(
    qtbot, make_window, tmp_path, dataset
):
    window = make_window(tmp_path / "project")
    drop(window, [dataset])
    dialog = active(qtbot, window, UploadOptionsDialog)
    wait_plan(qtbot, dialog)
    shown = rows(dialog)
    assert shown["training"] == ["5", "5 Training", "idle 3, wave 2"]
    assert shown["testing"][:2] == ["3", "3 Testing"]  # contents are read when uploading
    assert shown["Not uploaded (1)/notes.docx"][1].startswith("Not a sample: a .docx file")
    headline = dialog.plan_preview.headline.text()
    assert headline.startswith("8 files → 5 Training, 3 Testing · ")
    assert headline.endswith("1 not uploaded")

    # one category for everything: the plan follows the option
    dialog.category_combo.setCurrentIndex(dialog.category_combo.findData("testing"))
    qtbot.waitUntil(lambda: rows(dialog).get("training", [""])[1:2] == ["5 Testing"], timeout=15000)
    dialog.category_combo.setCurrentIndex(dialog.category_combo.findData("from-folders"))
    wait_plan(qtbot, dialog)
    assert rows(dialog)["training"][1] == "5 Training"

    dialog.ok_button.click()
    report = finish_operation(qtbot, window)
    assert report.done_count == 7, report
    assert [Path(i.name).name for i in report.with_status(Status.FAILED)] == ["broken.csv"]
    with LocalBackend(tmp_path / "project") as backend:
        stored = Counter((r.category, r.label) for r in backend.iter_samples(SampleQuery()))
    assert stored == {("training", "idle"): 3, ("training", "wave"): 2, ("testing", "idle"): 2}


def test_a_fixed_label_shows_in_the_plan(qtbot, make_window, tmp_path, dataset):
    window = make_window(tmp_path / "project")
    drop(window, [dataset / "training"])
    dialog = active(qtbot, window, UploadOptionsDialog)
    wait_plan(qtbot, dialog)
    assert rows(dialog)["training"] == ["5", "5 Training", "idle 3, wave 2"]
    dialog.fixed_radio.setChecked(True)
    dialog.label_edit.setText("gesture")
    qtbot.waitUntil(
        lambda: rows(dialog).get("training", ["", "", ""])[2] == "gesture 5", timeout=15000
    )
    dialog.reject()


def test_a_dropped_coco_dataset_shows_its_format_classes_and_boxes(qtbot, make_window, tmp_path):
    sys.path.insert(0, str(Path(__file__).parents[1] / "core" / "formats" / "datasets"))
    from dataset_helpers import annotation_set, write_images

    folder = tmp_path / "coco"
    write_images(folder / "train")
    annotation_set().save_coco(folder / "train" / "_annotations.coco.json", auto_ids=True)
    window = make_window(tmp_path / "project")
    drop(window, [folder])
    dialog = active(qtbot, window, UploadOptionsDialog)
    wait_plan(qtbot, dialog)
    headline = dialog.plan_preview.headline.text()
    assert "COCO" in headline and "2 classes (blue, red cube)" in headline, headline
    assert "3 boxes" in headline, headline
    assert rows(dialog)["train"][:2] == ["3", "3 Training"]
    dialog.ok_button.click()
    finish_operation(qtbot, window)
    with LocalBackend(tmp_path / "project") as backend:
        boxes = [len(r.bounding_boxes or ()) for r in backend.iter_samples(SampleQuery())]
    assert len(boxes) == 3 and sum(boxes) == 3
