"""Deleting samples off the UI thread: a list of ids, or every sample of a category (ops)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Optional

from ei_desktop import ops
from ei_desktop.core.backends.base import Backend
from ei_desktop.core.progress import CancelToken, Progress


def delete_job(backend: Backend, ids: Sequence[int], names: Mapping[int, str] | None = None):
    """A job function running :func:`ei_desktop.ops.delete`."""
    ids = [int(i) for i in ids]

    def run(progress, cancel: CancelToken) -> ops.Report:
        return ops.delete(backend, ids, names=names, progress=progress, cancel=cancel)

    return run


def delete_category_job(backend: Backend, category: Optional[str]):
    """A job function deleting every sample of ``category`` (``None``: every sample)."""

    def run(progress, cancel: CancelToken) -> ops.Report:
        progress(Progress(0, None, message="Deleting…"))
        return ops.delete_all(backend, category)

    return run
