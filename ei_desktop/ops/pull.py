"""Pull a remote project (Edge Impulse, or any ``ei-desktop serve``) into a local one, exactly
once over a bad link.

:func:`plan_pull` compares the remote's selected samples with the local project and with the
project's sync state (:class:`~ei_desktop.core.sync_state.SyncState`, shared with push);
:func:`pull` fetches the difference and returns a :class:`PullReport`.

Why a sample is never stored twice locally, whatever interrupts a pull:

- every local insert is made with the local store's duplicate refusal on, in one transaction
  per chunk: content the local project holds is refused, never stored again;
- a content the local project already holds is never fetched: the plan fetches only remote
  samples whose content hash is not held locally;
- once stored (and disabled when the remote sample is), each sample is recorded as synced in
  the state with its remote id. A crash between "stored" and "recorded" leaves a sample both
  sides hold that the state does not record: the next pull records it (``record``) without
  fetching or inserting anything.

Recorded samples count as on the remote for a later push, which then has nothing to send.
"""

from __future__ import annotations

import hashlib
import threading
import time
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from typing import Optional, Union

from ei_desktop.core.backends.base import (
    Backend,
    BackendError,
    InvalidApiKey,
    SampleQuery,
    SampleRecord,
    UploadItem,
    query_for_ids,
)
from ei_desktop.core.edits import SetEnabled
from ei_desktop.core.progress import CancelToken, ProgressCallback, Tracker, is_cancelled
from ei_desktop.core.sync_state import Pushed, SyncState, SyncStateError, fingerprint
from ei_desktop.ops import sync_edits
from ei_desktop.ops.report import ItemReport, Report, Status
from ei_desktop.ops.sync import LINK_GRACE, patiently, remote_name
from ei_desktop.ops.sync_edits import Conflict
from ei_desktop.ops.sync_edits import record_name as _name

#: samples fetched, then stored locally in one transaction, together (bounds the memory)
CHUNK = 50
#: contents fetched at the same time
FETCH_WORKERS = 6
#: attempts at one sample's content (failed requests, or content that arrived altered)
FETCH_ATTEMPTS = 12

#: how a conflict is settled: keep the local sample as it is, or take the remote's version
Keep = Union[str, Mapping[str, str]]


@dataclass(frozen=True)
class Pair:
    """One content both projects hold: the ``local`` sample and the ``remote`` one."""

    local: SampleRecord
    remote: SampleRecord

    @property
    def sha256(self) -> str:
        """The content hash both samples share."""
        return self.local.sha256

    @property
    def name(self) -> str:
        """The local sample's name and id, as reports name it."""
        return _name(self.local)


@dataclass
class PullPlan:
    """What a pull would do.

    Attributes:
        remote: the remote's name in the sync state (:func:`~ei_desktop.ops.sync.remote_name`).
        fetch: remote samples whose content the local project does not hold (one per
            content), in id order.
        update: samples both sides hold whose remote attributes changed since the last sync
            while the local ones did not.
        conflicts: samples changed on both sides since the last sync (the
            :class:`~ei_desktop.ops.sync_edits.Conflict` of push; settled by :func:`pull`'s
            ``keep``).
        delete: local samples the state records as synced with this remote that are gone
            from it (planned with ``delete=True`` only).
        record: samples both sides hold that the state does not record as synced yet (a
            pull stopped between storing and recording them, or content put in both by
            other means): the pull records them, fetching nothing.
        present: selected remote samples the local project holds as they are.
        same_content: remote samples whose content another selected remote sample carries
            (the local project keeps one copy).
    """

    remote: str
    fetch: list[SampleRecord] = field(default_factory=list)
    update: list[Pair] = field(default_factory=list)
    conflicts: list[Conflict] = field(default_factory=list)
    delete: list[SampleRecord] = field(default_factory=list)
    record: list[Pair] = field(default_factory=list)
    present: int = 0
    same_content: int = 0

    @property
    def empty(self) -> bool:
        """True when the local project already holds the remote selection as it is."""
        return not (self.fetch or self.update or self.conflicts or self.delete or self.record)


@dataclass
class PullReport(Report):
    """A pull's outcome: the :class:`Report` items plus counts of each kind of change.

    Attributes:
        fetched: samples fetched and stored locally.
        updated: local samples given the remote's attributes.
        deleted: local samples deleted because they are gone from the remote.
        unfetched: samples to fetch that were never stored (the pull was stopped first).
        recorded: samples both sides held that were recorded as synced.
        unsettled: conflicts left as they are (no side was chosen to keep).
    """

    fetched: int = 0
    updated: int = 0
    deleted: int = 0
    unfetched: int = 0
    recorded: int = 0
    unsettled: int = 0


