"""The one rule set that turns chosen files and folders into samples."""

from __future__ import annotations

import json

import pytest

from ei_desktop.ops import Status, UploadOptions, plan_upload, upload

CSV = "timestamp,x\n0,1\n10,2\n"


def write(path, text=CSV):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def by_name(plan):
    return {item.filename: item for item in plan.items}


def test_category_comes_from_the_chosen_folder_and_below_not_above(tmp_path):
    root = tmp_path / "testing" / "drop"  # a "testing" folder above the chosen one
    write(root / "training" / "wave.01.csv")
    write(root / "runs" / "testing" / "idle.01.csv")
    write(root / "loose.01.csv")
    plan = plan_upload([root], UploadOptions())
    items = by_name(plan)
    assert items["wave.01.csv"].category == "training"
    assert items["idle.01.csv"].category == "testing"
    assert items["loose.01.csv"].category == "split"


def test_a_chosen_training_folder_stays_in_training(tmp_path):
    for n in range(50):
        write(tmp_path / "training" / f"w.{n}.csv", f"timestamp,x\n0,{n}\n10,1\n")
    plan = plan_upload([tmp_path / "training"], UploadOptions())
    assert plan.categories() == {"training": 50}


def test_the_user_s_category_and_label_win(tmp_path):
    write(tmp_path / "training" / "wave.01.csv")
    plan = plan_upload([tmp_path], UploadOptions(category="anomaly", label="mine"))
    (item,) = plan.items
    assert (item.category, item.label) == ("anomaly", "mine")


def test_label_is_the_name_before_the_first_dot(tmp_path):
    write(tmp_path / "a+b.01.csv")
    write(tmp_path / "idle.0.cbor.csv")
    plan = plan_upload([tmp_path], UploadOptions())
    labels = {i.filename: i.label for i in plan.items}
    assert labels == {"a+b.01.csv": "a+b", "idle.0.cbor.csv": "idle"}
    unlabeled = plan_upload([tmp_path], UploadOptions(label=""))
    assert {i.label for i in unlabeled.items} == {""}


def test_companions_apply_at_any_depth(tmp_path):
    folder = tmp_path / "deep" / "er"
    write(folder / "cap.01.csv")
    (folder / "bounding_boxes.labels").write_text(
        json.dumps(
            {
                "version": 1,
                "type": "bounding-box-labels",
                "boundingBoxes": {
                    "cap.01.csv": [{"label": "c", "x": 1, "y": 2, "width": 3, "height": 4}]
                },
            }
        )
    )
    (item,) = plan_upload([tmp_path], UploadOptions()).items
    assert item.bounding_boxes == [{"label": "c", "x": 1, "y": 2, "width": 3, "height": 4}]


def test_an_exported_dataset_is_found_at_any_depth(tmp_path):
    export = tmp_path / "outer" / "coffee"
    write(export / "training" / "x.csv")
    write(export / "README.txt", "This dataset was exported from Edge Impulse.\n")
    (export / "info.labels").write_text(
        json.dumps(
            {
                "version": 1,
                "files": [
                    {
                        "path": "training/x.csv",
                        "category": "testing",
                        "label": {"type": "label", "label": "brew"},
                        "metadata": {"site": "A"},
                    }
                ],
            }
        )
    )
    write(tmp_path / "outer" / "plain.01.csv", "timestamp,x\n0,5\n10,6\n")
    plan = plan_upload([tmp_path], UploadOptions(metadata={"rig": "1"}))
    items = by_name(plan)
    assert set(items) == {"x.csv", "plain.01.csv"}  # README.txt is not tried as a sample
    assert (items["x.csv"].category, items["x.csv"].label) == ("testing", "brew")
    assert items["x.csv"].metadata == {"site": "A", "rig": "1"}
    assert plan.exported_datasets == [str(export)]


def test_a_chosen_label_replaces_segments_in_plain_folders_and_exports_alike(tmp_path):
    segments = [{"label": "up", "startIndex": 0, "endIndex": 1}]
    write(tmp_path / "plain" / "mixed.01.csv")
    (tmp_path / "plain" / "structured_labels.labels").write_text(
        json.dumps(
            {
                "version": 1,
                "type": "structured-labels",
                "structuredLabels": {"mixed.01.csv": segments},
            }
        )
    )
    export = tmp_path / "export"
    write(export / "training" / "x.csv", "timestamp,x\n0,7\n10,8\n")
    entry = {"path": "training/x.csv", "label": {"type": "multi-label", "labels": segments}}
    (export / "info.labels").write_text(json.dumps({"version": 1, "files": [entry]}))

    by_segments = by_name(plan_upload([tmp_path], UploadOptions()))
    assert by_segments["mixed.01.csv"].structured_labels == segments
    assert by_segments["x.csv"].structured_labels == segments
    chosen = by_name(plan_upload([tmp_path], UploadOptions(label="mine")))
    for item in chosen.values():
        assert (item.label, item.structured_labels) == ("mine", None)


def test_other_files_are_skipped_with_their_reason(tmp_path):
    write(tmp_path / "notes.docx", "x")
    write(tmp_path / ".hidden.csv")
    write(tmp_path / "ok.01.csv")
    plan = plan_upload([tmp_path], UploadOptions())
    reasons = {s.path.rsplit("/", 1)[-1]: s.reason for s in plan.skipped}
    assert "Not a sample: a .docx file" in reasons["notes.docx"]
    assert reasons[".hidden.csv"] == "Hidden file"
    assert [i.filename for i in plan.items] == ["ok.01.csv"]


def test_a_missing_path_is_a_failure_not_an_exception(tmp_path):
    plan = plan_upload([tmp_path / "nope"], UploadOptions())
    assert plan.items == [] and plan.skipped[0].failed


def test_an_unknown_category_is_refused():
    with pytest.raises(ValueError, match="Unknown category"):
        plan_upload([], UploadOptions(category="nowhere"))


def test_upload_reports_stored_present_skipped_and_failed(tmp_path, local):
    files = tmp_path / "files"
    write(files / "good.01.csv")
    write(files / "bad.01.csv", "not,a\ncsv")
    write(files / "notes.docx", "x")
    plan = plan_upload([files], UploadOptions())
    first = upload(local, plan, keep_done=True)
    assert first.counts == {Status.DONE: 1, Status.FAILED: 1, Status.SKIPPED: 1}
    assert first.done[0].sample_id == 1 and first.done[0].category in ("training", "testing")
    again = upload(local, plan)
    (present,) = again.with_status(Status.PRESENT)
    assert present.reason == "Same content as ID 1"
    assert present.name == str(files / "good.01.csv")
