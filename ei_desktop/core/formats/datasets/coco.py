"""COCO object detection: JSON files with ``images``, ``annotations`` (``bbox`` as x, y,
width, height in pixels) and ``categories``. Several files (``instances_train.json``,
``val/_annotations.coco.json``…) are splits: their names or folders give the category.
"""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from typing import Any

from ei_desktop.core.formats.datasets.base import (
    BoxError,
    Dataset,
    DatasetSample,
    ImageIndex,
    Problem,
    image_size,
    pixel_box,
    split_category,
    walk,
)

NAME = "coco"
#: the name the writer gives each split's annotation file (as Roboflow exports)
ANNOTATIONS_FILE = "_annotations.coco.json"


def looks_like(path: str) -> bool:
    """True when the JSON file at ``path`` starts like a COCO file (an ``images`` key near
    its start; acquisition files excepted).
    """
    if not path.lower().endswith(".json"):
        return False
    try:
        with open(path, "rb") as handle:
            head = handle.read(4096)
            if b'"payload"' in head or b'"protected"' in head:
                return False  # an acquisition file: the most common JSON by far
            head += handle.read(65536 - len(head))
    except OSError:
        return False
    return b'"images"' in head


def read(root: str, files: Sequence[str] | None = None) -> Dataset:
    """The samples of every COCO file below ``root``.

    An image listed by no file is not imported (reported); a COCO file that is not valid
    JSON imports nothing and is reported, as is each image with a bad box, an unknown
    category or no file.
    """
    files = list(files) if files is not None else walk(root)
    dataset = Dataset(NAME, root)
    index = ImageIndex(files)
    listed: set[str] = set()
    for path in files:
        if looks_like(path):
            dataset.annotation_files.append(path)
            _read_file(path, root, index, dataset, listed)
    for image in index.images:
        if image not in listed:
            dataset.ignored.append(Problem(image, "Not listed in any COCO annotation file"))
    return dataset


def _read_file(path: str, root: str, index: ImageIndex, dataset: Dataset, listed: set) -> None:
    try:
        with open(path, encoding="utf-8-sig") as handle:
            document = json.load(handle)
    except json.JSONDecodeError as exc:
        dataset.problems.append(
            Problem(
                path,
                f"Not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg});"
                " none of its images were imported",
            )
        )
        return
    except (OSError, UnicodeDecodeError) as exc:
        dataset.problems.append(Problem(path, f"Cannot read this COCO file: {exc}"))
        return
    if not isinstance(document, dict) or not isinstance(document.get("images"), list):
        dataset.problems.append(Problem(path, "Not a COCO file: it has no 'images' list"))
        return
    names: dict[Any, str] = {}
    for category in document.get("categories") or []:
        if isinstance(category, dict) and "id" in category:
            names[category["id"]] = str(category.get("name", category["id"]))
            dataset.add_class(names[category["id"]])
    by_image: dict[Any, list[dict]] = {}
    for annotation in document.get("annotations") or []:
        if isinstance(annotation, dict):
            by_image.setdefault(annotation.get("image_id"), []).append(annotation)
    folder = os.path.dirname(path)
    category = split_category(os.path.relpath(path, root))
    for entry in document["images"]:
        if not isinstance(entry, dict) or not isinstance(entry.get("file_name"), str):
            dataset.problems.append(Problem(path, f"An image entry has no 'file_name': {entry!r}"))
            continue
        image = index.find(entry["file_name"], folder)
        if image is None:
            dataset.problems.append(
                Problem(
                    os.path.join(folder, entry["file_name"]),
                    f"Annotated in {os.path.basename(path)} but the image is missing",
                )
            )
            continue
        listed.add(image)
        sample = _sample(image, by_image.get(entry.get("id"), []), names)
        if isinstance(sample, Problem):
            dataset.problems.append(sample)
            continue
        sample.category = category or split_category(os.path.relpath(image, root))
        dataset.samples.append(sample)


def _sample(image: str, annotations: list[dict], names: dict) -> DatasetSample | Problem:
    try:
        width, height = image_size(image)
    except OSError as exc:
        return Problem(image, f"Cannot read the image: {exc}")
    boxes = []
    for annotation in annotations:
        if annotation.get("category_id") not in names:
            return Problem(image, f"Unknown category id {annotation.get('category_id')!r}")
        bbox = annotation.get("bbox")
        if not isinstance(bbox, list) or len(bbox) != 4:
            return Problem(image, f"A 'bbox' is not [x, y, width, height]: {bbox!r}")
        try:
            x, y, w, h = (float(v) for v in bbox)
            boxes.append(
                pixel_box(names[annotation["category_id"]], x, y, x + w, y + h, width, height)
            )
        except (TypeError, ValueError) as exc:
            reason = str(exc) if isinstance(exc, BoxError) else f"a bbox is not numbers: {bbox!r}"
            return Problem(image, reason[0].upper() + reason[1:])
    return DatasetSample(image, boxes=boxes)


def write(
    path: str, images: Sequence[tuple[str, int, int, list[dict]]], classes: Sequence[str]
) -> None:
    """Write a COCO file at ``path`` for ``images`` (file name relative to the file's folder,
    width, height, Edge Impulse boxes), with ``classes`` as categories (ids from 1).

    The file is written whole under a temporary name, then moved into place.
    """
    ids = {name: number for number, name in enumerate(classes, start=1)}
    document: dict[str, Any] = {
        "info": {"description": "Exported by ei-desktop"},
        "images": [],
        "annotations": [],
        "categories": [{"id": ids[n], "name": n, "supercategory": "none"} for n in classes],
    }
    for image_id, (name, width, height, boxes) in enumerate(images, start=1):
        document["images"].append(
            {"id": image_id, "file_name": name, "width": width, "height": height}
        )
        for box in boxes:
            document["annotations"].append(
                {
                    "id": len(document["annotations"]) + 1,
                    "image_id": image_id,
                    "category_id": ids[box["label"]],
                    "bbox": [box["x"], box["y"], box["width"], box["height"]],
                    "area": box["width"] * box["height"],
                    "iscrowd": 0,
                }
            )
    temporary = path + ".partial"
    with open(temporary, "w", encoding="utf-8") as handle:
        json.dump(document, handle, ensure_ascii=False)
    os.replace(temporary, path)
