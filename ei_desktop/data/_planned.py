"""Uploading a folder's plan the way the official functions do: in batches, each sample handed
to ``transform(sample, path)`` first, the results in the official response shapes.

The plan's items become :class:`Sample` objects here, at the edge, because that is what
``transform`` and the response carry.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Optional

from ei_desktop.core import scan
from ei_desktop.core.backends.base import UploadItem
from ei_desktop.core.connection import ProjectArg
from ei_desktop.core.model import Sample, SampleIngestionResponse, UploadSamplesResponse
from ei_desktop.core.progress import CancelToken, Progress, ProgressCallback, is_cancelled
from ei_desktop.data._connection import resolve
from ei_desktop.data._progress import with_display
from ei_desktop.data.upload import send
from ei_desktop.ops import Plan, UploadOptions, plan_upload

#: as ``category``: each sample keeps the category its item was planned with
FROM_PLAN = object()


def upload_planned(
    directory: str,
    options: UploadOptions,
    transform: Optional[Callable],
    show_progress: Optional[bool],
    batch_size: Optional[int],
    *,
    category: object = FROM_PLAN,
    metadata: Optional[dict] = None,
    api_key: Optional[str],
    progress: Optional[ProgressCallback],
    cancel: Optional[CancelToken],
    project: ProjectArg,
) -> UploadSamplesResponse:
    """Plan ``directory`` with ``options`` and upload the plan in batches of ``batch_size``,
    applying ``transform(sample, path)`` to each batch first.

    ``category`` (the caller's, or :data:`FROM_PLAN`) and ``metadata`` (the caller's) make
    the samples handed to ``transform`` and returned look as the official functions build
    them; each sample is uploaded as it is after ``transform``.
    """
    plan = plan_upload([directory], options)
    backend = resolve(api_key, project)
    problems = [_problem(directory, s.path, s.reason, plan) for s in plan.skipped if s.failed]
    response = UploadSamplesResponse([], problems)
    total = len(plan.items)
    done_before = 0
    batch_size = max(1, int(batch_size or 1024))
    display, bar = with_display(progress, show_progress, "Uploading")

    def shifted(update: Progress) -> None:  # batches count from 0: report the whole upload
        display(Progress(done_before + update.done, total, update.item, update.message))

    try:
        for start in range(0, total, batch_size):
            if is_cancelled(cancel):
                response.cancelled = True
                break
            items = plan.items[start : start + batch_size]
            batch = [_sample(item, category, metadata) for item in items]
            if transform is not None:
                for sample, item in zip(batch, items):
                    transform(sample, _shown_path(directory, str(item.key), plan))
            part = send(
                backend,
                batch,
                allow_duplicates=options.allow_duplicates,
                progress=shifted if display is not None else None,
                cancel=cancel,
            )
            response.extend(part.successes, part.fails)
            response.cancelled = part.cancelled
            done_before += len(part.successes) + len(part.fails)
            for sample in batch:
                if isinstance(sample.data, scan.FileSource):
                    sample.data.close()
    finally:
        if bar is not None:
            bar.close()
    return response


def _sample(item: UploadItem, category: object, metadata: Optional[dict]) -> Sample:
    """The official ``Sample`` of a planned file (its data read from the file when needed)."""
    item_metadata = item.metadata
    if item_metadata is None and metadata is not None:
        item_metadata = {}  # the caller's empty metadata is kept, as for upload_samples
    return Sample(
        data=scan.FileSource(str(item.source)),
        filename=item.filename,
        category=item.category if category is FROM_PLAN else category,
        label=item.label,
        metadata=item_metadata,
        bounding_boxes=item.bounding_boxes,
        structured_labels=item.structured_labels,
    )


def _shown_path(directory: str, path: str, plan: Plan) -> str:
    """``path`` as the official functions show it: below ``directory`` as the caller wrote it
    (the plan holds absolute paths); normalised for exported datasets, like their entries.
    """
    shown = os.path.join(directory, os.path.relpath(path, os.path.abspath(directory)))
    return os.path.normpath(shown) if plan.exported_datasets else shown


def _problem(directory: str, path: str, reason: str, plan: Plan) -> SampleIngestionResponse:
    """The failure entry of a file or folder the plan could not take."""
    return SampleIngestionResponse(
        Sample(data=b"", filename=os.path.basename(path)),
        {"success": False, "error": reason, "fileName": _shown_path(directory, path, plan)},
    )
