"""Downloading samples with their structure: the files as uploaded in category folders, or
the Edge Impulse export layout (category folders plus an ``info.labels`` describing every
file) that ``ei-desktop upload`` and the SDK's ``upload_exported_dataset`` read back.

Both stream each sample's content straight to disk and never overwrite a file: a name
already taken gets a `` (2)``, `` (3)`` … suffix before its extension. An export writes
each file under a temporary name and moves it into place, and takes a file an interrupted
run left with the same content instead of writing it again, so running it again completes.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from collections.abc import Mapping, Sequence
from enum import Enum
from typing import Any, Optional

from ei_desktop.core import naming
from ei_desktop.core.backends.base import Backend, BackendError, SampleRecord
from ei_desktop.core.labels import LabelError, read_info_labels
from ei_desktop.core.progress import CancelToken, Progress, ProgressCallback, is_cancelled
from ei_desktop.ops.batches import sample_name, slices
from ei_desktop.ops.download import download
from ei_desktop.ops.report import ItemReport, Report, Status

#: samples whose records are fetched per backend call
STEP = 200
#: bytes copied per read while streaming a sample to disk
CHUNK = 1 << 20


class Layout(str, Enum):
    """How downloaded samples are laid out on disk."""

    #: one flat folder of acquisition JSON (and media) files, as the official SDK writes
    SDK = "sdk"
    #: each sample's content as uploaded, in one folder per category
    UPLOADED = "uploaded"
    #: Edge Impulse's "Export data" layout: category folders plus ``info.labels``
    EXPORT = "export"


def download_in_layout(
    backend: Backend,
    ids: Sequence[int],
    folder: str | os.PathLike,
    layout: Layout | str = Layout.SDK,
    *,
    names: Optional[Mapping[int, str]] = None,
    progress: Optional[ProgressCallback] = None,
    cancel: Optional[CancelToken] = None,
) -> Report:
    """Write samples ``ids`` into ``folder`` in ``layout`` (see :class:`Layout`).

    Raises:
        ValueError: ``layout`` is not a layout, or ``folder`` holds an ``info.labels`` that
            cannot be read (export).
        OSError: ``folder`` cannot be created.
    """
    layout = Layout(layout)
    if layout is Layout.UPLOADED:
        return download_as_uploaded(
            backend, ids, folder, names=names, progress=progress, cancel=cancel
        )
    if layout is Layout.EXPORT:
        return export_dataset(backend, ids, folder, names=names, progress=progress, cancel=cancel)
    return download(backend, ids, folder, names=names, progress=progress, cancel=cancel)


def download_as_uploaded(
    backend: Backend,
    ids: Sequence[int],
    folder: str | os.PathLike,
    *,
    names: Optional[Mapping[int, str]] = None,
    progress: Optional[ProgressCallback] = None,
    cancel: Optional[CancelToken] = None,
) -> Report:
    """Write each sample's content exactly as uploaded into ``folder/<category>/`` under its
    original name.

    A done item is named by the path written. An unknown id, content that cannot be read,
    or a file that cannot be written fails that sample alone; the rest go on.

    Raises:
        OSError: ``folder`` cannot be created.
    """
    return _run(backend, ids, folder, names, progress, cancel, on_written=None)


def export_dataset(
    backend: Backend,
    ids: Sequence[int],
    folder: str | os.PathLike,
    *,
    names: Optional[Mapping[int, str]] = None,
    progress: Optional[ProgressCallback] = None,
    cancel: Optional[CancelToken] = None,
) -> Report:
    """Write samples as an Edge Impulse export: their content as uploaded in
    ``folder/<category>/`` and ``folder/info.labels`` listing each file with its category,
    label (single, multi-label segments or unlabeled), metadata and bounding boxes.

    An ``info.labels`` already in ``folder`` keeps its entries (the new files are added to
    it). ``info.labels`` is written when the run ends, cancelled or not, and lists exactly the
    files written. Failures are per sample, as in :func:`download_as_uploaded`.

    Raises:
        ValueError: ``folder`` holds an ``info.labels`` that cannot be read.
        OSError: ``folder`` cannot be created, or ``info.labels`` cannot be written.
    """
    info_path = os.path.join(folder, naming.LABEL_FILE)
    entries: list[Any] = []
    if os.path.isfile(info_path):
        try:
            with open(info_path, encoding="utf-8-sig") as handle:
                entries = list(read_info_labels(handle.read()))
        except (UnicodeDecodeError, LabelError) as exc:
            raise ValueError(f"{info_path} cannot be added to: {exc}") from None
    # files other entries describe are never taken for a new one, even with the same content
    listed = {os.path.normpath(os.path.join(folder, e["path"])) for e in entries if _path_of(e)}
    report = _run(
        backend,
        ids,
        folder,
        names,
        progress,
        cancel,
        on_written=lambda record, relative: entries.append(info_entry(record, relative)),
        taken=listed,
    )
    _write_info_labels(info_path, entries)
    return report


def _path_of(entry: Any) -> bool:
    return isinstance(entry, dict) and isinstance(entry.get("path"), str)


def info_entry(record: SampleRecord, path: str) -> dict[str, Any]:
    """The ``info.labels`` entry describing ``record`` stored at ``path`` (relative, with
    forward slashes).
    """
    if record.structured_labels:
        label: dict[str, Any] = {"type": "multi-label", "labels": record.structured_labels}
    elif record.label:
        label = {"type": "label", "label": record.label}
    else:
        label = {"type": "unlabeled"}
    return {
        "path": path,
        "name": record.filename,
        "category": record.category,
        "label": label,
        "metadata": dict(record.metadata or {}),
        "boundingBoxes": list(record.bounding_boxes or []),
    }


def _write_info_labels(info_path: str, entries: list[Any]) -> None:
    """``info.labels`` written whole to a temporary name, then moved into place."""
    temporary = info_path + ".partial"
    with open(temporary, "w", encoding="utf-8") as handle:
        handle.write('{"version": 1, "type": "exported", "files": [')
        for number, entry in enumerate(entries):
            handle.write("\n" if number == 0 else ",\n")
            handle.write(json.dumps(entry, ensure_ascii=False))
        handle.write("\n]}\n")
    os.replace(temporary, info_path)


def _run(backend, ids, folder, names, progress, cancel, on_written, taken=None) -> Report:
    ids = [int(i) for i in ids]
    verb = "exported" if on_written is not None else "downloaded"
    action = "Export" if on_written is not None else "Download"
    report = Report(action, verb, total=len(ids), destination=os.fspath(folder))
    os.makedirs(folder, exist_ok=True)
    for chunk in slices(ids, STEP, cancel):
        try:
            records = backend.get_samples(chunk)
        except BackendError as exc:
            report.stopped_by = str(exc)
            return report
        for sample_id in chunk:
            if is_cancelled(cancel):
                break
            entry = _write_one(backend, folder, sample_id, records.get(sample_id), names, taken)
            if entry.status is Status.DONE and on_written is not None:
                relative = os.path.relpath(entry.name, folder).replace(os.sep, "/")
                on_written(records[sample_id], relative)
            report.add(entry)
            if progress is not None:
                progress(Progress(len(report.items), len(ids), item=entry))
    report.cancelled = is_cancelled(cancel) and report.not_attempted > 0
    return report


def _write_one(
    backend: Backend,
    folder: str | os.PathLike,
    sample_id: int,
    record: Optional[SampleRecord],
    names: Optional[Mapping[int, str]],
    taken: Optional[set[str]] = None,
) -> ItemReport:
    """Write one sample into its category folder; with ``taken`` (an export), through
    :func:`write_content`, adding the path written to ``taken``.
    """
    name = sample_name(names, sample_id)
    if record is None:
        return ItemReport(name, Status.FAILED, f"No sample found with ID {sample_id}")
    name = sample_name({sample_id: record.filename}, sample_id)
    try:
        content = backend.open_content(sample_id)
    except (BackendError, OSError, ValueError) as exc:
        return ItemReport(name, Status.FAILED, f"Cannot read the sample: {exc}", sample_id)
    if content is None:
        return ItemReport(name, Status.FAILED, f"No sample found with ID {sample_id}")
    directory = os.path.join(folder, naming.safe_filename(record.category or naming.SPLIT))
    path = None
    try:
        with content:
            os.makedirs(directory, exist_ok=True)
            if taken is not None:
                path = write_content(
                    lambda: content, directory, _file_name(record), record.sha256, taken
                )
                taken.add(path)
            else:
                path, handle = _create_unique(directory, _file_name(record))
                with handle:
                    shutil.copyfileobj(content, handle, CHUNK)
    except (BackendError, OSError, ValueError) as exc:
        if path is not None and taken is None:
            _remove(path)
        reason = getattr(exc, "strerror", None) or str(exc)
        what = "write the file" if isinstance(exc, OSError) else "read the sample"
        return ItemReport(name, Status.FAILED, f"Cannot {what}: {reason}", sample_id)
    return ItemReport(path, Status.DONE, sample_id=sample_id, category=record.category)


def _file_name(record: SampleRecord) -> str:
    """The original file name (the stored name when the backend does not know it)."""
    return naming.safe_filename(record.upload_name or record.filename)


def write_content(
    open_content, directory: str, file_name: str, sha256: str = "", taken=frozenset()
) -> str:
    """Write the stream ``open_content()`` returns into ``directory`` as ``file_name``;
    returns the path.

    A file of that name (or ``stem (2).ext`` …) with the same SHA-256 that is not in
    ``taken`` is kept as it is (an earlier, interrupted run wrote it); otherwise the first
    free name is written, under a temporary name first, so an interruption never leaves a
    partial file under a real name. Nothing is overwritten.
    """
    stem, extension = os.path.splitext(file_name)
    number = 1
    while True:
        candidate = file_name if number == 1 else f"{stem} ({number}){extension}"
        path = os.path.join(directory, candidate)
        if not os.path.exists(path):
            break
        if sha256 and path not in taken and file_sha256(path) == sha256:
            return path
        number += 1
    temporary = path + ".partial"
    try:
        with open_content() as content, open(temporary, "wb") as handle:
            shutil.copyfileobj(content, handle, CHUNK)
        os.replace(temporary, path)
    except BaseException:
        _remove(temporary)
        raise
    return path


def file_sha256(path: str) -> str:
    """The SHA-256 of the file at ``path``, in hex."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(CHUNK), b""):
            digest.update(block)
    return digest.hexdigest()


def _create_unique(directory: str, file_name: str):
    """A new file in ``directory`` named ``file_name``, or ``stem (2).ext`` … when taken;
    returns its path and its handle, open for binary writing.
    """
    stem, extension = os.path.splitext(file_name)
    number = 1
    while True:
        candidate = file_name if number == 1 else f"{stem} ({number}){extension}"
        path = os.path.join(directory, candidate)
        try:
            return path, open(path, "xb")
        except FileExistsError:
            number += 1


def _remove(path: str) -> None:
    try:
        os.remove(path)
    except OSError:
        pass
