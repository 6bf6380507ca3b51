"""Listing: the ordered ids of a query, with a quick first page, and per-label counts."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

import numpy as np

from ei_desktop.core.backends.base import Backend, SampleQuery, SampleRecord
from ei_desktop.core.progress import CancelToken, Progress

#: rows in the first page sent before the full id list
FIRST_PAGE = 200


@dataclass
class FirstPage:
    """The first rows of a listing, sent as a progress item before the full id list.

    ``total`` is the number of matches when it was cheap to know, else ``None``.
    """

    records: list[SampleRecord]
    total: Optional[int]


def ids_job(backend: Backend, query: SampleQuery, *, first_page: bool = True):
    """A job function returning ``backend.sample_ids(query)`` (int64 array).

    With ``first_page``, it first reports a :class:`FirstPage` (``Progress.item``) so the
    table shows rows before the whole id list of a big project is read.
    """

    def run(progress, cancel: CancelToken) -> np.ndarray:
        if first_page:
            records = backend.list_samples(query, offset=0, limit=FIRST_PAGE)
            total: Optional[int] = len(records)
            if len(records) == FIRST_PAGE:
                # counting name matches scans the name index; skip it, the ids tell soon
                total = None if query.filename else backend.count(query)
            progress(Progress(0, total, item=FirstPage(records, total)))
        if cancel.cancelled:
            return np.zeros(0, dtype=np.int64)
        return np.asarray(backend.sample_ids(query), dtype=np.int64)

    return run


def records_job(backend: Backend, ids: list[int]):
    """A job function returning ``backend.get_samples(ids)``."""

    def run(progress, cancel: CancelToken) -> dict[int, SampleRecord]:
        return backend.get_samples(ids)

    return run


def label_counts_job(backend: Backend):
    """A job function returning ``backend.label_counts()`` and ``backend.category_counts()``
    (a sample with several labels counts under each label, and once in its category).
    """

    def run(progress, cancel: CancelToken) -> tuple[dict[tuple[str, str], int], dict[str, int]]:
        return backend.label_counts(), backend.category_counts()

    return run
