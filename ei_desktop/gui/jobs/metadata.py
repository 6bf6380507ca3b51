"""Reading and changing the metadata of selected samples off the UI thread."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from ei_desktop.core.backends.base import Backend, query_for_ids
from ei_desktop.core.edits import Change
from ei_desktop.core.progress import CancelToken
from ei_desktop.ops import curate
from ei_desktop.ops.curate import EditReport


@dataclass
class SelectionMetadata:
    """The metadata of (the first) selected samples.

    Attributes:
        ids: every selected id.
        metadata: the metadata of each sample read (``{}`` for one without).
        read: how many samples were read (at most the job's limit).
    """

    ids: tuple[int, ...]
    metadata: list[dict] = field(default_factory=list)
    read: int = 0


def selection_metadata_job(backend: Backend, ids: Sequence[int], limit: int):
    """A job function reading the metadata of the first ``limit`` of ``ids``."""
    ids = tuple(int(i) for i in ids)

    def run(progress, cancel: CancelToken) -> SelectionMetadata:
        shown = list(ids[:limit])
        records = backend.get_samples(shown) if shown else {}
        found = [records[i] for i in shown if i in records]
        metadata = [dict(r.metadata) if isinstance(r.metadata, dict) else {} for r in found]
        return SelectionMetadata(ids, metadata, len(found))

    return run


def edit_job(backend: Backend, ids: Sequence[int], changes: Sequence[Change]):
    """A job function applying ``changes`` in order to the samples ``ids`` with
    :func:`ei_desktop.ops.curate.apply`; returns their reports (it stops at the first one that
    failed).
    """
    selection = query_for_ids(ids)
    changes = list(changes)

    def run(progress, cancel: CancelToken) -> list[EditReport]:
        reports = []
        for change in changes:
            report = curate.apply(backend, selection, change)
            reports.append(report)
            if report.error is not None or cancel.cancelled:
                break
        return reports

    return run
