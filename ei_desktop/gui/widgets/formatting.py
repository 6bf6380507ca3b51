"""Plain-text formatting of sizes, durations and dates for the preview widgets."""

from __future__ import annotations

from datetime import datetime


def human_size(size: int) -> str:
    """``1536`` → ``"1.5 KB"`` (binary multiples, the way file managers show them)."""
    value = float(size)
    for unit in ("bytes", "KB", "MB"):
        if value < 1024:
            return f"{size} bytes" if unit == "bytes" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{value:.1f} GB"


def format_duration(ms: float) -> str:
    """A duration for people: ``"850 ms"``, ``"9.94 s"``, ``"2 min 03.5 s"``, ``"1 h 02 min"``."""
    if ms < 1000:
        return f"{ms:.0f} ms" if ms >= 100 else f"{ms:.3g} ms"
    seconds = ms / 1000
    if seconds < 60:
        return f"{seconds:.3g} s"
    minutes, seconds = divmod(seconds, 60)
    if minutes < 60:
        return f"{int(minutes)} min {seconds:04.1f} s"
    hours, minutes = divmod(minutes, 60)
    return f"{int(hours)} h {int(minutes):02d} min"


def format_hz(hz: float) -> str:
    """``44100.0`` → ``"44,100 Hz"``, ``62.5`` → ``"62.5 Hz"``."""
    if hz >= 1000 and abs(hz - round(hz)) < 1e-6:
        return f"{round(hz):,} Hz"
    return f"{hz:.4g} Hz"


def format_local_time(moment: datetime) -> str:
    """A timestamp in the computer's time zone (naive datetimes are taken as local)."""
    return moment.astimezone().strftime("%Y-%m-%d %H:%M:%S %Z").strip()


def format_number(value: float) -> str:
    """A sensor reading with up to 6 significant digits."""
    return f"{value:.6g}"
