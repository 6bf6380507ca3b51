"""The terminal progress bar of ``show_progress=True``."""

from __future__ import annotations

from typing import Optional

from ei_desktop.core.progress import Progress, ProgressCallback


def with_display(progress: Optional[ProgressCallback], show: Optional[bool], what: str):
    """``(callback, bar)``: ``progress`` with a tqdm bar drawn in front of it when ``show``
    (``bar`` is then to be closed by the caller), else ``(progress, None)``.
    """
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
