"""Exporting samples as a dataset for other tools: the Edge Impulse export layout
(``info.labels``, read back by ``ei-desktop upload`` and the SDK's
``upload_exported_dataset``), or COCO, YOLO or Pascal VOC for image samples with boxes, one
split per category (``training`` → ``train``, ``testing`` → ``test``, ``validation`` →
``val``).

Nothing is overwritten silently: a COCO/YOLO/VOC export goes into an empty folder (or one an
earlier export of the same format marked as its own), images keep their names unless a
different file holds the name (then `` (2)`` …), and an image already exported with the same
content is reused. So an interrupted export, run again, completes: the images written before
are kept and the annotation files are written for every sample. Exporting more samples into
an earlier export adds them: the images its annotation files describe stay described.
"""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from typing import Optional

from ei_desktop.core import formats, naming
from ei_desktop.core.backends.base import Backend, BackendError, SampleRecord
from ei_desktop.core.formats import datasets
from ei_desktop.core.formats.datasets import coco, pascal_voc, yolo
from ei_desktop.core.labels import LabelError, read_info_labels
from ei_desktop.core.progress import CancelToken, Progress, ProgressCallback, is_cancelled
from ei_desktop.ops.batches import slices
from ei_desktop.ops.export import STEP, export_dataset, write_content
from ei_desktop.ops.report import ItemReport, Report, Status

#: the file that marks a folder as an export of ours, with its format
MARKER = ".ei-desktop-export.json"


def export_as(
    backend: Backend,
    ids: Sequence[int],
    folder: str | os.PathLike,
    format: str = datasets.EI,
    *,
    progress: Optional[ProgressCallback] = None,
    cancel: Optional[CancelToken] = None,
) -> Report:
    """Write samples ``ids`` into ``folder`` as a dataset in ``format`` (one of
    ``datasets.EXPORT_FORMATS``).

    Each item is done (named by the path written or reused), skipped (not an image, for
    COCO/YOLO/VOC) or failed with its reason. Cancelling stops before the next sample; the
    annotation files then describe the samples written.

    Raises:
        ValueError: ``format`` is not an export format, or ``folder`` holds files that are
            not an earlier export of this format (never overwritten).
        OSError: ``folder`` or an annotation file cannot be written.
    """
    if format not in datasets.EXPORT_FORMATS:
        raise ValueError(
            f"Unknown export format {format!r}; expected one of: "
            + ", ".join(datasets.EXPORT_FORMATS)
        )
    folder = os.fspath(folder)
    if format == datasets.EI:
        return _export_ei(backend, [int(i) for i in ids], folder, progress, cancel)
    earlier = _claim(folder, format)
    return _export_boxes(backend, [int(i) for i in ids], folder, format, progress, cancel, earlier)


def _claim(folder: str, format: str) -> list[tuple[str, tuple]]:
    """Make ``folder`` an export in ``format``; returns the images an earlier export of the
    same format there describes, as ``(split, (name, width, height, boxes))``.
    """
    marker = os.path.join(folder, MARKER)
    if os.path.isdir(folder) and os.listdir(folder):
        try:
            with open(marker, encoding="utf-8") as handle:
                earlier = json.load(handle).get("format")
        except (OSError, ValueError, AttributeError):
            earlier = None
        if earlier != format:
            raise ValueError(
                f"{folder} already holds files that are not an earlier {format} export; "
                "choose an empty folder (nothing is overwritten)"
            )
        return _described(folder, format)
    os.makedirs(folder, exist_ok=True)
    with open(marker, "w", encoding="utf-8") as handle:
        json.dump({"format": format}, handle)
    return []


def _described(folder: str, format: str) -> list[tuple[str, tuple]]:
    """The images of an earlier export in ``folder`` that its annotation files describe."""
    found = []
    for sample in datasets.read(folder, format).samples:
        parts = os.path.relpath(sample.path, folder).split(os.sep)
        if format == yolo.NAME:
            parts = parts[1:] if parts[0] == "images" else []
        if len(parts) != 2 or not os.path.isfile(_annotation_path(folder, format, *parts)):
            continue  # not laid out by us, or written before an interruption, undescribed
        try:
            width, height = datasets.image_size(sample.path)
        except OSError:
            continue
        found.append((parts[0], (parts[1], width, height, [dict(b) for b in sample.boxes])))
    return found


def _annotation_path(folder: str, format: str, split: str, name: str) -> str:
    """The file describing image ``name`` of ``split`` (COCO: the split's file)."""
    if format == coco.NAME:
        return os.path.join(folder, split, coco.ANNOTATIONS_FILE)
    stem = os.path.splitext(name)[0]
    if format == yolo.NAME:
        return os.path.join(folder, "labels", split, stem + ".txt")
    return os.path.join(folder, split, stem + ".xml")


