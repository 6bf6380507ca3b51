"""Curation over the Studio API: changes, crop, segment, summary, and a session history with
undo and redo, for :class:`~ei_desktop.core.backends.studio.StudioBackend`.

Every change goes to Edge Impulse as its generated client (``edgeimpulse_api``) sends it. One
sample to change: the per-sample endpoint (``POST …/raw-data/{id}/edit-label`` and the like,
``DELETE …/raw-data/{id}``). More: the batch endpoint (``POST …/raw-data/batch/edit-labels``
and the like) with the selection as its query parameters and ``category=all``. A change that
takes several requests (replacing metadata, adding several keys, per-sample boxes) sends the
ids it listed before the first request, so one step cannot change what the next one selects.

Edge Impulse keeps no history a client can undo, so the backend keeps one for the changes
made through it in this session: before a change it lists the selected samples and records
the previous value of each sample the change alters; undo writes those values back. A delete,
crop or segment is final on Edge Impulse, and an upload is not taken back here: they are
recorded (so undo never skips over them) but cannot be undone.

Requests that can be sent twice without harm are retried (labels, categories, metadata,
enabled, names, boxes, segments' labels, delete by id); crop, segment and a delete by filter
are not.
"""

from __future__ import annotations

import getpass
import threading
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any, Optional

from ei_desktop.core import display, naming
from ei_desktop.core.backends.base import (
    BackendError,
    SampleQuery,
    SampleRecord,
    query_for_ids,
)
from ei_desktop.core.backends.studio_query import IDS_PER_REQUEST, by_id_chunks, filter_params
from ei_desktop.core.edit_rules import checked, describe, kind_and_detail
from ei_desktop.core.edits import (
    CannotUndo,
    Change,
    ChangeSet,
    Delete,
    EditResult,
    InvalidEditError,
    LabelTotals,
    Move,
    NothingToUndo,
    RelabelBoxes,
    RemoveMetadata,
    Rename,
    SetBoundingBoxes,
    SetEnabled,
    SetLabel,
    SetMetadata,
    SetStructuredLabels,
    Summary,
)

if TYPE_CHECKING:
    from ei_desktop.core.backends.studio import StudioBackend

#: seconds between polls of a job Edge Impulse started for a batch change, at most
JOB_POLL_MAX = 2.0
#: how long a batch change's job may run before the change is reported as not finished
JOB_TIMEOUT = 30 * 60.0
#: metadata keys and values fetched per request of ``metadata-filter-options``
_OPTIONS_PAGE = 1000
_SERIES_KINDS = ("timeseries", "audio")


# -- the session history -------------------------------------------------------------------


@dataclass
class _Entry:
    """One change made through this backend: what it was and what it replaced."""

    changeset: ChangeSet
    change: Optional[Change]
    #: the samples it changed, as they were before (empty for a final change)
    before: list[SampleRecord]
    #: why it cannot be undone, in words for the user (``None``: it can)
    final: Optional[str] = None
    #: for a change of categories the server decided (a split): the samples after it
    after: Optional[list[SampleRecord]] = None


class Journal:
    """The changes made through one backend object in this session, shared by its views
    (``with_options``); safe to use from any thread.
    """

    def __init__(self) -> None:
        #: held for the whole of a change, undo or redo, so the history keeps their order
        self.lock = threading.RLock()
        self._entries: list[_Entry] = []
        self._redo: list[_Entry] = []
        self._next_id = 1

    def add(
        self,
        what: str,
        samples: int,
        change: Optional[Change],
        before: list[SampleRecord],
        final: Optional[str] = None,
        after: Optional[list[SampleRecord]] = None,
    ) -> _Entry:
        """Record a change (a new change ends what redo could bring back). ``after``: the
        samples' records after a change of categories made by the server (``change`` is
        then ``None``); undo moves ``before`` back, redo moves them as ``after``.
        """
        with self.lock:
            changeset = ChangeSet(self._next_id, datetime.now(timezone.utc), _who(), what, samples)
            self._next_id += 1
            entry = _Entry(changeset, change, before, final, after)
            self._entries.append(entry)
            self._redo.clear()
            return entry

    def history(self, limit: int) -> list[ChangeSet]:
        """The latest ``limit`` changes, newest first."""
        with self.lock:
            return [e.changeset for e in reversed(self._entries)][: max(0, limit)]

    def to_undo(self) -> _Entry:
        """The latest change not undone."""
        for entry in reversed(self._entries):
            if not entry.changeset.undone:
                return entry
        raise NothingToUndo("There is nothing to undo in this session")

    def undone(self, entry: _Entry) -> None:
        """Note that ``entry`` was undone (redo may bring it back)."""
        entry.changeset.undone = True
        self._redo.append(entry)

    def to_redo(self) -> _Entry:
        """The change undone last, while no other change came after."""
        if not self._redo:
            raise NothingToUndo("There is nothing to redo")
        return self._redo[-1]

    def redone(self, entry: _Entry) -> None:
        """Note that ``entry`` was made again."""
        entry.changeset.undone = False
        self._redo.remove(entry)


