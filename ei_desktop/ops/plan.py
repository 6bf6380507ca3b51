"""Turning the files and folders a user chose into samples: the one rule set of every face.

The rules, in order:

1. Folders are walked recursively (hidden files and folders are skipped; symbolic links are
   followed, loops reported). A folder holding ``info.labels`` — at any depth — is an exported
   Edge Impulse dataset: its samples are the entries of ``info.labels``, with their categories,
   labels, segments, boxes, metadata and names.
2. Every other file of a sample type (``.json .cbor .csv .txt .wav .jpg .jpeg .png .mp4 .avi``,
   any case) is a sample; other files are skipped, each with its reason.
3. Category: the one the user chose, else the innermost folder named ``training``,
   ``testing``, ``validation`` or ``anomaly`` (any case) between the chosen folder
   (its own name included) and the file, else an 80/20 split by content.
4. Label: the one the user chose (``""``: unlabeled; it replaces any segments), else the file
   name before its first dot (``idle.01.cbor`` → ``idle``, ``a+b.01.csv`` → ``a+b``); a file
   with segments in ``structured_labels.labels`` is labelled by its segments.
5. ``bounding_boxes.labels`` and ``structured_labels.labels`` apply to the files of their own
   folder, at any depth.
6. The user's category, label and metadata also apply to exported datasets (metadata keys are
   added to each entry's own).
7. A folder holding an object detection dataset (COCO, YOLO, Pascal VOC, Open Images CSV or
   a plain CSV label file; detected, or named by ``dataset_format``) gives its images with
   their boxes, categories from its splits; its annotation files are not samples. Samples
   of such a dataset are unlabeled unless the dataset or the user gives a label.
"""

from __future__ import annotations

import os
import sys
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Optional

from ei_desktop.core import formats, naming, scan
from ei_desktop.core.backends.base import UploadItem
from ei_desktop.core.formats import datasets
from ei_desktop.core.labels import is_companion


@dataclass(frozen=True)
class UploadOptions:
    """How files become samples.

    Attributes:
        category: a category or ``"split"`` for every file; ``None``: from the folders, else
            split (rule 3).
        label: the label for every file (``""``: unlabeled); ``None``: from each file's name
            (rule 4).
        metadata: key/value pairs added to every sample.
        allow_duplicates: store content that is already in the project again.
        label_from_name: with ``label=None``, apply rule 4 (``False`` leaves the label to the
            backend, as the official SDK's functions do).
        exported_datasets: recognise folders with ``info.labels`` and other datasets
            (``False``: their files are plain files, as the SDK's ``upload_plain_directory``
            does).
        dataset_format: how folders are read: one of ``datasets.FORMATS`` (``ei``: exports
            with ``info.labels`` and plain files); ``None``: detected per folder.
    """

    category: Optional[str] = None
    label: Optional[str] = None
    metadata: Mapping[str, str] = field(default_factory=dict)
    allow_duplicates: bool = False
    label_from_name: bool = True
    exported_datasets: bool = True
    dataset_format: Optional[str] = None


#: dataset formats as the user reads them
FORMAT_NAMES = {
    "ei": "Edge Impulse export",
    "coco": "COCO",
    "yolo": "YOLO",
    "pascal-voc": "Pascal VOC",
    "openimage": "Open Images CSV",
    "csv": "CSV labels",
}


@dataclass(frozen=True)
class Skipped:
    """A file or folder that does not become a sample, and why."""

    path: str
    reason: str
    failed: bool = False  # True: the user should fix something (unreadable, bad labels file)


@dataclass
class Plan:
    """What an upload will send: items ready for :meth:`Backend.upload`, and what it will not.

    Attributes:
        items: one per sample; ``item.key`` is the file's path.
        skipped: files that are not samples, and problems met while looking (``failed``).
        exported_datasets: folders read through their ``info.labels``.
        options: the options the plan was made with.
        datasets: folder → format of each folder read as a dataset (``ei`` included).
        classes: the box classes those datasets declare or use.
    """

    items: list[UploadItem] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    exported_datasets: list[str] = field(default_factory=list)
    options: UploadOptions = field(default_factory=UploadOptions)
    datasets: dict[str, str] = field(default_factory=dict)
    classes: list[str] = field(default_factory=list)

    def box_count(self) -> int:
        """The number of bounding boxes over all items."""
        return sum(len(item.bounding_boxes or ()) for item in self.items)

    def dataset_summary(self) -> str:
        """One line naming the dataset formats found, their classes and the number of boxes
        (``""`` when no folder was read as a dataset).
        """
        if not self.datasets:
            return ""
        forms = sorted({FORMAT_NAMES.get(f, f) for f in self.datasets.values()})
        boxes = self.box_count()
        shown = ", ".join(self.classes[:8]) + (" …" if len(self.classes) > 8 else "")
        classes = f"; {len(self.classes)} classes ({shown})" if self.classes else ""
        return f"{' + '.join(forms)}{classes}; {boxes:,} boxes"

    def categories(self) -> Counter:
        """Items per category (``split`` for those split 80/20 when stored)."""
        return Counter(item.category for item in self.items)


