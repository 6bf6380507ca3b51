"""Loading what a preview shows: the record and its values or bytes."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

from ei_desktop.core.backends.base import Backend, SampleRecord, Series
from ei_desktop.core.progress import CancelToken

#: kinds whose values are read as a :class:`Series`; the others are shown from their bytes
SERIES_KINDS = ("timeseries", "table", "audio")


@dataclass
class PreviewData:
    """Everything the preview panel needs for one sample (``record`` is ``None`` if gone)."""

    sample_id: int
    record: Optional[SampleRecord]
    series: Optional[Series] = None
    data: Optional[bytes] = None


def preview_job(backend: Backend, sample_id: int, record: Optional[SampleRecord] = None):
    """A job function loading one sample's preview (``record``: its row, when already known)."""

    def run(progress, cancel: CancelToken) -> PreviewData:
        found = record if record is not None else backend.get_sample(sample_id)
        result = PreviewData(sample_id, found)
        if found is None or cancel.cancelled:
            return result
        if found.kind in SERIES_KINDS:
            result.series = backend.load_series(sample_id)
        else:
            result.data = backend.load_bytes(sample_id)
        return result

    return run