def final_message(what: str) -> str:
    """Why a change Edge Impulse cannot take back is not undone."""
    return f"{what} on Edge Impulse is final: it cannot be undone"


def record_upload(journal: Journal, uploaded: int) -> None:
    """Put an upload of ``uploaded`` samples in the history (not undoable here)."""
    if uploaded:
        what = f"Upload of {display.plural(uploaded, 'sample')}"
        message = f"{what} is not undone here: delete the samples to take it back"
        journal.add(what, uploaded, None, [], message)


def record_delete(journal: Journal, deleted: int) -> None:
    """Put a delete of ``deleted`` samples by id or category in the history (final)."""
    if deleted:
        what = f"Delete of {display.plural(deleted, 'sample')}"
        journal.add(what, deleted, Delete(), [], final_message(what))


def _who() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError, ImportError):
        return ""


# -- edit ----------------------------------------------------------------------------------


def edit(backend: StudioBackend, journal: Journal, selection: SampleQuery, change) -> EditResult:
    """Apply ``change`` to the samples ``selection`` selects (see ``Backend.edit``).

    Raises:
        InvalidEditError: the change is not valid, or the server refused it before changing
            anything.
        BackendError: the server failed; when it failed after part of the change was made,
            that part is in the history (undo reverts it) and the message says so.
    """
    change = checked(change)
    with journal.lock:
        # a move and a delete need only what the short listing has: id, name, category, label
        records = selected(backend, selection, light=isinstance(change, (Delete, Move)))
        if isinstance(change, (Rename, SetStructuredLabels)) and len(records) > 1:
            raise InvalidEditError(
                f"{'Rename' if isinstance(change, Rename) else 'Set label segments on'} one "
                f"sample at a time ({len(records):,} are selected)"
            )
        changing = [r for r in records if differs(r, change)]
        if not changing:
            return EditResult(len(records), 0)
        what = describe(*kind_and_detail(change), len(changing))
        final = final_message(what) if isinstance(change, Delete) else None
        sent: list[int] = []
        try:
            apply(backend, change, changing, selection, sent)
        except (BackendError, InvalidEditError) as exc:
            if not sent:
                raise
            journal.add(what, len(changing), change, changing, final)
            raise BackendError(
                f"{exc} (the change was partly made; Undo reverts what was done)"
            ) from exc
        finally:
            backend._forget_records()
        entry = journal.add(what, len(changing), change, changing, final)
        return EditResult(len(records), len(changing), entry.changeset.id)


def differs(record: SampleRecord, change: Change) -> bool:
    """True when ``change`` would alter ``record``."""
    if isinstance(change, SetLabel):  # a label replaces label segments
        return record.label != change.label or bool(record.structured_labels)
    if isinstance(change, Move):
        return record.category != change.category
    if isinstance(change, Rename):
        return record.filename != change.filename
    if isinstance(change, SetMetadata):
        return merged(record, change) != (record.metadata or {})
    if isinstance(change, RemoveMetadata):
        metadata = record.metadata or {}
        return bool(metadata) if change.key is None else change.key in metadata
    if isinstance(change, SetEnabled):
        return record.disabled == change.enabled
    if isinstance(change, SetBoundingBoxes):
        return list(record.bounding_boxes or []) != change.boxes
    if isinstance(change, SetStructuredLabels):
        return record.structured_labels != change.labels
    if isinstance(change, RelabelBoxes):  # as a local project counts it
        return any(b.get("label") in change.old_labels for b in record.bounding_boxes or [])
    return True


