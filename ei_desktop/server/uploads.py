"""Turn one ingestion request (headers + file parts) into upload items, and results into the
response's ``files`` entries (contract §4).
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, BinaryIO, Optional
from urllib.parse import unquote

from ei_desktop.core import display, naming
from ei_desktop.core.backends.base import UploadItem, UploadResult
from ei_desktop.core.labels import (
    LabelError,
    normalize_bounding_boxes,
    normalize_label,
    normalize_metadata,
    parse_companion,
)
from ei_desktop.server.errors import RequestError
from ei_desktop.server.limits import Limits
from ei_desktop.server.multipart import SPOOL_BYTES, FilePart

_PERCENT_ESCAPE = re.compile(r"%[0-9A-Fa-f]{2}")
_FALSE = {"", "0", "false", "no", "off"}
#: companion types this server applies; other typed ``.labels`` parts are ignored
_COMPANION_TYPES = {"structured-labels", "bounding-box-labels"}
#: parts up to this size are read into memory at once; larger ones are read by the backend
#: when it stores them (so a request of many files never holds all of them in memory)
_IN_MEMORY = SPOOL_BYTES


def decode_text_header(raw: bytes) -> str:
    """A text header such as ``x-label``: UTF-8 (else Latin-1, what the SDK sends), then
    percent-decoded as UTF-8 when it contains ``%XX`` (the CLI's ``encodeURIComponent``);
    a value that does not decode stays as it was (contract §4.1, "Header decoding").
    """
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        text = raw.decode("latin-1")
    if _PERCENT_ESCAPE.search(text):
        try:
            text = unquote(text, errors="strict")
        except UnicodeDecodeError:
            pass
    return text


def _flag(value: Optional[bytes]) -> bool:
    return value is not None and value.decode("latin-1").strip().lower() not in _FALSE


@dataclass
class IngestionHeaders:
    """What the request headers say about every file of the request."""

    category: str
    label: Optional[str] = None
    metadata: Optional[dict] = None
    bounding_boxes: Optional[list] = None
    disallow_duplicates: bool = False
    add_date_id: bool = False

    @classmethod
    def from_headers(
        cls, category: str, raw_headers: Sequence[tuple[bytes, bytes]]
    ) -> IngestionHeaders:
        """Read ``x-label``, ``x-no-label``, ``x-metadata``, ``x-bounding-boxes``,
        ``x-disallow-duplicates`` and ``x-add-date-id``.

        Raises:
            RequestError: 400 for an unknown category, a label with control characters, or
                invalid metadata / boxes JSON.
        """
        try:
            category = naming.check_category(category)
        except ValueError as exc:
            raise RequestError(str(exc)) from None
        headers: dict[bytes, bytes] = {}
        for name, value in raw_headers:
            headers.setdefault(name, value)
        options = cls(category=category)
        if _flag(headers.get(b"x-no-label")):
            options.label = ""
        try:
            if options.label is None and headers.get(b"x-label"):
                options.label = normalize_label(decode_text_header(headers[b"x-label"]))
            if b"x-metadata" in headers:
                metadata = normalize_metadata(decode_text_header_json(headers[b"x-metadata"]))
                options.metadata = metadata or None  # "{}" (sent by the CLI) means none
            if b"x-bounding-boxes" in headers:
                options.bounding_boxes = normalize_bounding_boxes(
                    decode_text_header_json(headers[b"x-bounding-boxes"])
                )
        except LabelError as exc:
            raise RequestError(f"{exc}") from None
        options.disallow_duplicates = _flag(headers.get(b"x-disallow-duplicates"))
        options.add_date_id = _flag(headers.get(b"x-add-date-id"))
        return options


def decode_text_header_json(raw: bytes) -> str:
    """A JSON header's text (``json.dumps`` output is ASCII; tolerate UTF-8)."""
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("latin-1")


def base_name(sent_name: str) -> str:
    r"""The file name without any directory part (``../../x.csv`` → ``x.csv``,
    ``C:\data\x.csv`` → ``x.csv``), like Edge Impulse's multipart reader.

    Raises:
        RequestError: 400 when no name remains (``""``, ``..``, ``/``).
    """
    name = os.path.basename(sent_name.replace("\\", "/")).strip()
    if name in ("", ".", "..") or "\x00" in name:
        raise RequestError(f"A file part has no usable file name ({sent_name!r})")
    return name


def with_date_id(filename: str) -> str:
    """``name.ext`` → ``name.<unique id>.ext`` (header ``x-add-date-id``)."""
    stem, ext = os.path.splitext(filename)
    return f"{stem}.{naming.new_tag()}{ext}"


@dataclass
class _Slot:
    """One entry of the response: a data part, possibly refused before the upload."""

    filename: str
    item: Optional[UploadItem] = None
    error: Optional[str] = None


@dataclass
class UploadPlan:
    """The data parts of a request, in part order, ready for one ``backend.upload`` call."""

    slots: list[_Slot] = field(default_factory=list)
    #: total bytes of the items to upload
    nbytes: int = 0

    @property
    def items(self) -> list[UploadItem]:
        """The items to upload (their ``key`` is their slot index)."""
        return [slot.item for slot in self.slots if slot.item is not None]

    def entries(self, results: Sequence[UploadResult]) -> list[dict[str, Any]]:
        """The response's ``files`` array: one entry per data part, in part order."""
        by_slot = {result.item.key: result for result in results}
        entries = []
        for index, slot in enumerate(self.slots):
            result = by_slot.get(index)
            if result is not None and result.success:
                entries.append(
                    {
                        "success": True,
                        "sampleId": result.sample_id,
                        "fileName": slot.filename,
                        "projectId": result.project_id,
                        "category": result.category,
                    }
                )
                continue
            error = slot.error or (result.error if result is not None else None)
            entries.append(
                {
                    "success": False,
                    "error": error or "The file was not stored",
                    "fileName": slot.filename,
                }
            )
        return entries


def _read_part(part: FilePart) -> bytes | Callable[[], BinaryIO]:
    handle = part.file
    if part.size <= _IN_MEMORY:
        handle.seek(0)
        return handle.read()

    def reopen() -> BinaryIO:
        handle.seek(0)
        return handle

    return reopen


def _load_companion(part: FilePart, name: str) -> Optional[dict]:
    """The parsed JSON of a ``.labels`` part when it is a companion (has a ``type``), else
    ``None`` (an ``info.labels`` or another untyped labels file).
    """
    handle = part.file
    handle.seek(0)
    try:
        doc = json.loads(handle.read())
    except (ValueError, RecursionError) as exc:
        raise RequestError(f"{name} is not valid JSON: {exc}") from None
    if not isinstance(doc, dict) or "type" not in doc:
        return None
    return doc


def plan_parts(parts: Sequence[FilePart], options: IngestionHeaders, limits: Limits) -> UploadPlan:
    """Sort the parts into data files and companion ``.labels`` files, apply the companions
    to the data files they name, and refuse what can be refused without parsing.

    Raises:
        RequestError: 400 for a request without data files, an unusable part name or a
            broken companion file; 413 for more than ``limits.max_files`` data files.
    """
    structured: dict[str, Any] = {}
    boxes: dict[str, Any] = {}
    data_parts: list[tuple[FilePart, str, Optional[str]]] = []
    for part in parts:
        name = base_name(part.sent_name)
        if not name.lower().endswith(naming.LABELS_EXTENSION):
            data_parts.append((part, name, None))
            continue
        doc = _load_companion(part, name)
        if doc is None:
            data_parts.append(
                (
                    part,
                    name,
                    f"{name} is a labels file without a 'type' (an exported dataset's"
                    " info.labels), not a sample: upload the files it lists instead",
                )
            )
            continue
        if doc.get("type") not in _COMPANION_TYPES:
            continue  # label_map.labels, attachments.labels: optional, not supported
        try:
            kind, entries = parse_companion(json.dumps(doc), name)
        except LabelError as exc:
            raise RequestError(str(exc)) from None
        (structured if kind == "structured-labels" else boxes).update(entries)
    if not data_parts:
        raise RequestError(
            "The request has no data files"
            + (" (only companion .labels files)" if parts else "")
            + ": send each file as a 'data' part with a file name"
        )
    if len(data_parts) > limits.max_files:
        raise RequestError(
            f"The request is too large: {len(data_parts)} files (the limit is"
            f" {limits.max_files} files)",
            413,
        )
    plan = UploadPlan()
    for part, name, refused in data_parts:
        filename = with_date_id(name) if options.add_date_id else name
        slot = _Slot(filename)
        plan.slots.append(slot)
        if refused is not None:
            slot.error = refused
            continue
        if part.size > limits.max_file_bytes:
            slot.error = (
                f"The file is too large ({display.size(part.size)}; the limit is"
                f" {display.size(limits.max_file_bytes)})"
            )
            continue
        segments = _lookup(structured, part.sent_name, name)
        file_boxes = _lookup(boxes, part.sent_name, name)
        plan.nbytes += part.size
        slot.item = UploadItem(
            filename=filename,
            source=_read_part(part),
            category=options.category,
            label=options.label,
            metadata=options.metadata,
            bounding_boxes=file_boxes if file_boxes is not None else options.bounding_boxes,
            structured_labels=segments,
            key=len(plan.slots) - 1,
            length=part.size,
        )
    return plan


def _lookup(entries: dict[str, Any], sent_name: str, name: str) -> Any:
    """Companion entries are keyed by the data part's file name exactly as sent."""
    if sent_name in entries:
        return entries[sent_name]
    return entries.get(name)
