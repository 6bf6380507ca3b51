"""The plain CSV label file: one row per file (or per box), naming the file and its label,
optionally its category and a box.

Columns (header required, any order, any case): the file (``file_name``, ``filename``,
``file``, ``path`` or ``image``); the label (``label``, ``class`` or ``classes``);
optionally ``category`` (or ``split``); optionally a box as ``xmin, ymin, xmax, ymax`` or
``x, y, width, height`` in pixels. Rows naming the same file add boxes to it.
"""

from __future__ import annotations

import csv
import os
from collections.abc import Sequence
from typing import Optional

from ei_desktop.core.formats.datasets.base import (
    BoxError,
    Dataset,
    DatasetSample,
    Problem,
    image_size,
    is_image,
    pixel_box,
    split_category,
    walk,
)

NAME = "csv"
FILE_COLUMNS = ("file_name", "filename", "file", "path", "image")
LABEL_COLUMNS = ("label", "class", "classes")
CATEGORY_COLUMNS = ("category", "split")


def _columns(path: str) -> dict[str, str]:
    """Lower-case column name → column name as written."""
    try:
        with open(path, encoding="utf-8-sig", newline="") as handle:
            header = next(csv.reader(handle), [])
    except (OSError, UnicodeDecodeError, csv.Error):
        return {}
    return {c.strip().lower(): c for c in header}


def _pick(columns: dict[str, str], names: Sequence[str]) -> Optional[str]:
    return next((columns[n] for n in names if n in columns), None)


def looks_like(path: str) -> bool:
    """True when the CSV file at ``path`` has a file column and a label column."""
    if not path.lower().endswith(".csv"):
        return False
    columns = _columns(path)
    return bool(_pick(columns, FILE_COLUMNS) and _pick(columns, LABEL_COLUMNS))


def read(root: str, files: Sequence[str] | None = None) -> Dataset:
    """The files the label CSV files below ``root`` name, with their labels and boxes.

    A file no CSV names is not imported (reported as not part of the dataset).
    """
    files = list(files) if files is not None else walk(root)
    dataset = Dataset(NAME, root)
    samples: dict[str, DatasetSample] = {}
    bad: set[str] = set()
    for path in files:
        if looks_like(path):
            dataset.annotation_files.append(path)
            _read_file(path, root, samples, bad, dataset)
    labels_files = set(dataset.annotation_files)
    for path in files:
        if path not in samples and path not in bad and path not in labels_files:
            dataset.ignored.append(Problem(path, "Not named in the CSV label file"))
    dataset.samples = [s for p, s in samples.items() if p not in bad]
    return dataset


def _read_file(path, root, samples, bad, dataset) -> None:
    columns = _columns(path)
    file_column = _pick(columns, FILE_COLUMNS)
    label_column = _pick(columns, LABEL_COLUMNS)
    category_column = _pick(columns, CATEGORY_COLUMNS)
    corners = [columns.get(k) for k in ("xmin", "ymin", "xmax", "ymax")]
    sizes = [columns.get(k) for k in ("x", "y", "width", "height")]
    folder = os.path.dirname(path)
    sizes_cache: dict[str, tuple[int, int]] = {}
    try:
        with open(path, encoding="utf-8-sig", newline="") as handle:
            rows = list(csv.DictReader(handle))
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        dataset.problems.append(Problem(path, f"Cannot read this CSV file: {exc}"))
        return
    for number, row in enumerate(rows, start=2):
        name = (row.get(file_column) or "").strip()
        if not name:
            continue
        target = os.path.normpath(os.path.join(folder, name))
        if target in bad:
            continue
        if not os.path.isfile(target):
            dataset.problems.append(
                Problem(target, f"Named in {os.path.basename(path)} (row {number}) but missing")
            )
            bad.add(target)
            continue
        label = (row.get(label_column) or "").strip()
        sample = samples.get(target)
        if sample is None:
            category = (row.get(category_column) or "").strip() if category_column else ""
            sample = samples[target] = DatasetSample(
                target,
                category=split_category(category)
                if category
                else split_category(os.path.relpath(target, root)),
            )
        try:
            box = _box(row, label, corners, sizes, target, sizes_cache)
        except (BoxError, OSError) as exc:
            text = str(exc)
            dataset.problems.append(Problem(target, f"Row {number}: {text}"))
            bad.add(target)
            continue
        if box is None:
            sample.label = label
        else:
            sample.boxes.append(box)
        if label:
            dataset.add_class(label)


def _box(row, label, corners, sizes, target, cache) -> Optional[dict]:
    if all(corners) and any((row.get(c) or "").strip() for c in corners):
        values = [row.get(c) for c in corners]
    elif all(sizes) and any((row.get(c) or "").strip() for c in sizes):
        x, y, w, h = (row.get(c) for c in sizes)
        try:
            values = [float(x), float(y), float(x) + float(w), float(y) + float(h)]
        except (TypeError, ValueError):
            raise BoxError(f"box '{label}' has coordinates that are not numbers") from None
    else:
        return None
    try:
        xmin, ymin, xmax, ymax = (float(v) for v in values)
    except (TypeError, ValueError):
        raise BoxError(f"box '{label}' has coordinates that are not numbers") from None
    if not is_image(target):
        raise BoxError("a box is given for a file that is not an image")
    if target not in cache:
        cache[target] = image_size(target)
    return pixel_box(label, xmin, ymin, xmax, ymax, *cache[target])