def relabelled(record: SampleRecord, change: RelabelBoxes) -> list[dict]:
    """The bounding boxes ``record`` has after ``change``."""
    return [
        {**box, "label": change.new_label} if box.get("label") in change.old_labels else box
        for box in record.bounding_boxes or []
        if change.new_label or box.get("label") not in change.old_labels
    ]


def merged(record: SampleRecord, change: SetMetadata) -> dict[str, str]:
    """The metadata ``record`` has after ``change``."""
    if change.replace:
        return dict(change.metadata)
    return {**(record.metadata or {}), **change.metadata}


def selected(
    backend: StudioBackend, query: SampleQuery, *, light: bool = False
) -> list[SampleRecord]:
    """Every sample ``query`` selects, newest first, with the fields an edit reads (see
    :func:`edit_record`; ``light``: id, name, category and label only, where the server can
    leave the rest out).

    The id conditions are also applied here: Edge Impulse's list endpoint, as its client
    describes it, takes no ``ids``/``excludeIds`` (its batch endpoints do).
    """
    if query.ids == ():
        return []
    records: dict[int, SampleRecord] = {}
    for part in by_id_chunks(query):
        mode = "info" if light else "light"
        for record in backend._everything(part, mode=mode, convert=edit_record):
            records[record.id] = record
    wanted = None if query.ids is None else set(query.ids)
    unwanted = set(query.exclude_ids or ())
    kept = [r for i, r in records.items() if (wanted is None or i in wanted) and i not in unwanted]
    return sorted(kept, key=lambda r: r.id, reverse=True)


_NEVER = datetime.fromtimestamp(0, timezone.utc)


def edit_record(sample: dict) -> SampleRecord:
    """A listed sample as an edit reads it: what it compares, sends and restores on undo
    (name, category, label, metadata, boxes, label segments, disabled); the content fields
    (kind, sensors, length, size, date) are left empty, as no edit reads them.
    """
    return SampleRecord(
        id=int(sample["id"]),
        filename=str(sample.get("filename", "")),
        category=str(sample.get("category", "")),
        label=str(sample.get("label") or ""),
        kind="",
        sensors=[],
        interval_ms=0.0,
        values_count=0,
        size=0,
        added=_NEVER,
        metadata=sample.get("metadata"),
        bounding_boxes=list(sample.get("boundingBoxes") or []),
        structured_labels=sample.get("structuredLabels"),
        disabled=bool(sample.get("isDisabled")),
    )


def apply(
    backend: StudioBackend,
    change: Change,
    records: Sequence[SampleRecord],
    selection: Optional[SampleQuery],
    sent: list[int],
) -> None:
    """Send ``change`` for ``records`` (the samples it alters, as they are now).

    One record, or a change with no batch endpoint: the per-sample endpoint of each. Else the
    batch endpoint, with ``selection`` as its filter when the change takes one request and a
    selection is given, otherwise naming the records' ids. ``sent`` gets one entry per
    request that succeeded.
    """
    if isinstance(change, (SetBoundingBoxes, SetStructuredLabels, Rename)) or len(records) == 1:

        def one(index: int) -> None:
            _one(backend, change, records[index])
            sent.append(records[index].id)

        backend._each(one, len(records))
        return
    steps = _batch_steps(change)
    if selection is not None and len(steps) == 1:
        targets = by_id_chunks(selection)
    else:
        targets = _by_ids([r.id for r in records])
    for target in targets:
        for endpoint, body in steps:
            # a delete by filter may select other samples by the time a retry arrives
            _batch(backend, endpoint, target, body, idempotent=not isinstance(change, Delete))
            sent.append(0)


