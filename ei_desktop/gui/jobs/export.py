"""Exporting samples as a dataset off the UI thread (an op)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Optional

from ei_desktop.core.backends.base import Backend, SampleQuery
from ei_desktop.core.progress import CancelToken, Progress
from ei_desktop.ops.dataset_export import export_as


def export_job(backend: Backend, ids: Optional[Sequence[int]], folder: str, format: str):
    """A job function running :func:`ei_desktop.ops.dataset_export.export_as` into
    ``folder``; ``ids=None`` exports every enabled sample of the project (listed in the job,
    not on the UI thread).
    """
    chosen = None if ids is None else [int(i) for i in ids]

    def run(progress, cancel: CancelToken):
        ids = chosen
        if ids is None:
            progress(Progress(0, None, message="Listing the samples…"))
            ids = [int(i) for i in backend.sample_ids(SampleQuery())]
        return export_as(backend, ids, folder, format, progress=progress, cancel=cancel)

    return run
