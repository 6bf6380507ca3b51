"""Downloading samples into a folder, a few at a time so cancel is quick and memory flat."""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence

from ei_desktop.core.backends.base import Backend, DownloadFailure
from ei_desktop.core.convert import save_downloaded
from ei_desktop.core.progress import CancelToken, Progress
from ei_desktop.gui.jobs.outcome import Failure, Outcome, chunks, sample_name

#: samples fetched per backend call
CHUNK = 50


def download_job(
    backend: Backend,
    ids: Sequence[int],
    directory: str,
    names: Mapping[int, str] | None = None,
):
    """A job function writing samples ``ids`` into ``directory`` (created if missing).

    ``names`` (id → name) makes failures readable when the sample is already gone.
    Returns an :class:`Outcome` with ``destination`` set.
    """
    ids = [int(i) for i in ids]
    names = dict(names or {})

    def run(progress, cancel: CancelToken) -> Outcome:
        outcome = Outcome("Download", "downloaded", total=len(ids), destination=directory)
        os.makedirs(directory, exist_ok=True)
        done = 0
        for chunk in chunks(ids, CHUNK, cancel, outcome):
            fetched = backend.download(chunk, cancel=cancel)
            for sample_id, item in zip(chunk, fetched):
                failure = None
                if item is None:
                    failure = Failure(sample_name(names, sample_id), "The sample no longer exists")
                elif isinstance(item, DownloadFailure):
                    failure = Failure(sample_name(names, sample_id), item.error)
                else:
                    try:
                        save_downloaded(item, directory)
                        outcome.succeeded += 1
                    except OSError as exc:
                        reason = f"Cannot write the file: {exc.strerror or exc}"
                        failure = Failure(sample_name(names, sample_id), reason)
                if failure is not None:
                    outcome.failures.append(failure)
                done += 1
                progress(Progress(done, len(ids), item=failure))
            if len(fetched) < len(chunk):
                outcome.cancelled = True
                break
        return outcome

    return run
