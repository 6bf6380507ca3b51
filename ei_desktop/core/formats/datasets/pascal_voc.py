"""Pascal VOC object detection: one XML file per image (``<annotation>`` with ``filename``
and ``object`` elements holding ``name`` and ``bndbox`` xmin, ymin, xmax, ymax in pixels).
"""

from __future__ import annotations

import os
import xml.etree.ElementTree as ElementTree
from collections.abc import Sequence
from xml.sax.saxutils import escape

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

NAME = "pascal-voc"


def looks_like(path: str) -> bool:
    """True when the XML file at ``path`` has an ``<annotation>`` element near its start."""
    if not path.lower().endswith(".xml"):
        return False
    try:
        with open(path, "rb") as handle:
            return b"<annotation" in handle.read(4096)
    except OSError:
        return False


def read(root: str, files: Sequence[str] | None = None) -> Dataset:
    """The images below ``root`` that a VOC file describes, with their boxes.

    An image no XML file describes imports without boxes; an XML file whose image is
    missing, that is not valid XML or holds a bad box is reported, and the rest imports.
    """
    files = list(files) if files is not None else walk(root)
    dataset = Dataset(NAME, root)
    index = ImageIndex(files)
    described: set[str] = set()
    for path in files:
        if not path.lower().endswith(".xml"):
            continue
        dataset.annotation_files.append(path)
        sample = _read_file(path, index, described)
        if isinstance(sample, Problem):
            dataset.problems.append(sample)
            continue
        described.add(sample.path)
        sample.category = split_category(os.path.relpath(sample.path, root))
        dataset.samples.append(sample)
        for box in sample.boxes:
            dataset.add_class(box["label"])
    for image in index.images:
        if image not in described:
            try:
                image_size(image)
            except OSError as exc:
                dataset.problems.append(Problem(image, f"Cannot read the image: {exc}"))
                continue
            dataset.samples.append(
                DatasetSample(image, category=split_category(os.path.relpath(image, root)))
            )
    dataset.classes.sort()
    return dataset


def _read_file(path: str, index: ImageIndex, described: set) -> DatasetSample | Problem:
    try:
        tree = ElementTree.parse(path)
    except ElementTree.ParseError as exc:
        return Problem(path, f"Not valid XML: {exc}")
    except OSError as exc:
        return Problem(path, f"Cannot read this file: {exc}")
    root = tree.getroot()
    if root.tag != "annotation":
        return Problem(path, f"Not a Pascal VOC file: its root is <{root.tag}>, not <annotation>")
    folder = os.path.dirname(path)
    name = (root.findtext("filename") or "").strip()
    stem = os.path.splitext(os.path.basename(path))[0]
    image = (index.find(name, folder) if name else None) or index.find_stem(stem, folder)
    if image is None:
        return Problem(path, f"Describes '{name or stem}' but the image is missing")
    described.add(image)  # not imported without its boxes, even when they are bad
    try:
        width, height = image_size(image)
    except OSError as exc:
        return Problem(image, f"Cannot read the image: {exc}")
    boxes = []
    for number, element in enumerate(root.iter("object"), start=1):
        label = (element.findtext("name") or "").strip()
        box = element.find("bndbox")
        if not label or box is None:
            return Problem(path, f"Object {number} has no <name> or no <bndbox>")
        try:
            corners = [
                float(box.findtext(key) or "nan") for key in ("xmin", "ymin", "xmax", "ymax")
            ]
            if any(c != c for c in corners):
                raise ValueError
        except ValueError:
            return Problem(
                path,
                f"Object {number} ('{label}'): <bndbox> needs numbers in xmin, ymin, xmax and ymax",
            )
        try:
            boxes.append(pixel_box(label, *corners, width, height))
        except BoxError as exc:
            return Problem(path, f"Object {number}: {exc}")
    return DatasetSample(image, boxes=boxes)


def annotation_xml(
    filename: str, width: int, height: int, boxes: Sequence[dict], depth: int = 3
) -> str:
    """The VOC XML text describing image ``filename`` and its Edge Impulse ``boxes``."""
    objects = "".join(
        "  <object>\n"
        f"    <name>{escape(box['label'])}</name>\n"
        "    <pose>Unspecified</pose>\n    <truncated>0</truncated>\n"
        "    <difficult>0</difficult>\n"
        "    <bndbox>\n"
        f"      <xmin>{box['x']}</xmin>\n      <ymin>{box['y']}</ymin>\n"
        f"      <xmax>{box['x'] + box['width']}</xmax>\n"
        f"      <ymax>{box['y'] + box['height']}</ymax>\n"
        "    </bndbox>\n  </object>\n"
        for box in boxes
    )
    return (
        "<annotation>\n"
        f"  <filename>{escape(filename)}</filename>\n"
        f"  <size>\n    <width>{width}</width>\n    <height>{height}</height>\n"
        f"    <depth>{depth}</depth>\n  </size>\n"
        "  <segmented>0</segmented>\n"
        f"{objects}</annotation>\n"
    )
