"""Curation off the UI thread: a change to a selection, a label renamed project-wide, undo,
redo, undo back to a history entry, and reading the history (all through ``ops.curate``).

Each job function returns an :class:`~ei_desktop.ops.curate.EditReport` (or the history);
errors a user can cause are in the report, never raised.
"""

from __future__ import annotations

from ei_desktop.core.backends.base import Backend, SampleQuery
from ei_desktop.core.edits import Change, ChangeSet, Move, SetLabel
from ei_desktop.core.progress import CancelToken
from ei_desktop.ops import curate
from ei_desktop.ops.curate import EditReport

#: history entries read for the Edit menu and the history panel
HISTORY_LIMIT = 200


def edit_job(backend: Backend, selection: SampleQuery, change: Change):
    """A job function applying ``change`` to ``selection`` (:func:`ops.curate.apply`)."""

    def run(progress, cancel: CancelToken) -> EditReport:
        return curate.apply(backend, selection, change)

    return run


def rename_label_job(backend: Backend, old: str, new: str):
    """A job function renaming label ``old`` to ``new`` in the whole project."""

    def run(progress, cancel: CancelToken) -> EditReport:
        return curate.rename_label(backend, old, new)

    return run


def undo_job(backend: Backend):
    """A job function undoing the latest change not undone."""

    def run(progress, cancel: CancelToken) -> EditReport:
        return curate.undo(backend)

    return run


def redo_job(backend: Backend):
    """A job function redoing the change undone last."""

    def run(progress, cancel: CancelToken) -> EditReport:
        return curate.redo(backend)

    return run


def undo_to_job(backend: Backend, change_id: int):
    """A job function undoing change after change, newest first, until the history entry
    ``change_id`` is undone; stops at the first change that cannot be undone.

    The report says how many changes were undone and, on a stop, why.
    """

    def run(progress, cancel: CancelToken) -> EditReport:
        entries = curate.history(backend, HISTORY_LIMIT)
        steps = sum(1 for e in entries if e.id >= change_id and not e.undone)
        done: list[EditReport] = []
        for _ in range(steps):
            if cancel.cancelled or _is_undone(backend, change_id):
                break
            report = curate.undo(backend)
            if report.error is not None:
                return _undo_to_report(done, report)
            done.append(report)
        return _undo_to_report(done, None)

    return run


def _is_undone(backend: Backend, change_id: int) -> bool:
    entry = next((e for e in curate.history(backend, HISTORY_LIMIT) if e.id == change_id), None)
    return entry is None or entry.undone


def _undo_to_report(done: list[EditReport], failed: EditReport | None) -> EditReport:
    samples = sum(r.changed for r in done)
    if len(done) == 1 and failed is None:
        return done[0]
    if not done and failed is not None:
        return failed
    if not done:
        return EditReport("Undo", "Nothing to undo.", error="Nothing to undo.")
    message = f"Undone {len(done)} changes."
    if failed is not None:
        message = f"Undone {len(done)} changes, then stopped: {failed.message}"
        return EditReport("Undo", message, samples, samples, error=message)
    return EditReport("Undo", message, samples, samples, done[-1].change_id)


def history_job(backend: Backend, limit: int = HISTORY_LIMIT):
    """A job function reading the latest ``limit`` history entries, newest first."""

    def run(progress, cancel: CancelToken) -> list[ChangeSet]:
        return curate.history(backend, limit)

    return run


def drop_job(backend: Backend, selection: SampleQuery, category: str | None, label: str | None):
    """A job function moving ``selection`` to ``category`` and/or labelling it ``label``
    (samples dropped on a node of the category tree); one history entry per change.
    """

    def run(progress, cancel: CancelToken) -> EditReport:
        reports = []
        if category is not None:
            reports.append(curate.apply(backend, selection, Move(category)))
        if label is not None and not any(r.error for r in reports):
            reports.append(curate.apply(backend, selection, SetLabel(label)))
        if len(reports) == 1:
            return reports[0]
        move, relabel = reports
        return EditReport(
            "Move and set label",
            f"{move.message} {relabel.message}",
            matched=max(move.matched, relabel.matched),
            changed=max(move.changed, relabel.changed),
            change_id=relabel.change_id or move.change_id,
            missing=move.missing,
            error=relabel.error,
        )

    return run