def plan_pull(
    local: Optional[Backend],
    remote: Backend,
    state: Optional[SyncState],
    query: SampleQuery,
    *,
    delete: bool = False,
    cancel: Optional[CancelToken] = None,
) -> PullPlan:
    """What pulling the samples ``query`` selects on ``remote`` into ``local`` would do.

    ``local`` ``None`` is a project not created yet (everything would be fetched); ``state``
    ``None`` means nothing was ever synced. The remote is listed patiently, over a flaky link.

    Raises:
        BackendError: either project cannot be read.
    """
    plan = PullPlan(patiently(lambda: remote_name(remote), cancel))
    listing = replace(query, sort="id", descending=False)
    remote_records = patiently(lambda: list(remote.iter_samples(listing)), cancel)
    held = _by_hash(local, SampleQuery(include_disabled="both")) if local is not None else {}
    selected: dict[str, SampleRecord] = {}
    for record in remote_records:
        if record.sha256 in selected:
            plan.same_content += 1
        else:
            selected[record.sha256] = record
    rows = state.lookup(plan.remote, list(selected) + list(held)) if state is not None else {}
    for sha, record in selected.items():
        mine = held.get(sha)
        row = rows.get(sha)
        if mine is None or not sha:
            plan.fetch.append(record)
        elif row is None or row.state != "remote" or row.remote_id != record.id:
            plan.record.append(Pair(mine, record))
        else:
            _compare(plan, Pair(mine, record), row)
    if delete and local is not None:
        everything = SampleQuery(include_disabled="both", sort="id", descending=False)
        if listing == everything:
            on_remote = set(selected)
        else:
            on_remote = {r.sha256 for r in patiently(lambda: remote.iter_samples(everything))}
        for sha, mine in _by_hash(local, listing).items():
            row = rows.get(sha)
            if row is not None and row.state == "remote" and sha not in on_remote:
                plan.delete.append(mine)
    return plan


def _compare(plan: PullPlan, pair: Pair, row: Pushed) -> None:
    """Sort a sample both sides hold, recorded as synced, by what changed since the last
    sync (as push reads it: :func:`~ei_desktop.ops.sync_edits.compare`).
    """
    how = sync_edits.compare(pair.local, pair.remote, row)
    if how == "remote":
        plan.update.append(pair)
    elif how == "both":
        fields = sync_edits.differing(pair.local, pair.remote)
        plan.conflicts.append(
            Conflict(pair.local, pair.remote, pair.remote.id, pair.sha256, fields)
        )
    else:  # the same, or changed here only (a push carries that)
        plan.present += 1


def pull(
    local: Backend,
    remote: Backend,
    state: SyncState,
    plan: PullPlan,
    *,
    keep: Optional[Keep] = None,
    progress: Optional[ProgressCallback] = None,
    cancel: Optional[CancelToken] = None,
) -> PullReport:
    """Carry out ``plan``: record what both sides hold, fetch the missing samples, give the
    local samples the remote's changes (and settle the conflicts), then delete what is gone
    from the remote.

    ``keep`` settles conflicts: ``"local"`` or ``"remote"`` for all of them, or per content
    hash. Never raises for one sample; a remote that stays unreachable for
    :data:`~ei_desktop.ops.sync.LINK_GRACE` seconds ends the pull with ``stopped_by``. When
    ``cancel`` is triggered no new fetch starts; what is in flight is stored and recorded.

    Raises:
        InvalidApiKey: the remote refused the key.
        SyncStateError: the sync state cannot be written.
        BackendError: the local project cannot be written at all.
    """
    steps = len(plan.record) + len(plan.fetch) + len(plan.update) + len(plan.conflicts)
    steps += len(plan.delete)
    report = PullReport("Pull", "pulled", total=steps)
    tracker = Tracker(progress, steps)
    _record_held(local, state, plan, report, tracker)
    link = _Link()
    with ThreadPoolExecutor(FETCH_WORKERS, thread_name_prefix="ei-pull") as pool:
        for start in range(0, len(plan.fetch), CHUNK):
            if is_cancelled(cancel) or report.stopped_by is not None:
                break
            chunk = plan.fetch[start : start + CHUNK]
            contents = list(pool.map(lambda r: _fetch(remote, r, link, cancel), chunk))
            _store(local, state, plan.remote, chunk, contents, report, tracker)
            if link.down:
                report.stopped_by = link.reason
    attempted = {item.key for item in report.items if item.key is not None}
    report.unfetched = sum(1 for r in plan.fetch if r.sha256 not in attempted)
    if not is_cancelled(cancel) and report.stopped_by is None:
        take = list(plan.update)
        for conflict in plan.conflicts:
            pair = Pair(conflict.local, conflict.remote)
            side = keep if isinstance(keep, str) or keep is None else keep.get(pair.sha256)
            if side == "remote":
                take.append(pair)
            else:
                _leave(state, plan.remote, pair, side == "local", report, tracker)
        _update(local, state, plan.remote, take, report, tracker, cancel)
    if not is_cancelled(cancel) and report.stopped_by is None:
        _delete(local, state, plan.remote, plan.delete, report, tracker)
    report.cancelled = is_cancelled(cancel) and report.not_attempted > 0
    return report


