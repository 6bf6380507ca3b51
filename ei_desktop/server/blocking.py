"""Run blocking backend calls on a fixed pool of threads.

Not FastAPI's default thread pool: anyio retires idle worker threads after 10 seconds, and
:class:`LocalBackend` keeps one SQLite connection per thread for the life of the project,
so every burst of requests after a pause would open (and keep) a new set of connections.
A fixed pool reuses the same threads, hence the same connections, forever.
"""

from __future__ import annotations

import asyncio
import functools
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

T = TypeVar("T")


class BlockingPool:
    """A lazily started thread pool owned by one app."""

    def __init__(self, workers: int) -> None:
        self.workers = max(1, int(workers))
        self._executor: ThreadPoolExecutor | None = None
        self._lock = threading.Lock()

    def _get(self) -> ThreadPoolExecutor:
        executor = self._executor
        if executor is None:
            with self._lock:
                if self._executor is None:
                    self._executor = ThreadPoolExecutor(
                        max_workers=self.workers, thread_name_prefix="ei-serve"
                    )
                executor = self._executor
        return executor

    async def run(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """``fn(*args, **kwargs)`` on a pool thread, awaited from the event loop."""
        call = functools.partial(fn, *args, **kwargs) if kwargs else functools.partial(fn, *args)
        return await asyncio.get_running_loop().run_in_executor(self._get(), call)

    def shutdown(self) -> None:
        """Stop the threads (after the running calls finish); the pool restarts on next use."""
        with self._lock:
            executor, self._executor = self._executor, None
        if executor is not None:
            executor.shutdown(wait=True)
