"""The one progress bar on a terminal (tqdm), for the command line and the SDK functions'
``show_progress``: it follows :class:`~ei_desktop.core.progress.Progress` updates, learns the
total when the operation knows it, and can pass each update on to another callback.
"""

from __future__ import annotations

import sys
from typing import Optional

from ei_desktop.core.progress import Progress, ProgressCallback


def terminal_bar(
    what: str,
    *,
    total: Optional[int] = None,
    unit: str = "files",
    show: Optional[bool] = None,
    then: Optional[ProgressCallback] = None,
):
    """``(bar, callback)``: a tqdm bar on stderr and the progress callback that moves it.

    Args:
        what: the bar's title ("Uploading").
        total: how many items, when known now (updates may set it later).
        unit: what is counted.
        show: ``True`` always, ``False`` never, ``None`` only when stderr is a terminal.
        then: a callback to pass each update on to.

    The caller closes ``bar`` when the operation ends.
    """
    from tqdm import tqdm

    bar = tqdm(
        total=total,
        desc=what,
        unit=f" {unit}",
        disable=None if show is None else not show,
        file=sys.stderr,
        leave=False,
    )

    def callback(update: Progress) -> None:
        if update.total is not None and bar.total != update.total:
            bar.total = update.total
        bar.n = update.done
        bar.refresh()
        if then is not None:
            then(update)

    return bar, callback
