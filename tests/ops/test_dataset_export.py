"""Exports in every format read back to the same boxes and labels; datasets made by globox
(an independent converter) go through import → export → import unchanged; exports never
overwrite and an interrupted export completes when run again.
"""

from __future__ import annotations

import sys
from pathlib import Path

import globox
import pytest

sys.path.insert(0, str(Path(__file__).parents[1] / "core" / "formats" / "datasets"))
from dataset_helpers import BOXES, annotation_set, expected, write_images  # noqa: E402

from ei_desktop.core.backends.base import SampleQuery  # noqa: E402
from ei_desktop.core.backends.local import LocalBackend  # noqa: E402
from ei_desktop.core.formats import datasets  # noqa: E402
from ei_desktop.core.progress import CancelToken  # noqa: E402
from ei_desktop.ops import UploadOptions, plan_upload, upload  # noqa: E402
from ei_desktop.ops.dataset_export import export_as  # noqa: E402


def globox_dataset(root: Path, form: str) -> Path:
    """A dataset written by globox in ``form``: training images a and b, testing image c."""
    for split, names in (("train", ["a.png", "b.jpg"]), ("test", ["c.png"])):
        if form == "coco":
            write_images(root / split, names)
            annotation_set(names).save_coco(root / split / "instances.json", auto_ids=True)
        elif form == "yolo":
            write_images(root / "images" / split, names)
            (root / "labels").mkdir(parents=True, exist_ok=True)
            annotation_set(names).save_yolo_v5(
                root / "labels" / split, label_to_id={"red cube": 0, "blue": 1}
            )
            (root / "classes.txt").write_text("red cube\nblue\n")
        else:
            write_images(root / split, names)
            annotation_set(names).save_pascal_voc(root / split)
    return root


def stored(backend) -> dict[str, tuple[str, str, list]]:
    """name → (category, label, sorted boxes) of every sample."""
    return {
        r.upload_name: (
            r.category,
            r.label,
            sorted(r.bounding_boxes or [], key=lambda b: (b["label"], b["x"])),
        )
        for r in backend.iter_samples(SampleQuery())
    }


def imported(folder: Path, project: Path, form=None) -> LocalBackend:
    backend = LocalBackend(project, create=True)
    plan = plan_upload([folder], UploadOptions(dataset_format=form))
    assert not [s for s in plan.skipped if s.failed], plan.skipped
    report = upload(backend, plan)
    assert report.done_count == len(plan.items)
    return backend


def all_ids(backend) -> list[int]:
    return [int(i) for i in backend.sample_ids(SampleQuery())]


WANTED = {
    name: ("testing" if name == "c.png" else "training", "", boxes)
    for name, boxes in expected().items()
}


@pytest.mark.parametrize("form", ["coco", "yolo", "pascal-voc"])
def test_globox_dataset_round_trips_through_our_export(tmp_path, form):
    source = globox_dataset(tmp_path / "source", "pascal-voc" if form == "pascal-voc" else form)
    first = imported(source, tmp_path / "one")
    assert stored(first) == WANTED
    report = export_as(first, all_ids(first), tmp_path / "out", form)
    assert report.done_count == 3 and report.ok
    assert datasets.detect(str(tmp_path / "out")) == form
    second = imported(tmp_path / "out", tmp_path / "two", form)
    assert stored(second) == WANTED
    first.close()
    second.close()


def test_globox_reads_our_exports(tmp_path):
    """Our COCO and VOC files are what an independent reader expects."""
    source = globox_dataset(tmp_path / "source", "coco")
    backend = imported(source, tmp_path / "project")
    export_as(backend, all_ids(backend), tmp_path / "coco", "coco")
    export_as(backend, all_ids(backend), tmp_path / "voc", "pascal-voc")
    backend.close()
    from_coco = globox.AnnotationSet.from_coco(
        tmp_path / "coco" / "train" / "_annotations.coco.json"
    )
    from_voc = globox.AnnotationSet.from_pascal_voc(tmp_path / "voc" / "train")
    for found in (from_coco, from_voc):
        boxes = {
            image: sorted(
                (b.label, b.xmin, b.ymin, b.xmax - b.xmin, b.ymax - b.ymin)
                for b in found[image].boxes
            )
            for image in found.image_ids
        }
        assert boxes == {
            name: sorted((b["label"], b["x"], b["y"], b["width"], b["height"]) for b in BOXES[name])
            for name in ("a.png", "b.jpg")
        }


