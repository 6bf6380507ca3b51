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

from ei_desktop.core.edit_rules import checked, kind_and_detail
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


@dataclass
class ColumnChange:
    """A change as SQL: ``SET {assignments}`` where ``{differs}`` holds.

    Attributes:
        kind: the history entry's kind (see ``edit_rules.describe``).
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
        InvalidEditError: the change cannot be applied as asked (see ``edit_rules.checked``).
    """
    change = checked(change)
    kind, detail = kind_and_detail(change)
    if isinstance(change, SetLabel):
        return ColumnChange(
            kind,
            detail,
            "label = ?, structured_labels = NULL",
            [change.label],
            "label IS NOT ? OR structured_labels IS NOT NULL",
            [change.label],
            totals={"label": change.label},
        )
    if isinstance(change, Move):
        category = change.category
        return ColumnChange(
            kind,
            detail,
            "category = ?",
            [category],
            "category IS NOT ?",
            [category],
            totals={"category": category},
        )
    if isinstance(change, Rename):
        name = change.filename
        return ColumnChange(kind, detail, "filename = ?", [name], "filename IS NOT ?", [name])
    if isinstance(change, SetMetadata):
        return _metadata(change, kind, detail)
    if isinstance(change, RemoveMetadata):
        if change.key is None:
            return ColumnChange(kind, detail, "metadata = NULL", [], "metadata IS NOT NULL")
        removed = json.dumps({change.key: None})
        new = "nullif(json_patch(metadata, ?), '{}')"
        return ColumnChange(
            kind,
            detail,
            f"metadata = {new}",
            [removed],
            f"metadata IS NOT NULL AND json(metadata) IS NOT {new}",
            [removed],
        )
    if isinstance(change, SetEnabled):
        flag = 0 if change.enabled else 1
        return ColumnChange(
            kind, detail, "disabled = ?", [flag], "disabled != ?", [flag], totals={"disabled": flag}
        )
    if isinstance(change, SetBoundingBoxes):
        text = json.dumps(change.boxes) if change.boxes else None
        return ColumnChange(
            kind,
            detail,
            "bounding_boxes = ?",
            [text],
            "bounding_boxes IS NOT ?",
            [text],
            table="contents",
        )
    if isinstance(change, RelabelBoxes):
        return _relabel_boxes(change, kind, detail)
    raise InvalidEditError(f"{type(change).__name__} is not a change of columns")


def _metadata(change: SetMetadata, kind: str, detail: dict) -> ColumnChange:
    metadata = change.metadata
    text = None if not metadata else json.dumps(metadata)
    if change.replace:
        return ColumnChange(
            kind,
            detail,
            "metadata = ?",
            [text],
            "metadata IS NULL AND ? IS NOT NULL OR json(metadata) IS NOT json(?)",
            [text, text],
        )
    if text is None:
        return ColumnChange(kind, detail, "metadata = metadata", [], "0")
    new = "json_patch(coalesce(metadata, '{}'), ?)"
    return ColumnChange(
        kind,
        detail,
        f"metadata = {new}",
        [text],
        f"metadata IS NULL OR json(metadata) IS NOT {new}",
        [text],
    )


def _relabel_boxes(change: RelabelBoxes, kind: str, detail: dict) -> ColumnChange:
    new = change.new_label
    old = list(change.old_labels)
    marks = ",".join("?" * len(old))
    label = "json_extract(box.value, '$.label')"
    boxes = (
        "(SELECT nullif(json_group_array(json(CASE WHEN"
        f" {label} IN ({marks}) THEN json_set(box.value, '$.label', ?) ELSE box.value END)),"
        f" '[]') FROM json_each(bounding_boxes) AS box WHERE ? != '' OR {label} NOT IN ({marks}))"
    )
    return ColumnChange(
        kind,
        detail,
        f"bounding_boxes = {boxes}",
        [*old, new, new, *old],
        f"EXISTS (SELECT 1 FROM json_each(bounding_boxes) AS box WHERE {label} IN ({marks}))",
        old,
        table="contents",
    )
