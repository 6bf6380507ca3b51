"""Deleting samples: a list of ids, or every sample of a category."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Optional

from ei_desktop.core.backends.base import Backend
from ei_desktop.core.progress import CancelToken, Progress
from ei_desktop.gui.jobs.outcome import Failure, Outcome, chunks, sample_name

#: ids deleted per backend call (each call is one transaction; cancel is checked between)
CHUNK = 500


def delete_job(backend: Backend, ids: Sequence[int], names: Mapping[int, str] | None = None):
    """A job function deleting samples ``ids``; ids already gone are failures with a reason."""
    ids = [int(i) for i in ids]
    names = dict(names or {})

    def run(progress, cancel: CancelToken) -> Outcome:
        outcome = Outcome("Delete", "deleted", total=len(ids))
        done = 0
        for chunk in chunks(ids, CHUNK, cancel, outcome):
            results = backend.delete(chunk, cancel=cancel)
            for sample_id, deleted in zip(chunk, results):
                done += 1
                if deleted:
                    outcome.succeeded += 1
                    continue
                failure = Failure(sample_name(names, sample_id), "The sample no longer exists")
                outcome.failures.append(failure)
                progress(Progress(done, len(ids), item=failure))
            progress(Progress(done, len(ids)))
            if len(results) < len(chunk):
                outcome.cancelled = True
                break
        outcome.changed = outcome.succeeded > 0
        return outcome

    return run


def delete_category_job(backend: Backend, category: Optional[str]):
    """A job function deleting every sample of ``category`` (``None``: every sample)."""

    def run(progress, cancel: CancelToken) -> Outcome:
        progress(Progress(0, None, message="Deleting…"))
        count = backend.delete_all(category)
        return Outcome("Delete", "deleted", total=count, succeeded=count, changed=count > 0)

    return run
