"""Reading datasets written by globox, and hand-written edge cases and bad input."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
from PIL import Image

sys.path.insert(0, str(Path(__file__).parent))
from dataset_helpers import (  # noqa: E402
    annotation_set,
    boxes_by_name,
    expected,
    write_image,
    write_images,
)

from ei_desktop.core.formats import datasets  # noqa: E402


def test_coco_split_files_from_globox(tmp_path):
    write_images(tmp_path / "train", ["a.png", "b.jpg"])
    write_images(tmp_path / "val", ["c.png"])
    (tmp_path / "annotations").mkdir()
    annotation_set(["a.png", "b.jpg"]).save_coco(
        tmp_path / "annotations" / "instances_train.json", auto_ids=True
    )
    annotation_set(["c.png"]).save_coco(
        tmp_path / "annotations" / "instances_val.json", auto_ids=True
    )
    assert datasets.detect(str(tmp_path)) == "coco"
    dataset = datasets.read(str(tmp_path), "coco")
    assert dataset.problems == []
    assert boxes_by_name(dataset.samples) == expected()
    categories = {Path(s.path).name: s.category for s in dataset.samples}
    assert categories == {"a.png": "training", "b.jpg": "training", "c.png": "validation"}
    assert dataset.box_count == 3
    assert set(dataset.classes) == {"red cube", "blue"}


def test_yolo_from_globox_with_images_and_labels_folders(tmp_path):
    write_images(tmp_path / "images" / "train")
    (tmp_path / "labels").mkdir()
    annotation_set().save_yolo_v5(
        tmp_path / "labels" / "train", label_to_id={"red cube": 0, "blue": 1}
    )
    (tmp_path / "data.yaml").write_text("names:\n  0: red cube\n  1: blue\n")
    assert datasets.detect(str(tmp_path)) == "yolo"
    dataset = datasets.read(str(tmp_path), "yolo")
    assert dataset.problems == []
    assert boxes_by_name(dataset.samples) == expected()
    assert {s.category for s in dataset.samples} == {"training"}
    assert dataset.classes == ["red cube", "blue"]


def test_yolo_split_folders_each_with_images_and_labels(tmp_path):
    """Roboflow's YOLO layout: train/valid/test each with images/ and labels/, a data.yaml
    with a names list, and README text files that are not label files.
    """
    for split, names in (("train", ["a.png", "b.jpg"]), ("valid", ["c.png"])):
        write_images(tmp_path / split / "images", names)
        annotation_set(names).save_yolo_v5(
            tmp_path / split / "labels", label_to_id={"red cube": 0, "blue": 1}
        )
    (tmp_path / "data.yaml").write_text(
        "train: ../train/images\nval: ../valid/images\nnc: 2\nnames: ['red cube', 'blue']\n"
    )
    (tmp_path / "README.roboflow.txt").write_text("Exported from a labelling tool\n")
    (tmp_path / "README.dataset.txt").write_text("# boxes\n\n3 images\n")
    assert datasets.detect(str(tmp_path)) == "yolo"
    dataset = datasets.read(str(tmp_path), "yolo")
    assert dataset.problems == []
    assert boxes_by_name(dataset.samples) == expected()
    categories = {Path(s.path).name: s.category for s in dataset.samples}
    assert categories == {"a.png": "training", "b.jpg": "training", "c.png": "validation"}
    assert sorted(Path(p.path).name for p in dataset.ignored) == [
        "README.dataset.txt",
        "README.roboflow.txt",
    ]


def test_yolo_labels_beside_images_with_classes_txt_and_data_yaml(tmp_path):
    write_images(tmp_path / "train", ["a.png", "b.jpg"])
    annotation_set(["a.png", "b.jpg"]).save_yolo_darknet(
        tmp_path / "train", label_to_id={"red cube": 0, "blue": 1}
    )
    (tmp_path / "data.yaml").write_text("names:\n- red cube\n- blue\n")
    (tmp_path / "train" / "classes.txt").write_text("red cube\nblue\n")
    dataset = datasets.read(str(tmp_path), "yolo")
    assert dataset.problems == [] and dataset.ignored == []
    assert boxes_by_name(dataset.samples) == {k: v for k, v in expected().items() if k != "c.png"}


def test_pascal_voc_from_globox(tmp_path):
    write_images(tmp_path / "nested" / "deeper")
    annotation_set().save_pascal_voc(tmp_path / "nested" / "deeper")
    assert datasets.detect(str(tmp_path)) == "pascal-voc"
    dataset = datasets.read(str(tmp_path), "pascal-voc")
    assert dataset.problems == []
    assert boxes_by_name(dataset.samples) == expected()


def test_openimage_from_globox(tmp_path):
    write_images(tmp_path)
    annotation_set().save_openimage(tmp_path / "test-annotations-bbox.csv")
    assert datasets.detect(str(tmp_path)) == "openimage"
    dataset = datasets.read(str(tmp_path), "openimage")
    assert dataset.problems == []
    found = boxes_by_name(dataset.samples)
    # globox writes no row for an image without boxes: it is not part of the dataset
    assert found == {k: v for k, v in expected().items() if v}
    assert {s.category for s in dataset.samples} == {"testing"}
    assert [Path(p.path).name for p in dataset.ignored] == ["c.png"]


def test_plain_csv_labels_and_boxes(tmp_path):
    write_images(tmp_path / "pics")
    (tmp_path / "labels.csv").write_text(
        "file_name,label,xmin,ymin,xmax,ymax,category\n"
        "pics/a.png,red cube,0,0,20,15,train\n"
        "pics/a.png,blue,30,20,64,48,train\n"
        "pics/b.jpg,blue,5,6,12,14,test\n"
        "pics/c.png,empty,,,,,test\n"
    )
    assert datasets.detect(str(tmp_path)) == "csv"
    dataset = datasets.read(str(tmp_path), "csv")
    assert dataset.problems == []
    assert boxes_by_name(dataset.samples) == {**expected(), "c.png": []}
    by_name = {Path(s.path).name: s for s in dataset.samples}
    assert by_name["c.png"].label == "empty"
    assert by_name["b.jpg"].category == "testing"


def test_exif_rotation_swaps_width_and_height(tmp_path):
    image = Image.new("RGB", (40, 20))
    exif = Image.Exif()
    exif[0x0112] = 6  # shown turned a quarter: 20 wide, 40 high
    write_image(tmp_path / "turned.jpg", (40, 20), exif=exif.tobytes())
    assert image.size == (40, 20)
    assert datasets.image_size(str(tmp_path / "turned.jpg")) == (20, 40)
    (tmp_path / "turned.xml").write_text(
        "<annotation><filename>turned.jpg</filename><object><name>tall</name>"
        "<bndbox><xmin>0</xmin><ymin>0</ymin><xmax>20</xmax><ymax>40</ymax></bndbox>"
        "</object></annotation>"
    )
    dataset = datasets.read(str(tmp_path), "pascal-voc")
    assert dataset.problems == []
    assert dataset.samples[0].boxes == [
        {"label": "tall", "x": 0, "y": 0, "width": 20, "height": 40}
    ]


def test_empty_yolo_label_file_is_an_image_without_boxes(tmp_path):
    write_image(tmp_path / "empty.png", (10, 10))
    (tmp_path / "empty.txt").write_text("")
    (tmp_path / "classes.txt").write_text("thing\n")
    dataset = datasets.read(str(tmp_path), "yolo")
    assert dataset.problems == []
    assert [(Path(s.path).name, s.boxes) for s in dataset.samples] == [("empty.png", [])]


def reasons(dataset) -> dict[str, str]:
    return {Path(p.path).name: p.reason for p in dataset.problems}


def test_truncated_coco_json_imports_none_of_its_images(tmp_path):
    write_images(tmp_path, ["a.png", "b.jpg"])
    annotation_set(["a.png"]).save_coco(tmp_path / "good_train.json", auto_ids=True)
    text = json.dumps({"images": [{"id": 1, "file_name": "b.jpg"}], "annotations": []})
    (tmp_path / "bad_test.json").write_text(text[:-5])
    dataset = datasets.read(str(tmp_path), "coco")
    assert [Path(s.path).name for s in dataset.samples] == ["a.png"]
    assert "Not valid JSON" in reasons(dataset)["bad_test.json"]


def test_yolo_bad_lines_are_per_file_errors(tmp_path):
    for name in ("ok", "four", "unknown", "outside"):
        write_image(tmp_path / f"{name}.png", (10, 10))
    (tmp_path / "obj.names").write_text("only\n")
    (tmp_path / "ok.txt").write_text("0 0.5 0.5 0.2 0.2\n")
    (tmp_path / "four.txt").write_text("0 0.5 0.5 0.2 0.2\n0 0.5 0.5 0.2\n")
    (tmp_path / "unknown.txt").write_text("3 0.5 0.5 0.2 0.2\n")
    (tmp_path / "outside.txt").write_text("0 0.95 0.5 0.5 0.2\n")
    (tmp_path / "orphan.txt").write_text("0 0.5 0.5 0.2 0.2\n")
    dataset = datasets.read(str(tmp_path), "yolo")
    assert [Path(s.path).name for s in dataset.samples] == ["ok.png"]
    found = reasons(dataset)
    assert "line 2 has 4 numbers" in found["four.txt"]
    assert "unknown class id 3" in found["unknown.txt"]
    assert "outside" in found["outside.txt"]
    assert "image is missing" in found["orphan.txt"]


def test_voc_negative_width_and_missing_image(tmp_path):
    write_image(tmp_path / "ok.png", (10, 10))
    write_image(tmp_path / "bad.png", (10, 10))
    box = (
        "<object><name>x</name><bndbox><xmin>{}</xmin><ymin>1</ymin><xmax>{}</xmax>"
        "<ymax>5</ymax></bndbox></object>"
    )
    (tmp_path / "ok.xml").write_text(
        f"<annotation><filename>ok.png</filename>{box.format(1, 5)}</annotation>"
    )
    (tmp_path / "bad.xml").write_text(
        f"<annotation><filename>bad.png</filename>{box.format(8, 3)}</annotation>"
    )
    (tmp_path / "gone.xml").write_text(
        f"<annotation><filename>gone.png</filename>{box.format(1, 5)}</annotation>"
    )
    dataset = datasets.read(str(tmp_path), "pascal-voc")
    assert [Path(s.path).name for s in dataset.samples] == ["ok.png"]
    found = reasons(dataset)
    assert "width or height of zero or less" in found["bad.xml"]
    assert "image is missing" in found["gone.xml"]


def test_coco_unknown_category_and_missing_image(tmp_path):
    write_image(tmp_path / "a.png", (10, 10))
    write_image(tmp_path / "b.png", (10, 10))
    document = {
        "images": [
            {"id": 1, "file_name": "a.png"},
            {"id": 2, "file_name": "b.png"},
            {"id": 3, "file_name": "missing.png"},
        ],
        "annotations": [
            {"id": 1, "image_id": 1, "category_id": 1, "bbox": [0, 0, 10, 10]},
            {"id": 2, "image_id": 2, "category_id": 9, "bbox": [0, 0, 1, 1]},
        ],
        "categories": [{"id": 1, "name": "edge to edge"}],
    }
    (tmp_path / "instances.json").write_text(json.dumps(document))
    dataset = datasets.read(str(tmp_path), "coco")
    assert boxes_by_name(dataset.samples) == {
        "a.png": [{"label": "edge to edge", "x": 0, "y": 0, "width": 10, "height": 10}]
    }
    found = reasons(dataset)
    assert "Unknown category id 9" in found["b.png"]
    assert "image is missing" in found["missing.png"]


def test_plain_folder_is_no_dataset(tmp_path, samples_dir):
    assert datasets.detect(str(samples_dir)) is None


@pytest.mark.parametrize("name", ["nope"])
def test_unknown_format_is_refused(tmp_path, name):
    with pytest.raises(ValueError, match="Unknown dataset format"):
        datasets.read(str(tmp_path), name)


def test_csv_rows_for_missing_images_are_per_file_errors(tmp_path):
    """Open Images (written by globox) and plain CSV files naming an image that is not there:
    that image is reported, the others import.
    """
    write_images(tmp_path / "oi", ["a.png"])
    annotation_set(["a.png", "b.jpg"]).save_openimage(tmp_path / "oi" / "train-annotations.csv")
    write_images(tmp_path / "plain", ["c.png"])
    (tmp_path / "plain" / "labels.csv").write_text(
        "file_name,classes\nc.png,empty\ngone.png,lost\n"
    )
    oi = datasets.read(str(tmp_path / "oi"), "openimage")
    assert [Path(s.path).name for s in oi.samples] == ["a.png"]
    assert reasons(oi)["b.jpg"] == "Listed in train-annotations.csv but the image is missing"
    plain = datasets.read(str(tmp_path / "plain"), "csv")
    assert [(Path(s.path).name, s.label) for s in plain.samples] == [("c.png", "empty")]
    assert reasons(plain)["gone.png"] == "Named in labels.csv (row 3) but missing"
