"""Group commit: uploads of concurrent requests share one ``backend.upload`` call.

Each call to :meth:`Backend.upload` pays a fixed cost (a thread hop, a file-system sync,
a WAL commit) that dwarfs the work for one small file, and calls from concurrent requests
serialise on the project's write lock. So while one call runs, the requests that arrive
queue up, and the next call takes all of them at once. Duplicates between requests of one
call are detected as if the requests had come one after the other. An idle server adds no
delay.

A call carries at most :data:`MAX_BYTES_PER_CALL` bytes (a larger file goes alone), and
holds its share of the server's memory budget while it runs: a request of several large
files is stored one call after the other, in order, never parsed all at once.
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Optional

from ei_desktop.core.backends.base import Backend, UploadItem, UploadResult
from ei_desktop.server.blocking import BlockingPool
from ei_desktop.server.budget import MemoryBudget

#: a call takes more waiting requests while it holds fewer items / bytes than this
MAX_ITEMS_PER_CALL = 256
MAX_BYTES_PER_CALL = 32 * 1024 * 1024
#: what storing a file costs in memory while it is parsed, as a multiple of its size
EXPANSION = 6


@dataclass
class _Job:
    items: list[UploadItem]
    allow_duplicates: bool
    future: asyncio.Future
    size: int


class UploadBatcher:
    """Queues uploads and runs them in as few ``backend.upload`` calls as possible.

    Used from the event loop thread only (no locks needed).
    """

    def __init__(
        self, backend: Backend, pool: BlockingPool, budget: Optional[MemoryBudget] = None
    ) -> None:
        self._backend = backend
        self._pool = pool
        self._budget = budget or MemoryBudget()
        self._pending: deque[_Job] = deque()
        self._drainer: asyncio.Task | None = None

    async def upload(
        self, items: Sequence[UploadItem], *, allow_duplicates: bool, nbytes: int | None = None
    ) -> list[UploadResult]:
        """Store ``items`` (one request's files); one result per item, in order.

        ``nbytes`` is their total size when known (items read through a callable cannot
        tell it themselves).
        """
        if not items:
            return []
        loop = asyncio.get_running_loop()
        futures = []
        for part, size in _parts(list(items), nbytes):
            job = _Job(part, allow_duplicates, loop.create_future(), size)
            self._pending.append(job)
            futures.append(job.future)
        if self._drainer is None:
            self._drainer = loop.create_task(self._drain())
        return [result for part in await asyncio.gather(*futures) for result in part]

    def _take(self) -> list[_Job]:
        """The next jobs for one call: at least one, then more while they fit and agree on
        ``allow_duplicates``.
        """
        first = self._pending.popleft()
        batch = [first]
        count, size = len(first.items), first.size
        while self._pending:
            job = self._pending[0]
            if job.allow_duplicates != first.allow_duplicates:
                break
            if count + len(job.items) > MAX_ITEMS_PER_CALL or size + job.size > MAX_BYTES_PER_CALL:
                break
            self._pending.popleft()
            batch.append(job)
            count += len(job.items)
            size += job.size
        return batch

    def _fail(self, jobs: Sequence[_Job], exc: BaseException) -> None:
        for job in jobs:
            if not job.future.done():
                job.future.set_exception(exc)

    async def _drain(self) -> None:
        try:
            while self._pending:
                batch = self._take()
                items = [item for job in batch for item in job.items]
                try:
                    async with self._budget.hold(EXPANSION * sum(job.size for job in batch)):
                        results = await self._pool.run(
                            self._backend.upload, items, allow_duplicates=batch[0].allow_duplicates
                        )
                except asyncio.CancelledError:  # the server is stopping
                    self._fail([*batch, *self._pending], RuntimeError("The server is stopping"))
                    raise
                except Exception as exc:  # noqa: BLE001 - handed to every waiting request
                    self._fail(batch, exc)
                    continue
                by_item = {id(result.item): result for result in results}
                for job in batch:
                    if not job.future.done():
                        job.future.set_result(
                            [by_item[id(item)] for item in job.items if id(item) in by_item]
                        )
        finally:
            self._drainer = None


def _parts(items: list[UploadItem], nbytes: Optional[int]) -> list[tuple[list[UploadItem], int]]:
    """One request's items in runs of at most :data:`MAX_BYTES_PER_CALL` bytes (a larger
    item alone), in order, each with its size.
    """
    sizes = [item.size() or 0 for item in items]
    if nbytes is not None and not any(sizes):
        sizes = [nbytes // len(items)] * len(items)
    parts: list[tuple[list[UploadItem], int]] = []
    current: list[UploadItem] = []
    size = 0
    for item, item_size in zip(items, sizes):
        if current and (
            size + item_size > MAX_BYTES_PER_CALL or len(current) >= MAX_ITEMS_PER_CALL
        ):
            parts.append((current, size))
            current, size = [], 0
        current.append(item)
        size += item_size
    parts.append((current, size))
    return parts
