"""Downloading samples into memory, as a list or a stream."""

from __future__ import annotations

import logging
from collections.abc import Generator, Sequence
from numbers import Integral
from typing import Optional, Union

from ei_desktop.core.backends.base import DownloadedSample, DownloadFailure
from ei_desktop.core.connection import ProjectArg
from ei_desktop.core.convert import downloaded_to_sample
from ei_desktop.core.model import Sample
from ei_desktop.core.progress import CancelToken, Progress, ProgressCallback
from ei_desktop.data._connection import resolve
from ei_desktop.data._progress import with_display

log = logging.getLogger(__name__)


def _id_list(sample_ids) -> list[int]:
    if isinstance(sample_ids, Integral) and not isinstance(sample_ids, bool):
        return [int(sample_ids)]
    ids = list(sample_ids)
    if not all(isinstance(i, Integral) and not isinstance(i, bool) for i in ids):
        raise TypeError("All sample IDs must be integers")
    return [int(i) for i in ids]


def download_samples_by_ids(
    sample_ids: Union[int, list[int]],
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
) -> list[Sample]:
    """Download samples, in the order of ``sample_ids``; ids with no sample are left out.

    Time series come back as acquisition JSON text (timestamps implied by the stored interval),
    images, audio and video as a ``BytesIO`` of their bytes.

    Raises:
        TypeError: an id is not an integer.
    """
    ids = _id_list(sample_ids)
    backend = resolve(api_key, project, timeout_sec=timeout_sec, max_workers=max_workers)
    callback, bar = with_display(progress, show_progress, "Downloading")
    try:
        downloaded = backend.download(ids, progress=callback, cancel=cancel)
    finally:
        if bar is not None:
            bar.close()
    for failure in downloaded:
        if isinstance(failure, DownloadFailure):
            log.warning("Could not download sample %s: %s", failure.sample_id, failure.error)
    return [downloaded_to_sample(d) for d in downloaded if isinstance(d, DownloadedSample)]


def stream_samples_by_ids(
    sample_ids: Union[int, Sequence[int]],
    api_key: Optional[str] = None,
    timeout_sec: Optional[float] = None,
    max_workers: Optional[int] = None,
    show_progress: Optional[bool] = False,
    pool_maxsize: Optional[int] = 20,
    pool_connections: Optional[int] = 20,
    *,
    chunk_size: int = 50,
    progress: Optional[ProgressCallback] = None,
    cancel: Optional[CancelToken] = None,
    project: ProjectArg = None,
) -> Generator[Sample, None, None]:
    """Like :func:`download_samples_by_ids`, but yields samples as they arrive, a chunk at a
    time, so memory stays flat for large sets.
    """
    ids = _id_list(sample_ids)
    backend = resolve(api_key, project, timeout_sec=timeout_sec, max_workers=max_workers)
    callback, bar = with_display(progress, show_progress, "Downloading")
    done = 0
    try:
        for start in range(0, len(ids), max(1, chunk_size)):
            if cancel is not None and cancel.cancelled:
                return
            for downloaded in backend.download(ids[start : start + chunk_size], cancel=cancel):
                done += 1
                if callback is not None:
                    callback(Progress(done, len(ids), downloaded))
                if isinstance(downloaded, DownloadedSample):
                    yield downloaded_to_sample(downloaded)
                elif isinstance(downloaded, DownloadFailure):
                    log.warning(
                        "Could not download sample %s: %s", downloaded.sample_id, downloaded.error
                    )
    finally:
        if bar is not None:
            bar.close()