def _batch_steps(change: Change) -> list[tuple[str, Optional[dict]]]:
    """The batch requests (endpoint, body) that make ``change``, in order."""
    if isinstance(change, SetLabel):
        return [("edit-labels", {"label": change.label})]
    if isinstance(change, Move):
        return [("moveSamples", {"newCategory": change.category})]
    if isinstance(change, SetMetadata):
        steps: list[tuple[str, Optional[dict]]] = []
        if change.replace:
            steps.append(("clear-metadata", None))
        for key, value in change.metadata.items():  # one request per key
            steps.append(("add-metadata", {"metadataKey": key, "metadataValue": value}))
        return steps
    if isinstance(change, RemoveMetadata):
        if change.key is None:
            return [("clear-metadata", None)]
        return [("clear-metadata-by-key", {"metadataKey": change.key})]
    if isinstance(change, SetEnabled):
        return [("enable-samples" if change.enabled else "disable-samples", None)]
    if isinstance(change, Delete):
        return [("delete", None)]
    if isinstance(change, RelabelBoxes):
        body = {"oldLabels": list(change.old_labels), "newLabel": change.new_label}
        return [("edit-bounding-boxes", body)]
    raise InvalidEditError(f"{type(change).__name__} has no batch endpoint")


def _by_ids(ids: Sequence[int]) -> list[SampleQuery]:
    return [
        query_for_ids(ids[i : i + IDS_PER_REQUEST]) for i in range(0, len(ids), IDS_PER_REQUEST)
    ]


def _one(backend: StudioBackend, change: Change, record: SampleRecord) -> None:
    """``change`` through the per-sample endpoint of ``record``."""
    sample = record.id
    if isinstance(change, SetLabel):
        _post(backend, (sample, "edit-label"), {"label": change.label})
    elif isinstance(change, Move):
        _post(backend, (sample, "move"), {"newCategory": change.category})
    elif isinstance(change, Rename):
        _post(backend, (sample, "rename"), {"name": change.filename})
    elif isinstance(change, SetMetadata):
        _post(backend, (sample, "metadata"), {"metadata": merged(record, change)})
    elif isinstance(change, RemoveMetadata):
        remaining = {} if change.key is None else dict(record.metadata or {})
        remaining.pop(change.key, None)
        _post(backend, (sample, "metadata"), {"metadata": remaining})
    elif isinstance(change, SetEnabled):
        _post(backend, (sample, "enable" if change.enabled else "disable"), None)
    elif isinstance(change, SetBoundingBoxes):
        _post(backend, (sample, "bounding-boxes"), {"boundingBoxes": change.boxes})
    elif isinstance(change, RelabelBoxes):
        _post(backend, (sample, "bounding-boxes"), {"boundingBoxes": relabelled(record, change)})
    elif isinstance(change, SetStructuredLabels):
        _post(backend, (sample, "structured-labels"), {"structuredLabels": change.labels})
    elif isinstance(change, Delete):
        call(backend, "DELETE", backend._raw(sample), idempotent=True)


def _post(backend: StudioBackend, parts: tuple, body: Optional[dict]) -> Optional[dict]:
    return call(backend, "POST", backend._raw(*parts), body=body, idempotent=True)


def _batch(
    backend: StudioBackend,
    endpoint: str,
    target: SampleQuery,
    body: Optional[dict],
    *,
    idempotent: bool = True,
) -> None:
    answer = call(
        backend,
        "POST",
        backend._raw("batch", endpoint),
        body=body,
        params=filter_params(target),
        idempotent=idempotent,
    )
    if answer is not None and isinstance(answer.get("id"), int):
        wait_for_job(backend, int(answer["id"]))


def call(
    backend: StudioBackend,
    method: str,
    url: str,
    *,
    body: Optional[dict] = None,
    params: Optional[dict] = None,
    idempotent: bool,
) -> Optional[dict]:
    """One Studio API call of a change; its JSON body, or ``None`` for "No sample found".

    Raises:
        InvalidEditError: the server refused the change (``success: false``, 400, 422).
        BackendError: the server failed or does not offer the endpoint.
    """
    kwargs: dict[str, Any] = {"params": params, "retry_post": idempotent}
    if body is not None:
        kwargs["json"] = body
    response = backend._request(method, url, **kwargs)
    path = url[len(backend.api_endpoint) :]
    error = _error_text(response)
    if response.status_code in (400, 422):
        raise InvalidEditError(error or f"The server refused {path}")
    if response.status_code in (404, 405):
        raise BackendError(
            f"The server does not offer {method} {path.split('?')[0]}"
            + (f" ({error})" if error else "")
        )
    if response.status_code != 200:
        raise BackendError(f"{response.status_code} from {path}: {error or response.reason}")
    try:
        answer = response.json()
    except ValueError as exc:
        raise BackendError(f"{path} did not answer JSON") from exc
    if not isinstance(answer, dict):
        raise BackendError(f"{path} answered {type(answer).__name__}, not an object")
    if not answer.get("success", False):
        text = str(answer.get("error") or f"The server refused {path}")
        if text.startswith("No sample found"):
            return None
        raise InvalidEditError(text)
    return answer


