"""Loading what a preview shows: the record and its values or bytes."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

import numpy as np

from ei_desktop.core.backends.base import Backend, SampleRecord, Series
from ei_desktop.core.progress import CancelToken
from ei_desktop.gui.widgets.envelope import Envelope

#: kinds whose values are read as a :class:`Series`; the others are shown from their bytes
SERIES_KINDS = ("timeseries", "table", "audio")


@dataclass
class PreviewData:
    """Everything the preview panel needs for one sample (``record`` is ``None`` if gone).

    ``envelope`` is the series' min/max :class:`Envelope`, computed here rather than on the
    UI thread, which then only draws the part in view.
    """

    sample_id: int
    record: Optional[SampleRecord]
    series: Optional[Series] = None
    data: Optional[bytes] = None
    envelope: Optional[Envelope] = None


def preview_job(backend: Backend, sample_id: int, record: Optional[SampleRecord] = None):
    """A job function loading one sample's preview (``record``: its row, when already known)."""

    def run(progress, cancel: CancelToken) -> PreviewData:
        found = record if record is not None else backend.get_sample(sample_id)
        result = PreviewData(sample_id, found)
        if found is None or cancel.cancelled:
            return result
        if found.kind in SERIES_KINDS:
            result.series = series = backend.load_series(sample_id)
            if series is not None and not cancel.cancelled:
                values = np.asarray(series.values)
                if values.ndim in (1, 2) and len(values) > 1 and values.size:
                    result.envelope = Envelope(values)
        else:
            result.data = backend.load_bytes(sample_id)
        return result

    return run
