"""Reading a project's summary off the UI thread: counts and durations per category and label,
and the train/test ratio (for the summary bar above the table).
"""

from __future__ import annotations

from ei_desktop.core.backends.base import Backend
from ei_desktop.core.edits import Summary
from ei_desktop.core.progress import CancelToken
from ei_desktop.ops import curate


def summary_job(backend: Backend):
    """A job function returning :func:`ei_desktop.ops.curate.summary` of ``backend``."""

    def run(progress, cancel: CancelToken) -> Summary:
        return curate.summary(backend)

    return run
