"""The plan overview counts files per folder, category and label the way they will be stored."""

from __future__ import annotations

from ei_desktop.ops import UploadOptions, plan_upload
from ei_desktop.ops.plan_overview import overview


def test_overview_per_folder_with_split_and_files_left_out(tmp_path):
    (tmp_path / "loose").mkdir()
    for i in range(3):
        (tmp_path / "loose" / f"idle.{i}.csv").write_text(f"timestamp,x\n0,{i}\n10,{i}\n")
    (tmp_path / "loose" / "readme.docx").write_text("hello")
    shown = overview(plan_upload([tmp_path / "loose"], UploadOptions()))
    assert [(f.files, dict(f.categories), dict(f.labels)) for f in shown.folders] == [
        (3, {"split": 3}, {"idle": 3})
    ]
    assert shown.headline() == "3 files → 3 to split 80/20 · 1 label · 1 not uploaded"
    assert overview(plan_upload([tmp_path / "nothing"], UploadOptions())).headline() == (
        "No sample files · 1 not uploaded (1 with problems)"
    )
