"""``upload_samples``, and the edge between :func:`ei_desktop.ops.upload`'s report and the
official response shapes that every SDK upload function returns.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Optional, Union

from ei_desktop import ops
from ei_desktop.core.backends.base import DUPLICATE_MESSAGE, Backend, ServerUnreachable, UploadItem
from ei_desktop.core.connection import ProjectArg
from ei_desktop.core.convert import sample_to_item
from ei_desktop.core.model import Sample, SampleIngestionResponse, UploadSamplesResponse
from ei_desktop.core.progress import CancelToken, ProgressCallback
from ei_desktop.data._connection import resolve
from ei_desktop.data._progress import with_display
from ei_desktop.ops import ItemReport, Plan, Status, UploadOptions

log = logging.getLogger(__name__)


def upload_samples(
    samples: Union[Sample, list[Sample]],
    allow_duplicates: Optional[bool] = False,
    api_key: Optional[str] = None,
    timeout_sec: Optional[float] = None,
    max_workers: Optional[int] = None,
    show_progress: Optional[bool] = False,
    pool_maxsize: Optional[int] = 20,
    pool_connections: Optional[int] = 20,
    *,
    progress: Optional[ProgressCallback] = None,
    cancel: Optional[CancelToken] = None,
    project: ProjectArg = None,
) -> UploadSamplesResponse:
    """Upload one or more samples.

    Args:
        samples: a :class:`Sample` or a list of them.
        allow_duplicates: store content that is already in the project again; by default
            such a sample fails with ``An item with this hash already exists (ids: …)``.
        api_key: an Edge Impulse project API key (default ``ei_desktop.API_KEY``); with no key
            the samples go to the local project.
        timeout_sec: per-request timeout for Edge Impulse (``None``: the client default).
        max_workers, pool_maxsize, pool_connections: HTTP concurrency for Edge Impulse.
        show_progress: draw a progress bar on the terminal.
        progress: called after each sample.
        cancel: stop before the next sample; the response then has ``cancelled`` set.
        project: a local project folder or backend to upload to instead.

    Returns:
        :class:`UploadSamplesResponse` with one entry per attempted sample; a failure's
        ``error`` names the problem. ``Sample.sample_id`` is set on each uploaded sample.
    """
    if isinstance(samples, Sample):
        samples = [samples]
    backend = resolve(api_key, project, timeout_sec=timeout_sec, max_workers=max_workers)
    callback, bar = with_display(progress, show_progress, "Uploading")
    try:
        return send(
            backend,
            list(samples),
            allow_duplicates=bool(allow_duplicates),
            progress=callback,
            cancel=cancel,
        )
    finally:
        if bar is not None:
            bar.close()


def send(
    backend: Backend,
    samples: Sequence[Sample],
    *,
    allow_duplicates: bool = False,
    progress: Optional[ProgressCallback] = None,
    cancel: Optional[CancelToken] = None,
) -> UploadSamplesResponse:
    """Upload ``samples`` to ``backend`` through :func:`ei_desktop.ops.upload`.

    A sample whose data cannot be read fails alone; ``Sample.sample_id`` is set on each
    sample stored. Successes and failures come back in the official response shapes.
    """
    items: list[UploadItem] = []
    owners: list[Sample] = []
    fails: list[SampleIngestionResponse] = []
    for sample in samples:
        try:
            item = sample_to_item(sample)
        except (TypeError, OSError) as exc:
            fails.append(SampleIngestionResponse(sample, {"success": False, "error": str(exc)}))
            continue
        item.key = len(items)  # the report gives it back: which sample, which upload name
        items.append(item)
        owners.append(sample)
    plan = Plan(items=items, options=UploadOptions(allow_duplicates=allow_duplicates))
    # the SDK's response lists every sample: done ones are kept
    report = ops.upload(backend, plan, progress=progress, cancel=cancel, keep_done=True)
    successes: list[SampleIngestionResponse] = []
    project_id = backend.project_id() if report.done else None
    for entry in report.items:
        sample, item = owners[entry.key], items[entry.key]
        if entry.status is Status.DONE:
            sample.sample_id = entry.sample_id
            successes.append(_success(sample, entry, item.filename, project_id))
        else:
            fails.append(_failure(sample, entry, item.filename))
    if report.stopped_by is not None:  # the server went away: like the SDK, raise
        raise ServerUnreachable(report.stopped_by)
    log.info("Samples uploaded: %d, failed: %d.", len(successes), len(fails))
    return UploadSamplesResponse(successes, fails, cancelled=report.cancelled)


def _success(
    sample: Sample, entry: ItemReport, filename: str, project_id: Optional[int]
) -> SampleIngestionResponse:
    return SampleIngestionResponse(
        sample,
        {
            "success": True,
            "sampleId": entry.sample_id,
            "projectId": project_id,
            "fileName": filename,
            "category": entry.category,
        },
    )


def _failure(sample: Sample, entry: ItemReport, filename: str) -> SampleIngestionResponse:
    error = entry.reason
    if entry.status is Status.PRESENT:
        # the official message, as Edge Impulse words it: the report rephrases it for people
        start = error.find("(ids:")
        error = DUPLICATE_MESSAGE + (f" {error[start:]}" if start >= 0 else "")
    return SampleIngestionResponse(sample, {"success": False, "error": error, "fileName": filename})
