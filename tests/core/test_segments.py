"""Finding events in a recording: where the signal is active, nowhere in silence, always the
same answer for the same values."""

from __future__ import annotations

import numpy as np
import pytest

from ei_desktop.core.segments import find_segments


def recording(events_ms: list[int], total_ms: int = 6000, event_ms: int = 250) -> np.ndarray:
    """100 Hz, three axes: gravity and a little noise, with a strong shake at each event."""
    rng = np.random.default_rng(7)
    t = np.arange(0, total_ms, 10)
    values = rng.normal(0, 0.05, (len(t), 3)) + [0, 0, 9.81]
    for start in events_ms:
        inside = (t >= start) & (t < start + event_ms)
        values[inside, 0] += 6 * np.sin(t[inside] / 15)
    return values


def test_each_event_gets_one_window_that_holds_it():
    found = find_segments(recording([400, 1900, 3300, 5200]), 10, 500)
    assert len(found) == 4
    for (start, end), event in zip(found, [400, 1900, 3300, 5200]):
        assert end - start == 500 and start <= event and event + 250 <= end


def test_silence_has_no_events_and_the_answer_never_changes():
    assert find_segments(recording([]), 10, 500) == []
    shaken = recording([1000, 3000])
    assert find_segments(shaken, 10, 500) == find_segments(shaken.copy(), 10, 500)


def test_windows_never_overlap_nor_leave_the_recording():
    found = find_segments(recording([0, 300, 5800], total_ms=6000), 10, 400)
    assert all(0 <= a < b <= 6000 for a, b in found)
    assert all(b1 <= a2 for (_, b1), (a2, _) in zip(found, found[1:]))


def test_a_window_longer_than_the_recording_finds_nothing():
    assert find_segments(recording([100], total_ms=300), 10, 1000) == []


@pytest.mark.parametrize("length, interval", [(0, 10), (-5, 10), (100, 0)])
def test_impossible_lengths_are_refused(length, interval):
    with pytest.raises(ValueError):
        find_segments(recording([100]), interval, length)
