"""Working through many ids a slice at a time, so cancel is quick and memory stays flat."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Optional

from ei_desktop.core.progress import CancelToken, is_cancelled


def slices(
    ids: Sequence[int], size: int, cancel: Optional[CancelToken] = None
) -> Iterator[list[int]]:
    """``ids`` in slices of ``size``, stopping before the next slice once cancel is asked."""
    for start in range(0, len(ids), size):
        if is_cancelled(cancel):
            return
        yield [int(i) for i in ids[start : start + size]]


def sample_name(names: Optional[Mapping[int, str]], sample_id: int) -> str:
    """How a report names a sample: ``wave.01 (ID 12)``, or ``ID 12`` when its name is not
    known.
    """
    name = (names or {}).get(sample_id)
    return f"{name} (ID {sample_id})" if name else f"ID {sample_id}"
