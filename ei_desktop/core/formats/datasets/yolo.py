"""YOLO object detection: one ``.txt`` per image with a ``class cx cy w h`` line per box
(normalised to the image's size), class names in ``data.yaml``, ``classes.txt`` or
``obj.names``; ``images/`` + ``labels/`` folders or labels beside their images; ``train``,
``val`` and ``test`` folders give categories.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import Optional

import yaml

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

NAME = "yolo"
#: files naming the classes, one a line (``data.yaml`` has a ``names`` list or mapping)
CLASS_FILES = ("data.yaml", "data.yml", "dataset.yaml", "classes.txt", "obj.names")


def class_file(files: Sequence[str], root: str) -> Optional[str]:
    """The class names file closest to ``root`` among ``files``, or ``None``."""
    candidates = [p for p in files if os.path.basename(p).lower() in CLASS_FILES]
    return min(candidates, key=lambda p: (p.count(os.sep), p), default=None)


def read_classes(path: str) -> list[str]:
    """Class names (index = class id) from a ``data.yaml`` or a one-name-a-line file.

    Raises:
        ValueError: the file cannot be read or names no classes.
    """
    try:
        with open(path, encoding="utf-8-sig") as handle:
            text = handle.read()
    except (OSError, UnicodeDecodeError) as exc:
        raise ValueError(f"Cannot read the class names: {exc}") from None
    if path.lower().endswith((".yaml", ".yml")):
        try:
            document = yaml.safe_load(text)
        except yaml.YAMLError as exc:
            raise ValueError(f"Not valid YAML: {exc}") from None
        names = document.get("names") if isinstance(document, dict) else None
        if isinstance(names, dict):
            return [str(names[k]) for k in sorted(names, key=int)]
        if isinstance(names, list):
            return [str(n) for n in names]
        raise ValueError("It has no 'names' list of classes")
    return [line.strip() for line in text.splitlines() if line.strip()]


def read(root: str, files: Sequence[str] | None = None) -> Dataset:
    """The images below ``root`` with the boxes of their label files.

    An image without a label file has no boxes; a label file without an image, a line
    without 5 numbers, a class id out of range or a box outside the image is reported for
    that file, and the rest imports.
    """
    files = list(files) if files is not None else walk(root)
    dataset = Dataset(NAME, root)
    names_path = class_file(files, root)
    classes: list[str] = []
    if names_path is not None:
        dataset.annotation_files.append(names_path)
        try:
            classes = read_classes(names_path)
        except ValueError as exc:
            dataset.problems.append(Problem(names_path, str(exc)))
            return dataset
    dataset.classes = list(classes)
    index = ImageIndex(files)
    labels = {
        _image_key(p): p
        for p in files
        if p.lower().endswith(".txt") and os.path.basename(p).lower() not in CLASS_FILES
    }
    used: set[str] = set()
    for image in index.images:
        label_path = labels.get(_image_key(image))
        if label_path is not None:
            used.add(label_path)
        sample = _sample(image, label_path, classes)
        if isinstance(sample, Problem):
            dataset.problems.append(sample)
            continue
        sample.category = split_category(os.path.relpath(image, root))
        dataset.samples.append(sample)
    for path in labels.values():
        if path in used:
            dataset.annotation_files.append(path)
        elif _holds_boxes(path):
            dataset.annotation_files.append(path)
            dataset.problems.append(Problem(path, "A label file whose image is missing"))
        else:  # a README.txt or notes beside the dataset, as Roboflow's exports have
            dataset.ignored.append(Problem(path, "Not part of the YOLO dataset"))
    return dataset


def _holds_boxes(path: str) -> bool:
    """True for a text file in a ``labels`` folder or whose first line is numbers (a label
    file), False for other text (a README beside the dataset).
    """
    if os.path.basename(os.path.dirname(path)).lower() == "labels":
        return True
    try:
        with open(path, "rb") as handle:
            head = handle.read(4096).decode("utf-8-sig", errors="replace")
    except OSError:
        return True
    fields = next((line.split() for line in head.splitlines() if line.strip()), [])
    try:
        return bool([float(field) for field in fields])
    except ValueError:
        return False


def _image_key(path: str) -> str:
    """Where an image and its label file meet: the path without extension, with the
    innermost ``images`` / ``labels`` folder dropped.
    """
    stem = os.path.splitext(path)[0]
    parts = stem.split(os.sep)
    for number in range(len(parts) - 2, -1, -1):
        if parts[number].lower() in ("images", "labels"):
            parts[number] = "*"
            break
    return os.sep.join(parts)


def _sample(image: str, label_path: Optional[str], classes: list[str]) -> DatasetSample | Problem:
    try:
        width, height = image_size(image)
    except OSError as exc:
        return Problem(image, f"Cannot read the image: {exc}")
    if label_path is None:
        return DatasetSample(image)
    try:
        with open(label_path, encoding="utf-8-sig") as handle:
            lines = handle.read().splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        return Problem(label_path, f"Cannot read the label file: {exc}")
    boxes = []
    name = os.path.basename(label_path)
    for number, line in enumerate(lines, start=1):
        fields = line.split()
        if not fields:
            continue
        if len(fields) != 5:
            return Problem(
                label_path,
                f"{name} line {number} has {len(fields)} numbers; expected 5 (class cx cy w h)",
            )
        try:
            class_id = int(fields[0])
            cx, cy, w, h = (float(v) for v in fields[1:])
        except ValueError:
            return Problem(label_path, f"{name} line {number} is not numbers: {line.strip()!r}")
        if not 0 <= class_id < len(classes):
            known = f"0–{len(classes) - 1}" if classes else "none: no class names file"
            return Problem(
                label_path, f"{name} line {number}: unknown class id {class_id} (classes: {known})"
            )
        try:
            boxes.append(
                pixel_box(
                    classes[class_id],
                    (cx - w / 2) * width,
                    (cy - h / 2) * height,
                    (cx + w / 2) * width,
                    (cy + h / 2) * height,
                    width,
                    height,
                )
            )
        except BoxError as exc:
            return Problem(label_path, f"{name} line {number}: {exc}")
    return DatasetSample(image, boxes=boxes)


def label_lines(boxes: Sequence[dict], classes: Sequence[str], width: int, height: int) -> str:
    """The label file text for Edge Impulse ``boxes`` on a ``width`` × ``height`` image."""
    ids = {name: number for number, name in enumerate(classes)}
    lines = []
    for box in boxes:
        cx = (box["x"] + box["width"] / 2) / width
        cy = (box["y"] + box["height"] / 2) / height
        lines.append(
            f"{ids[box['label']]} {cx:.6f} {cy:.6f} "
            f"{box['width'] / width:.6f} {box['height'] / height:.6f}"
        )
    return "".join(line + "\n" for line in lines)


def data_yaml(classes: Sequence[str], splits: Sequence[str]) -> str:
    """A ``data.yaml`` naming ``classes`` and the ``images/<split>`` folder of each split."""
    document: dict = {"path": "."}
    for split in splits:
        document[split] = f"images/{split}"
    document["nc"] = len(classes)
    document["names"] = list(classes)
    return yaml.safe_dump(document, allow_unicode=True, sort_keys=False)
