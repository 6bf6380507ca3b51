"""Deep listing pages by offset, as cheap as the first ones.

SQLite answers ``LIMIT n OFFSET k`` by stepping through the ``k`` rows before the page: at a
million samples a page near the end costs 60-130 ms, and a listing by offset pages (what the
Studio API offers, what the official SDK does) steps through half a billion rows. For an
id-ordered listing, a page from :data:`DEEP_OFFSET` on is therefore asked as the page that
starts at the id found at that offset in a list of the listing's ids: built once per listing
(about 0.2 s per million ids), kept while nothing is committed to the project by any
connection, in this process or another (SQLite's ``data_version``), the same page either way.
"""

from __future__ import annotations

import sqlite3
import threading
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import Optional

import numpy as np

from ei_desktop.core.backends.base import SampleQuery

#: offsets from here on are found through a list of the listing's ids
DEEP_OFFSET = 10_000
#: listings whose ids are kept (8 bytes per id)
LISTINGS = 4


class OffsetIndex:
    """Lists of ids of recent id-ordered listings, valid while the project is unchanged."""

    def __init__(self, connect: Callable[[], sqlite3.Connection]) -> None:
        self._connect = connect
        # only ever reads, so its data_version changes with every commit of any other
        # connection (a connection's own commits do not change it)
        self._watcher: Optional[sqlite3.Connection] = None
        self._lock = threading.Lock()
        self._lists: OrderedDict[tuple, tuple[int, np.ndarray]] = OrderedDict()

    def page(
        self,
        conn: sqlite3.Connection,
        query: SampleQuery,
        offset: int,
        where: str,
        params: Sequence,
        order: str,
    ) -> tuple[SampleQuery, int]:
        """``query`` and ``offset`` for the page at ``offset`` of ``query`` (whose conditions
        are ``where`` with ``params``, in ``order``): as they are, or from :data:`DEEP_OFFSET`
        on, ``query`` bounded at the id found at ``offset`` and offset 0.
        """
        if offset < DEEP_OFFSET or query.sort != "id" or query.ids is not None:
            return query, offset
        if query.exclude_ids:
            return query, offset
        key = (where, tuple(params), order)
        with self._lock:
            if self._watcher is None:
                self._watcher = self._connect()
            # read before the ids: a commit in between makes the list look older than it
            # is (built again next time), never newer
            version = self._watcher.execute("PRAGMA data_version").fetchone()[0]
            kept = self._lists.get(key)
            if kept is None or kept[0] != version:
                rows = conn.execute(f"SELECT id FROM samples {where} ORDER BY {order}", params)
                kept = (version, np.fromiter((row[0] for row in rows), dtype=np.int64))
                self._lists[key] = kept
            self._lists.move_to_end(key)
            while len(self._lists) > LISTINGS:
                self._lists.popitem(last=False)
        ids = kept[1]
        if offset >= len(ids):
            return query, offset  # past the end: an empty page, as asked
        bound = int(ids[offset])
        if query.descending:  # max_id is exclusive
            top = bound + 1 if query.max_id is None else min(bound + 1, query.max_id)
            return replace(query, max_id=top), 0
        low = bound if query.min_id is None else max(bound, query.min_id)
        return replace(query, min_id=low), 0

    def clear(self) -> None:
        """Forget every list (the connection is closed with the project's others)."""
        with self._lock:
            self._lists.clear()
