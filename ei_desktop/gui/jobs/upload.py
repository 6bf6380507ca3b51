"""Uploading files and folders off the UI thread: the plan and the upload are ops."""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import Optional

from ei_desktop import ops
from ei_desktop.core import display
from ei_desktop.core.backends.base import Backend
from ei_desktop.core.progress import CancelToken, Progress
from ei_desktop.ops.plan_overview import overview


def upload_paths_job(
    backend: Backend,
    paths: Sequence[str],
    options: ops.UploadOptions,
    plan: Optional[ops.Plan] = None,
):
    """A job function that plans the upload of ``paths`` (:func:`ei_desktop.ops.plan_upload`)
    and runs it; returns the :class:`~ei_desktop.ops.Report`. A ``plan`` already made with
    the same options (the one the dialog showed) is used as it is.
    """
    paths = [os.fspath(p) for p in paths]

    def run(progress, cancel: CancelToken) -> ops.Report:
        nonlocal plan
        if plan is None or plan.options != options:
            progress(Progress(0, None, message="Looking for files…"))
            plan = ops.plan_upload(paths, options)
        if not plan.items and not plan.skipped:
            plan.skipped.append(ops.Skipped(", ".join(paths), "No sample files found", True))
        found = plan.dataset_summary()  # the detected dataset format, classes and boxes
        found = f" ({found})" if found else ""
        files = display.plural(len(plan.items), "file")
        progress(Progress(0, len(plan.items), message=f"Uploading {files}{found}…"))
        return ops.upload(backend, plan, progress=progress, cancel=cancel)

    return run


def plan_job(paths: Sequence[str], options: ops.UploadOptions):
    """A job function that plans the upload of ``paths`` and returns ``(plan, overview)``
    (what the upload dialog shows before anything is sent).
    """
    paths = [os.fspath(p) for p in paths]

    def run(progress, cancel: CancelToken):
        progress(Progress(0, None, message="Looking for files…"))
        plan = ops.plan_upload(paths, options)
        return plan, overview(plan)

    return run