def _error_text(response) -> Optional[str]:
    try:
        body = response.json()
    except ValueError:
        return response.text.strip()[:300] or None
    if isinstance(body, dict):
        error = body.get("error") or body.get("detail")
        if isinstance(error, list):  # a validation error list
            error = "; ".join(
                str(e.get("msg", e)) if isinstance(e, dict) else str(e) for e in error
            )
        return str(error) if error else None
    return None


def wait_for_job(backend: StudioBackend, job_id: int) -> None:
    """Wait for a job Edge Impulse started for a large batch change.

    Raises:
        BackendError: the job failed or did not finish within :data:`JOB_TIMEOUT`.
    """
    url = backend._url("api", backend.project_id(), "jobs", job_id, "status")
    deadline = time.monotonic() + JOB_TIMEOUT
    delay = 0.2
    while time.monotonic() < deadline:
        job = backend._json("GET", url).get("job") or {}
        if job.get("finished"):
            if job.get("finishedSuccessful") is False:
                raise BackendError(f"Edge Impulse's job {job_id} for this change failed")
            return
        time.sleep(delay)
        delay = min(JOB_POLL_MAX, delay * 2)
    raise BackendError(f"Edge Impulse's job {job_id} for this change has not finished yet")


# -- undo and redo -------------------------------------------------------------------------


def undo(backend: StudioBackend, journal: Journal) -> ChangeSet:
    """Revert the latest change of this session not undone (see ``Backend.undo``)."""
    with journal.lock:
        entry = journal.to_undo()
        if entry.final is not None or (entry.change is None and entry.after is None):
            raise CannotUndo(entry.final or f"{entry.changeset.what} cannot be undone")
        try:
            for change, records in inverse(entry.change or Move(""), entry.before):
                apply(backend, change, records, None, [])
        finally:
            backend._forget_records()
        journal.undone(entry)
        return entry.changeset


def redo(backend: StudioBackend, journal: Journal) -> ChangeSet:
    """Make the change undone last again, on the samples it changed (see ``Backend.redo``)."""
    with journal.lock:
        entry = journal.to_redo()
        try:
            if entry.change is not None:
                apply(backend, entry.change, entry.before, None, [])
            else:  # categories the server decided: move each sample as it was moved
                for change, records in inverse(Move(""), entry.after or []):
                    apply(backend, change, records, None, [])
        finally:
            backend._forget_records()
        journal.redone(entry)
        return entry.changeset


def inverse(change: Change, before: list[SampleRecord]) -> list[tuple[Change, list[SampleRecord]]]:
    """Changes that give ``before`` their values back, each with the samples it is for."""
    if isinstance(change, SetEnabled):
        return [(SetEnabled(not change.enabled), before)]
    if isinstance(change, Rename):
        return [(Rename(r.filename), [r]) for r in before]
    if isinstance(change, (SetBoundingBoxes, RelabelBoxes)):
        return [(SetBoundingBoxes(list(r.bounding_boxes or [])), [r]) for r in before]
    if isinstance(change, (SetLabel, SetStructuredLabels)):
        segmented = [r for r in before if r.structured_labels]
        plain = [r for r in before if not r.structured_labels]
        steps: list[tuple[Change, list[SampleRecord]]] = [
            (SetStructuredLabels(r.structured_labels or []), [r]) for r in segmented
        ]
        return steps + [(SetLabel(label), group) for label, group in _grouped(plain, "label")]
    if isinstance(change, Move):
        return [(Move(category), group) for category, group in _grouped(before, "category")]
    if isinstance(change, (SetMetadata, RemoveMetadata)):
        return _metadata_inverse(change, before)
    raise CannotUndo(f"{type(change).__name__} cannot be undone")


