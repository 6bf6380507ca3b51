"""Metadata in the window, on a real local project: the editor beside the details changes
the metadata of one sample or of a selection (keys common to all, "(several values)" where
they differ), and the metadata filter narrows the listing through the backend.
"""

from __future__ import annotations

import pytest
from gui_helpers import seed_csv, wait_idle
from PySide6.QtCore import QItemSelectionModel, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QLineEdit

from ei_desktop.core.backends.base import MetadataFilter, SampleQuery, query_for_ids
from ei_desktop.core.backends.local import LocalBackend
from ei_desktop.core.edits import SetMetadata
from ei_desktop.gui.widgets.metadata_editor import SEVERAL_VALUES
from ei_desktop.gui.widgets.metadata_filter import MetadataFilterBar
from ei_desktop.ops import curate


@pytest.fixture
def tagged(tmp_path):
    """12 samples; the first three have device=a and site lab/home/lab, the others site=lab
    on even positions.
    """
    backend = LocalBackend(tmp_path / "tagged", create=True)
    ids = seed_csv(backend, 12)
    for i, sample_id in enumerate(ids[:3]):
        meta = {"device": "a", "site": ("lab", "home", "lab")[i]}
        curate.apply(backend, query_for_ids([sample_id]), SetMetadata(meta))
    for sample_id in ids[3::2]:
        curate.apply(backend, query_for_ids([sample_id]), SetMetadata({"site": "lab"}))
    backend.ids = ids
    yield backend
    backend.close()


def metadata(backend, sample_id) -> dict:
    return backend.get_sample(sample_id).metadata or {}


def open_window(qtbot, open_on, backend):
    window = open_on(backend)
    panels = window.panels  # installed by the window itself
    # the editor sits under the sample's details, the filter right under the filter bar
    splitter = window.preview.splitter
    assert splitter.indexOf(panels.metadata_editor) == splitter.indexOf(window.preview.details) + 1
    layout = window.filter_bar.parentWidget().layout()
    assert layout.indexOf(panels.metadata_filter) == layout.indexOf(window.filter_bar) + 1
    assert window.filter_bar.isAncestorOf(panels.metadata_filter_toggle)
    return window, panels


def select(qtbot, window, editor, ids) -> None:
    window.select_ids(ids, current=ids[0])
    qtbot.waitUntil(lambda: set(editor.ids) == set(ids) and not editor.busy, timeout=5000)
    assert editor.isVisible()


def type_and_set(qtbot, editor, key: str, value: str) -> None:
    editor.key_edit.clear()
    QTest.keyClicks(editor.key_edit, key)
    editor.value_edit.clear()
    QTest.keyClicks(editor.value_edit, value)
    with qtbot.waitSignal(editor.changed, timeout=10000):
        QTest.mouseClick(editor.set_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not editor.busy, timeout=5000)


def remove_key(qtbot, editor, key: str) -> None:
    row = list(editor.values()).index(key)
    editor.table.selectionModel().select(
        editor.table.model().index(row, 0),
        QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows,
    )
    assert editor.remove_button.isEnabled()
    with qtbot.waitSignal(editor.changed, timeout=10000):
        QTest.mouseClick(editor.remove_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not editor.busy, timeout=5000)


def test_one_sample_add_change_and_remove_a_key(qtbot, open_on, tagged):
    window, panels = open_window(qtbot, open_on, tagged)
    editor = panels.metadata_editor
    sample_id = tagged.ids[4]
    select(qtbot, window, editor, [sample_id])
    assert editor.values() == {}
    assert editor.others.text() == "No metadata"

    type_and_set(qtbot, editor, "subject", "anna")
    assert metadata(tagged, sample_id) == {"subject": "anna"}
    assert editor.values() == {"subject": "anna"}
    assert editor.status.text() == "Metadata subject=anna set on 1 sample."

    # change the value in the table, as a user double-clicking the cell would
    item = editor.table.item(0, 1)
    editor.table.setCurrentItem(item)
    editor.table.editItem(item)
    line = editor.table.viewport().findChild(QLineEdit)
    assert line is not None
    line.selectAll()
    QTest.keyClicks(line, "bob")
    with qtbot.waitSignal(editor.changed, timeout=10000):
        QTest.keyClick(line, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: not editor.busy, timeout=5000)
    assert metadata(tagged, sample_id) == {"subject": "bob"}
    assert editor.values() == {"subject": "bob"}

    remove_key(qtbot, editor, "subject")
    assert metadata(tagged, sample_id) == {}
    assert editor.values() == {}
    # other samples kept theirs
    assert metadata(tagged, tagged.ids[0]) == {"device": "a", "site": "lab"}
    assert metadata(tagged, tagged.ids[5]) == {"site": "lab"}
    wait_idle(qtbot, window)


