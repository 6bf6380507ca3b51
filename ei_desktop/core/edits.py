"""Changes to samples that are already in a project, and what a change reports.

A change is a value (:class:`SetLabel`, :class:`Move`, …) applied by
``Backend.edit(selection, change)`` to every sample a :class:`SampleQuery` selects; content
changes (crop, split into segments) have their own backend methods. Each change a backend
applies becomes one entry of the project's history (:class:`ChangeSet`), which can be undone
and redone as one step however many samples it touched.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Optional, Union


class InvalidEditError(ValueError):
    """A change that cannot be applied as asked (an empty label, an unknown category, a crop
    outside the sample…). Nothing was changed.
    """


class NothingToUndo(Exception):
    """There is no change to undo (or redo)."""


class CannotUndo(Exception):
    """The change cannot be undone where it was made (on Edge Impulse, a delete is final)."""


@dataclass(frozen=True)
class SetLabel:
    """Give every selected sample this label (not empty: Edge Impulse refuses an empty label
    here too; a sample's label segments, if any, are replaced by the one label).
    """

    label: str


@dataclass(frozen=True)
class Move:
    """Move every selected sample to this category (``training``, ``testing``…)."""

    category: str


@dataclass(frozen=True)
class Rename:
    """Give the selected sample this name (one sample at a time)."""

    filename: str


@dataclass(frozen=True)
class SetMetadata:
    """Set the metadata of every selected sample: replace it with ``metadata``, or with
    ``replace=False`` add or overwrite these keys and keep the others.
    """

    metadata: dict
    replace: bool = True


@dataclass(frozen=True)
class RemoveMetadata:
    """Remove one metadata key from every selected sample, or all of their metadata when
    ``key`` is ``None``.
    """

    key: Optional[str] = None


@dataclass(frozen=True)
class SetEnabled:
    """Enable (``True``) or disable (``False``) every selected sample. Disabled samples stay in
    the project but are left out of listings and downloads unless asked for.
    """

    enabled: bool


@dataclass(frozen=True)
class SetBoundingBoxes:
    """Replace the bounding boxes of every selected image: ``[{"label", "x", "y", "width",
    "height"}, ...]``.
    """

    boxes: list


@dataclass(frozen=True)
class RelabelBoxes:
    """On every selected image, give the bounding boxes labelled one of ``old_labels`` the
    label ``new_label``, or remove them when ``new_label`` is empty (Studio's batch edit of
    bounding boxes).
    """

    old_labels: tuple[str, ...]
    new_label: str

    def __post_init__(self) -> None:
        if not isinstance(self.old_labels, tuple):
            object.__setattr__(self, "old_labels", tuple(self.old_labels))


@dataclass(frozen=True)
class SetStructuredLabels:
    """Replace the structured labels (label segments) of the selected sample:
    ``[{"label", "startIndex", "endIndex"}, ...]`` over value rows, inclusive.
    """

    labels: list


@dataclass(frozen=True)
class Delete:
    """Delete every selected sample."""


Change = Union[
    SetLabel,
    Move,
    Rename,
    SetMetadata,
    RemoveMetadata,
    SetEnabled,
    SetBoundingBoxes,
    RelabelBoxes,
    SetStructuredLabels,
    Delete,
]


@dataclass
class EditResult:
    """What one change did.

    Attributes:
        matched: how many samples the selection matched.
        changed: how many of them were actually changed (a sample that already had the new
            value is matched but not changed).
        change_id: the history entry recording it (``None`` when nothing changed or the
            backend keeps no history).
        created: ids of samples the change created (the segments of a split).
    """

    matched: int
    changed: int
    change_id: Optional[int] = None
    created: list[int] = field(default_factory=list)


@dataclass
class ChangeSet:
    """One entry of a project's history.

    Attributes:
        id: increasing number of the entry.
        at: when the change was made.
        who: the user (or ``serve``) who made it.
        what: what was done, in words ("Label 'idle' on 50,000 samples").
        samples: how many samples it touched.
        undone: true once it was undone (it can then be redone).
    """

    id: int
    at: datetime
    who: str
    what: str
    samples: int
    undone: bool = False


@dataclass
class LabelTotals:
    """Counts and total duration of one (category, label) pair."""

    category: str
    label: str
    count: int
    disabled: int
    duration_ms: float


@dataclass
class Summary:
    """Counts per category and label, durations and the train/test ratio of a project.

    ``rows`` counts enabled and disabled samples (``disabled`` says how many are disabled);
    ``duration_ms`` and the category totals are over enabled samples, as training sees them.
    """

    rows: list[LabelTotals]

    def by_category(self) -> dict[str, int]:
        """Enabled samples per category."""
        totals: dict[str, int] = {}
        for row in self.rows:
            totals[row.category] = totals.get(row.category, 0) + row.count - row.disabled
        return totals

    def duration_by_category(self) -> dict[str, float]:
        """Total duration in milliseconds of the enabled samples of each category."""
        totals: dict[str, float] = {}
        for row in self.rows:
            totals[row.category] = totals.get(row.category, 0.0) + row.duration_ms
        return totals

    def by_label(self) -> dict[str, int]:
        """Enabled samples per label, all categories together."""
        totals: dict[str, int] = {}
        for row in self.rows:
            totals[row.label] = totals.get(row.label, 0) + row.count - row.disabled
        return totals

    def duration_by_label(self) -> dict[str, float]:
        """Total duration in milliseconds of the enabled samples of each label."""
        totals: dict[str, float] = {}
        for row in self.rows:
            totals[row.label] = totals.get(row.label, 0.0) + row.duration_ms
        return totals

    @property
    def train_test_ratio(self) -> tuple[int, int]:
        """Percentages of training and testing among enabled samples of the two (0, 0 when
        there are none), rounded like Studio shows them.
        """
        counts = self.by_category()
        train, test = counts.get("training", 0), counts.get("testing", 0)
        if train + test == 0:
            return (0, 0)
        share = round(100 * train / (train + test))
        return (share, 100 - share)