def _by_hash(backend: Backend, query: SampleQuery) -> dict[str, SampleRecord]:
    """The first sample (lowest id) of each content ``query`` selects in ``backend``."""
    found: dict[str, SampleRecord] = {}
    for record in backend.iter_samples(replace(query, sort="id", descending=False)):
        found.setdefault(record.sha256, record)
    return found


def _record_held(
    local: Backend, state: SyncState, plan: PullPlan, report: PullReport, tracker: Tracker
) -> None:
    """Record the samples both sides hold as synced. A local copy enabled where the remote's
    is disabled was stored by a pull stopped before it could disable it: it is disabled now.
    """
    if not plan.record:
        return
    late = [p.local.id for p in plan.record if p.remote.disabled and not p.local.disabled]
    if late:
        local.edit(query_for_ids(late), SetEnabled(False))
    state.pulled(
        plan.remote,
        [
            (p.sha256, p.remote.id, p.remote.disabled, fingerprint(p.remote), p.local.id)
            for p in plan.record
        ],
    )
    for pair in plan.record:
        reason = f"Already held locally as sample {pair.local.id}: recorded as synced"
        report.add(ItemReport(_name(pair.remote), Status.PRESENT, reason, pair.local.id))
        report.recorded += 1
        tracker.step()


class _Link:
    """Whether the remote answers: the time of its last answer, shared by the fetches."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._last = time.monotonic()
        self.reason = ""

    def answered(self) -> None:
        with self._lock:
            self._last = time.monotonic()

    def failed(self, reason: str) -> None:
        with self._lock:
            if time.monotonic() - self._last > LINK_GRACE:
                self.reason = f"The remote stopped answering ({reason})"

    @property
    def down(self) -> bool:
        return bool(self.reason)


def _fetch(
    remote: Backend, record: SampleRecord, link: _Link, cancel: Optional[CancelToken]
) -> Union[bytes, str, None]:
    """The content of ``record`` as stored on the remote; an error message when it could not
    be fetched; ``None`` when not attempted (cancelled, or the link is down).
    """
    pause = 0.25
    errors = 0
    waiter = cancel or CancelToken()
    while not is_cancelled(cancel) and not link.down:
        try:
            data = remote.load_bytes(record.id)
        except InvalidApiKey:
            raise
        except BackendError as exc:
            link.failed(str(exc))
            errors += 1
            if errors >= FETCH_ATTEMPTS:
                return f"Could not be fetched: {exc}"
            if link.down or waiter.wait(pause):
                return None
            pause = min(5.0, pause * 2)
            continue
        link.answered()
        if data is None:
            return "It was deleted from the remote during the pull"
        if record.sha256 and hashlib.sha256(data).hexdigest() != record.sha256:
            errors += 1  # cut short or changed in transit: fetched again
            if errors < FETCH_ATTEMPTS:
                continue
            return "Its content kept arriving different from the remote's content hash"
        return data
    return None


def _item(record: SampleRecord, data: bytes) -> UploadItem:
    """The local insert of a fetched remote sample, with everything it carries; its key is
    ``(remote record, content hash)``.
    """
    return sync_edits.upload_item(record, data, key=(record, hashlib.sha256(data).hexdigest()))


def _store(
    local: Backend,
    state: SyncState,
    remote: str,
    chunk: Sequence[SampleRecord],
    contents: Sequence[Union[bytes, str, None]],
    report: PullReport,
    tracker: Tracker,
) -> None:
    """Insert the fetched contents locally (duplicates refused), disable those disabled on
    the remote, then record them as synced.
    """
    items = []
    for record, data in zip(chunk, contents):
        if isinstance(data, bytes):
            items.append(_item(record, data))
        elif isinstance(data, str):
            report.add(ItemReport(_name(record), Status.FAILED, data, key=record.sha256))
            tracker.step()
    if not items:
        return
    # (remote record, local content hash, local id) of each sample the local project holds
    stored: list[tuple[SampleRecord, str, int]] = []
    refused: list[tuple[SampleRecord, str]] = []
    for result in local.upload(items, allow_duplicates=False):
        record, sha = result.item.key  # type: ignore[misc]
        if result.success and result.sample_id is not None:
            stored.append((record, sha, result.sample_id))
        elif result.duplicate:
            refused.append((record, sha))  # stored meanwhile by someone else
        else:
            reason = f"Could not be stored locally: {result.error or 'unknown error'}"
            report.add(ItemReport(_name(record), Status.FAILED, reason, key=record.sha256))
            tracker.step()
    if refused:
        held = _by_hash(local, SampleQuery(include_disabled="both"))
        stored.extend((record, sha, held[sha].id) for record, sha in refused if sha in held)
    disable = [local_id for record, _, local_id in stored if record.disabled]
    if disable:
        local.edit(query_for_ids(disable), SetEnabled(False))
    state.pulled(
        remote,
        [(sha, r.id, r.disabled, fingerprint(r), local_id) for r, sha, local_id in stored],
    )
    for record, _, local_id in stored:
        item = ItemReport(
            _name(record),
            Status.DONE,
            sample_id=local_id,
            category=record.category,
            key=record.sha256,
        )
        report.add(item)
        report.fetched += 1
        tracker.step()


def _leave(
    state: SyncState, remote: str, pair: Pair, keep_local: bool, report: PullReport, tracker
) -> None:
    """A conflict the pull does not take: the local version kept on purpose (the remote's is
    then the agreed one, so a push carries the local one there), or left unsettled.
    """
    if keep_local:
        state.set_synced(remote, [(pair.sha256, fingerprint(pair.remote))])
        reason = "Changed on both sides: the local version is kept (a push carries it there)"
    else:
        reason = (
            "Changed on both sides since the last sync: left as it is (keep the local or the"
            " remote version to settle it)"
        )
        report.unsettled += 1
    report.add(ItemReport(pair.name, Status.SKIPPED, reason, sample_id=pair.local.id))
    tracker.step()


def _update(
    local: Backend,
    state: SyncState,
    remote: str,
    pairs: Sequence[Pair],
    report: PullReport,
    tracker: Tracker,
    cancel: Optional[CancelToken],
) -> None:
    """Give the local samples of ``pairs`` the attributes of their remote ones. The state
    says where each is heading before its edits start (``changing``), so a pull stopped
    half-way through them takes it up again instead of seeing a conflict.
    """
    for start in range(0, len(pairs), CHUNK):
        if is_cancelled(cancel):
            return
        chunk = pairs[start : start + CHUNK]
        state.changing(remote, [(p.sha256, fingerprint(p.remote)) for p in chunk])
        outcome = sync_edits.apply_all(
            local,
            [(p.sha256, p.local.id, p.remote, p.local) for p in chunk],
            send=lambda call: call(),
            step=lambda: None,
            cancelled=lambda: False,
        )
        done = [p for p in chunk if p.sha256 not in outcome.errors]
        state.pulled(
            remote,
            [
                (p.sha256, p.remote.id, p.remote.disabled, fingerprint(p.remote), p.local.id)
                for p in done
            ],
        )
        for pair in chunk:
            error = outcome.errors.get(pair.sha256)
            if error is None:
                what = ", ".join(sync_edits.differing(pair.local, pair.remote))
                reason = f"Changed as on the remote: {what}"
                report.add(ItemReport(pair.name, Status.DONE, reason, sample_id=pair.local.id))
                report.updated += 1
            else:
                reason = f"Could not be changed locally: {error}"
                report.add(ItemReport(pair.name, Status.FAILED, reason, sample_id=pair.local.id))
            tracker.step()


def _delete(
    local: Backend,
    state: SyncState,
    remote: str,
    targets: Sequence[SampleRecord],
    report: PullReport,
    tracker: Tracker,
) -> None:
    """Delete the local samples gone from the remote; the state forgets them (neither side
    holds them any more).
    """
    if not targets:
        return
    error = ""
    done: list[Optional[bool]]
    try:
        done = list(local.delete([r.id for r in targets]))
    except BackendError as exc:
        done = [None] * len(targets)
        error = str(exc)
    for record, ok in zip(targets, done):
        if ok:
            reason = "Gone from the remote: deleted locally"
            report.add(ItemReport(_name(record), Status.DONE, reason, sample_id=record.id))
            report.deleted += 1
        elif ok is False:
            reason = "Already deleted locally"
            report.add(ItemReport(_name(record), Status.PRESENT, reason, sample_id=record.id))
        else:
            reason = f"Could not be deleted locally: {error}"
            report.add(ItemReport(_name(record), Status.FAILED, reason, sample_id=record.id))
        tracker.step()
    state.forget(remote, [r.sha256 for r, ok in zip(targets, done) if ok is not None])


__all__ = ["Pair", "PullPlan", "PullReport", "plan_pull", "pull", "SyncStateError"]
