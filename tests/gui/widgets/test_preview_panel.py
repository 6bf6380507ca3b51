from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import QBuffer, QByteArray, QIODevice
from PySide6.QtGui import QColor, QImage

from ei_desktop.core.backends.base import Series
from ei_desktop.core.model import Sensor
from ei_desktop.gui.widgets.preview import PreviewPanel


@pytest.fixture
def panel(qtbot):
    widget = PreviewPanel()
    qtbot.addWidget(widget)
    widget.resize(900, 700)
    widget.show()
    return widget


def png_bytes() -> bytes:
    image = QImage(40, 30, QImage.Format.Format_RGB32)
    image.fill(QColor("gray"))
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    image.save(buffer, "PNG")
    return bytes(data)


def test_starts_empty(panel):
    assert panel.current_id is None
    assert panel.current_page() is panel.empty
    assert panel.empty.body.text() == "Select a sample to preview it"
    assert not panel.details.isVisibleTo(panel)


def test_loading_shows_the_details_at_once(panel, make_record):
    panel.show_loading(make_record(id=12))

    assert panel.current_id == 12
    assert panel.current_page() is panel.loading
    assert panel.details.isVisibleTo(panel)
    assert panel.details.field_text("id") == "12"


def test_time_series_with_structured_labels(panel, make_record, make_series):
    labels = [{"label": "wave", "startIndex": 10, "endIndex": 40}]
    panel.show_sample(make_record(structured_labels=labels), series=make_series(rows=100))

    assert panel.current_page() is panel.timeseries
    assert len(panel.timeseries.curves()) == 3
    assert panel.timeseries.region_labels() == ["wave"]


def test_table_sample(panel, make_record, make_series):
    panel.show_sample(make_record("table", values_count=1), series=make_series(rows=1))

    assert panel.current_page() is panel.timeseries
    assert panel.timeseries.showing() == "table"


def test_audio_sample(panel, make_record):
    record = make_record("audio", sensors=[Sensor("audio", "wav")], interval_ms=1000 / 16000)
    series = Series([Sensor("audio", "wav")], np.zeros((16000, 1)), 1000 / 16000)
    panel.show_sample(record, series=series)

    assert panel.current_page() is panel.audio
    assert "16 kHz" in panel.audio.info_text


def test_image_sample_with_boxes(panel, make_record):
    boxes = [{"label": "cat", "x": 1, "y": 1, "width": 10, "height": 10}]
    panel.show_sample(make_record("image", bounding_boxes=boxes), data=png_bytes())

    assert panel.current_page() is panel.image
    assert [label for label, _rect in panel.image.boxes()] == ["cat"]
    assert panel.details.field_text("bounding_boxes") == "1: cat ×1"


def test_video_sample_without_its_bytes_says_so(panel, make_record):
    panel.show_sample(make_record("video", filename="clip.mp4", size=3 * 1024 * 1024))

    assert panel.current_page() is panel.video
    assert "clip.mp4" in panel.video.info.text()
    assert "3.0 MB" in panel.video.info.text()
    assert "could not be loaded" in panel.video.status.text()


@pytest.mark.parametrize("kind", ["timeseries", "table", "audio", "image"])
def test_missing_content_shows_a_message(panel, make_record, kind):
    panel.show_sample(make_record(kind, id=3))

    assert panel.current_id == 3
    assert panel.current_page() is panel.message
    assert "could not be loaded" in panel.message.body.text()


def test_unknown_kind_shows_a_message(panel, make_record):
    panel.show_sample(make_record("hologram"), data=b"x")

    assert panel.current_page() is panel.message
    assert "hologram" in panel.message.body.text()


def test_corrupt_image_shows_the_image_message(panel, make_record):
    panel.show_sample(make_record("image"), data=b"garbage")

    assert panel.current_page() is panel.image
    assert "could not be decoded" in panel.image.message


def test_content_that_breaks_a_view_becomes_a_message(panel, make_record):
    bad = Series([Sensor("a")], np.array([["not a number"]], dtype=object), 10.0)
    panel.show_sample(make_record("table"), series=bad)

    assert panel.current_page() is panel.message
    assert "Could not show this sample" in panel.message.title.text()


def test_error_with_a_record(panel, make_record):
    panel.show_error(make_record(id=5), "Connection refused")

    assert panel.current_id == 5
    assert panel.current_page() is panel.message
    assert panel.message.body.text() == "Connection refused"
    assert panel.details.field_text("id") == "5"


def test_error_without_a_record(panel, make_record):
    panel.show_loading(make_record(id=5))
    panel.show_error(None, "The project is gone")

    assert panel.current_id is None
    assert panel.current_page() is panel.message
    assert not panel.details.isVisibleTo(panel)


def test_switching_samples_releases_the_previous_content(panel, make_record, make_series):
    panel.show_sample(make_record(id=1), series=make_series(rows=100))
    panel.show_loading(make_record("image", id=2))

    assert panel.current_id == 2
    assert panel.timeseries.curves() == []
    panel.show_empty("Nothing selected")
    assert panel.current_id is None
    assert panel.empty.body.text() == "Nothing selected"
