from __future__ import annotations

from ei_desktop.gui.widgets.colors import LABEL_COLORS, label_colors, series_color
from ei_desktop.gui.widgets.formatting import format_duration, format_hz, human_size


def test_human_size():
    assert human_size(0) == "0 bytes"
    assert human_size(1023) == "1023 bytes"
    assert human_size(1536) == "1.5 KB"
    assert human_size(5 * 1024**2) == "5.0 MB"
    assert human_size(3 * 1024**3) == "3.0 GB"


def test_format_duration():
    assert format_duration(0.5) == "0.5 ms"
    assert format_duration(850) == "850 ms"
    assert format_duration(9940) == "9.94 s"
    assert format_duration(123_500) == "2 min 03.5 s"
    assert format_duration(3_720_000) == "1 h 02 min"


def test_format_hz():
    assert format_hz(44100.0) == "44,100 Hz"
    assert format_hz(62.5) == "62.5 Hz"
    assert format_hz(100.0) == "100 Hz"


def test_label_colours_are_distinct_and_stable():
    labels = [f"label {i}" for i in range(len(LABEL_COLORS))]
    colours = label_colors(labels)
    assert len({c.name() for c in colours.values()}) == len(labels)

    alone = label_colors(["label 3"])["label 3"]
    assert label_colors(["label 3"])["label 3"] == alone


def test_many_labels_and_axes_still_get_colours():
    colours = label_colors(f"l{i}" for i in range(40))
    assert len({c.name() for c in colours.values()}) == 40
    assert len({series_color(i).name() for i in range(30)}) == 30
