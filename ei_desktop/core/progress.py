"""Progress reporting and cooperative cancellation shared by every long operation.

The core never prints: a long operation calls ``progress(Progress(...))`` after each item and
checks its :class:`CancelToken` between items. The CLI turns the calls into a progress bar,
the GUI into Qt signals, tests into a list.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Optional


class CancelToken:
    """A thread-safe flag that asks a running operation to stop at its next item."""

    def __init__(self) -> None:
        self._event = threading.Event()

    def cancel(self) -> None:
        """Ask the operation to stop."""
        self._event.set()

    @property
    def cancelled(self) -> bool:
        """True once :meth:`cancel` was called."""
        return self._event.is_set()

    def wait(self, seconds: float) -> bool:
        """Sleep up to ``seconds``, waking early on cancel; returns True if cancelled."""
        return self._event.wait(seconds)


@dataclass(frozen=True)
class Progress:
    """One step of a long operation.

    Attributes:
        done: items finished so far (successful or not).
        total: items expected, or ``None`` when unknown.
        item: the result object of the item that just finished, if any.
        message: a short human-readable status.
    """

    done: int
    total: Optional[int]
    item: Any = None
    message: str = ""


ProgressCallback = Callable[[Progress], None]


def is_cancelled(cancel: Optional[CancelToken]) -> bool:
    """True when ``cancel`` is given and was triggered."""
    return cancel is not None and cancel.cancelled


class Tracker:
    """Counts finished items and forwards them to an optional callback, thread-safely."""

    def __init__(self, callback: Optional[ProgressCallback], total: Optional[int]) -> None:
        self._callback = callback
        self._lock = threading.Lock()
        self.total = total
        self.done = 0

    def step(self, item: Any = None, message: str = "", count: int = 1) -> None:
        """Record ``count`` finished items and report them."""
        with self._lock:
            self.done += count
            update = Progress(self.done, self.total, item, message)
        if self._callback is not None:
            self._callback(update)
