"""The history panel's times: short for today's changes, so the descriptions keep the room."""

from __future__ import annotations

from datetime import date, datetime
from types import SimpleNamespace

from ei_desktop.gui.widgets.history import when_text


def test_today_shows_the_time_and_earlier_days_the_date():
    at = datetime(2026, 3, 14, 9, 26)
    entry = SimpleNamespace(at=at)
    assert when_text(entry, today=date(2026, 3, 14)) == "09:26"
    assert when_text(entry, today=date(2026, 3, 15)) == "2026-03-14 09:26"
    assert when_text(entry, today=date(2026, 3, 14), full=True) == "2026-03-14 09:26"
