"""The terminal progress bar of ``show_progress=True``."""

from __future__ import annotations

from typing import Optional

from ei_desktop.core.progress import ProgressCallback
from ei_desktop.terminal_progress import terminal_bar


def with_display(progress: Optional[ProgressCallback], show: Optional[bool], what: str):
    """``(callback, bar)``: ``progress`` with the terminal bar in front of it when ``show``
    (``bar`` is then to be closed by the caller), else ``(progress, None)``.
    """
    if not show:
        return progress, None
    bar, callback = terminal_bar(what, unit="samples", show=True, then=progress)
    return callback, bar
