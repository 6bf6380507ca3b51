"""The public functions of ``edgeimpulse.data``, with the same names, parameters, defaults and
return types, working on a local project or on Edge Impulse.

Differences from the official SDK 1.0.20, all fixes of its documented quirks:

- one bad file never aborts a batch: every sample gets its own success or failure;
- nothing of the caller's is mutated except ``Sample.sample_id`` after a successful upload
  (DataFrames, categories and bounding boxes are left alone);
- ``label=""`` stores a sample unlabeled, ``metadata={}`` is kept, ``filename=None`` gets a
  random name with an extension guessed from the content;
- ``api_key`` is honoured by every function; labels, metadata and queries are encoded safely;
- directory uploads accept ``.jpeg``/``.txt`` and upper-case extensions, apply
  ``bounding_boxes.labels`` and ``structured_labels.labels`` companions, detect category folders
  by whole folder names, and return an empty response (not ``None``) when there is nothing;
- ``delete_samples_by_filename`` deletes exact name matches only (not every name containing it);
- downloads skip missing samples and report unreadable ones without aborting the batch.

Every function also takes keyword-only ``progress`` (a callable receiving
:class:`~ei_desktop.core.progress.Progress`), ``cancel`` (a
:class:`~ei_desktop.core.progress.CancelToken`) where the work is long, and ``project`` (a
local project folder or a backend) to act on something other than the configured default.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Generator, Iterable, Sequence
from numbers import Integral
from typing import Any, Literal, Optional, Union

from ei_desktop.core import connection, frames, naming, scan
from ei_desktop.core.backends.base import (
    DownloadedSample,
    DownloadFailure,
    SampleQuery,
    UploadItem,
)
from ei_desktop.core.connection import ProjectArg
from ei_desktop.core.convert import downloaded_to_sample, sample_to_item
from ei_desktop.core.model import (
    GenericApiResponse,
    Sample,
    SampleInfo,
    SampleIngestionResponse,
    Sensor,
    UploadSamplesResponse,
)
from ei_desktop.core.progress import CancelToken, Progress, ProgressCallback

log = logging.getLogger(__name__)


# -- progress display ------------------------------------------------------------------------


def _with_display(progress: Optional[ProgressCallback], show: Optional[bool], what: str):
    """Chain a terminal progress bar (``show_progress=True``) in front of ``progress``."""
    if not show:
        return progress, None
    from tqdm import tqdm

    bar = tqdm(desc=what, unit=" samples", leave=False)

    def callback(update: Progress) -> None:
        if update.total is not None and bar.total != update.total:
            bar.total = update.total
        bar.n = update.done
        bar.refresh()
        if progress is not None:
            progress(update)

    return callback, bar


# -- upload ----------------------------------------------------------------------------------


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
    samples = list(samples)
    backend = connection.resolve(api_key, project)
    backend = _with_options(backend, timeout_sec, max_workers)
    items: list[UploadItem] = []
    early_fails: list[SampleIngestionResponse] = []
    for sample in samples:
        try:
            items.append(sample_to_item(sample))
        except (TypeError, OSError) as exc:
            early_fails.append(
                SampleIngestionResponse(sample, {"success": False, "error": str(exc)})
            )
    callback, bar = _with_display(progress, show_progress, "Uploading")
    try:
        results = backend.upload(
            items, allow_duplicates=bool(allow_duplicates), progress=callback, cancel=cancel
        )
    finally:
        if bar is not None:
            bar.close()
    successes, fails = [], list(early_fails)
    for result in results:
        sample = result.item.key
        if result.success:
            sample.sample_id = result.sample_id
            successes.append(
                SampleIngestionResponse(
                    sample,
                    {
                        "success": True,
                        "sampleId": result.sample_id,
                        "projectId": result.project_id,
                        "fileName": result.item.filename,
                        "category": result.category,
                    },
                )
            )
        else:
            fails.append(
                SampleIngestionResponse(
                    sample,
                    {"success": False, "error": result.error, "fileName": result.item.filename},
                )
            )
    cancelled = cancel is not None and cancel.cancelled and len(results) < len(items)
    log.info("Samples uploaded: %d, failed: %d.", len(successes), len(fails))
    return UploadSamplesResponse(successes, fails, cancelled=cancelled)


def _with_options(backend, timeout_sec=None, max_workers=None):
    """The backend with this call's HTTP timeout and concurrency (local projects have none)."""
    with_options = getattr(backend, "with_options", None)
    if with_options is None:
        return backend
    return with_options(timeout_sec=timeout_sec, max_workers=max_workers)


