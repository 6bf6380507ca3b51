"""Python's cyclic garbage collector, run on the UI thread only.

A collection runs on whichever thread happens to allocate when a threshold is crossed. If that
is a worker thread and the garbage holds a Qt object (a closed window, a menu), Qt destroys it
there: shiboken then waits for the interpreter lock that thread already holds, and the app
hangs (seen in the tests: a worker parsing a CBOR file started a collection that destroyed a
QMenu). So automatic collection is switched off and the UI thread collects on a timer, with
the same generation thresholds.
"""

from __future__ import annotations

import gc
from typing import Optional

from PySide6.QtCore import QObject, QTimer

#: how often the UI thread looks at the allocation counts
INTERVAL_MS = 500


class UiThreadGarbageCollector(QObject):
    """Collects garbage on the thread that owns it (create it on the UI thread)."""

    def __init__(self, parent: Optional[QObject] = None) -> None:
        super().__init__(parent)
        self.threshold = gc.get_threshold()
        gc.disable()
        self._timer = QTimer(self)
        self._timer.setInterval(INTERVAL_MS)
        self._timer.timeout.connect(self.check)
        self._timer.start()

    def check(self) -> None:
        """Collect the generations whose allocation counts passed their thresholds."""
        counts = gc.get_count()
        generation = -1
        for number, (count, limit) in enumerate(zip(counts, self.threshold)):
            if count > limit:
                generation = number
        if generation >= 0:
            gc.collect(generation)

    def stop(self) -> None:
        """Collect everything now, on this thread, and give collection back to Python."""
        self._timer.stop()
        gc.collect()
        gc.enable()
