"""Folder uploads (plain folders and exported datasets) and the file-name rule used as a
``transform``.

The files are found and turned into items by :func:`ei_desktop.ops.plan_upload`, the rule set
every face shares, with the official functions' semantics mapped onto
:class:`~ei_desktop.ops.UploadOptions`; ``transform`` and the response get :class:`Sample`
objects built from the plan's items.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Optional

from ei_desktop.core import naming, scan
from ei_desktop.core.backends.base import UploadItem
from ei_desktop.core.connection import ProjectArg
from ei_desktop.core.model import Sample, SampleIngestionResponse, UploadSamplesResponse
from ei_desktop.core.progress import CancelToken, Progress, ProgressCallback, is_cancelled
from ei_desktop.data._connection import resolve
from ei_desktop.data._progress import with_display
from ei_desktop.data.upload import send
from ei_desktop.ops import Plan, UploadOptions, plan_upload


def upload_directory(
    directory: str,
    category: Optional[str] = None,
    label: Optional[str] = None,
    metadata: Optional[dict] = None,
    transform: Optional[Callable] = None,
    allow_duplicates: Optional[bool] = False,
    show_progress: Optional[bool] = False,
    batch_size: Optional[int] = 1024,
    *,
    api_key: Optional[str] = None,
    progress: Optional[ProgressCallback] = None,
    cancel: Optional[CancelToken] = None,
    project: ProjectArg = None,
) -> UploadSamplesResponse:
    """Upload a folder: an exported dataset when it holds ``info.labels``, else every sample
    file in it and its sub-folders (see :func:`upload_plain_directory`).

    ``category``, ``label`` and ``metadata``, when given, apply to every sample (for an
    exported dataset they override what ``info.labels`` says).

    Raises:
        FileNotFoundError: ``directory`` is not a folder.
    """
    if not os.path.isdir(directory):
        raise FileNotFoundError(f"directory '{directory}' not found.")
    if not scan.is_exported_dataset(directory):
        return upload_plain_directory(
            directory,
            category=category,
            label=label,
            metadata=metadata,
            transform=transform,
            allow_duplicates=allow_duplicates,
            show_progress=show_progress,
            batch_size=batch_size,
            api_key=api_key,
            progress=progress,
            cancel=cancel,
            project=project,
        )
    options = UploadOptions(
        category=_planned(category, None),
        label=label,
        metadata=metadata or {},
        allow_duplicates=bool(allow_duplicates),
        label_from_name=False,
    )
    return _upload(
        directory,
        options,
        transform,
        show_progress,
        batch_size,
        category=_FROM_ITEM if category is None else category,
        metadata=metadata,
        api_key=api_key,
        progress=progress,
        cancel=cancel,
        project=project,
    )


def upload_plain_directory(
    directory: str,
    category: Optional[str] = None,
    label: Optional[str] = None,
    metadata: Optional[dict] = None,
    transform: Optional[Callable] = None,
    allow_duplicates: Optional[bool] = False,
    show_progress: Optional[bool] = False,
    batch_size: Optional[int] = 1024,
    *,
    api_key: Optional[str] = None,
    progress: Optional[ProgressCallback] = None,
    cancel: Optional[CancelToken] = None,
    project: ProjectArg = None,
) -> UploadSamplesResponse:
    """Upload every sample file under ``directory`` (recursively).

    Takes ``.json .cbor .csv .txt .wav .jpg .jpeg .png .mp4 .avi`` in any case; skips hidden
    files; applies ``bounding_boxes.labels`` / ``structured_labels.labels`` found beside the
    files; reads the files of sub-folders holding ``info.labels`` as plain files. With no
    ``category`` samples are split 80/20; with no ``label`` the label is inferred from each file
    name like the ingestion service does; ``transform(sample, path)`` may change each sample
    before upload.

    Raises:
        FileNotFoundError: ``directory`` is not a folder.
    """
    if not os.path.isdir(directory):
        raise FileNotFoundError(f"directory '{directory}' not found.")
    options = UploadOptions(
        category=_planned(category, naming.SPLIT),
        label=label,
        metadata=metadata or {},
        allow_duplicates=bool(allow_duplicates),
        label_from_name=False,
        exported_datasets=False,
    )
    return _upload(
        directory,
        options,
        transform,
        show_progress,
        batch_size,
        category=category,
        metadata=metadata,
        api_key=api_key,
        progress=progress,
        cancel=cancel,
        project=project,
    )


def upload_exported_dataset(
    directory: str,
    transform: Optional[Callable] = None,
    allow_duplicates: Optional[bool] = False,
    show_progress: Optional[bool] = False,
    batch_size: Optional[int] = 1024,
    *,
    api_key: Optional[str] = None,
    progress: Optional[ProgressCallback] = None,
    cancel: Optional[CancelToken] = None,
    project: ProjectArg = None,
) -> UploadSamplesResponse:
    """Upload a dataset exported from Edge Impulse, keeping what ``info.labels`` says
    (category, label or multi-label segments, metadata, bounding boxes, name).

    Raises:
        FileNotFoundError: ``directory`` or its ``info.labels`` is missing.
    """
    if not os.path.isdir(directory):
        raise FileNotFoundError(f"Directory '{directory}' not found.")
    if not scan.is_exported_dataset(directory):
        raise FileNotFoundError(
            f"Labels file '{naming.LABEL_FILE}' not found in the specified directory."
        )
    options = UploadOptions(allow_duplicates=bool(allow_duplicates), label_from_name=False)
    return _upload(
        directory,
        options,
        transform,
        show_progress,
        batch_size,
        api_key=api_key,
        progress=progress,
        cancel=cancel,
        project=project,
    )


def infer_from_filename(sample: Sample, file: str) -> None:
    """Set ``sample``'s label from the file's base name (the part before the first dot) and its
    category from a folder named ``training``, ``testing``, ``validation`` or ``anomaly`` in
    the path (whole folder names only; the innermost wins). Usable as a ``transform``.
    """
    sample.label = naming.sdk_label(file)
    category = naming.category_from_path(file)
    if category is not None:
        sample.category = category


infer_category_and_label_from_filename = infer_from_filename


_FROM_ITEM = object()  # a sample keeps the category its item was planned with


def _planned(category: Optional[str], default: Optional[str]) -> Optional[str]:
    """The category to plan with: ``category`` when it is one, else ``default``.

    An unknown category is not refused here: the samples carry it, and the backend fails
    each of them with its reason, as Edge Impulse does for the official functions.
    """
    return category if category in naming.UPLOAD_CATEGORIES else default


def _upload(
    directory: str,
    options: UploadOptions,
    transform: Optional[Callable],
    show_progress: Optional[bool],
    batch_size: Optional[int],
    *,
    category: object = _FROM_ITEM,
    metadata: Optional[dict] = None,
    api_key: Optional[str],
    progress: Optional[ProgressCallback],
    cancel: Optional[CancelToken],
    project: ProjectArg,
) -> UploadSamplesResponse:
    """Plan ``directory`` with ``options`` and upload the plan in batches of ``batch_size``,
    applying ``transform(sample, path)`` to each batch first.

    ``category`` and ``metadata`` are what the caller gave, so the samples handed to
    ``transform`` and returned look as the official functions build them.
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
        category=item.category if category is _FROM_ITEM else category,
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