def plan_upload(paths: Sequence[str | os.PathLike], options: UploadOptions) -> Plan:
    """The plan for uploading ``paths`` (files and folders) with ``options``.

    Never raises for a bad file: each problem is a :class:`Skipped` entry with its reason.

    Raises:
        ValueError: ``options.category`` is not a category (nor ``split``), or
            ``options.dataset_format`` is not a format.
    """
    if options.category is not None:
        naming.check_category(options.category)
    if options.dataset_format is not None and options.dataset_format not in datasets.FORMATS:
        raise ValueError(
            f"Unknown dataset format {options.dataset_format!r}; expected one of: "
            + ", ".join(datasets.FORMATS)
        )
    plan = Plan(options=options)
    for raw in paths:
        path = os.path.abspath(os.fspath(raw))
        if os.path.isdir(path):
            _plan_folder(plan, path)
        elif os.path.isfile(path):
            # a file the user named: its own folder may still give the category
            base = os.path.dirname(os.path.dirname(path))
            _plan_files(plan, [path], base, explicit=True)
        else:
            plan.skipped.append(Skipped(path, _not_regular(path), True))
    return plan


def _not_regular(path: str) -> str:
    """Why ``path``, which is not a regular file nor a folder, is not uploaded."""
    if os.path.exists(path):
        return scan.NOT_REGULAR
    if os.path.islink(path):
        return "Broken link: its target does not exist"
    return "No such file or folder"


def _plan_folder(plan: Plan, root: str) -> None:
    detect = plan.options.exported_datasets
    if detect and plan.options.dataset_format != datasets.EI:
        irregular: list[str] = []
        files = datasets.walk(root, irregular)
        form = plan.options.dataset_format or datasets.detect(root, files)
        if form in datasets.READERS:
            _plan_dataset(plan, datasets.read(root, form, files), files)
            plan.skipped.extend(Skipped(path, _not_regular(path), True) for path in irregular)
            return
    found = scan.find_files([root], exported_datasets=detect, exported_datasets_at_any_depth=detect)
    plan.skipped.extend(Skipped(p.path, p.error, True) for p in found.problems)
    plan.skipped.extend(Skipped(path, _skip_reason(path)) for path in found.skipped)
    _plan_files(plan, found.files, os.path.dirname(root), explicit=False)
    for directory in found.exported_datasets:
        _plan_exported(plan, directory)


def _plan_files(plan: Plan, files: list[str], base: str, *, explicit: bool) -> None:
    options = plan.options
    found, problems = scan.plain_items(files)
    plan.skipped.extend(Skipped(p.path, p.error, True) for p in problems)
    for item, path in zip(found, files):
        if explicit and is_companion(os.path.basename(path)):
            plan.skipped.append(Skipped(path, "A labels file: it labels other files"))
            continue
        # one string per category and per label, not one per file: a plan of many files
        # keeps only what differs from file to file
        item.category = sys.intern(_category(options, path, base))
        label = _label(options, path, item)
        item.label = None if label is None else sys.intern(label)
        if options.label is not None:  # the user's label replaces segments, as in rule 6
            item.structured_labels = None
        item.metadata = dict(options.metadata) or None
        plan.items.append(item)


def _plan_dataset(plan: Plan, dataset: datasets.Dataset, files: list[str]) -> None:
    options = plan.options
    plan.datasets[dataset.root] = dataset.format
    plan.classes.extend(c for c in dataset.classes if c not in plan.classes)
    plan.skipped.extend(Skipped(p.path, p.reason, True) for p in dataset.problems)
    plan.skipped.extend(Skipped(p.path, p.reason) for p in dataset.ignored)
    seen = {s.path for s in dataset.samples}.union(dataset.annotation_files)
    seen.update(p.path for p in dataset.problems)
    seen.update(p.path for p in dataset.ignored)
    name = FORMAT_NAMES.get(dataset.format, dataset.format)
    plan.skipped.extend(
        Skipped(path, f"Not part of the {name} dataset") for path in files if path not in seen
    )
    base = os.path.dirname(dataset.root)
    for sample in dataset.samples:
        path = sample.path
        if options.category is not None:
            category = options.category
        else:
            category = sample.category or _category(options, path, base)
        label = options.label if options.label is not None else (sample.label or "")
        plan.items.append(
            UploadItem(
                filename=os.path.basename(path),
                source=path,
                category=category,
                label=label,
                metadata=dict(options.metadata) or None,
                bounding_boxes=list(sample.boxes) or None,
                key=path,
            )
        )


def _plan_exported(plan: Plan, directory: str) -> None:
    options = plan.options
    plan.exported_datasets.append(directory)
    plan.datasets[directory] = datasets.EI
    found, problems = scan.exported_items(directory)
    plan.skipped.extend(Skipped(p.path, p.error, True) for p in problems)
    for item in found:
        _apply_options(item, options)
        plan.items.append(item)


def _apply_options(item: UploadItem, options: UploadOptions) -> None:
    """The user's category, label and metadata over an exported dataset's entry (rule 6)."""
    if options.label is not None:
        item.label, item.structured_labels = options.label, None
    if options.metadata:
        item.metadata = {**(item.metadata or {}), **options.metadata}
    item.category = options.category or item.category or naming.SPLIT


def _category(options: UploadOptions, path: str, base: str) -> str:
    if options.category is not None:
        return options.category
    relative = os.path.relpath(path, base)
    return naming.category_from_path(relative) or naming.SPLIT


def _label(options: UploadOptions, path: str, item: UploadItem) -> Optional[str]:
    if options.label is not None:
        return options.label
    if item.structured_labels or not options.label_from_name:
        return None  # segments label the sample; or the backend's own rule
    return naming.sdk_label(path)


def _skip_reason(path: str) -> str:
    name = os.path.basename(path)
    if name.startswith("."):
        return "Hidden file"
    extension = os.path.splitext(name)[1]
    kinds = " ".join(sorted(formats.EXTENSIONS))
    shown = f"a {extension} file" if extension else "a file without extension"
    return f"Not a sample: {shown} (samples are {kinds})"
