"""Each change of :mod:`ei_desktop.core.edits` as one SQL ``UPDATE`` over ``samples``.

A change is checked (a clear :class:`InvalidEditError` before anything is written), then
becomes the assignments of an ``UPDATE`` and a condition that is true for the samples it
would actually change, so that samples which already have the new value are neither
rewritten nor recorded in the history.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Optional

from ei_desktop.core import naming
from ei_desktop.core.edits import (
    Change,
    InvalidEditError,
    Move,
    RelabelBoxes,
    RemoveMetadata,
    Rename,
    SetBoundingBoxes,
    SetEnabled,
    SetLabel,
    SetMetadata,
)
from ei_desktop.core.labels import (
    LabelError,
    normalize_bounding_boxes,
    normalize_label,
    normalize_metadata,
)


@dataclass
class ColumnChange:
    """A change as SQL: ``SET {assignments}`` where ``{differs}`` holds.

    Attributes:
        kind: the history entry's kind (see ``local_history.describe``).
        detail: what the history entry keeps to describe the change.
        assignments: the ``SET`` list, with ``?`` for ``params``.
        differs: true for a sample the change would alter, with ``?`` for ``differs_params``.
        table: the table whose columns the assignments set (``samples`` or ``contents``).
        totals: the one new value of ``category``, ``label`` or ``disabled`` every changed
            sample gets, when the change moves samples between per-label totals that way.
    """

    kind: str
    detail: dict
    assignments: str
    params: list = field(default_factory=list)
    differs: str = "1"
    differs_params: list = field(default_factory=list)
    table: str = "samples"
    totals: Optional[dict] = None


def column_change(change: Change) -> ColumnChange:
    """The SQL of a change that only rewrites columns (not content, not deletes).

    Raises:
        InvalidEditError: the change cannot be applied as asked.
    """
    if isinstance(change, SetLabel):
        label = checked_label(change.label)
        return ColumnChange(
            "label",
            {"label": label},
            "label = ?, structured_labels = NULL",
            [label],
            "label IS NOT ? OR structured_labels IS NOT NULL",
            [label],
            totals={"label": label},
        )
    if isinstance(change, Move):
        category = checked_category(change.category)
        return ColumnChange(
            "move",
            {"category": category},
            "category = ?",
            [category],
            "category IS NOT ?",
            [category],
            totals={"category": category},
        )
    if isinstance(change, Rename):
        name = checked_name(change.filename)
        return ColumnChange(
            "rename", {"filename": name}, "filename = ?", [name], "filename IS NOT ?", [name]
        )
    if isinstance(change, SetMetadata):
        return _metadata(change)
    if isinstance(change, RemoveMetadata):
        if change.key is None:
            return ColumnChange("metadata-clear", {}, "metadata = NULL", [], "metadata IS NOT NULL")
        removed = json.dumps({change.key: None})
        new = "nullif(json_patch(metadata, ?), '{}')"
        return ColumnChange(
            "metadata-remove",
            {"key": change.key},
            f"metadata = {new}",
            [removed],
            f"metadata IS NOT NULL AND json(metadata) IS NOT {new}",
            [removed],
        )
    if isinstance(change, SetEnabled):
        flag = 0 if change.enabled else 1
        kind = "enable" if change.enabled else "disable"
        return ColumnChange(
            kind, {}, "disabled = ?", [flag], "disabled != ?", [flag], totals={"disabled": flag}
        )
    if isinstance(change, SetBoundingBoxes):
        try:
            boxes = normalize_bounding_boxes(change.boxes)
        except (LabelError, ValueError) as exc:
            raise InvalidEditError(str(exc)) from None
        text = None if boxes is None else json.dumps(boxes)
        return ColumnChange(
            "bounding-boxes",
            {},
            "bounding_boxes = ?",
            [text],
            "bounding_boxes IS NOT ?",
            [text],
            table="contents",
        )
    if isinstance(change, RelabelBoxes):
        return _relabel_boxes(change)
    raise InvalidEditError(f"{type(change).__name__} is not a change of columns")


def _relabel_boxes(change: RelabelBoxes) -> ColumnChange:
    if not change.old_labels:
        raise InvalidEditError("Name at least one box label to change")
    new = checked_label(change.new_label) if change.new_label else ""
    old = list(change.old_labels)
    marks = ",".join("?" * len(old))
    label = "json_extract(box.value, '$.label')"
    boxes = (
        "(SELECT nullif(json_group_array(json(CASE WHEN"
        f" {label} IN ({marks}) THEN json_set(box.value, '$.label', ?) ELSE box.value END)),"
        f" '[]') FROM json_each(bounding_boxes) AS box WHERE ? != '' OR {label} NOT IN ({marks}))"
    )
    return ColumnChange(
        "bounding-boxes",
        {"old": old, "new": new},
        f"bounding_boxes = {boxes}",
        [*old, new, new, *old],
        f"EXISTS (SELECT 1 FROM json_each(bounding_boxes) AS box WHERE {label} IN ({marks}))",
        old,
        table="contents",
    )


def _metadata(change: SetMetadata) -> ColumnChange:
    try:
        metadata = normalize_metadata(change.metadata)
    except (LabelError, ValueError) as exc:
        raise InvalidEditError(str(exc)) from None
    text = None if not metadata else json.dumps(metadata)
    if change.replace:
        return ColumnChange(
            "metadata",
            {"metadata": metadata or {}},
            "metadata = ?",
            [text],
            "metadata IS NULL AND ? IS NOT NULL OR json(metadata) IS NOT json(?)",
            [text, text],
        )
    if text is None:
        return ColumnChange("metadata-add", {"metadata": {}}, "metadata = metadata", [], "0")
    new = "json_patch(coalesce(metadata, '{}'), ?)"
    return ColumnChange(
        "metadata-add",
        {"metadata": metadata},
        f"metadata = {new}",
        [text],
        f"metadata IS NULL OR json(metadata) IS NOT {new}",
        [text],
    )


def checked_label(label: str) -> str:
    """A label as stored, or :class:`InvalidEditError` (empty, control characters…)."""
    try:
        label = normalize_label(str(label))
    except LabelError as exc:
        raise InvalidEditError(str(exc)) from None
    if not label.strip():
        raise InvalidEditError("A label cannot be empty")
    return label


def checked_category(category: str) -> str:
    """A category samples can be moved to, or :class:`InvalidEditError`."""
    if category not in naming.CATEGORIES:
        raise InvalidEditError(
            f"Unknown category {category!r}; expected one of {', '.join(naming.CATEGORIES)}"
        )
    return category


def checked_name(name: str) -> str:
    """A sample name, or :class:`InvalidEditError` (empty, a path, control characters)."""
    name = str(name).strip()
    if not name:
        raise InvalidEditError("A sample name cannot be empty")
    if "/" in name or "\\" in name:
        raise InvalidEditError(f"A sample name cannot contain a slash: {name!r}")
    try:
        normalize_label(name)
    except LabelError as exc:
        raise InvalidEditError(str(exc).replace("label", "name")) from None
    return name
