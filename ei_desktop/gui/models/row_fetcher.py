"""Fetching the sample table's rows: the records of the rows the view paints, read in chunks
by worker jobs into the table's record cache, the newest requests first (they are what is on
screen) and only a few at once.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable
from typing import Optional

from PySide6.QtCore import QObject, QTimer, Signal

from ei_desktop.core.backends.base import Backend, SampleRecord
from ei_desktop.gui.alive import while_alive
from ei_desktop.gui.jobs.listing import records_job
from ei_desktop.gui.jobs.runner import JobRunner, JobSlot, error_message
from ei_desktop.gui.models.sample_rows import RecordCache

#: what a chunk holds now: the backend to read it from (``None``: none) and its sample ids
ChunkSource = Callable[[int], tuple[Optional[Backend], list[int]]]


class RowFetcher(QObject):
    """Reads the records of chunks of ``chunk`` rows into ``cache``; ``source(chunk)`` says
    what a chunk holds when its turn comes.

    Signals:
        rowsFetched(int, int): the records of ``count`` rows from row ``start`` are in the
            cache (``None`` for ids that no longer exist).
        rowsFailed(int, str): reading the chunk from row ``start`` failed, with this message;
            its rows stay unread (:meth:`failed`) until :meth:`clear`.
    """

    rowsFetched = Signal(int, int)
    rowsFailed = Signal(int, str)

    #: chunk requests kept waiting (the newest win: they are what is on screen)
    MAX_WANTED = 8
    #: chunk jobs running at once
    MAX_IN_FLIGHT = 2

    def __init__(
        self,
        runner: JobRunner,
        cache: RecordCache,
        source: ChunkSource,
        chunk: int,
        parent: Optional[QObject] = None,
    ) -> None:
        super().__init__(parent)
        self._cache = cache
        self._source = source
        self._chunk = chunk
        self._wanted: OrderedDict[int, None] = OrderedDict()
        # one slot per chunk fetched at once; new ids cancel them all, so a late chunk of the
        # old ids never lands
        self._fetchers = [JobSlot(runner, self) for _ in range(self.MAX_IN_FLIGHT)]
        for fetcher in self._fetchers:
            fetcher.finished.connect(lambda found, f=fetcher: self._on_rows(f, found))
            fetcher.failed.connect(lambda error, f=fetcher: self._on_rows_failed(f, error))
        #: the chunk and ids each busy fetcher reads
        self._fetching: dict[JobSlot, tuple[int, list[int]]] = {}
        self._failed_chunks: set[int] = set()
        self._pump_scheduled = False

    def failed(self, row: int) -> bool:
        """True when reading the chunk of ``row`` failed (it is not asked again)."""
        return row // self._chunk in self._failed_chunks

    def clear(self) -> None:
        """Drop every request, cancel the reads running and forget failures (new ids)."""
        self._wanted.clear()
        for fetcher in self._fetching:
            fetcher.cancel()
        self._fetching.clear()
        self._failed_chunks.clear()

    def forget_failures(self) -> None:
        """Let chunks that failed be asked again (a refresh)."""
        self._failed_chunks.clear()

    def request(self, row: int) -> None:
        """Read the chunk of ``row`` soon, unless it is being read or failed."""
        chunk = row // self._chunk
        in_flight = any(busy == chunk for busy, _ in self._fetching.values())
        if in_flight or chunk in self._failed_chunks:
            return
        self._wanted[chunk] = None
        self._wanted.move_to_end(chunk)
        while len(self._wanted) > self.MAX_WANTED:
            self._wanted.popitem(last=False)
        if not self._pump_scheduled:
            self._pump_scheduled = True
            QTimer.singleShot(0, self._pump)

    @while_alive
    def _pump(self) -> None:
        self._pump_scheduled = False
        while self._wanted and len(self._fetching) < len(self._fetchers):
            chunk, _ = self._wanted.popitem(last=True)
            backend, ids = self._source(chunk)
            if backend is None:
                return
            if not ids:
                continue
            fetcher = next(f for f in self._fetchers if f not in self._fetching)
            self._fetching[fetcher] = (chunk, ids)
            fetcher.start(records_job(backend, ids), name="fetch rows")

    def _end_fetch(self, fetcher: JobSlot) -> tuple[int, list[int]]:
        chunk, ids = self._fetching.pop(fetcher)
        if self._wanted:
            self._pump()
        return chunk, ids

    @while_alive
    def _on_rows(self, fetcher: JobSlot, found: dict[int, SampleRecord]) -> None:
        chunk, ids = self._end_fetch(fetcher)
        for sample_id in ids:
            self._cache.store(sample_id, found.get(sample_id))
        self.rowsFetched.emit(chunk * self._chunk, len(ids))

    @while_alive
    def _on_rows_failed(self, fetcher: JobSlot, error: BaseException) -> None:
        chunk, _ = self._end_fetch(fetcher)
        self._failed_chunks.add(chunk)
        self.rowsFailed.emit(chunk * self._chunk, error_message(error))
