"""Uploading files and folders: walk the paths, build samples, upload them (all off the UI
thread).
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Optional

from ei_desktop.core import naming, scan
from ei_desktop.core.backends.base import Backend
from ei_desktop.core.model import Sample, SampleIngestionResponse, UploadSamplesResponse
from ei_desktop.core.progress import CancelToken, Progress
from ei_desktop.data import upload_samples
from ei_desktop.gui.jobs.outcome import Failure, Outcome

#: category choice that reads ``training``/``testing``/… from the files' folder names
FROM_FOLDERS = "from-folders"

LABEL_INFER = "infer"
LABEL_FIXED = "fixed"
LABEL_NONE = "none"


@dataclass
class UploadOptions:
    """How files become samples.

    Attributes:
        category: a category, ``"split"`` (80/20 training/testing) or :data:`FROM_FOLDERS`
            (a ``training``/``testing``/``validation``/``anomaly`` folder in the path, else
            split).
        label_mode: :data:`LABEL_INFER` (from the file name: ``idle.01.cbor`` → ``idle``),
            :data:`LABEL_FIXED` (``label`` for every file) or :data:`LABEL_NONE` (unlabeled).
        label: the label for :data:`LABEL_FIXED`.
        metadata: key/value pairs added to every file's sample.
        allow_duplicates: store content already in the project again.
    """

    category: str = naming.SPLIT
    label_mode: str = LABEL_INFER
    label: str = ""
    metadata: dict[str, str] = field(default_factory=dict)
    allow_duplicates: bool = False

    def sample_label(self) -> Optional[str]:
        """The ``Sample.label`` to use (``None`` lets the store infer it from the name)."""
        if self.label_mode == LABEL_FIXED:
            return self.label
        if self.label_mode == LABEL_NONE:
            return ""
        return None


def build_samples(
    paths: Sequence[str], options: UploadOptions
) -> tuple[list[Sample], list[Failure]]:
    """Samples for every supported file under ``paths`` and the problems met on the way.

    Exported datasets (a folder with ``info.labels``) keep the categories and labels they
    describe; ``options`` apply to plain files.
    """
    found = scan.find_files(list(paths))
    failures = [Failure(p.path, p.error) for p in found.problems]
    category = naming.SPLIT if options.category == FROM_FOLDERS else options.category
    samples, problems = scan.plain_samples(
        found.files,
        category=category,
        label=options.sample_label(),
        metadata=options.metadata or None,
    )
    failures.extend(Failure(p.path, p.error) for p in problems)
    if options.category == FROM_FOLDERS:
        for sample, path in zip(samples, found.files):
            sample.category = naming.category_from_path(path) or naming.SPLIT
    for directory in found.exported_datasets:
        exported, problems = scan.exported_samples(directory)
        samples.extend(exported)
        failures.extend(Failure(p.path, p.error) for p in problems)
    return samples, failures


def _name(response: SampleIngestionResponse) -> str:
    data = getattr(response.sample, "data", None)
    if isinstance(data, scan.FileSource):
        return data.path
    return response.filename or response.sample.filename or "(unnamed)"


def outcome_of(
    title: str,
    response: UploadSamplesResponse,
    total: int,
    early: Sequence[Failure] = (),
) -> Outcome:
    """An :class:`Outcome` from an upload response (``early``: failures before uploading)."""
    failures = list(early)
    failures.extend(Failure(_name(f), f.error or "Unknown error") for f in response.fails)
    return Outcome(
        title=title,
        verb="uploaded",
        total=total + len(early),
        succeeded=len(response.successes),
        failures=failures,
        cancelled=response.cancelled,
        changed=bool(response.successes),
        new_ids=[s.sample_id for s in response.successes if s.sample_id is not None],
    )


def upload_samples_job(
    backend: Backend,
    samples: list[Sample],
    *,
    allow_duplicates: bool,
    title: str = "Upload",
    early: Sequence[Failure] = (),
):
    """A job function that uploads ready-made samples."""

    def run(progress, cancel: CancelToken) -> Outcome:
        response = upload_samples(
            samples,
            allow_duplicates=allow_duplicates,
            progress=progress,
            cancel=cancel,
            project=backend,
        )
        return outcome_of(title, response, len(samples), early)

    return run


def upload_paths_job(backend: Backend, paths: Sequence[str], options: UploadOptions):
    """A job function that walks ``paths`` and uploads every supported file found.

    Returns an :class:`Outcome`; files that could not be read or parsed are failures with
    their reason, never a reason to stop.
    """
    paths = [os.fspath(p) for p in paths]

    def run(progress, cancel: CancelToken) -> Outcome:
        progress(Progress(0, None, message="Looking for files…"))
        samples, early = build_samples(paths, options)
        if cancel.cancelled:
            return Outcome("Upload", "uploaded", len(samples) + len(early), 0, early, True)
        if not samples and not early:
            early = [Failure(", ".join(paths), "No supported files found")]
        progress(Progress(0, len(samples), message=f"Uploading {len(samples):,} files…"))
        return upload_samples_job(
            backend, samples, allow_duplicates=options.allow_duplicates, early=early
        )(progress, cancel)

    return run
