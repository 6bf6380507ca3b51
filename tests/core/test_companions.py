"""The companion ``.labels`` files are written and read by one module, core.labels."""

from __future__ import annotations

import pytest

from ei_desktop.core import labels, scan

BOXES = {"cap.01.png": [{"label": "cap", "x": 1, "y": 2, "width": 3, "height": 4}]}
SEGMENTS = {"mixed.01.csv": [{"label": "up", "startIndex": 0, "endIndex": 9}]}


@pytest.mark.parametrize(
    ("filename", "entries", "kind"),
    [
        (labels.BOUNDING_BOXES_FILE, BOXES, "bounding-box-labels"),
        (labels.STRUCTURED_LABELS_FILE, SEGMENTS, "structured-labels"),
    ],
)
def test_what_is_written_reads_back(filename, entries, kind):
    data = labels.companion_bytes(filename, entries)
    assert labels.parse_companion(data, filename) == (kind, entries)


def test_a_folder_with_written_companions_gives_their_boxes_and_segments(tmp_path):
    (tmp_path / "cap.01.png").write_bytes(b"png")
    (tmp_path / "mixed.01.csv").write_text("timestamp,x\n0,1\n")
    for filename, entries in (
        (labels.BOUNDING_BOXES_FILE, BOXES),
        (labels.STRUCTURED_LABELS_FILE, SEGMENTS),
    ):
        (tmp_path / filename).write_bytes(labels.companion_bytes(filename, entries))
    items, problems = scan.plain_items([str(tmp_path / n) for n in ("cap.01.png", "mixed.01.csv")])
    assert problems == []
    assert items[0].bounding_boxes == BOXES["cap.01.png"]
    assert items[1].structured_labels == SEGMENTS["mixed.01.csv"]