def _metadata_inverse(
    change: Change, before: list[SampleRecord]
) -> list[tuple[Change, list[SampleRecord]]]:
    """Metadata back as it was, one batch per key and previous value (samples alike share
    requests). A change of some keys restores those keys; one of all keys clears the
    samples, then adds back every key they had. A group of one sample gets its whole
    previous metadata through the per-sample endpoint, whatever the step.
    """
    if isinstance(change, SetMetadata) and not change.replace:
        keys: Optional[list[str]] = list(change.metadata)
    elif isinstance(change, RemoveMetadata) and change.key is not None:
        keys = [change.key]
    else:
        keys = None
    steps: list[tuple[Change, list[SampleRecord]]] = []
    cleared = keys is None
    if keys is None:
        steps.append((RemoveMetadata(None), list(before)))
        keys = sorted({key for r in before for key in (r.metadata or {})})
    for key in keys:
        groups: dict[Optional[str], list[SampleRecord]] = {}
        for record in before:
            groups.setdefault((record.metadata or {}).get(key), []).append(record)
        for value, group in groups.items():
            if value is not None:
                steps.append((SetMetadata({key: value}, replace=False), group))
            elif not cleared:  # the change gave them this key
                steps.append((RemoveMetadata(key), group))
    return steps


def _grouped(records: Iterable[SampleRecord], field: str) -> list[tuple[Any, list[SampleRecord]]]:
    groups: dict[Any, list[SampleRecord]] = {}
    for record in records:
        groups.setdefault(getattr(record, field), []).append(record)
    return list(groups.items())


# -- crop and segment ----------------------------------------------------------------------


def crop(
    backend: StudioBackend, journal: Journal, sample_id: int, start: int, end: int
) -> EditResult:
    """``POST …/raw-data/{id}/crop`` with ``cropStart``/``cropEnd`` (values ``start`` up to
    but not including ``end``); sent once. Final on Edge Impulse: recorded, not undoable.
    """
    with journal.lock:
        record = backend.get_sample(int(sample_id))
        if record is None:
            return EditResult(0, 0)
        _check_series(record, "crop")
        start, end = int(start), int(end)
        if not 0 <= start < end <= record.values_count:
            raise InvalidEditError(
                f"Cannot crop '{record.filename}' to values {start}–{end}: it has "
                f"{record.values_count:,} values (0 <= start < end <= {record.values_count})"
            )
        if (start, end) == (0, record.values_count):
            return EditResult(1, 0)
        try:
            call(
                backend,
                "POST",
                backend._raw(record.id, "crop"),
                body={"cropStart": start, "cropEnd": end},
                idempotent=False,
            )
        finally:
            backend._forget_records()
        what = f"Crop to values {start}–{end}"
        entry = journal.add(what, 1, None, [], final_message(what))
        return EditResult(1, 1, entry.changeset.id)


def segment(
    backend: StudioBackend,
    journal: Journal,
    sample_id: int,
    segments_ms: Sequence[tuple[float, float]],
) -> EditResult:
    """``POST …/raw-data/{id}/segment`` with ``segments: [{startMs, endMs}]``; sent once.

    The new ids come from the answer when the server lists them (``sampleIds``), else from a
    listing of the samples added since, named after the original. Final on Edge Impulse.
    """
    with journal.lock:
        record = backend.get_sample(int(sample_id))
        if record is None:
            return EditResult(0, 0)
        _check_series(record, "split")
        ranges = [(float(a), float(b)) for a, b in segments_ms]
        if not ranges:
            raise InvalidEditError(f"No ranges to split '{record.filename}' into")
        length = record.length_ms
        for start, end in ranges:
            if not 0 <= start < end <= length:
                raise InvalidEditError(
                    f"Cannot cut {start:g}–{end:g} ms out of '{record.filename}': it lasts "
                    f"{length:g} ms"
                )
        newest = backend._newest_id()
        try:
            answer = call(
                backend,
                "POST",
                backend._raw(record.id, "segment"),
                body={
                    "segments": [
                        {"startMs": _whole(start), "endMs": _whole(end)} for start, end in ranges
                    ]
                },
                idempotent=False,
            )
        finally:
            backend._forget_records()
        if answer is None:
            return EditResult(0, 0)
        created = [int(i) for i in answer.get("sampleIds") or answer.get("ids") or []]
        if not created and newest is not None:
            created = _added_since(backend, newest, record.filename)
        what = f"Split into {display.plural(len(ranges), 'segment')}"
        entry = journal.add(what, 1, None, [], final_message(what))
        return EditResult(1, 1, entry.changeset.id, created)


