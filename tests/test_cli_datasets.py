"""``ei-desktop upload --dataset-format`` and ``ei-desktop export``, run as a user runs them
(a real process).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent / "core" / "formats" / "datasets"))
from dataset_helpers import annotation_set, write_images  # noqa: E402

from ei_desktop.core import display  # noqa: E402
from ei_desktop.core.backends.base import SampleQuery  # noqa: E402
from ei_desktop.core.backends.local import LocalBackend  # noqa: E402


def run(*args):
    return subprocess.run(
        [sys.executable, "-m", "ei_desktop", *map(str, args)],
        capture_output=True,
        text=True,
        timeout=120,
    )


def boxes(path) -> dict[str, tuple]:
    backend = LocalBackend(path)
    try:
        return {
            r.upload_name: (r.category, sorted(r.bounding_boxes, key=lambda b: b["x"]))
            for r in backend.iter_samples(SampleQuery())
        }
    finally:
        backend.close()


@pytest.fixture
def voc(tmp_path) -> Path:
    folder = tmp_path / "voc" / "val"
    write_images(folder)
    annotation_set().save_pascal_voc(folder)
    return tmp_path / "voc"


def test_upload_detects_the_format_and_prints_it(tmp_path, voc):
    result = run("upload", voc, "--project", tmp_path / "p", "--create")
    assert result.returncode == 0, result.stderr
    assert f"Dataset format: pascal-voc ({voc})" in result.stderr
    assert "Classes: blue, red cube; 3 boxes on 3 files" in result.stderr
    assert {c for c, _ in boxes(tmp_path / "p").values()} == {"validation"}


def test_upload_with_a_named_format(tmp_path, voc):
    result = run("upload", voc, "--dataset-format", "ei", "--project", tmp_path / "p", "--create")
    # read as plain files: the XML files are not samples, the images have no boxes
    assert result.returncode == 0, result.stderr
    assert all(not b for _, b in boxes(tmp_path / "p").values())


def test_upload_reports_bad_files_and_imports_the_rest(tmp_path):
    folder = tmp_path / "yolo"
    write_images(folder)
    (folder / "classes.txt").write_text("thing\n")
    (folder / "a.txt").write_text("0 0.5 0.5 0.2 0.2\n")
    (folder / "b.txt").write_text("7 0.5 0.5 0.2 0.2\n")
    result = run("upload", folder, "--project", tmp_path / "p", "--create")
    assert result.returncode == 1
    assert "b.txt: b.txt line 1: unknown class id 7" in result.stderr
    assert sorted(boxes(tmp_path / "p")) == ["a.png", "c.png"]


@pytest.mark.parametrize("form", ["ei", "coco", "yolo", "pascal-voc"])
def test_export_then_upload_gives_the_same_boxes(tmp_path, voc, form):
    assert run("upload", voc, "--project", tmp_path / "p", "--create").returncode == 0
    result = run("export", "-o", tmp_path / "out", "--format", form, "--project", tmp_path / "p")
    assert result.returncode == 0, result.stderr
    assert len(result.stdout.splitlines()) == 3  # each path written
    back = run("upload", tmp_path / "out", "--project", tmp_path / "q", "--create")
    assert back.returncode == 0, back.stderr
    assert boxes(tmp_path / "q") == boxes(tmp_path / "p")


def test_export_filters_like_ls(tmp_path, voc):
    assert run("upload", voc, "--project", tmp_path / "p", "--create").returncode == 0
    result = run("export", "-o", tmp_path / "out", "--name", "b", "--project", tmp_path / "p")
    assert result.returncode == 0, result.stderr
    assert [Path(line).name for line in result.stdout.splitlines()] == ["b.jpg"]


@pytest.fixture
def mixed(tmp_path) -> Path:
    """One folder read differently by each format: COCO describes a.png, VOC and YOLO all
    three images, Open Images b.jpg, the plain CSV c.png (a label, no box).
    """
    folder = tmp_path / "mixed"
    write_images(folder)
    annotation_set(["a.png"]).save_coco(folder / "instances.json", auto_ids=True)
    annotation_set().save_pascal_voc(folder)
    annotation_set().save_yolo_v5(folder, label_to_id={"red cube": 0, "blue": 1})
    (folder / "classes.txt").write_text("red cube\nblue\n")
    annotation_set(["b.jpg"]).save_openimage(folder / "boxes.csv")
    (folder / "labels.csv").write_text("file_name,classes\nc.png,empty\n")
    return folder


@pytest.mark.parametrize(
    "form, files, box_count",
    [("coco", 1, 2), ("pascal-voc", 3, 3), ("yolo", 3, 3), ("openimage", 1, 1), ("csv", 1, 0)],
)
def test_the_named_format_decides_how_a_folder_is_read(tmp_path, mixed, form, files, box_count):
    project = tmp_path / form
    result = run("upload", mixed, "--dataset-format", form, "--project", project, "--create")
    assert result.returncode == 0, result.stderr
    assert f"Dataset format: {form} ({mixed})" in result.stderr
    shown = display.plural(box_count, "box", "boxes")
    assert f"{shown} on {display.plural(files, 'file')}" in result.stderr
    stored = boxes(project)
    assert len(stored) == files and sum(len(b) for _, b in stored.values()) == box_count


def test_detection_takes_the_first_format_found_and_says_so(tmp_path, mixed):
    result = run("upload", mixed, "--project", tmp_path / "p", "--create")
    assert result.returncode == 0, result.stderr
    assert f"Dataset format: coco ({mixed})" in result.stderr
    assert sorted(boxes(tmp_path / "p")) == ["a.png"]