def _export_ei(backend, ids, folder, progress, cancel) -> Report:
    """The Edge Impulse layout; samples an earlier run listed in ``info.labels`` (same
    category and name, file present) are kept, not written twice.
    """
    info_path = os.path.join(folder, naming.LABEL_FILE)
    listed: dict[tuple[str, str], str] = {}
    if os.path.isfile(info_path):
        try:
            with open(info_path, encoding="utf-8-sig") as handle:
                for entry in read_info_labels(handle.read()):
                    if isinstance(entry, dict) and isinstance(entry.get("path"), str):
                        path = os.path.join(folder, entry["path"])
                        if os.path.isfile(path):
                            key = (str(entry.get("category")), str(entry.get("name")))
                            listed[key] = path
        except (OSError, UnicodeDecodeError, LabelError) as exc:
            raise ValueError(f"{info_path} cannot be added to: {exc}") from None
    kept: list[ItemReport] = []
    remaining: list[int] = []
    if listed:
        for chunk in slices(ids, STEP, cancel):
            records = backend.get_samples(chunk)
            for sample_id in chunk:
                record = records.get(sample_id)
                path = record and listed.get((record.category, record.filename))
                if path:
                    kept.append(ItemReport(path, Status.DONE, "", sample_id, record.category))
                else:
                    remaining.append(sample_id)
    else:
        remaining = ids
    done = len(kept)

    def shifted(step: Progress) -> None:
        if progress is not None:
            progress(Progress(done + step.done, len(ids), item=step.item))

    report = export_dataset(backend, remaining, folder, progress=shifted, cancel=cancel)
    report.items[:0] = kept
    report.total = len(ids)
    return report


def _export_boxes(backend, ids, folder, format, progress, cancel, earlier) -> Report:
    report = Report("Export", "exported", total=len(ids), destination=folder)
    splits: dict[str, list[tuple[str, int, int, list]]] = {}
    for chunk in slices(ids, STEP, cancel):
        try:
            records = backend.get_samples(chunk)
        except BackendError as exc:
            report.stopped_by = str(exc)
            break
        for sample_id in chunk:
            if is_cancelled(cancel):
                break
            item = _export_one(backend, sample_id, records.get(sample_id), folder, format, splits)
            report.add(item)
            if progress is not None:
                progress(Progress(len(report.items), len(ids), item=item))
    written = {(split, image[0]) for split, images in splits.items() for image in images}
    for split, image in earlier:  # the annotation files go on describing them
        if (split, image[0]) not in written:
            splits.setdefault(split, []).append(image)
    _write_annotations(folder, format, splits)
    report.cancelled = is_cancelled(cancel) and report.not_attempted > 0
    return report


def _split(record: SampleRecord) -> str:
    category = record.category or naming.SPLIT
    return datasets.SPLIT_NAMES.get(category, naming.safe_filename(category))


def _export_one(backend, sample_id, record, folder, format, splits) -> ItemReport:
    if record is None:
        return ItemReport(f"ID {sample_id}", Status.FAILED, f"No sample found with ID {sample_id}")
    name = record.upload_name or record.filename
    if record.kind != formats.IMAGE:
        return ItemReport(
            name, Status.SKIPPED, f"A {record.kind} sample: {format} holds images only", sample_id
        )
    split = _split(record)
    directory = (
        os.path.join(folder, "images", split)
        if format == yolo.NAME
        else (os.path.join(folder, split))
    )
    try:
        path = _write_image(backend, sample_id, record, directory)
        width, height = datasets.image_size(path)
    except (BackendError, OSError, ValueError) as exc:
        reason = getattr(exc, "strerror", None) or str(exc)
        return ItemReport(name, Status.FAILED, f"Cannot export the image: {reason}", sample_id)
    boxes = [dict(b) for b in record.bounding_boxes or []]
    splits.setdefault(split, []).append((os.path.basename(path), width, height, boxes))
    return ItemReport(path, Status.DONE, sample_id=sample_id, category=record.category)


def _write_image(backend, sample_id: int, record: SampleRecord, directory: str) -> str:
    """The path of the sample's image in ``directory``: an existing file with the same
    content, else a new file under a free name.
    """
    os.makedirs(directory, exist_ok=True)
    file_name = naming.safe_filename(record.upload_name or record.filename)

    def open_content():
        content = backend.open_content(sample_id)
        if content is None:
            raise ValueError(f"No sample found with ID {sample_id}")
        return content

    return write_content(open_content, directory, file_name, record.sha256)


def _write_annotations(folder: str, format: str, splits: dict) -> None:
    classes = sorted(
        {b["label"] for images in splits.values() for *_, boxes in images for b in boxes}
    )
    for split, images in splits.items():
        if format == coco.NAME:
            coco.write(os.path.join(folder, split, coco.ANNOTATIONS_FILE), images, classes)
            continue
        for name, width, height, boxes in images:
            if format == yolo.NAME:
                text = yolo.label_lines(boxes, classes, width, height)
            else:
                text = pascal_voc.annotation_xml(name, width, height, boxes)
            _write_text(_annotation_path(folder, format, split, name), text)
    if format == yolo.NAME:
        _write_text(os.path.join(folder, "data.yaml"), yolo.data_yaml(classes, sorted(splits)))


def _write_text(path: str, text: str) -> None:
    os.makedirs(os.path.dirname(path), exist_ok=True)
    temporary = path + ".partial"
    with open(temporary, "w", encoding="utf-8") as handle:
        handle.write(text)
    os.replace(temporary, path)