def _check_series(record: SampleRecord, doing: str) -> None:
    if record.kind not in _SERIES_KINDS:
        raise InvalidEditError(
            f"Only time-series and audio samples can be {doing}{'ped' if doing == 'crop' else ''}"
            f"; '{record.filename}' is {'an' if record.kind[0] in 'aeiou' else 'a'} {record.kind}"
        )
    if record.values_count <= 0:
        raise InvalidEditError(f"'{record.filename}' has no values")


def _whole(value: float):
    """Milliseconds as the integer the API declares, when they are whole."""
    return int(value) if float(value).is_integer() else value


def _added_since(backend: StudioBackend, newest: int, filename: str) -> list[int]:
    query = SampleQuery(min_id=newest + 1, include_disabled="both", descending=False)
    return sorted(
        int(s["id"])
        for s in backend._everything(query, mode="info")
        if int(s["id"]) > newest and str(s.get("filename", "")).startswith(filename)
    )


# -- reads ---------------------------------------------------------------------------------


def summary(backend: StudioBackend) -> Summary:
    """Counts and durations per category and label.

    From ``GET …/raw-data/project-metadata`` twice (``includeDisabled=enabled`` for enabled
    counts and durations, ``disabled`` for disabled counts) where the server answers it
    with a class summary of untruncated labels; else from a listing of every sample without
    sensors (~1 request per 1,000 samples, in parallel). ``raw-data/ratio`` has only the
    training/validation/testing counts and the count endpoint no durations.
    """
    if backend._project_metadata_supported is not False:
        enabled = _project_metadata(backend, "enabled")
        disabled = _project_metadata(backend, "disabled") if enabled is not None else None
        if enabled is not None and disabled is not None:
            backend._project_metadata_supported = True
            rows: dict[tuple[str, str], LabelTotals] = {}
            for key, (count, length) in enabled.items():
                rows[key] = LabelTotals(key[0], key[1], count, 0, length)
            for key, (count, _) in disabled.items():
                row = rows.setdefault(key, LabelTotals(key[0], key[1], 0, 0, 0.0))
                row.count += count
                row.disabled += count
            return _sorted_summary(rows)
        backend._project_metadata_supported = False
    return _listed_summary(backend)


def _project_metadata(
    backend: StudioBackend, include_disabled: str
) -> Optional[dict[tuple[str, str], tuple[int, float]]]:
    """``(count, total length in ms)`` per (category, label) from the project's dataset
    summary; ``None`` when the server has none that gives them whole.
    """
    response = backend._request(
        "GET",
        backend._raw("project-metadata"),
        params={"includeDisabled": include_disabled, "truncateLabels": "false"},
    )
    if response.status_code != 200:
        if response.status_code in (400, 404, 405, 422):
            return None
        raise BackendError(
            f"{response.status_code} while reading the dataset summary: "
            f"{_error_text(response) or response.reason}"
        )
    try:
        body = response.json()
    except ValueError:
        return None
    metadata = body.get("metadata") if isinstance(body, dict) else None
    if not body.get("success") or not isinstance(metadata, dict):
        return None
    if metadata.get("type") != "classes":
        return None  # a regression project: labels are numbers grouped into ranges
    totals: dict[tuple[str, str], tuple[int, float]] = {}
    for key, block in metadata.items():
        if key == "all" or not isinstance(block, dict) or "labels" not in block:
            continue
        labels = block.get("labels")
        if not isinstance(labels, list) or len(labels) < int(block.get("fullLabelCount") or 0):
            return None
        category = _SUMMARY_CATEGORIES.get(key, key)
        for item in labels:
            count = int(item.get("dataCount") or 0)
            if count:
                length = float(item.get("totalLength") or 0)
                totals[(category, str(item.get("label") or ""))] = (count, length)
    return totals


#: the keys of Edge Impulse's dataset summary that are not a category's name
_SUMMARY_CATEGORIES = {"postProcessing": "post-processing"}