def test_ei_export_uploads_back_into_identical_samples(tmp_path):
    source = globox_dataset(tmp_path / "source", "coco")
    first = imported(source, tmp_path / "one")
    ids = all_ids(first)
    report = export_as(first, ids, tmp_path / "out", "ei")
    assert report.done_count == 3
    assert datasets.detect(str(tmp_path / "out")) == "ei"
    second = imported(tmp_path / "out", tmp_path / "two")
    assert stored(second) == stored(first)
    first.close()
    second.close()


@pytest.mark.parametrize("form", ["ei", "coco", "yolo", "pascal-voc"])
def test_interrupted_export_completes_when_run_again(tmp_path, form):
    source = globox_dataset(tmp_path / "source", "coco")
    backend = imported(source, tmp_path / "project")
    ids = all_ids(backend)
    cancel = CancelToken()

    def stop_after_first(progress) -> None:
        cancel.cancel()

    partial = export_as(
        backend, ids, tmp_path / "out", form, progress=stop_after_first, cancel=cancel
    )
    assert partial.done_count == 1 and partial.cancelled
    again = export_as(backend, ids, tmp_path / "out", form)
    assert again.done_count == 3 and again.ok
    files = sorted(p.name for p in (tmp_path / "out").rglob("*") if p.suffix in (".png", ".jpg"))
    assert files == ["a.png", "b.jpg", "c.png"]  # nothing written twice
    reread = imported(tmp_path / "out", tmp_path / "reread", form)
    assert stored(reread) == stored(backend)
    backend.close()
    reread.close()


def test_export_never_overwrites_a_folder_of_other_files(tmp_path):
    source = globox_dataset(tmp_path / "source", "coco")
    backend = imported(source, tmp_path / "project")
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "mine.txt").write_text("keep me")
    with pytest.raises(ValueError, match="not an earlier yolo export"):
        export_as(backend, all_ids(backend), tmp_path / "out", "yolo")
    assert (tmp_path / "out" / "mine.txt").read_text() == "keep me"
    backend.close()


def test_non_image_samples_are_skipped_with_their_reason(tmp_path, samples_dir):
    backend = LocalBackend(tmp_path / "project", create=True)
    upload(backend, plan_upload([samples_dir / "wave.01.json"], UploadOptions()))
    report = export_as(backend, all_ids(backend), tmp_path / "out", "coco")
    (item,) = report.items
    assert item.status.value == "skipped" and "holds images only" in item.reason
    backend.close()


@pytest.mark.parametrize("form", ["openimage", "csv"])
def test_csv_datasets_round_trip_through_an_ei_export(tmp_path, form):
    source = tmp_path / "source"
    write_images(source / "test")
    if form == "openimage":  # written by globox; c.png has no box, so no row
        annotation_set().save_openimage(source / "test" / "test-annotations-bbox.csv")
    else:
        rows = ["file_name,label,x,y,width,height"] + [
            f"test/{name},{b['label']},{b['x']},{b['y']},{b['width']},{b['height']}"
            for name, boxes in BOXES.items()
            for b in boxes
        ]
        (source / "labels.csv").write_text("\n".join(rows) + "\n")
    first = imported(source, tmp_path / "one")
    wanted = {n: ("testing", "", b) for n, b in expected().items() if b}
    assert stored(first) == wanted
    export_as(first, all_ids(first), tmp_path / "out", "coco")
    second = imported(tmp_path / "out", tmp_path / "two")
    assert stored(second) == wanted
    first.close()
    second.close()


@pytest.mark.parametrize("form", ["coco", "yolo", "pascal-voc"])
def test_a_second_export_into_the_same_folder_keeps_the_first(tmp_path, form):
    source = globox_dataset(tmp_path / "source", "coco")
    backend = imported(source, tmp_path / "project")
    ids = all_ids(backend)
    assert export_as(backend, ids[:1], tmp_path / "out", form).ok
    more = export_as(backend, ids[1:], tmp_path / "out", form)
    assert more.ok and more.done_count == 2
    reread = imported(tmp_path / "out", tmp_path / "reread", form)
    assert stored(reread) == stored(backend) == WANTED
    backend.close()
    reread.close()
