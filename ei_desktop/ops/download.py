"""Downloading samples into a folder."""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from typing import Optional

from ei_desktop.core.backends.base import Backend, DownloadFailure
from ei_desktop.core.convert import save_downloaded
from ei_desktop.core.progress import CancelToken, Progress, ProgressCallback, is_cancelled
from ei_desktop.ops.batches import sample_name, slices
from ei_desktop.ops.report import ItemReport, Report, Status

#: samples fetched per backend call
STEP = 200


def download(
    backend: Backend,
    ids: Sequence[int],
    folder: str | os.PathLike,
    *,
    names: Optional[Mapping[int, str]] = None,
    progress: Optional[ProgressCallback] = None,
    cancel: Optional[CancelToken] = None,
) -> Report:
    """Write samples ``ids`` into ``folder`` (created if missing) under the names the official
    SDK gives them; an existing file is never overwritten (the new one gets the sample id).

    A done item is named by the path written; an unknown id, unreadable or damaged content, or
    a file that cannot be written fails that sample alone. ``names`` (id → name) makes
    failures readable when a sample is already gone.

    Raises:
        OSError: ``folder`` cannot be created.
    """
    ids = [int(i) for i in ids]
    report = Report("Download", "downloaded", total=len(ids), destination=os.fspath(folder))
    os.makedirs(folder, exist_ok=True)
    for chunk in slices(ids, STEP, cancel):
        fetched = backend.download(chunk, cancel=cancel)
        for sample_id, item in zip(chunk, fetched):
            name = sample_name(names, sample_id)
            if item is None:
                entry = ItemReport(name, Status.FAILED, f"No sample found with ID {sample_id}")
            elif isinstance(item, DownloadFailure):
                entry = ItemReport(name, Status.FAILED, item.error, sample_id=sample_id)
            else:
                try:
                    path = save_downloaded(item, folder)
                    entry = ItemReport(path, Status.DONE, sample_id=sample_id)
                except OSError as exc:
                    reason = f"Cannot write the file: {exc.strerror or exc}"
                    entry = ItemReport(name, Status.FAILED, reason, sample_id=sample_id)
            report.add(entry)
            if progress is not None:
                progress(Progress(len(report.items), len(ids), item=entry))
    report.cancelled = is_cancelled(cancel) and report.not_attempted > 0
    return report
