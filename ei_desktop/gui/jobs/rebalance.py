"""Rebalancing a dataset off the UI thread: the choices it offers, its preview, and the
rebalance itself (:mod:`ei_desktop.ops.splits`).
"""

from __future__ import annotations

from ei_desktop.core.backends.base import Backend
from ei_desktop.core.progress import CancelToken
from ei_desktop.core.splitting import SplitOptions
from ei_desktop.ops import curate, splits


def metadata_values_job(backend: Backend):
    """A job function returning :func:`ei_desktop.ops.curate.metadata_values` (every key
    with its distinct values).
    """

    def run(progress, cancel: CancelToken) -> dict[str, list[str]]:
        return curate.metadata_values(backend)

    return run


def rebalance_job(backend: Backend, options: SplitOptions, *, dry_run: bool):
    """A job function returning :func:`ei_desktop.ops.splits.rebalance`'s report (with
    ``dry_run``, what would move; nothing changes).
    """

    def run(progress, cancel: CancelToken) -> splits.SplitReport:
        return splits.rebalance(backend, options, dry_run=dry_run)

    return run
