"""Bounding boxes, structured (multi-) labels, metadata and the ``.labels`` companion files."""

from __future__ import annotations

import json
import unicodedata
from typing import Any, Optional

from ei_desktop.core.naming import LABELS_EXTENSION


class LabelError(ValueError):
    """Labels, boxes or metadata that cannot be stored; ``str(error)`` says why."""


#: Unicode categories refused in labels: controls (NUL, TAB, ESC, DEL, C1 …), unpaired
#: surrogates (undecodable file-name bytes) and the line / paragraph separators.
_REFUSED_CATEGORIES = {"Cc", "Cs", "Zl", "Zp"}
_CONTROL_NAMES = {0: "NUL", 9: "TAB", 10: "line feed", 13: "carriage return", 27: "ESC", 127: "DEL"}


def _describe(char: str) -> str:
    code = ord(char)
    if unicodedata.category(char) == "Cs":
        return f"an unpaired surrogate U+{code:04X} (bytes that are not UTF-8)"
    name = _CONTROL_NAMES.get(code) or unicodedata.name(char, "")
    return f"the control character U+{code:04X}" + (f" {name}" if name else "")


def normalize_label(text: str) -> str:
    """A label in Unicode NFC, so that composed and decomposed "é" are one label.

    Raises:
        LabelError: ``text`` is not a string, or holds a control character (NUL, TAB, line
            feed, ESC, DEL …), a line/paragraph separator or an unpaired surrogate; the
            message names the character and its position.
    """
    if not isinstance(text, str):
        raise LabelError(f"A label must be text, got {type(text).__name__}")
    for position, char in enumerate(text, start=1):
        if unicodedata.category(char) in _REFUSED_CATEGORIES:
            raise LabelError(
                f"The label {text!r} contains {_describe(char)} at character {position};"
                " labels must be printable text"
            )
    return unicodedata.normalize("NFC", text)


def _checked(label: str, where: str) -> str:
    try:
        return normalize_label(label)
    except LabelError as exc:
        raise LabelError(f"{where}: {exc}") from None


def _load_json(value: Any, what: str) -> Any:
    if isinstance(value, (bytes, bytearray)):
        value = value.decode("utf-8", errors="replace")
    if isinstance(value, str):
        try:
            return json.loads(value)
        except (ValueError, RecursionError) as exc:
            raise LabelError(f"{what} is not valid JSON: {exc}") from None
    return value


