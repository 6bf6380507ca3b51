"""Label segments while they are edited: every edit keeps every value labelled, and what is
saved passes the rules the backends apply to structured labels.
"""

from __future__ import annotations

import pytest

from ei_desktop.core.label_segments import LabelSegments, Segment
from ei_desktop.core.labels import normalize_structured_labels

ROWS = 300
THREE = [
    {"label": "idle", "startIndex": 0, "endIndex": 99},
    {"label": "wave", "startIndex": 100, "endIndex": 199},
    {"label": "idle", "startIndex": 200, "endIndex": 299},
]


def spans(segments: LabelSegments) -> list[tuple[str, int, int]]:
    return [(s.label, s.start, s.end) for s in segments.segments()]


def valid(segments: LabelSegments) -> list:
    saved = segments.to_structured()
    assert normalize_structured_labels(saved, segments.rows) == saved
    return saved


def test_read_and_saved_as_given():
    segments = LabelSegments.from_structured(THREE, ROWS)
    assert spans(segments) == [("idle", 0, 100), ("wave", 100, 200), ("idle", 200, 300)]
    assert segments.boundaries() == [100, 200]
    assert valid(segments) == THREE


def test_a_single_label_sample_is_one_segment():
    segments = LabelSegments.from_structured(None, ROWS, "ramp")
    assert spans(segments) == [("ramp", 0, ROWS)]
    assert valid(segments) == [{"label": "ramp", "startIndex": 0, "endIndex": ROWS - 1}]
    assert spans(LabelSegments.from_structured([], 10, "")) == [("unlabeled", 0, 10)]


def test_gaps_overlaps_and_bad_entries_are_repaired():
    stored = [
        {"label": "b", "startIndex": 50, "endIndex": 80},
        {"label": "a", "startIndex": 10, "endIndex": 60},  # overlaps b, starts late
        {"label": "", "startIndex": 90, "endIndex": 95},
        {"label": "c", "startIndex": "x", "endIndex": 1},
        {"label": "d", "startIndex": 500, "endIndex": 600},  # past the end
    ]
    segments = LabelSegments.from_structured(stored, 100)
    assert spans(segments) == [("a", 0, 50), ("b", 50, 100)]
    valid(segments)


def test_moving_a_boundary_moves_both_neighbours_and_stays_inside():
    segments = LabelSegments.from_structured(THREE, ROWS)
    assert segments.move_boundary(0, 149.6) == 150
    assert spans(segments)[:2] == [("idle", 0, 150), ("wave", 150, 200)]
    assert segments.move_boundary(0, 260) == 199  # one value left to "wave"
    assert segments.move_boundary(1, -5) == 200  # and one to the first segment
    valid(segments)
    with pytest.raises(ValueError):
        segments.move_boundary(2, 10)


def test_adding_takes_the_range_from_the_segments_there():
    segments = LabelSegments.from_structured(THREE, ROWS)
    assert segments.add(180, 120, "jump") == 2  # inside "wave": it is split around it
    assert spans(segments) == [
        ("idle", 0, 100),
        ("wave", 100, 120),
        ("jump", 120, 180),
        ("wave", 180, 200),
        ("idle", 200, 300),
    ]
    assert segments.add(50.2, 250.4, "run") == 1  # across three segments
    assert spans(segments) == [("idle", 0, 50), ("run", 50, 250), ("idle", 250, 300)]
    assert segments.add(-10, 400, "all") == 0
    assert spans(segments) == [("all", 0, 300)]
    valid(segments)
    with pytest.raises(ValueError):
        segments.add(10.2, 10.4, "empty")
    with pytest.raises(ValueError):
        segments.add(10, 20, "  ")


def test_relabel_and_remove_merge_into_the_neighbour_before():
    segments = LabelSegments.from_structured(THREE, ROWS)
    segments.relabel(1, " run ")
    assert segments[1] == Segment("run", 100, 200)
    assert segments.remove(2) == 1
    assert spans(segments) == [("idle", 0, 100), ("run", 100, 300)]
    assert segments.remove(0) == 0  # the first merges into the one after it
    assert spans(segments) == [("run", 0, 300)]
    with pytest.raises(ValueError):
        segments.remove(0)
    valid(segments)