def test_a_selection_of_three_shows_common_keys_and_changes_all(qtbot, open_on, tagged):
    window, panels = open_window(qtbot, open_on, tagged)
    editor = panels.metadata_editor
    three = tagged.ids[:3]
    select(qtbot, window, editor, three)
    assert editor.title.text() == "Metadata of 3 samples"
    assert editor.values() == {"device": "a", "site": SEVERAL_VALUES}

    # a key on some samples only is named, not listed as common
    mixed = [tagged.ids[0], tagged.ids[4]]
    select(qtbot, window, editor, mixed)
    assert editor.values() == {}
    assert "device, site" in editor.others.text()

    select(qtbot, window, editor, three)
    type_and_set(qtbot, editor, "site", "office")
    assert [metadata(tagged, i)["site"] for i in three] == ["office"] * 3
    assert editor.values() == {"device": "a", "site": "office"}

    type_and_set(qtbot, editor, "subject", "carl")
    assert all(metadata(tagged, i)["subject"] == "carl" for i in three)

    remove_key(qtbot, editor, "device")
    assert [metadata(tagged, i) for i in three] == [{"site": "office", "subject": "carl"}] * 3
    assert editor.values() == {"site": "office", "subject": "carl"}
    # samples outside the selection are untouched
    assert metadata(tagged, tagged.ids[3]) == {"site": "lab"}
    assert metadata(tagged, tagged.ids[4]) == {}
    wait_idle(qtbot, window)


def test_metadata_filter_builds_the_query_conditions(qtbot, tagged):
    bar = MetadataFilterBar()
    qtbot.addWidget(bar)
    bar.show()
    bar.set_choices(curate.metadata_values(tagged))
    assert [bar.key_combo.itemText(i) for i in range(bar.key_combo.count())] == ["device", "site"]

    bar.key_combo.setFocus()
    QTest.keyClicks(bar.key_combo.lineEdit(), "site")
    assert [bar.value_combo.itemText(i) for i in range(bar.value_combo.count())] == [
        "home",
        "lab",
    ]
    QTest.keyClicks(bar.value_combo.lineEdit(), "lab")
    with qtbot.waitSignal(bar.changed):
        QTest.mouseClick(bar.add_button, Qt.MouseButton.LeftButton)
    assert bar.filters() == (MetadataFilter("site", "eq", ("lab",)),)
    assert bar.chip_texts() == ["site = lab"]
    query = bar.apply_to(SampleQuery(labels=("idle",)))
    assert query.labels == ("idle",)
    expected = {i for i in tagged.ids if metadata(tagged, i).get("site") == "lab"}
    idle = set(tagged.sample_ids(SampleQuery(labels=("idle",))))
    assert set(tagged.sample_ids(query)) == expected & idle
    assert set(tagged.sample_ids(bar.apply_to(SampleQuery()))) == expected

    # another value of the same key widens it; "≠" on another key narrows it
    bar.value_combo.setEditText("home")
    QTest.mouseClick(bar.add_button, Qt.MouseButton.LeftButton)
    assert bar.chip_texts() == ["site = lab or home"]
    bar.key_combo.setEditText("device")
    bar.op_combo.setCurrentIndex(bar.op_combo.findData("neq"))
    bar.value_combo.setEditText("a")
    QTest.mouseClick(bar.add_button, Qt.MouseButton.LeftButton)
    assert bar.chip_texts() == ["site = lab or home", "device ≠ a"]
    kept = set(tagged.sample_ids(bar.apply_to(SampleQuery())))
    assert kept == {
        i
        for i in tagged.ids
        if metadata(tagged, i).get("site") in ("lab", "home")
        and metadata(tagged, i).get("device") != "a"
    }
    assert kept and tagged.ids[0] not in kept

    # clicking a chip removes its condition
    with qtbot.waitSignal(bar.changed):
        QTest.mouseClick(bar.chip_buttons()[1], Qt.MouseButton.LeftButton)
    assert bar.chip_texts() == ["site = lab or home"]
    bar.clear()
    assert bar.filters() == () and bar.apply_to(SampleQuery()) == SampleQuery()


def test_metadata_filter_narrows_the_listing(qtbot, open_on, tagged):
    window, panels = open_window(qtbot, open_on, tagged)
    assert window.table_model.rowCount() == 12
    toggle, bar = panels.metadata_filter_toggle, panels.metadata_filter
    assert not bar.isVisible()
    QTest.mouseClick(toggle, Qt.MouseButton.LeftButton)
    assert bar.isVisible()
    qtbot.waitUntil(lambda: bar.key_combo.count() == 2, timeout=5000)
    bar.key_combo.setEditText("site")
    bar.value_combo.setEditText("lab")
    QTest.mouseClick(bar.add_button, Qt.MouseButton.LeftButton)
    wait_idle(qtbot, window)
    expected = {i for i in tagged.ids if metadata(tagged, i).get("site") == "lab"}
    assert set(window.table_model.ids.tolist()) == expected
    assert window.browse.current_query().metadata == (MetadataFilter("site", "eq", ("lab",)),)
    # with the label filter too
    window.filter_bar.label_combo.setCurrentIndex(window.filter_bar.label_combo.findData("idle"))
    wait_idle(qtbot, window)
    idle = set(tagged.sample_ids(SampleQuery(labels=("idle",))))
    assert set(window.table_model.ids.tolist()) == expected & idle
    # "≠" narrows the listing too
    window.filter_bar.label_combo.setCurrentIndex(0)
    bar.key_combo.setEditText("device")
    bar.op_combo.setCurrentIndex(bar.op_combo.findData("neq"))
    bar.value_combo.setEditText("a")
    QTest.mouseClick(bar.add_button, Qt.MouseButton.LeftButton)
    wait_idle(qtbot, window)
    others = {i for i in expected if metadata(tagged, i).get("device") != "a"}
    assert others and others != expected
    assert set(window.table_model.ids.tolist()) == others
    QApplication.processEvents()
