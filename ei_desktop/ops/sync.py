"""Push a local project to a remote one (Edge Impulse, or any ``ei-desktop serve``), exactly
once over a bad link.

:func:`plan_push` compares the selected local samples with what the project's push state
(:class:`~ei_desktop.core.sync_state.SyncState`) says the remote holds; :func:`push` sends the
difference and returns a :class:`PushReport`.

Why a sample is never stored twice on the remote, whatever interrupts a push:

- every upload is sent with the remote's duplicate refusal on (``x-disallow-duplicates``):
  content the remote already holds is refused, never stored again. This alone bounds every
  content to one copy, even for a retry of an upload whose answer was lost;
- before a sample's bytes leave, the state records "sending sha X" (committed to disk); as
  the remote's answers arrive it records "sha X is remote id N" (and it takes "sending" back
  for what a stopped upload never sent). A crash in between leaves "sending": the next push
  sends it again, and a duplicate refusal of content we had sent before is the success of
  that earlier attempt (its id is taken from the refusal, else found by hash);
- samples recorded as on the remote are never sent again, so a second push sends nothing.

Content, name, label, category, metadata, bounding boxes and structured labels travel with
the upload; the enabled state is set after it (a sample disabled locally is disabled on the
remote, and recorded so).

Later edits travel too (:mod:`ei_desktop.ops.sync_edits`): the state keeps, per sample, the
fingerprint of the attributes both sides agreed on after the last sync. A sample changed here
only is given its local attributes on the remote; one changed on the remote only is left for
``pull``; one changed on both sides is a conflict, resolved only by the user's choice. With
``delete``, remote samples pushed from here and since deleted here are deleted there (never
one the state does not record as ours). A remote sample deleted on the remote but still here
is sent again: a push makes the remote match the local project.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from types import MappingProxyType
from typing import Literal, Optional, TypeVar

from ei_desktop.core.backends.base import (
    Backend,
    BackendError,
    InvalidApiKey,
    SampleQuery,
    SampleRecord,
    ServerUnreachable,
    UploadItem,
    UploadResult,
    query_for_ids,
)
from ei_desktop.core.edits import SetEnabled
from ei_desktop.core.progress import (
    CancelToken,
    Progress,
    ProgressCallback,
    Tracker,
    is_cancelled,
)
from ei_desktop.core.sync_state import Pushed, SyncState, SyncStateError, fingerprint
from ei_desktop.ops import sync_edits
from ei_desktop.ops.report import ItemReport, Report, Status
from ei_desktop.ops.sync_edits import CONFLICT_REASON, Change, Conflict, upload_item
from ei_desktop.ops.sync_edits import record_name as _name

T = TypeVar("T")

#: samples whose "sending" state is written in one transaction before they are sent
CHUNK = 200
#: remote ids per enable/disable request
IDS_PER_CHANGE = 500
#: how long a remote that stopped answering may stay unreachable before the push gives up
LINK_GRACE = 60.0
#: stored samples recorded in the state together (at least every half second)
RECORD_EVERY = 10
#: rounds of sending: the uploads that failed in one are sent again in the next
SEND_ROUNDS = 2


def remote_name(remote: Backend) -> str:
    """How the push state names ``remote``: its address and project id (never its key)."""
    return f"{remote.description}#{remote.project_id()}"


@dataclass
class PushPlan:
    """What a push would do.

    Attributes:
        remote: the remote's name in the push state (:func:`remote_name`).
        send: the samples to upload (one per content), in id order.
        attempts: for samples of ``send`` that an earlier push started sending, how many
            times they were sent.
        change: samples on the remote changed here since the last sync (not there): their
            local attributes are sent.
        conflicts: samples changed both here and on the remote since the last sync.
        remote_changed: samples changed on the remote only (local, remote): ``pull``'s job.
        delete: ``(sha256, remote id, remote record)`` of samples pushed from here, deleted
            here since, still on the remote (deleted there only with ``deleting``).
        deleting: whether the push deletes ``delete`` from the remote (``--delete``).
        resend: samples of ``send`` pushed before and since deleted on the remote: a push
            makes the remote match, so they are sent again.
        gone: content hashes pushed from here, deleted on both sides: forgotten.
        agreed: ``(sha256, fingerprint)`` of samples equal on both sides whose agreed
            fingerprint the state does not have yet (recorded by a push, not by a dry run).
        present: selected samples already on the remote as they are.
        same_content: selected samples whose content another selected sample (the id given)
            carries; the remote keeps one copy of a content.
    """

    remote: str
    send: list[SampleRecord] = field(default_factory=list)
    attempts: dict[str, int] = field(default_factory=dict)
    change: list[Change] = field(default_factory=list)
    conflicts: list[Conflict] = field(default_factory=list)
    remote_changed: list[tuple[SampleRecord, SampleRecord]] = field(default_factory=list)
    delete: list[tuple[str, int, SampleRecord]] = field(default_factory=list)
    deleting: bool = False
    resend: list[SampleRecord] = field(default_factory=list)
    gone: list[str] = field(default_factory=list)
    agreed: list[tuple[str, str]] = field(default_factory=list)
    present: int = 0
    same_content: list[tuple[SampleRecord, int]] = field(default_factory=list)

    @property
    def resumed(self) -> int:
        """Samples of ``send`` an interrupted push had started sending."""
        return sum(1 for r in self.send if r.sha256 in self.attempts)

    @property
    def empty(self) -> bool:
        """True when the remote already holds the selection as it is here: nothing to send,
        change, delete (when deleting) or decide.
        """
        return not (self.send or self.change or self.conflicts or (self.deleting and self.delete))

    @property
    def disable(self) -> list[tuple[SampleRecord, int]]:
        """Samples of ``change`` disabled here and not on the remote, with their remote ids."""
        return [(c.local, c.remote_id) for c in self.change if "disable" in c.kinds]

    @property
    def enable(self) -> list[tuple[SampleRecord, int]]:
        """Samples of ``change`` enabled here and not on the remote, with their remote ids."""
        return [(c.local, c.remote_id) for c in self.change if "enable" in c.kinds]

    def kinds(self) -> dict[str, int]:
        """How many samples of ``change`` get each kind of edit (:data:`sync_edits.KINDS`)."""
        counts = dict.fromkeys(sync_edits.KINDS, 0)
        for change in self.change:
            for kind in change.kinds:
                counts[kind] += 1
        return {kind: n for kind, n in counts.items() if n}


@dataclass
class PushReport(Report):
    """A push's outcome: the :class:`Report` items plus what kind of success each was.

    Attributes:
        sent: samples uploaded and stored by this push.
        recovered: samples an interrupted earlier push had stored (recognised by the remote's
            duplicate refusal of what we had sent).
        found: samples whose content was already on the remote before any push of this
            project to it sent it (someone else put it there, or it was reached by another
            address).
        disabled, enabled: remote samples whose enabled state was set.
        edited: remote samples given their local attributes (enabling and disabling alone
            included).
        kept_remote: local samples given the remote's attributes (conflicts resolved so).
        conflicts: conflicts left alone (no choice was made): failed items.
        deleted: remote samples deleted because they were deleted here.
        unsent: samples to upload that were never sent (the push was stopped first).
    """

    sent: int = 0
    recovered: int = 0
    found: int = 0
    disabled: int = 0
    enabled: int = 0
    edited: int = 0
    kept_remote: int = 0
    conflicts: int = 0
    deleted: int = 0
    unsent: int = 0


def plan_push(
    local: Backend,
    remote: Backend,
    state: Optional[SyncState],
    query: SampleQuery,
    *,
    delete: bool = False,
    cancel: Optional[CancelToken] = None,
) -> PushPlan:
    """What pushing the samples ``query`` selects in ``local`` to ``remote`` would do
    (``delete``: also delete from the remote what was pushed from here and deleted here).

    ``state`` ``None`` means nothing was ever pushed (a dry run of a project without state).
    The remote is asked for its project id and, when something was pushed before, for one
    listing of the id range of what was pushed (patiently, over a flaky link).

    Raises:
        BackendError: either project cannot be read.
    """
    plan = PushPlan(patiently(lambda: remote_name(remote), cancel), deleting=delete)
    records: list[SampleRecord] = []
    first: dict[str, int] = {}
    for record in local.iter_samples(replace(query, sort="id", descending=False)):
        if record.sha256 in first:
            plan.same_content.append((record, first[record.sha256]))
            continue
        first[record.sha256] = record.id
        records.append(record)
    rows = state.rows(plan.remote) if state is not None else {}
    ours = {sha: row for sha, row in rows.items() if _on_remote(row)}
    deleted_here: dict[str, Pushed] = {}
    if ours:
        everything = replace(SampleQuery(include_disabled="both"), sort="id", descending=False)
        here = first.keys() | {r.sha256 for r in local.iter_samples(everything)}
        deleted_here = {sha: row for sha, row in ours.items() if sha not in here}
    wanted = [ours[sha].remote_id for sha in first if sha in ours]
    wanted += [row.remote_id for row in deleted_here.values()]
    there = sync_edits.listed(remote, wanted, lambda call: patiently(call, cancel))
    for record in records:
        row = rows.get(record.sha256)
        if row is None or row.state == "sending":
            plan.send.append(record)
            if row is not None:
                plan.attempts[record.sha256] = row.attempts
        elif not _on_remote(row):
            plan.present += 1  # stored, its id unknown: nothing more can be done with it
        else:
            _compare(plan, record, row, _same_sample(there.get(row.remote_id), record.sha256))
    for sha, row in deleted_here.items():
        remote_record = _same_sample(there.get(row.remote_id), sha)
        if remote_record is None:
            plan.gone.append(sha)
        else:
            plan.delete.append((sha, remote_record.id, remote_record))
    return plan


def _on_remote(row: Pushed) -> bool:
    return row.state == "remote" and row.remote_id is not None


def _same_sample(record: Optional[SampleRecord], sha256: str) -> Optional[SampleRecord]:
    """``record`` when it is the sample of content ``sha256`` (a remote that does not say
    its samples' hashes is trusted on the id).
    """
    if record is None or (record.sha256 and record.sha256 != sha256):
        return None
    return record


def _compare(
    plan: PushPlan, record: SampleRecord, row: Pushed, there: Optional[SampleRecord]
) -> None:
    """Put a local sample the state has on the remote where it belongs in ``plan``."""
    if there is None:  # deleted on the remote: a push makes the remote match, so send it
        plan.send.append(record)
        plan.resend.append(record)
        return
    how = sync_edits.compare(record, there, row)
    if how == "same":
        plan.present += 1
        if row.synced_fp != fingerprint(record) or row.changing_fp is not None:
            plan.agreed.append((record.sha256, fingerprint(record)))
    elif how == "local":
        kinds = sync_edits.kinds_of(record, there)
        plan.change.append(Change(record, there, there.id, kinds))
    elif how == "remote":
        plan.remote_changed.append((record, there))
    else:
        fields = sync_edits.differing(record, there)
        plan.conflicts.append(Conflict(record, there, there.id, record.sha256, fields))


def push(
    local: Backend,
    remote: Backend,
    state: SyncState,
    plan: PushPlan,
    *,
    keep: Mapping[str, Literal["local", "remote"]] = MappingProxyType({}),
    progress: Optional[ProgressCallback] = None,
    cancel: Optional[CancelToken] = None,
) -> PushReport:
    """Carry out ``plan``: upload its samples (then disable those disabled here), send the
    local attributes of the changed samples, resolve the conflicts ``keep`` chooses a side
    for (keyed by content hash: ``local`` sends the local attributes, ``remote`` gives the
    local sample the remote's), and delete what ``plan`` deletes.

    Never raises for one sample: uploads that failed are sent once more at the end (a flaky
    link fails some); a remote that stays unreachable for :data:`LINK_GRACE` seconds ends the
    push with ``stopped_by``. A conflict without a choice is a failed item. When ``cancel`` is
    triggered no new request starts; what is in flight finishes and is recorded.

    Raises:
        InvalidApiKey: the remote refused the key.
        SyncStateError: the push state cannot be written.
    """
    settle(state, plan)
    keep_local = [c for c in plan.conflicts if keep.get(c.sha256) == "local"]
    keep_remote = [c for c in plan.conflicts if keep.get(c.sha256) == "remote"]
    undecided = [c for c in plan.conflicts if keep.get(c.sha256) not in ("local", "remote")]
    deleting = plan.delete if plan.deleting else []
    disabled_new = sum(1 for r in plan.send if r.disabled)
    edits = len(plan.change) + len(keep_local) + len(keep_remote)
    steps = len(plan.send) + disabled_new + edits + len(deleting)
    report = PushReport("Push", "pushed", total=steps + len(plan.same_content) + len(undecided))
    tracker = Tracker(progress, steps)
    for record, kept in plan.same_content:
        reason = f"Same content as local sample {kept}: the remote keeps one copy"
        report.add(ItemReport(_name(record), Status.SKIPPED, reason, sample_id=record.id))
    for conflict in undecided:
        item = ItemReport(
            _name(conflict.local), Status.FAILED, CONFLICT_REASON, sample_id=conflict.local.id
        )
        report.add(item)
        report.conflicts += 1
    outcomes = _send_all(local, remote, state, plan, report, tracker, cancel)
    to_disable: list[tuple[SampleRecord, int]] = []
    for record in plan.send:
        outcome = outcomes.get(record.id)
        if outcome is None:
            report.unsent += 1
            continue
        report.add(outcome.item)
        for name in ("sent", "recovered", "found"):
            if outcome.kind == name:
                setattr(report, name, getattr(report, name) + 1)
        if record.disabled and outcome.failed:
            report.total -= 1  # its disable step will not come: it is not on the remote
        elif record.disabled:
            if outcome.remote_id is None:
                reason = "Its id on the remote is unknown, so it could not be disabled there"
                report.add(ItemReport(_name(record), Status.FAILED, reason, sample_id=record.id))
            else:
                to_disable.append((record, outcome.remote_id))
    if report.stopped_by is None:
        sent = [r for r in plan.send if outcomes.get(r.id, _NONE).kind == "sent"]
        uploaded = frozenset(r.sha256 for r in sent)
        _set_enabled(
            remote, state, plan.remote, to_disable, False, report, tracker, cancel, uploaded
        )
    if report.stopped_by is None:
        changes = list(plan.change)
        changes += [Change(c.local, c.remote, c.remote_id) for c in keep_local]
        _carry(remote, state, plan.remote, changes, report, tracker, cancel)
        _take_remote(local, state, plan.remote, keep_remote, report, tracker, cancel)
        _delete(remote, state, plan.remote, deleting, report, tracker, cancel)
    report.cancelled = is_cancelled(cancel) and report.not_attempted > 0
    return report


def settle(state: SyncState, plan: PushPlan) -> None:
    """Record what ``plan`` found already agreed (samples equal on both sides) and forget
    what is deleted on both sides; all a push with nothing else to do writes.
    """
    if plan.agreed:
        state.set_synced(plan.remote, plan.agreed)
    forget = plan.gone + [r.sha256 for r in plan.resend]
    if forget:  # deleted on the remote: sent again from scratch
        state.forget(plan.remote, forget)


def _send_all(
    local: Backend,
    remote: Backend,
    state: SyncState,
    plan: PushPlan,
    report: PushReport,
    tracker: Tracker,
    cancel: Optional[CancelToken],
) -> dict[int, _Outcome]:
    """Upload the samples of ``plan`` in rounds; how each upload ended, by local id."""
    outcomes: dict[int, _Outcome] = {}
    lookup = _RemoteHashes(remote)
    pending = list(plan.send)
    for _ in range(SEND_ROUNDS):
        for start in range(0, len(pending), CHUNK):
            if is_cancelled(cancel) or report.stopped_by is not None:
                break
            chunk = pending[start : start + CHUNK]
            report.stopped_by = _send_chunk(
                local, remote, state, plan, chunk, outcomes, lookup, tracker, cancel
            )
        pending = [r for r in pending if r.id in outcomes and outcomes[r.id].failed]
        if not pending or is_cancelled(cancel) or report.stopped_by is not None:
            break
    return outcomes


def _carry(
    remote: Backend,
    state: SyncState,
    name: str,
    changes: Sequence[Change],
    report: PushReport,
    tracker: Tracker,
    cancel: Optional[CancelToken],
) -> None:
    """Give the remote samples of ``changes`` their local attributes, recording each sample
    whose edits all succeeded as agreed (and, before any is sent, what they are heading to).
    """
    if not changes:
        return
    agreed = [(c.local.sha256, fingerprint(c.local)) for c in changes]
    state.changing(name, agreed)
    targets = [(c.local.sha256, c.remote_id, c.local, c.remote) for c in changes]
    outcome = _apply(
        remote, state, name, targets, agreed, lambda call: patiently(call, cancel), tracker, cancel
    )
    for change in changes:
        record = change.local
        if record.sha256 in outcome.unsent:
            continue
        error = outcome.errors.get(record.sha256)
        if error is not None:
            reason = f"Could not change it on the remote (ID {change.remote_id}): {error}"
            report.add(ItemReport(_name(record), Status.FAILED, reason, sample_id=record.id))
            continue
        kinds = change.kinds or sync_edits.kinds_of(record, change.remote)
        report.edited += 1
        report.disabled += "disable" in kinds
        report.enabled += "enable" in kinds
        reason = f"Changed on the remote (ID {change.remote_id}): {', '.join(kinds)}"
        report.add(ItemReport(_name(record), Status.DONE, reason, sample_id=record.id))


def _take_remote(
    local: Backend,
    state: SyncState,
    name: str,
    conflicts: Sequence[Conflict],
    report: PushReport,
    tracker: Tracker,
    cancel: Optional[CancelToken],
) -> None:
    """Give the local samples of ``conflicts`` the remote's attributes (local edits, in the
    project's history like any other) and record them as agreed.
    """
    if not conflicts:
        return
    targets = [(c.sha256, c.local.id, c.remote, c.local) for c in conflicts]
    agreed = [(c.sha256, fingerprint(c.remote)) for c in conflicts]
    outcome = _apply(local, state, name, targets, agreed, lambda call: call(), tracker, cancel)
    for conflict in conflicts:
        record = conflict.local
        if conflict.sha256 in outcome.unsent:
            continue
        error = outcome.errors.get(conflict.sha256)
        if error is None:
            report.kept_remote += 1
            reason = f"Took the remote's {', '.join(conflict.fields)}"
            report.add(ItemReport(_name(record), Status.DONE, reason, sample_id=record.id))
        else:
            reason = f"Could not take the remote's version here: {error}"
            report.add(ItemReport(_name(record), Status.FAILED, reason, sample_id=record.id))


def _apply(
    backend: Backend,
    state: SyncState,
    name: str,
    targets: list,
    agreed: list[tuple[str, str]],
    send: Callable,
    tracker: Tracker,
    cancel: Optional[CancelToken],
) -> sync_edits.Outcome:
    """Apply the edits of ``targets`` (:func:`sync_edits.apply_all`) to ``backend``, then
    record as agreed the ``(sha256, fingerprint)`` of ``agreed`` whose edits all succeeded.
    """
    outcome = sync_edits.apply_all(
        backend, targets, send, tracker.step, lambda: is_cancelled(cancel)
    )
    state.set_synced(name, [(sha, fp) for sha, fp in agreed if sha not in outcome.errors])
    return outcome


def _delete(
    remote: Backend,
    state: SyncState,
    name: str,
    targets: Sequence[tuple[str, int, SampleRecord]],
    report: PushReport,
    tracker: Tracker,
    cancel: Optional[CancelToken],
) -> None:
    """Delete from the remote the samples deleted here, then forget them."""
    if not targets or is_cancelled(cancel):
        return
    errors = sync_edits.delete_all(
        remote, [rid for _, rid, _ in targets], lambda call: patiently(call, cancel)
    )
    state.forget(name, [sha for sha, rid, _ in targets if rid not in errors])
    for _sha, remote_id, record in targets:
        label = f"{record.filename} (remote ID {remote_id})"
        if remote_id in errors:
            reason = f"Could not delete it from the remote: {errors[remote_id]}"
            report.add(ItemReport(label, Status.FAILED, reason))
        else:
            report.deleted += 1
            report.add(ItemReport(label, Status.DONE, "Deleted from the remote"))
        tracker.step()


@dataclass
class _Outcome:
    """How the upload of one sample ended: its report entry, what kind of success it was
    (``sent``, ``recovered``, ``found``; empty for a failure) and its remote id.
    """

    item: ItemReport
    kind: str = ""
    remote_id: Optional[int] = None

    @property
    def failed(self) -> bool:
        return not self.kind


def _send_chunk(
    local: Backend,
    remote: Backend,
    state: SyncState,
    plan: PushPlan,
    chunk: list[SampleRecord],
    outcomes: dict[int, _Outcome],
    lookup: _RemoteHashes,
    tracker: Tracker,
    cancel: Optional[CancelToken],
) -> Optional[str]:
    """Record "sending", upload, record what the remote now holds; why it stopped, if so."""
    readable = []
    for record in chunk:
        problem = _unreadable(local, record)
        if problem is None:
            readable.append(record)
        else:  # never sent: one bad file must not fail the others sent with it
            if record.id not in outcomes:
                tracker.step()
            item = ItemReport(_name(record), Status.FAILED, problem, sample_id=record.id)
            outcomes[record.id] = _Outcome(item)
    chunk = readable
    if not chunk:
        return None
    attempts = state.sending(plan.remote, [(r.sha256, r.id) for r in chunk])
    counted = set(outcomes)  # sent before in this push: already counted by the progress
    recorder = _Recorder(state, plan.remote)

    def step(update: Progress) -> None:
        # runs on the upload's threads as each answer arrives
        result = update.item
        if isinstance(result, UploadResult):
            key: SampleRecord = result.item.key  # type: ignore[assignment]
            if result.success:
                recorder.add(key.sha256, result.sample_id, _sent_fp(key))
            elif result.duplicate and _ids_named(result.error or "") is not None:
                recorder.add(key.sha256, _ids_named(result.error or ""))
        if not isinstance(result, UploadResult) or result.item.key.id not in counted:
            tracker.step(result)

    try:
        results, stopped = _upload(remote, [_item(local, r) for r in chunk], step, cancel)
    finally:
        recorder.flush()
    stored: list = []
    for result in results:
        record: SampleRecord = result.item.key  # type: ignore[assignment]
        outcome = _outcome(result, record, attempts.get(record.sha256, 1), lookup)
        outcomes[record.id] = outcome
        if outcome.kind == "sent":
            stored.append((record.sha256, outcome.remote_id, _sent_fp(record)))
        elif not outcome.failed:  # what the remote holds of it is not known here
            stored.append((record.sha256, outcome.remote_id))
    state.on_remote(plan.remote, stored)
    answered = {id(result.item.key) for result in results}
    unsent = [r.sha256 for r in chunk if id(r) not in answered]
    if unsent:  # never sent (stopped before them): not "sending" any more
        state.not_sent(plan.remote, unsent)
    return stopped


_NONE = _Outcome(ItemReport("", Status.FAILED))


class _Recorder:
    """Writes "sha X is remote id N" into the state as answers arrive (from any thread), a
    few at a time, so a crash loses at most the last few recordings.
    """

    def __init__(self, state: SyncState, remote: str) -> None:
        self._state = state
        self._remote = remote
        self._lock = threading.Lock()
        self._pending: list = []
        self._since = time.monotonic()

    def add(self, sha256: str, remote_id: Optional[int], fp: Optional[str] = None) -> None:
        """Note one stored sample (with the fingerprint it was stored with, when known);
        written once a few gathered or a moment passed.
        """
        with self._lock:
            self._pending.append((sha256, remote_id, fp))
            due = len(self._pending) >= RECORD_EVERY or time.monotonic() - self._since > 0.5
        if due:
            self.flush()

    def flush(self) -> None:
        """Write what was noted."""
        with self._lock:
            pending, self._pending = self._pending, []
            self._since = time.monotonic()
            if pending:
                self._state.on_remote(self._remote, pending)


def patiently(call: Callable[[], T], cancel: Optional[CancelToken] = None) -> T:
    """``call()``, tried again over :data:`LINK_GRACE` seconds while it fails with a
    :class:`BackendError` (a lost connection, a server restarting); a refused key or a cancel
    ends it at once.
    """
    started = time.monotonic()
    pause = 0.5
    waiter = cancel or CancelToken()
    while True:
        try:
            return call()
        except (InvalidApiKey, SyncStateError):
            raise
        except BackendError:
            if time.monotonic() - started > LINK_GRACE or waiter.wait(pause):
                raise
            pause = min(5.0, pause * 2)


def _sent_fp(record: SampleRecord) -> str:
    """The fingerprint of ``record`` as an upload stores it: everything but the enabled state
    (a sample arrives enabled; disabling it is an edit of its own).
    """
    return fingerprint(replace(record, disabled=False))


def _unreadable(local: Backend, record: SampleRecord) -> Optional[str]:
    """Why the local content of ``record`` cannot be sent (missing, changed on disk), or
    ``None`` when it reads back intact.
    """
    try:
        handle = local.open_content(record.id)
    except (BackendError, OSError) as exc:
        return f"Its content cannot be read from the local project: {exc}"
    if handle is None:
        return "It was deleted from the local project during the push"
    handle.close()
    return None


def _item(local: Backend, record: SampleRecord) -> UploadItem:
    """The upload of a local sample: its stored content under its name, with everything the
    ingestion service carries.
    """

    def open_content():
        handle = local.open_content(record.id)
        if handle is None:
            raise FileNotFoundError(f"the content of local sample {record.id} is missing")
        return handle

    return upload_item(record, open_content, key=record, length=record.size)


def _upload(
    remote: Backend,
    items: list[UploadItem],
    progress: ProgressCallback,
    cancel: Optional[CancelToken],
) -> tuple[list[UploadResult], Optional[str]]:
    """Upload ``items`` with duplicates refused, riding out a remote that is unreachable for
    less than :data:`LINK_GRACE` seconds. Returns the results and, when it gave up, why.
    """
    results: list[UploadResult] = []
    pending = items
    waiting_since: Optional[float] = None
    pause = 0.5
    waiter = cancel or CancelToken()
    while pending:
        try:
            got = remote.upload(
                pending,
                allow_duplicates=False,
                progress=progress,
                cancel=cancel,
            )
            return results + got, None
        except (InvalidApiKey, SyncStateError):
            raise
        except ServerUnreachable as exc:
            got, reason = exc.results, str(exc)
        except BackendError as exc:  # e.g. the remote's project could not be looked up
            got, reason = [], str(exc)
        results.extend(got)
        attempted = {id(r.item) for r in got}
        pending = [item for item in pending if id(item) not in attempted]
        now = time.monotonic()
        if got or waiting_since is None:
            waiting_since = now
            pause = 0.5
        if is_cancelled(cancel) or now - waiting_since > LINK_GRACE:
            return results, reason
        waiter.wait(pause)
        pause = min(5.0, pause * 2)
    return results, None


def _outcome(
    result: UploadResult, record: SampleRecord, attempt: int, lookup: _RemoteHashes
) -> _Outcome:
    """How one upload result ends for the push (``attempt``: how many times its content was
    sent, this time included).
    """
    name = _name(record)
    if result.success:
        item = ItemReport(name, Status.DONE, sample_id=record.id, category=record.category)
        return _Outcome(item, "sent", result.sample_id)
    if result.duplicate:
        remote_id = _ids_named(result.error or "") or lookup.find(record.sha256)
        where = f" as ID {remote_id}" if remote_id is not None else ""
        if attempt > 1:
            # refused because what we sent before this attempt was stored
            reason = f"Stored by an earlier, interrupted attempt{where}"
            item = ItemReport(name, Status.DONE, reason, sample_id=record.id)
            return _Outcome(item, "recovered", remote_id)
        reason = f"Already on the remote{where} before this push"
        item = ItemReport(name, Status.PRESENT, reason, sample_id=record.id)
        return _Outcome(item, "found", remote_id)
    reason = result.error or "Unknown error"
    return _Outcome(ItemReport(name, Status.FAILED, reason, sample_id=record.id))


def _ids_named(error: str) -> Optional[int]:
    """The first id a duplicate refusal names (``… (ids: 12, 40)``), if any."""
    start = error.find("(ids:")
    if start < 0:
        return None
    inner = error[start + len("(ids:") : error.find(")", start)]
    ids = [int(part) for part in inner.replace(" ", "").split(",") if part.isdigit()]
    return min(ids) if ids else None


class _RemoteHashes:
    """The remote's samples by content hash, listed once when first needed."""

    def __init__(self, remote: Backend) -> None:
        self._remote = remote
        self._ids: Optional[dict[str, int]] = None

    def find(self, sha256: str) -> Optional[int]:
        """The id of the remote sample with this content, if the listing says."""
        if self._ids is None:
            query = SampleQuery(include_disabled="both", descending=False)
            try:
                records = patiently(lambda: list(self._remote.iter_samples(query)))
            except BackendError:
                return None
            self._ids = {}
            for record in records:
                if record.sha256:
                    self._ids.setdefault(record.sha256, record.id)
        return self._ids.get(sha256)


def _set_enabled(
    remote: Backend,
    state: SyncState,
    name: str,
    targets: Sequence[tuple[SampleRecord, int]],
    enabled: bool,
    report: PushReport,
    tracker: Tracker,
    cancel: Optional[CancelToken],
    uploaded: frozenset[str] = frozenset(),
) -> None:
    """Enable or disable ``targets`` on the remote, recording each request that succeeded
    (``uploaded``: content hashes this push sent, whose fingerprint is then the local one).
    """
    verb = "enable" if enabled else "disable"
    for start in range(0, len(targets), IDS_PER_CHANGE):
        if is_cancelled(cancel):
            return
        chunk = targets[start : start + IDS_PER_CHANGE]
        ids = [rid for _, rid in chunk]
        error: Optional[str] = None
        try:
            patiently(lambda ids=ids: remote.edit(query_for_ids(ids), SetEnabled(enabled)), cancel)
        except InvalidApiKey:
            raise
        except (BackendError, ValueError) as exc:
            error = f"Could not {verb} it on the remote: {exc}"
        if error is None:
            state.set_disabled(name, [r.sha256 for r, _ in chunk], not enabled)
            # a sample this push uploaded now has every attribute as it is here
            agreed = [(r.sha256, fingerprint(r)) for r, _ in chunk if r.sha256 in uploaded]
            state.set_synced(name, agreed)
        for record, remote_id in chunk:
            if error is None:
                if enabled:
                    report.enabled += 1
                else:
                    report.disabled += 1
                reason = f"{verb}d on the remote (ID {remote_id})"
                report.add(ItemReport(_name(record), Status.DONE, reason, sample_id=record.id))
            else:
                report.add(ItemReport(_name(record), Status.FAILED, error, sample_id=record.id))
            tracker.step()
