"""How sample fields read in the table and the tree."""

from __future__ import annotations

from datetime import datetime

from ei_desktop.core.backends.base import SampleRecord

KIND_NAMES = {
    "timeseries": "Time series",
    "table": "Table",
    "audio": "Audio",
    "image": "Image",
    "video": "Video",
}

CATEGORY_NAMES = {
    "training": "Training",
    "testing": "Testing",
    "validation": "Validation",
    "post-processing": "Post-processing",
    "anomaly": "Anomaly",
}

UNLABELED = "(unlabeled)"


def category_name(category: str) -> str:
    """``post-processing`` → ``Post-processing``."""
    return CATEGORY_NAMES.get(category, category.capitalize())


def label_name(label: str) -> str:
    """The label, or ``(unlabeled)``."""
    return label if label else UNLABELED


def duration(ms: float) -> str:
    """``850 ms``, ``2.5 s``, ``3 min 05 s``, ``1 h 02 min``."""
    if ms < 1000:
        return f"{ms:.0f} ms"
    seconds = ms / 1000
    if seconds < 60:
        return f"{seconds:.3g} s" if seconds < 10 else f"{seconds:.0f} s"
    minutes, seconds = divmod(int(round(seconds)), 60)
    if minutes < 60:
        return f"{minutes} min {seconds:02d} s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes:02d} min"


def size(n: int) -> str:
    """``512 B``, ``1.2 kB``, ``3.4 MB`` (decimal units, like file managers)."""
    value = float(n)
    for unit in ("B", "kB", "MB", "GB"):
        if value < 1000 or unit == "GB":
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1000
    return f"{n} B"


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
    hz = record.frequency_hz
    if hz <= 0:
        return ""
    if hz >= 1000:
        return f"{hz / 1000:.4g} kHz"
    return f"{hz:.4g} Hz"


def added(when: datetime) -> str:
    """Local date and time to the minute."""
    return when.astimezone().strftime("%Y-%m-%d %H:%M")


def count(n: int) -> str:
    """``12,345``."""
    return f"{n:,}"