def _upload_batches(
    samples: list[Sample],
    transform: Optional[Callable],
    paths: list[str],
    allow_duplicates: bool,
    show_progress: Optional[bool],
    batch_size: Optional[int],
    problems: list[scan.Problem],
    progress: Optional[ProgressCallback],
    cancel: Optional[CancelToken],
    project: ProjectArg,
    api_key: Optional[str] = None,
) -> UploadSamplesResponse:
    """Upload samples in batches, applying ``transform(sample, path)`` first."""
    response = UploadSamplesResponse(
        [],
        [
            SampleIngestionResponse(
                Sample(data=b"", filename=os.path.basename(p.path)),
                {"success": False, "error": p.error, "fileName": p.path},
            )
            for p in problems
        ],
    )
    total = len(samples)
    done_before = 0

    batch_size = max(1, int(batch_size or 1024))
    display, bar = _with_display(progress, show_progress, "Uploading")

    def shifted(update: Progress) -> None:  # batches count from 0: report the whole upload
        display(Progress(done_before + update.done, total, update.item, update.message))

    callback = shifted if display is not None else None
    try:
        for start in range(0, total, batch_size):
            if cancel is not None and cancel.cancelled:
                response.cancelled = True
                break
            batch = samples[start : start + batch_size]
            if transform is not None:
                for sample, path in zip(batch, paths[start : start + batch_size]):
                    transform(sample, path)
            part = upload_samples(
                batch,
                allow_duplicates=allow_duplicates,
                api_key=api_key,
                progress=callback,
                cancel=cancel,
                project=project,
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
    file in it and its sub-folders.

    ``category``, ``label`` and ``metadata``, when given, apply to every sample (for an
    exported dataset they override what ``info.labels`` says).

    Raises:
        FileNotFoundError: ``directory`` is not a folder.
    """
    if not os.path.isdir(directory):
        raise FileNotFoundError(f"directory '{directory}' not found.")
    if scan.is_exported_dataset(directory):
        return _upload_exported(
            directory,
            transform,
            allow_duplicates,
            show_progress,
            batch_size,
            category=category,
            label=label,
            metadata=metadata,
            api_key=api_key,
            progress=progress,
            cancel=cancel,
            project=project,
        )
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
    files. With no ``label`` the label is inferred from each file name like the ingestion
    service does; ``transform(sample, path)`` may change each sample before upload.

    Raises:
        FileNotFoundError: ``directory`` is not a folder.
    """
    if not os.path.isdir(directory):
        raise FileNotFoundError(f"directory '{directory}' not found.")
    found = scan.find_files([directory])
    files = found.files
    for exported in found.exported_datasets:  # the root itself is never one here
        files.extend(scan.find_files([exported]).files)
    samples, problems = scan.plain_samples(files, category=category, label=label, metadata=metadata)
    return _upload_batches(
        samples,
        transform,
        files,
        bool(allow_duplicates),
        show_progress,
        batch_size,
        found.problems + problems,
        progress,
        cancel,
        project,
        api_key,
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
    return _upload_exported(
        directory,
        transform,
        allow_duplicates,
        show_progress,
        batch_size,
        api_key=api_key,
        progress=progress,
        cancel=cancel,
        project=project,
    )


def _upload_exported(
    directory,
    transform,
    allow_duplicates,
    show_progress,
    batch_size,
    *,
    category=None,
    label=None,
    metadata=None,
    api_key=None,
    progress=None,
    cancel=None,
    project=None,
) -> UploadSamplesResponse:
    if not os.path.isdir(directory):
        raise FileNotFoundError(f"Directory '{directory}' not found.")
    if not scan.is_exported_dataset(directory):
        raise FileNotFoundError(
            f"Labels file '{naming.LABEL_FILE}' not found in the specified directory."
        )
    samples, problems = scan.exported_samples(directory)
    for sample in samples:
        if category is not None:
            sample.category = category
        if label is not None:
            sample.label, sample.structured_labels = label, None
        if metadata is not None:
            sample.metadata = {**(sample.metadata or {}), **metadata}
    paths = [s.data.path for s in samples]
    return _upload_batches(
        samples,
        transform,
        paths,
        bool(allow_duplicates),
        show_progress,
        batch_size,
        problems,
        progress,
        cancel,
        project,
        api_key,
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


# -- numpy and pandas ------------------------------------------------------------------------


def numpy_timeseries_to_sample(values, sensors: list[Sensor], sample_rate_ms: int) -> Sample:
    """A time-series sample (acquisition JSON) from a (time points × axes) array."""
    return frames.numpy_timeseries_to_sample(values, sensors, sample_rate_ms)


def upload_numpy(
    data,
    labels: list[str],
    sensors: list[Sensor],
    sample_rate_ms: int,
    metadata: Optional[dict] = None,
    category: Literal["training", "testing", "split", "anomaly"] = "split",
    *,
    allow_duplicates: bool = False,
    api_key: Optional[str] = None,
    show_progress: bool = False,
    progress: Optional[ProgressCallback] = None,
    cancel: Optional[CancelToken] = None,
    project: ProjectArg = None,
) -> UploadSamplesResponse:
    """Upload a (samples × time points × axes) array as time-series samples, one label each.

    Raises:
        ValueError: labels and samples differ in number, or a sample's axes differ from
            ``sensors``.
    """
    samples = frames.numpy_samples(data, labels, sensors, sample_rate_ms, metadata, category)
    return upload_samples(
        samples,
        allow_duplicates=allow_duplicates,
        api_key=api_key,
        show_progress=show_progress,
        progress=progress,
        cancel=cancel,
        project=project,
    )


def pandas_dataframe_to_sample(
    df,
    sample_rate_ms: Optional[int] = None,
    label: Optional[str] = None,
    filename: Optional[str] = None,
    axis_columns: Optional[list[str]] = None,
    metadata: Optional[dict] = None,
    label_col: Optional[str] = None,
    category: Literal["training", "testing", "split"] = "split",
) -> Sample:
    """One sample (CSV) from a DataFrame: a time series when it has more than one row."""
    return frames.pandas_dataframe_to_sample(
        df,
        sample_rate_ms=sample_rate_ms,
        label=label,
        filename=filename,
        axis_columns=axis_columns,
        metadata=metadata,
        label_col=label_col,
        category=category,
    )


def upload_pandas_sample(
    df,
    label: Optional[str] = None,
    sample_rate_ms: Optional[int] = None,
    filename: Optional[str] = None,
    axis_columns: Optional[list[str]] = None,
    metadata: Optional[dict] = None,
    label_col: Optional[str] = None,
    category: Literal["training", "testing", "split"] = "split",
    *,
    allow_duplicates: bool = False,
    api_key: Optional[str] = None,
    project: ProjectArg = None,
) -> UploadSamplesResponse:
    """Upload a DataFrame as one sample (see :func:`pandas_dataframe_to_sample`)."""
    sample = pandas_dataframe_to_sample(
        df,
        sample_rate_ms=sample_rate_ms,
        label=label,
        filename=filename,
        axis_columns=axis_columns,
        metadata=metadata,
        label_col=label_col,
        category=category,
    )
    return upload_samples(
        sample, allow_duplicates=allow_duplicates, api_key=api_key, project=project
    )


def upload_pandas_dataframe(
    df,
    feature_cols: list[str],
    label_col: Optional[str] = None,
    category_col: Optional[str] = None,
    metadata_cols: Optional[list[str]] = None,
    *,
    allow_duplicates: bool = False,
    api_key: Optional[str] = None,
    show_progress: bool = False,
    progress: Optional[ProgressCallback] = None,
    cancel: Optional[CancelToken] = None,
    project: ProjectArg = None,
) -> UploadSamplesResponse:
    """Upload each row of a DataFrame as one non-time-series sample."""
    samples = frames.samples_from_rows(df, feature_cols, label_col, category_col, metadata_cols)
    return upload_samples(
        samples,
        allow_duplicates=allow_duplicates,
        api_key=api_key,
        show_progress=show_progress,
        progress=progress,
        cancel=cancel,
        project=project,
    )


def upload_pandas_dataframe_wide(
    df,
    sample_rate_ms: int,
    data_col_start: Optional[int] = None,
    label_col: Optional[str] = None,
    category_col: Optional[str] = None,
    metadata_cols: Optional[list[str]] = None,
    data_col_length: Optional[int] = None,
    data_axis_cols: Optional[list[str]] = None,
    *,
    allow_duplicates: bool = False,
    api_key: Optional[str] = None,
    show_progress: bool = False,
    progress: Optional[ProgressCallback] = None,
    cancel: Optional[CancelToken] = None,
    project: ProjectArg = None,
) -> UploadSamplesResponse:
    """Upload each row of a wide DataFrame (one column per time point) as a time series."""
    samples = frames.samples_from_wide(
        df,
        sample_rate_ms,
        data_col_start=data_col_start,
        label_col=label_col,
        category_col=category_col,
        metadata_cols=metadata_cols,
        data_col_length=data_col_length,
        data_axis_cols=data_axis_cols,
    )
    return upload_samples(
        samples,
        allow_duplicates=allow_duplicates,
        api_key=api_key,
        show_progress=show_progress,
        progress=progress,
        cancel=cancel,
        project=project,
    )


def upload_pandas_dataframe_with_group(
    df,
    timestamp_col: str,
    group_by: str,
    feature_cols: list[str],
    label_col: Optional[str] = None,
    category_col: Optional[str] = None,
    metadata_cols: Optional[list[str]] = None,
    *,
    allow_duplicates: bool = False,
    api_key: Optional[str] = None,
    show_progress: bool = False,
    progress: Optional[ProgressCallback] = None,
    cancel: Optional[CancelToken] = None,
    project: ProjectArg = None,
) -> UploadSamplesResponse:
    """Upload a long DataFrame where ``group_by`` tells which rows form each time series
    (timestamps in seconds or datetimes).
    """
    samples = frames.samples_from_groups(
        df,
        timestamp_col,
        group_by,
        feature_cols,
        label_col=label_col,
        category_col=category_col,
        metadata_cols=metadata_cols,
    )
    return upload_samples(
        samples,
        allow_duplicates=allow_duplicates,
        api_key=api_key,
        show_progress=show_progress,
        progress=progress,
        cancel=cancel,
        project=project,
    )


# -- listing ---------------------------------------------------------------------------------


def _listing_category(category: Optional[str]) -> Optional[str]:
    if category is None or category == "all":
        return None
    if category not in naming.CATEGORIES:
        raise ValueError(
            "Invalid category. Allowable categories: "
            f"{list(naming.CATEGORIES)} and None to search in all categories."
        )
    return category


def _labels_tuple(labels: Union[str, Iterable[str], None]) -> Optional[tuple[str, ...]]:
    if labels is None:
        return None
    if isinstance(labels, str):
        return (labels,)
    return tuple(str(label) for label in labels)


def get_sample_ids(
    filename: Optional[str] = None,
    category: Optional[str] = None,
    labels: Optional[str] = None,
    api_key: Optional[str] = None,
    num_workers: Optional[int] = 4,
    timeout_sec: Optional[float] = None,
    *,
    project: ProjectArg = None,
) -> list[SampleInfo]:
    """Id, stored name, category and label of the samples that match.

    Args:
        filename: keep samples whose stored name (upload name without its extension)
            contains this text, ignoring case.
        category: one category, or ``None``/``"all"`` for every category.
        labels: a label or a list of labels to keep.
        api_key: see :func:`upload_samples`.
        num_workers, timeout_sec: HTTP concurrency and timeout for Edge Impulse.

    Raises:
        ValueError: an unknown category.
    """
    query = SampleQuery(_listing_category(category), _labels_tuple(labels), filename or None)
    backend = connection.resolve(api_key, project)
    backend = _with_options(backend, timeout_sec, num_workers)
    return backend.sample_infos(query)


def get_filename_by_id(
    sample_id: int,
    api_key: Optional[str] = None,
    timeout_sec: Optional[float] = None,
    *,
    project: ProjectArg = None,
) -> Optional[str]:
    """The stored name of a sample (``capacitor.01`` for ``capacitor.01.png``), or ``None``."""
    backend = connection.resolve(api_key, project)
    backend = _with_options(backend, timeout_sec, None)
    record = backend.get_sample(int(sample_id))
    return record.filename if record is not None else None


# -- delete ----------------------------------------------------------------------------------


def delete_all_samples(
    category: Optional[str] = None,
    api_key: Optional[str] = None,
    timeout_sec: Optional[float] = None,
    *,
    project: ProjectArg = None,
) -> Optional[GenericApiResponse]:
    """Delete every sample of ``category``, or of the whole project when ``None``.

    Raises:
        ValueError: an unknown category.
    """
    category = _listing_category(category)
    backend = connection.resolve(api_key, project)
    backend = _with_options(backend, timeout_sec, None)
    deleted = backend.delete_all(category)
    return GenericApiResponse(success=True, deleted=deleted)


def delete_sample_by_id(
    sample_id: int,
    api_key: Optional[str] = None,
    timeout_sec: Optional[float] = None,
    *,
    project: ProjectArg = None,
) -> Optional[GenericApiResponse]:
    """Delete one sample; ``None`` when there is no sample with that id."""
    backend = connection.resolve(api_key, project)
    backend = _with_options(backend, timeout_sec, None)
    (deleted,) = backend.delete([int(sample_id)])
    if not deleted:
        log.info("No sample found with ID %s", sample_id)
        return None
    return GenericApiResponse(success=True, deleted=1)


def delete_samples_by_filename(
    filename: str,
    category: Optional[str] = None,
    api_key: Optional[str] = None,
    timeout_sec: Optional[float] = None,
    *,
    project: ProjectArg = None,
) -> tuple[Optional[Any], ...]:
    """Delete the samples whose stored name is exactly ``filename`` (no extension).

    Returns one response per sample deleted (``None`` where it vanished meanwhile).
    """
    infos = get_sample_ids(
        filename=filename,
        category=category,
        api_key=api_key,
        timeout_sec=timeout_sec,
        project=project,
    )
    ids = [info.sample_id for info in infos if info.filename == filename]
    if not ids:
        return ()
    backend = connection.resolve(api_key, project)
    return tuple(
        GenericApiResponse(success=True, deleted=1) if ok else None for ok in backend.delete(ids)
    )


# -- download --------------------------------------------------------------------------------


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
    backend = connection.resolve(api_key, project)
    backend = _with_options(backend, timeout_sec, max_workers)
    callback, bar = _with_display(progress, show_progress, "Downloading")
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
    backend = connection.resolve(api_key, project)
    backend = _with_options(backend, timeout_sec, max_workers)
    callback, bar = _with_display(progress, show_progress, "Downloading")
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
