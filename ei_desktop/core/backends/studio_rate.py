"""Being polite to a server that asks us to slow down (``429 Too Many Requests``, ``503``).

All the requests of one backend go through one :class:`RateGate`: when any of them is told to
wait (``Retry-After``, else an exponential back-off), the others hold back too before sending
anything new, instead of each finding out with a refused request of its own.
"""

from __future__ import annotations

import random
import threading
import time
from typing import Optional

#: statuses that mean "not now": the request was not acted on, and may be sent again later
RATE_LIMITED = (429, 503)
#: how many times one request is sent before its refusal is reported
RATE_LIMIT_ATTEMPTS = 8
#: back-off without a Retry-After: this many seconds, doubled each time, at most BACKOFF_MAX
BACKOFF_FIRST = 0.25
BACKOFF_MAX = 30.0


def backoff(attempt: int) -> float:
    """Seconds to wait after the ``attempt``-th refusal (0-based) when the server said not
    how long: doubling, capped, with jitter so that many clients do not come back at once.
    """
    ceiling = min(BACKOFF_MAX, BACKOFF_FIRST * 2**attempt)
    return ceiling * (0.5 + random.random() / 2)


class RateGate:
    """Where every request of a backend waits while the server asked for a pause."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._until = 0.0

    def hold(self, seconds: float) -> None:
        """Let no request start during the next ``seconds`` (a longer pause already asked
        for stays).
        """
        with self._lock:
            self._until = max(self._until, time.monotonic() + max(0.0, seconds))

    def wait(self) -> None:
        """Return once no pause is in force (at once when none was asked for)."""
        while True:
            with self._lock:
                left = self._until - time.monotonic()
            if left <= 0:
                return
            time.sleep(left)

    def pause_after(self, status: int, retry_after: Optional[float], attempt: int) -> bool:
        """Record a refusal with ``status``: pause all requests for ``retry_after`` seconds
        (or a back-off) and return True when the request should be sent again, False when it
        was not a rate limit or ``attempt`` (0-based) was its last.
        """
        if status not in RATE_LIMITED or attempt + 1 >= RATE_LIMIT_ATTEMPTS:
            return False
        self.hold(retry_after if retry_after is not None else backoff(attempt))
        return True
