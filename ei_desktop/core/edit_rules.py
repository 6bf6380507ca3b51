"""The rules every backend applies to a change before making it, and the words its history
entry is written in: one place, so a local project and Edge Impulse refuse the same changes
with the same messages and list them the same way.
"""

from __future__ import annotations

from ei_desktop.core import display, naming
from ei_desktop.core.edits import (
    Change,
    Delete,
    InvalidEditError,
    Move,
    RelabelBoxes,
    RemoveMetadata,
    Rename,
    SetBoundingBoxes,
    SetEnabled,
    SetLabel,
    SetMetadata,
    SetStructuredLabels,
)
from ei_desktop.core.labels import (
    LabelError,
    normalize_bounding_boxes,
    normalize_label,
    normalize_metadata,
)


def checked(change: Change) -> Change:
    """``change`` with its values normalised as they are stored (labels in NFC…).

    Raises:
        InvalidEditError: the change cannot be valid for any sample (an empty label, an
            unknown category, a name with a slash, an empty metadata key…).
    """
    try:
        if isinstance(change, SetLabel):
            return SetLabel(_label(change.label))
        if isinstance(change, Move):
            if change.category not in naming.CATEGORIES:
                raise InvalidEditError(
                    f"Unknown category {change.category!r}; expected one of "
                    + ", ".join(naming.CATEGORIES)
                )
            return change
        if isinstance(change, Rename):
            return Rename(_name(change.filename))
        if isinstance(change, SetMetadata):
            metadata = normalize_metadata(change.metadata) or {}
            if any(not key.strip() for key in metadata):
                raise InvalidEditError("A metadata key cannot be empty")
            return SetMetadata(metadata, change.replace)
        if isinstance(change, RemoveMetadata):
            if change.key is not None and not change.key.strip():
                raise InvalidEditError("A metadata key cannot be empty")
            return change
        if isinstance(change, SetBoundingBoxes):
            return SetBoundingBoxes(normalize_bounding_boxes(change.boxes) or [])
        if isinstance(change, RelabelBoxes):
            if not change.old_labels:
                raise InvalidEditError("Name at least one box label to change")
            new = _label(change.new_label) if change.new_label.strip() else ""
            return RelabelBoxes(change.old_labels, new)
        if isinstance(change, (SetStructuredLabels, SetEnabled, Delete)):
            return change  # segments are checked against each sample's length
    except (LabelError, ValueError) as exc:
        if isinstance(exc, InvalidEditError):
            raise
        raise InvalidEditError(str(exc)) from None
    raise InvalidEditError(f"{type(change).__name__} is not a change a sample can take")


def _label(label: str) -> str:
    label = normalize_label(str(label))
    if not label.strip():
        raise InvalidEditError("A label cannot be empty")
    return label


def _name(name: str) -> str:
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


def kind_and_detail(change: Change) -> tuple[str, dict]:
    """The history entry's kind of a change and what the entry keeps to word it."""
    if isinstance(change, SetLabel):
        return "label", {"label": change.label}
    if isinstance(change, Move):
        return "move", {"category": change.category}
    if isinstance(change, Rename):
        return "rename", {"filename": change.filename}
    if isinstance(change, SetMetadata):
        if change.replace:
            return "metadata", {"metadata": change.metadata}
        return "metadata-add", {"metadata": change.metadata}
    if isinstance(change, RemoveMetadata):
        if change.key is None:
            return "metadata-clear", {}
        return "metadata-remove", {"key": change.key}
    if isinstance(change, SetEnabled):
        return ("enable" if change.enabled else "disable"), {}
    if isinstance(change, SetBoundingBoxes):
        return "bounding-boxes", {}
    if isinstance(change, RelabelBoxes):
        return "bounding-boxes", {"old": list(change.old_labels), "new": change.new_label}
    if isinstance(change, SetStructuredLabels):
        return "structured-labels", {}
    return "delete", {}


def describe(kind: str, detail: dict, samples: int) -> str:
    """A history entry in words: ``Label 'idle' on 50,000 samples``."""
    on = display.plural(samples, "sample")
    texts = {
        "upload": f"Upload of {on}",
        "delete": f"Delete of {on}",
        "label": f"Label {detail.get('label')!r} on {on}",
        "move": f"Move of {on} to {detail.get('category')}",
        "rename": f"Rename to {detail.get('filename')!r}",
        "metadata": f"Metadata set on {on}",
        "metadata-add": f"Metadata {_pairs(detail.get('metadata', {}))} on {on}",
        "metadata-remove": f"Metadata {detail.get('key')!r} removed from {on}",
        "metadata-clear": f"Metadata cleared on {on}",
        "enable": f"Enable {on}",
        "disable": f"Disable {on}",
        "bounding-boxes": _boxes_words(detail, on),
        "structured-labels": f"Label segments set on {on}",
        "crop": f"Crop to values {detail.get('start')}–{detail.get('end')}",
        "segment": f"Split into {display.plural(detail.get('segments', 0), 'segment')}",
        "split": f"Dataset split: {on} moved between training, testing and validation",
    }
    return texts.get(kind, f"{kind} on {on}")


def _boxes_words(detail: dict, on: str) -> str:
    if "new" not in detail:
        return f"Bounding boxes set on {on}"
    old = ", ".join(repr(label) for label in detail.get("old", []))
    if not detail["new"]:
        return f"Boxes labelled {old} removed from {on}"
    return f"Boxes labelled {old} relabelled {detail['new']!r} on {on}"


def _pairs(metadata: dict) -> str:
    return ", ".join(f"{k}={v}" for k, v in metadata.items())
