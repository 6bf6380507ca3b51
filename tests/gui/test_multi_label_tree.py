"""In the window, a sample with label segments is under each of its labels in the category tree
and the label filter, an object-detection image under its boxes' labels (not the label its
file name gave it), each category counts its samples once, and the details list the labels.
"""

from __future__ import annotations

import io

import pytest
from gui_helpers import wait_listed
from PIL import Image

from ei_desktop.core.backends.base import SampleQuery, UploadItem, query_for_ids
from ei_desktop.core.backends.local import LocalBackend
from ei_desktop.core.edits import SetBoundingBoxes
from ei_desktop.gui.models.category_tree import ALL
from ei_desktop.gui.widgets.details import DetailsPanel

SEGMENTS = [
    {"label": "idle", "startIndex": 0, "endIndex": 2},
    {"label": "wave", "startIndex": 3, "endIndex": 5},
]


def box(label: str, x: int = 0) -> dict:
    return {"label": label, "x": x, "y": 0, "width": 2, "height": 2}


def png(seed: int) -> bytes:
    data = io.BytesIO()
    Image.new("RGB", (8, 8), (seed, 0, 0)).save(data, "PNG")
    return data.getvalue()


def series(seed: int) -> bytes:
    lines = ["timestamp,x"] + [f"{i * 10},{seed * 100 + i}" for i in range(6)]
    return "\n".join(lines).encode() + b"\n"


@pytest.fixture
def labelled(tmp_path):
    """A time series with two segment labels, a plain one, and two object-detection images
    named "1" and "51" with boxes.
    """
    backend = LocalBackend(tmp_path / "project", create=True)
    items = [
        UploadItem("multi.csv", series(1), "training", structured_labels=SEGMENTS),
        UploadItem("walk.1.csv", series(2), "training", label="walk"),
        UploadItem(
            "1.png",
            png(1),
            "training",
            label="1",
            bounding_boxes=[box("cat"), box("dog", 3), box("cat", 5)],
        ),
        UploadItem("51.png", png(2), "testing", label="51", bounding_boxes=[box("cat")]),
    ]
    results = backend.upload(items)
    assert all(r.success for r in results), [r.error for r in results]
    backend.ids = [r.sample_id for r in results]
    yield backend
    backend.close()


def shown(window, key) -> str | None:
    """The count the tree shows on the node ``key`` (``None`` without such a node)."""
    index = window.tree_model.index_of(key)
    if not index.isValid():
        return None
    return window.tree_model.itemFromIndex(index.siblingAtColumn(1)).text()


def test_the_tree_shows_segment_and_box_labels_and_filters_by_them(qtbot, make_window, labelled):
    multi, walk, objects, cats = labelled.ids
    window = make_window(labelled.path)
    assert shown(window, ("training", None)) == "3"  # each sample once
    assert shown(window, ("testing", None)) == "1"
    assert shown(window, ALL) == "4"
    for key, count in {
        ("training", "idle"): "1",
        ("training", "wave"): "1",
        ("training", "walk"): "1",
        ("training", "cat"): "1",
        ("training", "dog"): "1",
        ("testing", "cat"): "1",
        (None, "cat"): "2",
    }.items():
        assert shown(window, key) == count, key
    assert shown(window, ("training", "1")) is None and shown(window, (None, "51")) is None
    combo = window.filter_bar.label_combo
    offered = {combo.itemData(i) for i in range(combo.count())}
    assert offered == {None, "idle", "wave", "walk", "cat", "dog"}

    window.tree.setCurrentIndex(window.tree_model.index_of((None, "cat")))
    wait_listed(qtbot, window)
    assert sorted(window.table_model.ids.tolist()) == sorted([objects, cats])
    window.tree.setCurrentIndex(window.tree_model.index_of(("training", "wave")))
    wait_listed(qtbot, window)
    assert window.table_model.ids.tolist() == [multi]

    # a change of boxes moves the image between labels once the counts are read again
    labelled.edit(query_for_ids([cats]), SetBoundingBoxes([box("owl")]))
    window.browse.refresh_counts()
    qtbot.waitUntil(lambda: shown(window, ("testing", "owl")) == "1", timeout=10000)
    assert shown(window, ("testing", "cat")) is None and shown(window, (None, "cat")) == "1"
    assert shown(window, ("testing", None)) == "1"


def test_the_details_list_the_labels_a_sample_counts_under(qtbot, labelled):
    multi, walk, objects, _ = labelled.ids
    panel = DetailsPanel()
    qtbot.addWidget(panel)
    records = labelled.get_samples(labelled.ids)
    panel.set_record(records[objects])
    assert panel.field_text("labels") == "cat ×2, dog ×1"
    panel.set_record(records[multi])
    assert panel.field_text("labels") == "idle ×1, wave ×1"
    panel.set_record(records[walk])
    assert panel.field_text("labels") is None  # just its own label, shown as Label


def test_the_window_details_show_the_box_labels(qtbot, make_window, labelled):
    window = make_window(labelled.path)
    objects = labelled.ids[2]
    row = window.table_model.ids.tolist().index(objects)
    window.table.selectRow(row)
    window.previews.load_current()
    qtbot.waitUntil(lambda: window.preview.current_id == objects, timeout=10000)
    assert window.preview.details.field_text("labels") == "cat ×2, dog ×1"
    assert labelled.count(SampleQuery(labels=("dog",))) == 1


def test_through_a_server_the_tree_shows_segment_and_box_labels(
    qtbot, make_window, labelled, tmp_path
):
    from ei_desktop.gui.connections import ConnectionSpec
    from ei_desktop.server import testing

    window = make_window(tmp_path / "local")
    with testing.running_server(labelled, api_key="test-key") as (base_url, key):
        window.connection.open_connection(ConnectionSpec.server(base_url), key)
        qtbot.waitUntil(lambda: window.spec is not None and window.spec.kind == "server")
        wait_listed(qtbot, window, timeout=20000)
        qtbot.waitUntil(lambda: shown(window, ("training", "wave")) == "1", timeout=10000)
        assert shown(window, ("training", "idle")) == "1"
        assert shown(window, ("training", "cat")) == "1"
        assert shown(window, (None, "cat")) == "2"
        assert shown(window, ("training", None)) == "3"
        assert shown(window, ("training", "1")) is None
