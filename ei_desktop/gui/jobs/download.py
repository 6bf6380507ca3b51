"""Downloading samples into a folder off the UI thread (an op)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from ei_desktop import ops
from ei_desktop.core.backends.base import Backend
from ei_desktop.core.progress import CancelToken


def download_job(
    backend: Backend,
    ids: Sequence[int],
    directory: str,
    names: Mapping[int, str] | None = None,
    layout: ops.export.Layout | str = ops.export.Layout.SDK,
):
    """A job function running :func:`ei_desktop.ops.export.download_in_layout` into
    ``directory`` (the SDK's layout unless ``layout`` says otherwise).
    """
    ids = [int(i) for i in ids]

    def run(progress, cancel: CancelToken) -> ops.Report:
        return ops.export.download_in_layout(
            backend, ids, directory, layout, names=names, progress=progress, cancel=cancel
        )

    return run
