"""A prepared upload as a ``samples`` row."""

from __future__ import annotations

import json
import os
from typing import TYPE_CHECKING

from ei_desktop.core import formats, naming

if TYPE_CHECKING:
    from ei_desktop.core.backends.local import _Prepared

#: the columns :func:`row` fills, in its order
INSERT_COLUMNS = (
    "filename",
    "upload_name",
    "category",
    "label",
    "kind",
    "sha256",
    "size",
    "interval_ms",
    "values_count",
    "length",
    "frequency",
    "sensors",
    "device_type",
    "device_name",
    "width",
    "height",
    "metadata",
    "bounding_boxes",
    "structured_labels",
    "tag",
    "stored_ext",
    "added",
)

INSERT = (
    f"INSERT INTO samples ({', '.join(INSERT_COLUMNS)})"
    f" VALUES ({', '.join('?' * len(INSERT_COLUMNS))})"
)


def row(p: _Prepared, category: str, added_ms: int) -> tuple:
    """The values of :data:`INSERT_COLUMNS` for a prepared item stored in ``category``."""
    parsed = p.parsed
    assert parsed is not None
    ext = formats.extension_of(p.item.filename)
    stored_ext = ".json" if parsed.kind in (formats.TIMESERIES, formats.TABLE) else ext
    timed = parsed.kind in (formats.TIMESERIES, formats.AUDIO)
    return (
        naming.stored_name(p.item.filename),
        os.path.basename(p.item.filename.replace("\\", "/")),
        category,
        p.label,
        parsed.kind,
        p.sha256,
        len(p.data),
        float(parsed.interval_ms),
        int(parsed.values_count),
        float(parsed.interval_ms * parsed.values_count) if timed else 0.0,
        float(parsed.frequency_hz),
        json.dumps([{"name": s.name, "units": s.units} for s in parsed.sensors]),
        parsed.device_type,
        parsed.device_name,
        parsed.width,
        parsed.height,
        None if p.metadata is None else json.dumps(p.metadata),
        None if p.bounding_boxes is None else json.dumps(p.bounding_boxes),
        None if p.structured_labels is None else json.dumps(p.structured_labels),
        naming.new_tag(),
        stored_ext,
        added_ms,
    )
