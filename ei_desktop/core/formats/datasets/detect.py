"""Which dataset format a folder holds, from its files (a few bytes of each candidate)."""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import Optional

from ei_desktop.core import naming
from ei_desktop.core.formats.datasets import coco, csv_labels, openimage, pascal_voc, yolo
from ei_desktop.core.formats.datasets.base import walk

#: an Edge Impulse export (``info.labels``), read by :mod:`ei_desktop.core.scan`
EI = "ei"


def detect(root: str, files: Optional[Sequence[str]] = None) -> Optional[str]:
    """The format of the dataset below ``root``: ``ei`` (an ``info.labels`` at any depth),
    ``coco``, ``pascal-voc``, ``yolo``, ``openimage`` or ``csv``, checked in that order;
    ``None`` for a folder of plain files.
    """
    files = list(files) if files is not None else walk(root)
    names = {os.path.basename(p).lower() for p in files}
    if naming.LABEL_FILE in names:
        return EI
    if any(coco.looks_like(p) for p in files if p.lower().endswith(".json")):
        return coco.NAME
    if any(pascal_voc.looks_like(p) for p in files if p.lower().endswith(".xml")):
        return pascal_voc.NAME
    if yolo.class_file(files, root) is not None:
        return yolo.NAME
    csvs = [p for p in files if p.lower().endswith(".csv")]
    if any(openimage.looks_like(p) for p in csvs):
        return openimage.NAME
    if any(csv_labels.looks_like(p) for p in csvs):
        return csv_labels.NAME
    return None