def _listed_summary(backend: StudioBackend) -> Summary:
    rows: dict[tuple[str, str], LabelTotals] = {}
    query = SampleQuery(include_disabled="both")
    for sample in backend._everything(query, mode="light"):
        category = str(sample.get("category") or "")
        label = str(sample.get("label") or "")
        row = rows.get((category, label))
        if row is None:
            row = rows[(category, label)] = LabelTotals(category, label, 0, 0, 0.0)
        row.count += 1
        if sample.get("isDisabled"):
            row.disabled += 1
        else:
            row.duration_ms += _duration_ms(sample)
    return _sorted_summary(rows)


def _sorted_summary(rows: dict[tuple[str, str], LabelTotals]) -> Summary:
    return Summary(sorted(rows.values(), key=lambda r: (_category_order(r.category), r.label)))


def _category_order(category: str) -> tuple[int, str]:
    if category in naming.CATEGORIES:
        return (naming.CATEGORIES.index(category), "")
    return (len(naming.CATEGORIES), category)


def _duration_ms(sample: dict) -> float:
    if sample.get("chartType") in ("image", "video", "table"):
        return 0.0
    total = sample.get("totalLengthMs")
    if isinstance(total, (int, float)):
        return float(total)
    return float(sample.get("intervalMs") or 0) * int(sample.get("valuesCount") or 0)


def metadata_values(backend: StudioBackend) -> dict[str, list[str]]:
    """Every metadata key with its distinct values, sorted: from ``GET …/raw-data/
    metadata-filter-options`` (paged), or, where the server does not offer it, from a listing
    of every sample.
    """
    if backend._filter_options_supported is not False:
        options = _filter_options(backend)
        if options is not None:
            return options
    values: dict[str, set[str]] = {}
    for sample in backend._everything(SampleQuery(include_disabled="both"), mode="light"):
        for key, value in (sample.get("metadata") or {}).items():
            values.setdefault(str(key), set()).add(str(value))
    return {key: sorted(values[key]) for key in sorted(values)}


def counts_by_label(
    backend: StudioBackend,
) -> Optional[tuple[dict[tuple[str, str], int], dict[str, int]]]:
    """Samples per (category, label), a sample under each of its labels, and per category,
    from the ei-desktop extension ``GET …/raw-data/label-counts``; ``None`` where the server
    does not offer it (Edge Impulse reads the path as a sample id and answers no counts).
    """
    response = backend._request("GET", backend._raw("label-counts"))
    if response.status_code >= 500:
        raise BackendError(
            f"{response.status_code} while counting samples: "
            f"{_error_text(response) or response.reason}"
        )
    try:
        body = response.json() if response.status_code == 200 else None
    except ValueError:
        body = None
    ok = isinstance(body, dict) and body.get("success")
    rows, categories = (body.get("labels"), body.get("categories")) if ok else (None, None)
    if not isinstance(rows, list) or not isinstance(categories, dict):
        backend._label_counts_supported = False
        return None
    backend._label_counts_supported = True
    labels = {(str(r["category"]), str(r["label"])): int(r["count"]) for r in rows}
    return labels, {str(c): int(n) for c, n in categories.items()}


def _filter_options(backend: StudioBackend) -> Optional[dict[str, list[str]]]:
    values: dict[str, set[str]] = {}
    offset = 0
    while True:
        response = backend._request(
            "GET",
            backend._raw("metadata-filter-options"),
            params={"category": "all", "limit": _OPTIONS_PAGE, "offset": offset},
        )
        if response.status_code in (400, 404, 405, 422) and offset == 0:
            backend._filter_options_supported = False
            return None
        if response.status_code != 200:
            raise BackendError(
                f"{response.status_code} while reading metadata values: "
                f"{_error_text(response) or response.reason}"
            )
        body = response.json()
        if not isinstance(body, dict) or not body.get("success", False):
            backend._filter_options_supported = False
            return None
        backend._filter_options_supported = True
        page = body.get("optionsList") or []
        for item in page:
            values.setdefault(str(item.get("key")), set()).update(
                str(v) for v in item.get("options") or []
            )
        offset += len(page)
        if not page or offset >= int(body.get("totalCount") or 0):
            return {key: sorted(values[key]) for key in sorted(values)}


# -- words ---------------------------------------------------------------------------------
