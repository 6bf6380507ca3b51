"""Object detection and labelled datasets made elsewhere: readers that turn a folder into
samples with Edge Impulse boxes, writers that lay samples out for other tools.

One module per format (:mod:`coco`, :mod:`yolo`, :mod:`pascal_voc`, :mod:`openimage`,
:mod:`csv_labels`); :func:`detect` names a folder's format and :func:`read` reads it.
Edge Impulse exports (``info.labels``) are read by :mod:`ei_desktop.core.scan`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Optional

from ei_desktop.core.formats.datasets import coco, csv_labels, openimage, pascal_voc, yolo
from ei_desktop.core.formats.datasets.base import (
    BoxError,
    Dataset,
    DatasetSample,
    Problem,
    image_size,
    pixel_box,
    split_category,
    walk,
)
from ei_desktop.core.formats.datasets.detect import EI, detect

#: readers by format name
READERS = {
    coco.NAME: coco.read,
    yolo.NAME: yolo.read,
    pascal_voc.NAME: pascal_voc.read,
    openimage.NAME: openimage.read,
    csv_labels.NAME: csv_labels.read,
}

#: every format name ``--dataset-format`` accepts
FORMATS: tuple[str, ...] = (*READERS, EI)

#: formats the exporters write
EXPORT_FORMATS: tuple[str, ...] = (EI, coco.NAME, yolo.NAME, pascal_voc.NAME)

#: the split folder name each category gets in coco/yolo/pascal-voc exports
SPLIT_NAMES = {"training": "train", "testing": "test", "validation": "val"}


def read(root: str, format: str, files: Optional[Sequence[str]] = None) -> Dataset:
    """Read the dataset below ``root`` as ``format`` (one of :data:`READERS`).

    Never raises for a bad file: each is a :class:`Problem` of the result.

    Raises:
        ValueError: ``format`` is not a format these readers know.
    """
    reader = READERS.get(format)
    if reader is None:
        raise ValueError(
            f"Unknown dataset format {format!r}; expected one of: {', '.join(READERS)}"
        )
    return reader(root, files)


__all__ = [
    "EI",
    "EXPORT_FORMATS",
    "FORMATS",
    "READERS",
    "SPLIT_NAMES",
    "BoxError",
    "Dataset",
    "DatasetSample",
    "Problem",
    "detect",
    "image_size",
    "pixel_box",
    "read",
    "split_category",
    "walk",
]
