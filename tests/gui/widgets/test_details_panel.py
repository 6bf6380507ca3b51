from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication

from ei_desktop.gui.widgets.details import DetailsPanel


@pytest.fixture
def panel(qtbot):
    widget = DetailsPanel()
    qtbot.addWidget(widget)
    widget.resize(700, 300)
    widget.show()
    return widget


def test_time_series_facts(panel, make_record):
    record = make_record(upload_name="wave.01.json", device_name="my board")
    panel.set_record(record)

    assert panel.field_text("id") == "7"
    assert panel.field_text("name") == "wave.01"
    assert panel.field_text("upload_name") == "wave.01.json"
    assert panel.field_text("label") == "wave"
    assert panel.field_text("category") == "Training"
    assert panel.field_text("kind") == "Time series"
    assert panel.field_text("sensors") == "accX (m/s2), accY (m/s2), accZ (m/s2)"
    assert panel.field_text("frequency") == "100 Hz (every 10 ms)"
    assert panel.field_text("length") == "1 s (100 values)"
    assert panel.field_text("size") == "2.0 KB (2,048 bytes)"
    assert panel.field_text("device") == "DISCO-L475VG-IOT01A / my board"
    assert panel.field_text("image_size") is None
    assert panel.field_text("bounding_boxes") is None


def test_added_date_is_in_local_time(panel, make_record):
    record = make_record()
    panel.set_record(record)

    local = record.added.astimezone()
    assert panel.field_text("added").startswith(local.strftime("%Y-%m-%d %H:%M:%S"))


def test_sha256_is_shortened_and_copied_whole(panel, make_record, qtbot):
    record = make_record(sha256="0123456789abcdef" * 4)
    panel.set_record(record)

    assert panel.field_text("sha256") == "0123456789ab…"
    qtbot.mouseClick(panel._copy_hash, Qt.MouseButton.LeftButton)
    assert QGuiApplication.clipboard().text() == record.sha256


def test_metadata_in_a_read_only_table(panel, make_record):
    panel.set_record(make_record(metadata={"site": "lab 3", "gain": 2}))

    assert panel.metadata_items() == [("site", "lab 3"), ("gain", "2")]
    assert panel.metadata.isVisibleTo(panel)
    assert not panel.no_metadata.isVisibleTo(panel)
    item = panel.metadata.item(0, 1)
    assert not item.flags() & Qt.ItemFlag.ItemIsEditable

    panel.metadata.selectAll()
    panel.copy_metadata_selection()
    assert QGuiApplication.clipboard().text() == "site\tlab 3\ngain\t2"


@pytest.mark.parametrize("metadata", [None, {}, ["not", "a", "dict"]])
def test_no_metadata_says_so(panel, make_record, metadata):
    panel.set_record(make_record(metadata=metadata))

    assert panel.metadata_items() == []
    assert panel.no_metadata.isVisibleTo(panel)


def test_image_facts_with_bounding_boxes(panel, make_record):
    boxes = [
        {"label": "cat", "x": 0, "y": 0, "width": 1, "height": 1},
        {"label": "dog", "x": 0, "y": 0, "width": 1, "height": 1},
        {"label": "cat", "x": 0, "y": 0, "width": 1, "height": 1},
    ]
    panel.set_record(make_record("image", width=96, height=64, bounding_boxes=boxes, size=500))

    assert panel.field_text("image_size") == "96 × 64 px"
    assert panel.field_text("bounding_boxes") == "3: cat ×2, dog ×1"
    assert panel.field_text("size") == "500 bytes"
    assert panel.field_text("sensors") is None
    assert panel.field_text("frequency") is None


def test_structured_labels_summary(panel, make_record):
    segments = [
        {"label": "idle", "startIndex": 0, "endIndex": 9},
        {"label": "wave", "startIndex": 10, "endIndex": 19},
        {"label": "idle", "startIndex": 20, "endIndex": 29},
    ]
    panel.set_record(make_record(structured_labels=segments, label=""))

    assert panel.field_text("structured_labels") == "3 segments: idle ×2, wave ×1"
    assert panel.field_text("label") == "(unlabeled)"


def test_text_is_selectable(panel, make_record):
    panel.set_record(make_record())

    flags = panel._values["name"].textInteractionFlags()
    assert flags & Qt.TextInteractionFlag.TextSelectableByMouse


def test_clear_hides_everything(panel, make_record):
    panel.set_record(make_record(metadata={"a": "b"}))
    panel.clear()

    assert panel.record is None
    assert panel.field_text("id") is None
    assert panel.metadata_items() == []
