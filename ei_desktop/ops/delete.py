"""Deleting samples: by id, or every sample of a category."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Optional

from ei_desktop.core.backends.base import Backend
from ei_desktop.core.progress import CancelToken, Progress, ProgressCallback, is_cancelled
from ei_desktop.ops.batches import sample_name, slices
from ei_desktop.ops.report import ItemReport, Report, Status

#: ids deleted per backend call (one transaction each; cancel is checked between)
STEP = 500


def delete(
    backend: Backend,
    ids: Sequence[int],
    *,
    names: Optional[Mapping[int, str]] = None,
    progress: Optional[ProgressCallback] = None,
    cancel: Optional[CancelToken] = None,
) -> Report:
    """Delete samples ``ids``; an id that does not exist (any more) fails with its reason."""
    ids = [int(i) for i in ids]
    report = Report("Delete", "deleted", total=len(ids))
    for chunk in slices(ids, STEP, cancel):
        results = backend.delete(chunk, cancel=cancel)
        for sample_id, deleted in zip(chunk, results):
            name = sample_name(names, sample_id)
            if deleted:
                report.add(ItemReport(name, Status.DONE, sample_id=sample_id))
            else:
                reason = f"No sample found with ID {sample_id}"
                report.add(ItemReport(name, Status.FAILED, reason, sample_id=sample_id))
        if progress is not None:
            progress(Progress(len(report.items), len(ids)))
        if len(results) < len(chunk):
            break
    report.cancelled = is_cancelled(cancel) and report.not_attempted > 0
    return report


def delete_all(backend: Backend, category: Optional[str] = None) -> Report:
    """Delete every sample, or every sample of ``category``; one item counts them."""
    count = backend.delete_all(category)
    what = f"every {category} sample" if category else "every sample"
    report = Report("Delete", "deleted", total=count)
    report.items = [ItemReport(what, Status.DONE)] * count if count else []
    return report
