"""Finding the events in a recording (Studio's "Find segments"): windows of a given length
around the parts of a time series or audio clip where the signal is most active, to split a
long recording of repeated gestures or sounds into one sample per event.

Activity is the signal's energy over a window of the segment's length, after removing each
axis' median (gravity, a DC offset). Windows are taken greedily from the most active down,
never overlapping, while their activity is clearly above the recording's background (the
median window): the result is the same every time for the same values.
"""

from __future__ import annotations

import numpy as np

#: a window is an event when its activity is this many times the background's
THRESHOLD = 4.0
#: below this ratio of the strongest window's activity a window is not an event either
RELATIVE_FLOOR = 0.1


def find_segments(
    values: np.ndarray, interval_ms: float, segment_length_ms: float
) -> list[tuple[int, int]]:
    """Half-open millisecond ranges ``(start, end)`` of the events in ``values`` (rows ×
    axes), in time order; each is ``segment_length_ms`` long and inside the recording.

    Raises:
        ValueError: the segment length is not positive or the interval is not known.
    """
    if segment_length_ms <= 0:
        raise ValueError(f"The segment length must be above 0 ms, got {segment_length_ms:g}")
    if interval_ms <= 0:
        raise ValueError("The recording has no time axis: it cannot be split into segments")
    rows = np.asarray(values, dtype=np.float64)
    if rows.ndim == 1:
        rows = rows.reshape(-1, 1)
    width = max(1, int(round(segment_length_ms / interval_ms)))
    if len(rows) < width:
        return []
    centred = rows - np.median(rows, axis=0)
    power = np.square(centred).sum(axis=1)
    running = np.concatenate(([0.0], np.cumsum(power)))
    activity = running[width:] - running[:-width]  # activity of the window starting at i
    background = float(np.median(activity))
    strongest = float(activity.max())
    if strongest <= 0:
        return []
    floor = max(THRESHOLD * background, RELATIVE_FLOOR * strongest)
    taken = np.zeros(len(rows), dtype=bool)
    starts: list[int] = []
    for start in np.argsort(-activity, kind="stable"):
        if activity[start] <= floor:
            break
        if taken[start : start + width].any():
            continue
        taken[start : start + width] = True
        starts.append(int(start))
    length = int(round(width * interval_ms))
    return [
        (int(round(start * interval_ms)), int(round(start * interval_ms)) + length)
        for start in sorted(starts)
    ]
