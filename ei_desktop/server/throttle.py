"""Slow down API key guessing: each client address gets a few free wrong keys, then waits
longer after every further one (1 s, 2 s, 4 s … up to a minute).

While an address waits, every request from it is answered 429 with ``Retry-After`` without
looking at its key, so a guess made during the wait cannot succeed (nor tell anything).
Once the wait is over a correct key works again and clears the address's record; other
addresses are never affected.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from dataclasses import dataclass


@dataclass
class _Record:
    failures: int = 0
    last: float = 0.0
    blocked_until: float = 0.0


class FailureThrottle:
    """Wrong-key failures per client address (used from the event loop thread only).

    Args:
        free_failures: wrong keys an address may send before it has to wait.
        max_wait: the longest wait, in seconds.
        forget_after: seconds without a failure after which an address starts afresh.
        max_addresses: addresses remembered at most (the least recent are forgotten first).
    """

    def __init__(
        self,
        free_failures: int = 10,
        max_wait: float = 60.0,
        forget_after: float = 600.0,
        max_addresses: int = 10_000,
    ) -> None:
        self.free_failures = free_failures
        self.max_wait = max_wait
        self.forget_after = forget_after
        self.max_addresses = max_addresses
        self._records: OrderedDict[str, _Record] = OrderedDict()

    def wait(self, address: str) -> float:
        """Seconds ``address`` must still wait before its key is looked at (0: none)."""
        record = self._records.get(address)
        if record is None:
            return 0.0
        now = time.monotonic()
        if now - record.last > self.forget_after:
            del self._records[address]
            return 0.0
        return max(0.0, record.blocked_until - now)

    def failed(self, address: str) -> None:
        """``address`` sent a wrong or missing key."""
        now = time.monotonic()
        record = self._records.pop(address, None) or _Record()
        if now - record.last > self.forget_after:
            record = _Record()
        record.failures += 1
        record.last = now
        over = record.failures - self.free_failures
        if over >= 0:
            record.blocked_until = now + min(self.max_wait, 2.0**over)
        self._records[address] = record
        while len(self._records) > self.max_addresses:
            self._records.popitem(last=False)

    def succeeded(self, address: str) -> None:
        """``address`` sent the right key: its failures are forgiven."""
        if self._records:
            self._records.pop(address, None)
