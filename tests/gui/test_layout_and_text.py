"""Layout and text of the window: sizes through a server, names in the table, details."""

from __future__ import annotations

import shutil

import pytest
from gui_helpers import SAMPLES, csv_series

from ei_desktop.core.backends.base import SampleQuery
from ei_desktop.core.backends.local import LocalBackend
from ei_desktop.core.model import Sample
from ei_desktop.data import upload_samples
from ei_desktop.gui.widgets.details import DetailsPanel, describe_record

studio = pytest.importorskip("ei_desktop.core.backends.studio")
testing = pytest.importorskip("ei_desktop.server.testing")


def test_an_image_size_read_through_a_server_is_its_real_size(qtbot, tmp_path):
    image = tmp_path / "capacitor.01.png"
    shutil.copy(SAMPLES / "capacitor.01.png", image)
    local = LocalBackend(tmp_path / "served", create=True)
    response = upload_samples(
        [Sample(data=image.read_bytes(), filename=image.name, label="capacitor")], project=local
    )
    assert not response.fails
    (expected,) = local.list_samples(SampleQuery())
    assert expected.size == image.stat().st_size
    try:
        with testing.running_server(local, api_key="k") as (base_url, key):
            remote = studio.StudioBackend(key, f"{base_url}/v1", base_url)
            try:
                (record,) = remote.list_samples(SampleQuery())
                fetched = remote.get_sample(record.id)
            finally:
                remote.close()
    finally:
        local.close()
    assert record.size == fetched.size == expected.size
    panel = DetailsPanel()
    qtbot.addWidget(panel)
    panel.set_record(record)
    assert panel.field_text("size") == describe_record(expected)["size"]


def test_an_unknown_size_is_not_shown_as_zero_bytes(qtbot, project):
    (record,) = project.list_samples(SampleQuery(), limit=1)
    record.size = 0  # what Edge Impulse's own API gives: no size
    panel = DetailsPanel()
    qtbot.addWidget(panel)
    panel.set_record(record)
    assert panel.field_text("size") is None


def test_long_names_that_differ_at_the_end_look_different(qtbot, make_window, tmp_path):
    prefix = "field_station_three_accelerometer_recording_session"
    backend = LocalBackend(tmp_path / "names", create=True)
    names = [f"{prefix}.a{i}.csv" for i in (1, 0, 2)]
    samples = [
        Sample(data=csv_series("a", i), filename=name, label="a") for i, name in enumerate(names)
    ]
    assert not upload_samples(samples, project=backend).fails
    backend.close()
    window = make_window(tmp_path / "names")
    table = window.table
    table.setAlternatingRowColors(False)
    name_column = 1
    table.setColumnWidth(name_column, table.fontMetrics().horizontalAdvance(prefix) // 2)
    shown = [window.table_model.index(row, name_column) for row in range(3)]
    qtbot.waitUntil(lambda: all(str(i.data()).startswith(prefix) for i in shown))

    def cell(row: int):
        return table.viewport().grab(table.visualRect(shown[row])).toImage()

    first, last = cell(0), cell(2)  # ….a2.csv and ….a1.csv
    assert first.size() == last.size()
    assert first != last


def test_help_text_in_dialogs_is_enabled_and_readable(qtbot, credentials):
    from PySide6.QtGui import QPalette
    from PySide6.QtWidgets import QLabel

    from ei_desktop.gui.dialogs.connection import ConnectionDialog
    from ei_desktop.gui.dialogs.download_options import DownloadOptionsDialog
    from ei_desktop.gui.dialogs.export_options import ExportOptionsDialog
    from ei_desktop.gui.dialogs.upload_options import UploadOptionsDialog
    from ei_desktop.gui.widgets.text import contrast_ratio

    dialogs = [
        UploadOptionsDialog(["walk.01.csv"]),
        DownloadOptionsDialog(3),
        ExportOptionsDialog(3),
        ConnectionDialog(credentials),
    ]
    for dialog in dialogs:
        qtbot.addWidget(dialog)
        texts = [label for label in dialog.findChildren(QLabel) if label.text().strip()]
        assert texts, type(dialog).__name__
        for label in texts:
            name = f"{type(dialog).__name__}: {label.text()[:40]!r}"
            assert label.isEnabled(), name  # a disabled label is faint and looks unusable
            palette = label.palette()
            ratio = contrast_ratio(
                palette.color(QPalette.ColorRole.WindowText),
                palette.color(QPalette.ColorRole.Window),
            )
            assert ratio >= 4.5, name


def test_details_name_the_category_and_kind_as_the_table_does(qtbot, project):
    panel = DetailsPanel()
    qtbot.addWidget(panel)
    record = next(r for r in project.iter_samples(SampleQuery()) if r.kind == "timeseries")
    panel.set_record(record)
    assert panel.field_text("kind") == "Time series"
    assert panel.field_text("category") == record.category.capitalize()


def test_the_table_and_the_details_say_one_size_for_a_sample(qtbot, make_window, tmp_path):
    """One size convention everywhere: the row's tooltip and the details panel agree."""
    from PySide6.QtCore import Qt

    backend = LocalBackend(tmp_path / "sizes", create=True)
    try:
        image = (SAMPLES / "capacitor.01.png").read_bytes()
        assert len(image) >= 1024
        upload_samples([Sample(data=image, filename="capacitor.01.png")], project=backend)
    finally:
        backend.close()
    window = make_window(tmp_path / "sizes")
    window.table.selectRow(0)
    window.previews.load_current()
    qtbot.waitUntil(lambda: window.preview.details.field_text("size") is not None, timeout=5000)
    details = window.preview.details.field_text("size")  # "6.0 KB (6,170 bytes)"
    tip = window.table_model.data(window.table_model.index(0, 0), Qt.ItemDataRole.ToolTipRole)
    shown = details.split(" (")[0]
    assert shown.endswith(" KB") and f", {shown}" in tip
