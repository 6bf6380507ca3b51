"""What an upload plan will do, per folder, in the words a user checks before uploading:
how many files each folder gives, to which categories, under which labels, and what is left
out with its reason.
"""

from __future__ import annotations

import os
from collections import Counter
from dataclasses import dataclass, field

from ei_desktop.core import naming
from ei_desktop.core.display import category_name, plural
from ei_desktop.ops.plan import Plan, Skipped, UploadItem

#: how a label that is not set yet reads (``None``: the backend's rule decides)
LABEL_BY_PROJECT = "(set when stored)"
#: how an empty label reads
UNLABELED = "(unlabeled)"
#: how the categories of files split when stored read
SPLIT_WORDS = "to split 80/20"


@dataclass
class FolderOverview:
    """The files one folder gives.

    Attributes:
        folder: the folder's path.
        files: how many of its files become samples.
        categories: samples per category (``split`` for those split 80/20 when stored).
        labels: samples per label (a multi-label file counts under each of its labels).
    """

    folder: str
    files: int = 0
    categories: Counter = field(default_factory=Counter)
    labels: Counter = field(default_factory=Counter)


@dataclass
class PlanOverview:
    """The whole plan: per-folder rows, totals, the dataset line and what is left out."""

    folders: list[FolderOverview]
    categories: Counter
    labels: Counter
    skipped: list[Skipped]
    dataset: str

    @property
    def files(self) -> int:
        """How many files become samples."""
        return sum(f.files for f in self.folders)

    @property
    def failed(self) -> list[Skipped]:
        """Left out because something is wrong with them (the user should look)."""
        return [s for s in self.skipped if s.failed]

    def headline(self) -> str:
        """One sentence: ``120 files → 96 Training, 24 Testing · 3 labels · 2 not uploaded``."""
        if not self.folders and not self.skipped:
            return "No files found"
        if self.files:
            parts = [f"{plural(self.files, 'file')} → {categories_text(self.categories)}"]
        else:
            parts = ["No sample files"]
        named = [label for label in self.labels if label != LABEL_BY_PROJECT]
        if named:
            parts.append(plural(len(named), "label"))
        if self.dataset:
            parts.append(self.dataset)
        if self.skipped:
            failed = len(self.failed)
            extra = f" ({failed:,} with problems)" if failed else ""
            parts.append(f"{len(self.skipped):,} not uploaded{extra}")
        return " · ".join(parts)


def categories_text(categories: Counter) -> str:
    """``96 Training, 24 Testing`` (``split 80/20`` for files split when stored)."""
    order = {c: i for i, c in enumerate(naming.CATEGORIES)}
    words = []
    for category, n in sorted(categories.items(), key=lambda kv: order.get(kv[0], 99)):
        name = SPLIT_WORDS if category == naming.SPLIT else category_name(category)
        words.append(f"{n:,} {name}")
    return ", ".join(words) or "nothing"


def labels_text(labels: Counter, shown: int = 4) -> str:
    """The most common labels with their counts: ``idle 60, wave 40, … (5 labels)``."""
    common = labels.most_common(shown)
    text = ", ".join(f"{label} {n:,}" for label, n in common)
    if len(labels) > shown:
        text += f", … ({len(labels):,} labels)"
    return text


def _labels_of(item: UploadItem) -> list[str]:
    if item.label is None and item.structured_labels:
        return sorted({str(s.get("label", "")) for s in item.structured_labels})
    if item.label is None:
        return [LABEL_BY_PROJECT]
    return [item.label or UNLABELED]


def overview(plan: Plan) -> PlanOverview:
    """The plan per folder (in the order found), with totals."""
    folders: dict[str, FolderOverview] = {}
    for item in plan.items:
        folder = os.path.dirname(str(item.key))
        row = folders.get(folder)
        if row is None:
            row = folders[folder] = FolderOverview(folder)
        row.files += 1
        row.categories[item.category] += 1
        row.labels.update(_labels_of(item))
    categories: Counter = Counter()
    labels: Counter = Counter()
    for row in folders.values():
        categories.update(row.categories)
        labels.update(row.labels)
    return PlanOverview(
        folders=list(folders.values()),
        categories=categories,
        labels=labels,
        skipped=list(plan.skipped),
        dataset=plan.dataset_summary(),
    )
