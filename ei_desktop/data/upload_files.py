"""Folder uploads (plain folders and exported datasets) and the file-name rule used as a
``transform``.

The official functions' semantics are mapped onto :class:`~ei_desktop.ops.UploadOptions`: the
files are found and turned into items by :func:`ei_desktop.ops.plan_upload`, the rule set every
face shares (see :mod:`ei_desktop.data._planned`).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Optional

from ei_desktop.core import naming, scan
from ei_desktop.core.connection import ProjectArg
from ei_desktop.core.model import Sample, UploadSamplesResponse
from ei_desktop.core.progress import CancelToken, ProgressCallback
from ei_desktop.data._planned import FROM_PLAN, upload_planned
from ei_desktop.ops import UploadOptions


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
        dataset_format="ei",  # as the official SDK: info.labels, no other dataset formats
    )
    return upload_planned(
        directory,
        options,
        transform,
        show_progress,
        batch_size,
        category=FROM_PLAN if category is None else category,
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
    return upload_planned(
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
    options = UploadOptions(
        allow_duplicates=bool(allow_duplicates), label_from_name=False, dataset_format="ei"
    )
    return upload_planned(
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


def _planned(category: Optional[str], default: Optional[str]) -> Optional[str]:
    """The category to plan with: ``category`` when it is one, else ``default``.

    An unknown category is not refused here: the samples carry it, and the backend fails
    each of them with its reason, as Edge Impulse does for the official functions.
    """
    return category if category in naming.UPLOAD_CATEGORIES else default
