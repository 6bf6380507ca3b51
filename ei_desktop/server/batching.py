"""Group commit: uploads of concurrent requests share one ``backend.upload`` call.

Each call to :meth:`LocalBackend.upload` pays a fixed cost (a thread hop, a file-system sync,
a WAL commit) that dwarfs the work for one small file, and calls from concurrent requests
serialise on the project's write lock. So while one call runs, the requests that arrive
queue up, and the next call takes all of them at once. A request's items always stay
together, in order, inside a single call; duplicates between requests of one call are
detected as if the requests had come one after the other. An idle server adds no delay.
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass

from ei_desktop.core.backends.base import UploadItem, UploadResult
from ei_desktop.core.backends.local import LocalBackend
from ei_desktop.server.blocking import BlockingPool

#: a call takes more waiting requests while it holds fewer items / bytes than this
MAX_ITEMS_PER_CALL = 256
MAX_BYTES_PER_CALL = 64 * 1024 * 1024


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

    def __init__(self, backend: LocalBackend, pool: BlockingPool) -> None:
        self._backend = backend
        self._pool = pool
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
        if nbytes is None:
            nbytes = sum(item.size() or 0 for item in items)
        job = _Job(list(items), allow_duplicates, loop.create_future(), nbytes)
        self._pending.append(job)
        if self._drainer is None:
            self._drainer = loop.create_task(self._drain())
        return await job.future

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
