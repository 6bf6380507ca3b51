"""Open Images CSV: rows ``ImageID, …, LabelName, …, XMin, XMax, YMin, YMax`` (normalised
to the image's size), one per box. Class names come from a ``class-descriptions*.csv`` file
(``LabelName,DisplayName`` rows) when there is one; the CSV file's name gives the split.
"""

from __future__ import annotations

import csv
import os
from collections.abc import Sequence

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

NAME = "openimage"
REQUIRED = ("ImageID", "LabelName", "XMin", "XMax", "YMin", "YMax")


def looks_like(path: str) -> bool:
    """True when the CSV file at ``path`` has the Open Images box columns."""
    return path.lower().endswith(".csv") and all(c in _header(path) for c in REQUIRED)


def _header(path: str) -> list[str]:
    try:
        with open(path, encoding="utf-8-sig", newline="") as handle:
            return [c.strip() for c in next(csv.reader(handle), [])]
    except (OSError, UnicodeDecodeError, csv.Error):
        return []


def read(root: str, files: Sequence[str] | None = None) -> Dataset:
    """The images the Open Images CSV files below ``root`` list, with their boxes."""
    files = list(files) if files is not None else walk(root)
    dataset = Dataset(NAME, root)
    index = ImageIndex(files)
    names: dict[str, str] = {}
    for path in files:
        if os.path.basename(path).lower().startswith("class-descriptions"):
            dataset.annotation_files.append(path)
            names.update(_descriptions(path))
    listed: set[str] = set()
    for path in files:
        if looks_like(path):
            dataset.annotation_files.append(path)
            _read_file(path, root, index, names, dataset, listed)
    for image in index.images:
        if image not in listed:
            dataset.ignored.append(Problem(image, "Not listed in any Open Images CSV file"))
    return dataset


def _descriptions(path: str) -> dict[str, str]:
    try:
        with open(path, encoding="utf-8-sig", newline="") as handle:
            return {row[0]: row[1] for row in csv.reader(handle) if len(row) >= 2}
    except (OSError, UnicodeDecodeError, csv.Error):
        return {}


def _read_file(path, root, index, names, dataset, listed) -> None:
    rows: dict[str, list[dict]] = {}
    try:
        with open(path, encoding="utf-8-sig", newline="") as handle:
            for row in csv.DictReader(handle):
                rows.setdefault((row.get("ImageID") or "").strip(), []).append(row)
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        dataset.problems.append(Problem(path, f"Cannot read this CSV file: {exc}"))
        return
    folder = os.path.dirname(path)
    category = split_category(os.path.basename(path))
    for image_id, image_rows in rows.items():
        image = index.find_stem(image_id, folder) or index.find(image_id, folder)
        if image is None:
            dataset.problems.append(
                Problem(
                    os.path.join(folder, image_id),
                    f"Listed in {os.path.basename(path)} but the image is missing",
                )
            )
            continue
        listed.add(image)
        try:
            width, height = image_size(image)
            boxes = []
            for row in image_rows:
                label = names.get(row["LabelName"], row["LabelName"])
                try:
                    x0, x1, y0, y1 = (float(row[k]) for k in ("XMin", "XMax", "YMin", "YMax"))
                except (TypeError, ValueError):
                    raise BoxError(f"box '{label}' has coordinates that are not numbers") from None
                boxes.append(
                    pixel_box(
                        label, x0 * width, y0 * height, x1 * width, y1 * height, width, height
                    )
                )
        except OSError as exc:
            dataset.problems.append(Problem(image, f"Cannot read the image: {exc}"))
            continue
        except BoxError as exc:
            dataset.problems.append(Problem(image, str(exc)[0].upper() + str(exc)[1:]))
            continue
        for box in boxes:
            dataset.add_class(box["label"])
        dataset.samples.append(
            DatasetSample(
                image,
                category=category or split_category(os.path.relpath(image, root)),
                boxes=boxes,
            )
        )
