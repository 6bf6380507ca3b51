"""The edit side of a push: samples already on the remote whose attributes changed since the
last sync, conflicts, and remote samples deleted here.

A sample on both sides is compared through three :func:`~ei_desktop.core.sync_state.fingerprint`
values: the local one, the remote one and the one both agreed on after the last sync
(``synced_fp`` of the push state). Only the local side moved: a :class:`Change` carries the
local attributes to the remote with the backend's edit operations (batched by value where the
remote offers batches). Only the remote moved: it is counted for ``pull``. Both moved, to
different values: a :class:`Conflict`, left alone unless the user chose a side.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Optional

from ei_desktop.core import formats
from ei_desktop.core.backends.base import (
    Backend,
    BackendError,
    InvalidApiKey,
    SampleQuery,
    SampleRecord,
    UploadItem,
)
from ei_desktop.core.edits import (
    Delete,
    InvalidEditError,
    Move,
    RemoveMetadata,
    Rename,
    SetBoundingBoxes,
    SetEnabled,
    SetLabel,
    SetMetadata,
    SetStructuredLabels,
)
from ei_desktop.core.sync_state import Pushed, attributes, fingerprint
from ei_desktop.ops.batches import sample_name

#: remote ids per batch request (an edit or a delete)
IDS_PER_BATCH = 500
#: why a conflict without a choice is left alone
CONFLICT_REASON = "Changed both here and on the remote since the last sync: choose which to keep"
#: the kinds of change, in the order they are sent, as the plan counts them
KINDS = (
    "rename",
    "move",
    "relabel",
    "label segments",
    "metadata",
    "bounding boxes",
    "disable",
    "enable",
)


@dataclass
class Change:
    """A sample changed here since the last sync and not on the remote: its local attributes
    are sent.

    Attributes:
        local: the local sample.
        remote: the remote sample as it is now.
        remote_id: its id on the remote.
        kinds: what is sent, among :data:`KINDS`.
    """

    local: SampleRecord
    remote: SampleRecord
    remote_id: int
    kinds: list[str] = field(default_factory=list)


@dataclass
class Conflict:
    """A sample changed both here and on the remote since the last sync, differently.

    Attributes:
        local: the local sample.
        remote: the remote sample as it is now.
        remote_id: its id on the remote.
        sha256: its content hash (what ``keep`` choices are keyed by).
        fields: the attributes that differ (``name``, ``label``, ``category``, ``metadata``,
            ``boxes``, ``segments``, ``enabled``).
    """

    local: SampleRecord
    remote: SampleRecord
    remote_id: int
    sha256: str
    fields: list[str] = field(default_factory=list)


def compare(record: SampleRecord, there: SampleRecord, row: Pushed) -> str:
    """How the local ``record`` and the remote ``there`` stand since the last sync: ``same``,
    ``local`` (changed here only, or a push carrying it was interrupted), ``remote`` (changed
    there only, or a pull taking it was interrupted) or ``both``. A row whose agreed
    fingerprint is unknown takes the remote's.
    """
    here, remote = fingerprint(record), fingerprint(there)
    if here == remote:
        return "same"
    if row.changing_fp == here:  # a push was carrying it: the remote may be half way there
        return "local"
    if row.changing_fp == remote:  # a pull was taking it: this side may be half way there
        return "remote"
    agreed = row.synced_fp or remote
    if here == agreed:
        return "remote"
    if remote == agreed:
        return "local"
    return "both"


def differing(one: SampleRecord, other: SampleRecord) -> list[str]:
    """The attribute names (as :func:`~ei_desktop.core.sync_state.attributes` has them) whose
    values differ between ``one`` and ``other``.
    """
    a, b = attributes(one), attributes(other)
    return [name for name in a if a[name] != b[name]]


def operations(target: SampleRecord, current: SampleRecord) -> list[tuple[str, Any]]:
    """The edits (kind, change) that give the sample ``current`` the attributes of
    ``target``, in the order they are sent.

    Raises:
        InvalidEditError: ``target`` has neither a label nor label segments, which a remote
            sample cannot be given.
    """
    want, have = attributes(target), attributes(current)
    steps: list[tuple[str, Any]] = []
    if want["name"] != have["name"]:
        steps.append(("rename", Rename(target.filename)))
    if want["category"] != have["category"]:
        steps.append(("move", Move(target.category)))
    if want["segments"] is not None:
        if want["segments"] != have["segments"]:
            labels = [dict(s) for s in target.structured_labels or []]
            steps.append(("label segments", SetStructuredLabels(labels)))
    elif want["label"] != have["label"] or have["segments"] is not None:
        if not target.label:
            raise InvalidEditError("It has no label, and a label cannot be taken away")
        steps.append(("relabel", SetLabel(target.label)))
    if want["metadata"] != have["metadata"]:
        metadata = dict(target.metadata or {})
        steps.append(("metadata", SetMetadata(metadata) if metadata else RemoveMetadata()))
    if want["boxes"] != have["boxes"]:
        boxes = [dict(b) for b in target.bounding_boxes or []]
        steps.append(("bounding boxes", SetBoundingBoxes(boxes)))
    if want["enabled"] != have["enabled"]:
        steps.append(("enable" if want["enabled"] else "disable", SetEnabled(want["enabled"])))
    return steps


def kinds_of(target: SampleRecord, current: SampleRecord) -> list[str]:
    """The kinds of :func:`operations` (``["relabel"]`` for a sample that cannot be
    labelled, whose failure the push reports).
    """
    try:
        return [kind for kind, _ in operations(target, current)]
    except InvalidEditError:
        return ["relabel"]


def selection(ids: Sequence[int]) -> SampleQuery:
    """The query selecting exactly ``ids``, enabled or not, bounded by id too (a remote whose
    listing ignores ``ids``, as Edge Impulse's does, then lists only that range).
    """
    ids = sorted(int(i) for i in ids)
    return SampleQuery(ids=tuple(ids), min_id=ids[0], max_id=ids[-1] + 1, include_disabled="both")


def listed(
    backend: Backend, ids: Iterable[int], patiently: Callable[[Callable[[], Any]], Any]
) -> dict[int, SampleRecord]:
    """The records of those of ``ids`` that ``backend`` holds, from one listing of their id
    range (enabled or not), tried again through ``patiently`` over a flaky link.
    """
    wanted = set(int(i) for i in ids)
    if not wanted:
        return {}
    query = SampleQuery(
        sort="id",
        descending=False,
        min_id=min(wanted),
        max_id=max(wanted) + 1,
        include_disabled="both",
    )
    records = patiently(lambda: list(backend.iter_samples(query)))
    return {r.id: r for r in records if r.id in wanted}


@dataclass
class Outcome:
    """What applying the edits of several samples did: per key, the first error (no entry
    when every edit of it succeeded); ``unsent``: keys some edit of which was never sent
    (the push was stopped first; they are in ``errors`` too).
    """

    errors: dict[Any, str] = field(default_factory=dict)
    unsent: set = field(default_factory=set)


def apply_all(
    backend: Backend,
    targets: Sequence[tuple[Any, int, SampleRecord, SampleRecord]],
    send: Callable[[Callable[[], Any]], Any],
    step: Callable[[], None],
    cancelled: Callable[[], bool],
) -> Outcome:
    """Give each sample ``(key, id in backend, target, current)`` the attributes of
    ``target``: the edits of all of them grouped by kind and value, one batch request per
    :data:`IDS_PER_BATCH` ids where the edit takes a batch (per sample otherwise), each
    through ``send`` (which retries over a flaky link). ``step`` is called once per sample
    and edit done or failed. Samples whose edits did not all succeed are in the outcome.
    """
    outcome = Outcome()
    groups: dict[tuple[int, Any], list[tuple[Any, int]]] = {}
    changes: dict[tuple[int, Any], Any] = {}
    for key, sample_id, target, current in targets:
        try:
            steps = operations(target, current)
        except InvalidEditError as exc:
            outcome.errors[key] = str(exc)
            step()
            continue
        for kind, change in steps:
            order = KINDS.index(kind)
            group = (order, _hashable(change)) if _batched(change) else (order, key)
            groups.setdefault(group, []).append((key, sample_id))
            changes[group] = change
    for group in sorted(groups, key=lambda g: (g[0], repr(g[1]))):
        change = changes[group]
        members = groups[group]
        size = IDS_PER_BATCH if _batched(change) else 1
        for start in range(0, len(members), size):
            chunk = members[start : start + size]
            if cancelled():
                for key, _ in chunk:
                    outcome.errors.setdefault(key, "Not sent: the push was stopped")
                    outcome.unsent.add(key)
                continue
            error = _send(backend, [i for _, i in chunk], change, send)
            for key, _ in chunk:
                if error is not None:
                    outcome.errors.setdefault(key, error)
                step()
    return outcome


def delete_all(
    backend: Backend,
    ids: Sequence[int],
    send: Callable[[Callable[[], Any]], Any],
) -> dict[int, str]:
    """Delete the samples ``ids`` from ``backend`` in batches; the error of each id whose
    batch failed.
    """
    errors: dict[int, str] = {}
    for start in range(0, len(ids), IDS_PER_BATCH):
        chunk = list(ids[start : start + IDS_PER_BATCH])
        error = _send(backend, chunk, Delete(), send)
        if error is not None:
            errors.update((i, error) for i in chunk)
    return errors


def _send(
    backend: Backend, ids: list[int], change: Any, send: Callable[[Callable[[], Any]], Any]
) -> Optional[str]:
    try:
        send(lambda: backend.edit(selection(ids), change))
    except InvalidApiKey:
        raise
    except (BackendError, ValueError) as exc:
        return str(exc)
    return None


def _batched(change: Any) -> bool:
    return isinstance(change, (Move, SetLabel, SetMetadata, RemoveMetadata, SetEnabled))


def _hashable(change: Any) -> Any:
    if isinstance(change, SetMetadata):
        return ("metadata", tuple(sorted(change.metadata.items())))
    return change


def record_name(record: SampleRecord) -> str:
    """How push and pull reports name ``record``: its name and id."""
    return sample_name({record.id: record.filename}, record.id)


def upload_item(
    record: SampleRecord, source: Any, key: Any, length: Optional[int] = None
) -> UploadItem:
    """The upload of ``record``'s ``source`` content to the other side, under its name with
    everything a sample carries (label, category, metadata, boxes, label segments).
    """
    ext = formats.extension_of(record.upload_name or "")
    return UploadItem(
        filename=record.filename + ext,
        source=source,
        category=record.category,
        label=record.label,
        metadata=record.metadata or None,
        bounding_boxes=record.bounding_boxes or None,
        structured_labels=record.structured_labels or None,
        key=key,
        length=length,
    )
