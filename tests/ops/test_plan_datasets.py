"""The upload plan detects object detection datasets (or takes the format it is told) and
gives their images with boxes, categories from splits and no annotation files as samples.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parents[1] / "core" / "formats" / "datasets"))
from dataset_helpers import annotation_set, write_images  # noqa: E402

from ei_desktop.core.backends.base import SampleQuery  # noqa: E402
from ei_desktop.ops import UploadOptions, plan_upload  # noqa: E402
from ei_desktop.ops import upload as run_upload  # noqa: E402


def coco_folder(root: Path) -> Path:
    write_images(root / "train")
    annotation_set().save_coco(root / "train" / "_annotations.coco.json", auto_ids=True)
    return root


def test_plan_detects_coco_with_classes_boxes_and_categories(tmp_path):
    plan = plan_upload([coco_folder(tmp_path / "ds")], UploadOptions())
    assert plan.datasets == {str(tmp_path / "ds"): "coco"}
    assert sorted(plan.classes) == ["blue", "red cube"]
    assert plan.box_count() == 3
    assert {item.filename: item.category for item in plan.items} == {
        "a.png": "training",
        "b.jpg": "training",
        "c.png": "training",
    }
    assert all(item.label == "" for item in plan.items)
    assert not [s for s in plan.skipped if s.failed]


def test_named_format_reads_folder_as_told(tmp_path):
    folder = coco_folder(tmp_path / "ds")
    plan = plan_upload([folder], UploadOptions(dataset_format="ei"))
    assert plan.datasets == {}
    assert all(item.bounding_boxes is None for item in plan.items)


def test_unknown_format_is_refused(tmp_path):
    with pytest.raises(ValueError, match="Unknown dataset format"):
        plan_upload([tmp_path], UploadOptions(dataset_format="tfrecord"))


def test_bad_file_is_skipped_and_the_rest_uploads(tmp_path, local):
    write_images(tmp_path / "ds")
    (tmp_path / "ds" / "classes.txt").write_text("red cube\nblue\n")
    (tmp_path / "ds" / "a.txt").write_text("0 0.5 0.5 0.2\n")
    (tmp_path / "ds" / "b.txt").write_text("1 0.5 0.5 0.5 0.5\n")
    plan = plan_upload([tmp_path / "ds"], UploadOptions(category="training"))
    assert plan.datasets[str(tmp_path / "ds")] == "yolo"
    failed = {Path(s.path).name: s.reason for s in plan.skipped if s.failed}
    assert list(failed) == ["a.txt"]
    report = run_upload(local, plan)
    assert report.done_count == 2
    stored = {r.upload_name: r.bounding_boxes for r in local.iter_samples(SampleQuery())}
    assert stored["b.jpg"] == [{"label": "blue", "x": 10, "y": 8, "width": 20, "height": 15}]
    assert "a.png" not in stored and not stored["c.png"]


def test_other_files_of_a_dataset_folder_are_listed_as_skipped(tmp_path):
    folder = coco_folder(tmp_path / "ds")
    (folder / "README.md").write_text("made by hand")
    (folder / "notes.csv").write_text("timestamp,x\n0,1\n")
    plan = plan_upload([folder], UploadOptions())
    skipped = {Path(s.path).name: (s.reason, s.failed) for s in plan.skipped}
    assert skipped == {
        "README.md": ("Not part of the COCO dataset", False),
        "notes.csv": ("Not part of the COCO dataset", False),
    }
    assert len(plan.items) == 3


@pytest.mark.skipif(sys.platform == "win32", reason="named pipes are POSIX")
def test_a_pipe_inside_a_dataset_folder_is_a_failed_file_not_a_hang(tmp_path):
    import os

    folder = coco_folder(tmp_path / "ds")
    os.mkfifo(folder / "train" / "stuck.csv")
    os.mkfifo(folder / "train" / "stuck.json")
    plan = plan_upload([folder], UploadOptions())
    assert plan.datasets == {str(folder): "coco"}
    assert len(plan.items) == 3
    failed = {Path(s.path).name: s.reason for s in plan.skipped if s.failed}
    assert failed == {
        "stuck.csv": "Not a regular file (a pipe, socket or device), so not a sample",
        "stuck.json": "Not a regular file (a pipe, socket or device), so not a sample",
    }