def _integer(value: Any, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise LabelError(f"{what} must be an integer, got {value!r}")
    if isinstance(value, float):
        if not value.is_integer():
            raise LabelError(f"{what} must be an integer, got {value!r}")
        value = int(value)
    return value


def normalize_metadata(metadata: Any) -> Optional[dict[str, str]]:
    """Metadata as string keys and string values; ``None`` stays ``None``.

    Accepts a dict or its JSON text. Nested values are kept as their JSON text.
    """
    metadata = _load_json(metadata, "Metadata")
    if metadata is None:
        return None
    if not isinstance(metadata, dict):
        raise LabelError(
            f"Metadata must be an object of key/value pairs, got {type(metadata).__name__}"
        )
    normalized = {}
    for key, value in metadata.items():
        if isinstance(value, (dict, list)):
            value = json.dumps(value)
        normalized[str(key)] = "" if value is None else str(value)
    return normalized


def normalize_bounding_boxes(boxes: Any) -> Optional[list[dict]]:
    """Validated boxes ``{"label", "x", "y", "width", "height"}`` with integer geometry.

    Accepts a list or its JSON text; ``None`` stays ``None``.
    """
    boxes = _load_json(boxes, "Bounding boxes")
    if boxes is None:
        return None
    if not isinstance(boxes, list):
        raise LabelError("Bounding boxes must be a list of boxes")
    normalized = []
    for index, box in enumerate(boxes):
        where = f"bounding box {index + 1}"
        if not isinstance(box, dict):
            raise LabelError(f"{where} must be an object, got {box!r}")
        label = box.get("label")
        if not isinstance(label, str) or not label:
            raise LabelError(f"{where} needs a non-empty text 'label'")
        label = _checked(label, where)
        geometry = {}
        for key in ("x", "y", "width", "height"):
            if key not in box:
                raise LabelError(f"{where} is missing '{key}'")
            geometry[key] = _integer(box[key], f"{where} '{key}'")
        if geometry["width"] <= 0 or geometry["height"] <= 0:
            raise LabelError(f"{where} must have a positive width and height")
        if geometry["x"] < 0 or geometry["y"] < 0:
            raise LabelError(f"{where} must not start at a negative position")
        normalized.append({"label": label, **geometry})
    return normalized


def normalize_structured_labels(
    segments: Any, values_count: Optional[int] = None
) -> Optional[list]:
    """Validated multi-label segments over value rows (inclusive indices), kept as given
    except for their labels, which are normalised (:func:`normalize_label`).

    Rules of the Edge Impulse CLI: text label; integer ``startIndex``/``endIndex`` ≥ 0;
    start ≤ end; both below ``values_count``; every row covered, no gaps. ``values_count``
    ``None`` skips the range and coverage checks.
    """
    segments = _load_json(segments, "Structured labels")
    if segments is None:
        return None
    if not isinstance(segments, list) or not segments:
        raise LabelError("Structured labels must be a non-empty list of segments")
    covered_to = -1
    normalized = []
    for index, segment in enumerate(segments):
        where = f"structured label {index + 1}"
        if not isinstance(segment, dict):
            raise LabelError(f"{where} must be an object")
        if not isinstance(segment.get("label"), str):
            raise LabelError(f"{where} needs a text 'label'")
        normalized.append({**segment, "label": _checked(segment["label"], where)})
        start = _integer(segment.get("startIndex"), f"{where} 'startIndex'")
        end = _integer(segment.get("endIndex"), f"{where} 'endIndex'")
        if start < 0 or end < start:
            raise LabelError(f"{where}: startIndex {start} and endIndex {end} are out of order")
        if values_count is not None:
            if end >= values_count:
                raise LabelError(
                    f"{where}: endIndex {end} is past the last row ({values_count - 1})"
                )
            if start > covered_to + 1:
                raise LabelError(
                    f"Structured labels leave rows {covered_to + 1}–{start - 1} unlabeled"
                )
        covered_to = max(covered_to, end)
    if values_count is not None and covered_to < values_count - 1:
        raise LabelError(
            f"Structured labels leave rows {covered_to + 1}–{values_count - 1} unlabeled"
        )
    return normalized


def sample_labels(
    label: str, structured_labels: Optional[list], bounding_boxes: Optional[list]
) -> tuple[str, ...]:
    """The labels a sample is counted and found under (the category tree, the label filter,
    Edge Impulse's ``labels`` list filter), in order of first appearance.

    1. the labels of its structured labels (label segments), if it has any;
    2. else the labels of its bounding boxes, if it has any (an object-detection image
       counts under what its boxes show, as in Studio, not under the label its file name
       gave it);
    3. else its own label (also for an image whose list of boxes is empty).

    Only non-empty text labels of object entries count. The local backend keeps the same
    rule in SQL (``local_schema.derived_labels``); a test holds the two to the same answers.
    """
    for entries in (structured_labels, bounding_boxes):
        found = _entry_labels(entries)
        if found:
            return found
    return (label,)


def _entry_labels(entries: Any) -> tuple[str, ...]:
    if not isinstance(entries, list):
        return ()
    found = (e.get("label") for e in entries if isinstance(e, dict))
    return tuple(dict.fromkeys(lab for lab in found if isinstance(lab, str) and lab))


def summary_label(segments: Optional[list]) -> Optional[str]:
    """The label shown for a multi-label sample: that of its first segment."""
    if segments:
        return str(segments[0].get("label", ""))
    return None


def is_companion(filename: str) -> bool:
    """True for ``.labels`` files, which describe other files instead of being samples."""
    return filename.lower().endswith(LABELS_EXTENSION)


#: the companion files beside data files, and the ``type`` and key each one's JSON uses
BOUNDING_BOXES_FILE = "bounding_boxes.labels"
STRUCTURED_LABELS_FILE = "structured_labels.labels"
_COMPANION_KEYS = {"bounding-box-labels": "boundingBoxes", "structured-labels": "structuredLabels"}
_COMPANION_TYPES = {
    BOUNDING_BOXES_FILE: "bounding-box-labels",
    STRUCTURED_LABELS_FILE: "structured-labels",
}


def companion_bytes(filename: str, entries: dict[str, Any]) -> bytes:
    """The content of companion file ``filename`` (:data:`BOUNDING_BOXES_FILE` or
    :data:`STRUCTURED_LABELS_FILE`) giving ``entries`` (data file name → its boxes or
    segments); :func:`parse_companion` reads it back.
    """
    kind = _COMPANION_TYPES[filename]
    doc = {"version": 1, "type": kind, _COMPANION_KEYS[kind]: entries}
    return json.dumps(doc).encode("utf-8")


def parse_companion(data: bytes, filename: str = "") -> tuple[str, dict[str, Any]]:
    """Read a ``structured_labels.labels`` / ``bounding_boxes.labels`` companion.

    Returns ``(type, {data filename: value})`` where type is ``structured-labels`` or
    ``bounding-box-labels``.
    """
    doc = _load_json(data, filename or "Labels file")
    if not isinstance(doc, dict) or "type" not in doc:
        raise LabelError(
            f"{filename or 'Labels file'} has no 'type'; it is not a companion labels file"
        )
    if doc.get("version") != 1:
        raise LabelError(f"{filename or 'Labels file'}: unsupported version {doc.get('version')!r}")
    kind = doc["type"]
    key = _COMPANION_KEYS.get(kind)
    if key is None:
        raise LabelError(f"{filename or 'Labels file'}: unsupported type {kind!r}")
    entries = doc.get(key)
    if not isinstance(entries, dict):
        raise LabelError(f"{filename or 'Labels file'}: '{key}' must map file names to labels")
    return kind, entries


def read_info_labels(text: str) -> list[dict]:
    """The ``files`` entries of an exported dataset's ``info.labels`` (JSON or NDJSON)."""
    stripped = text.lstrip()
    if stripped.startswith('{"__ndjson"'):
        files = []
        for number, line in enumerate(stripped.splitlines()[1:], start=2):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
            except ValueError as exc:
                raise LabelError(f"info.labels line {number} is not valid JSON: {exc}") from None
            if row.get("__key") == "files":
                files.append(row.get("__item"))
        return files
    try:
        doc = json.loads(text)
    except (ValueError, RecursionError) as exc:
        raise LabelError(f"info.labels is not valid JSON: {exc}") from None
    if not isinstance(doc, dict) or not isinstance(doc.get("files"), list):
        raise LabelError("info.labels has no 'files' list")
    return doc["files"]
