"""How sample fields read in the table, the tree, the details and the previews (numbers
themselves are written by :mod:`ei_desktop.core.display`, re-exported here).
"""

from __future__ import annotations

from datetime import datetime

from ei_desktop.core import display
from ei_desktop.core.backends.base import SampleRecord
from ei_desktop.core.display import category_name, count, duration, size

__all__ = ["category_name", "count", "duration", "size"]  # with the functions below

KIND_NAMES = {
    "timeseries": "Time series",
    "table": "Table",
    "audio": "Audio",
    "image": "Image",
    "video": "Video",
}

UNLABELED = "(unlabeled)"


def kind_name(kind: str) -> str:
    """``timeseries`` → ``Time series``."""
    return KIND_NAMES.get(kind, kind)


def label_name(label: str) -> str:
    """The label, or ``(unlabeled)``."""
    return label if label else UNLABELED


def length_or_size(record: SampleRecord) -> str:
    """Duration for time series and audio, pixels for images, bytes otherwise."""
    if record.kind in ("timeseries", "audio") and record.length_ms > 0:
        return duration(record.length_ms)
    if record.kind == "image" and record.width and record.height:
        return f"{record.width}×{record.height}"
    return size(record.size)


def sensors(record: SampleRecord, limit: int = 4) -> str:
    """Sensor names, the first ``limit`` then a count."""
    names = [s.name for s in record.sensors]
    if len(names) <= limit:
        return ", ".join(names)
    return ", ".join(names[:limit]) + f" +{len(names) - limit}"


def frequency(record: SampleRecord) -> str:
    """``100 Hz``, ``16 kHz``; empty for media without a rate."""
    return display.frequency(record.frequency_hz)


def added(when: datetime) -> str:
    """Local date and time to the minute."""
    return when.astimezone().strftime("%Y-%m-%d %H:%M")


def local_time(moment: datetime) -> str:
    """A timestamp to the second in the computer's time zone (naive ones are taken as local)."""
    return moment.astimezone().strftime("%Y-%m-%d %H:%M:%S %Z").strip()


def reading(value: float) -> str:
    """A sensor reading with up to 6 significant digits."""
    return f"{value:.6g}"
