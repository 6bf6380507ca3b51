from __future__ import annotations

import shutil

from gui_helpers import SAMPLES

from ei_desktop.gui.widgets.colors import LABEL_COLORS, label_colors, series_color


def test_the_table_and_the_details_write_a_size_the_same_way(tmp_path):
    from ei_desktop.core.backends.base import SampleQuery, UploadItem
    from ei_desktop.core.backends.local import LocalBackend
    from ei_desktop.gui.models.sample_rows import row_cells
    from ei_desktop.gui.widgets.details import describe_record

    png = tmp_path / "cap.png"
    shutil.copy(SAMPLES / "capacitor.01.png", png)
    with LocalBackend(tmp_path / "p", create=True) as local:
        local.upload([UploadItem("cap.01.png", str(png))])
        (record,) = local.iter_samples(SampleQuery())
    _cells, tip = row_cells(record)
    size = describe_record(record)["size"].split(" (")[0]
    assert size in tip and size.endswith(" KB")


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
