"""How numbers read wherever a person sees them: the table, the details panel, dialogs, the
command line and error messages. One convention per fact, so the same sample never shows two
different sizes.

Sizes use binary units written KB, MB, GB (1 KB = 1024 bytes), the units Edge Impulse states
its limits in ("100 MB per file"), so a limit never reads as an odd number.
"""

from __future__ import annotations

_SIZE_UNITS = ("KB", "MB", "GB", "TB")

CATEGORY_NAMES = {
    "training": "Training",
    "testing": "Testing",
    "validation": "Validation",
    "post-processing": "Post-processing",
    "anomaly": "Anomaly",
}


def category_name(category: str) -> str:
    """``post-processing`` → ``Post-processing``."""
    return CATEGORY_NAMES.get(category, category.capitalize())


def size(n: float) -> str:
    """``512 bytes``, ``1 byte``, ``2.0 KB``, ``48.8 KB``, ``310 KB``, ``100 MB``."""
    if n < 1024:
        return plural(int(n), "byte")
    value = float(n)
    for unit in _SIZE_UNITS:
        value /= 1024
        if value < 1024 or unit == _SIZE_UNITS[-1]:
            return f"{value:.1f} {unit}" if value < 100 else f"{value:.0f} {unit}"
    raise AssertionError("unreachable")


def duration(ms: float) -> str:
    """``850 ms``, ``2.5 s``, ``42 s``, ``3 min 05 s``, ``1 h 02 min``."""
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


def count(n: int) -> str:
    """``12,345``."""
    return f"{n:,}"


def plural(n: int, noun: str, nouns: str | None = None) -> str:
    """``1 sample``, ``2 samples``, ``12,345 samples`` (``nouns``: an irregular plural)."""
    word = noun if n == 1 else (nouns or f"{noun}s")
    return f"{count(n)} {word}"


def frequency(hz: float) -> str:
    """``100 Hz``, ``16 kHz``; empty for media without a rate."""
    if hz <= 0:
        return ""
    if hz >= 1000:
        return f"{hz / 1000:.4g} kHz"
    return f"{hz:.4g} Hz"
