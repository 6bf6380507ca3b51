"""The CSV import dialog's defaults, validation and time columns, on real files."""

from __future__ import annotations

from gui_helpers import active, wait_idle
from PySide6.QtWidgets import QFormLayout, QLabel

from ei_desktop.core.backends.base import SampleQuery
from ei_desktop.gui.dialogs.csv_columns import NONE
from ei_desktop.gui.dialogs.results import ResultsDialog
from ei_desktop.gui.widgets.text import contrast_ratio
from ei_desktop.ops.table_import import GROUPS, LAYOUTS, PER_FILE

STATIONS = (("Paris", "FR", "FR04014"), ("Antwerpen", "BE", "BETR801"), ("London", "GB", "LW"))


def air_quality(path, hours: int = 6):
    """Rows shaped like pandas' ``air_quality_no2_long.csv`` (ISO dates, newest first)."""
    lines = ["city,country,date.time,location,parameter,value,unit"]
    for n, (city, country, station) in enumerate(STATIONS):
        for i in range(hours):
            stamp = f"2019-06-21 {hours - 1 - i:02d}:00:00+00:00"
            lines.append(f"{city},{country},{stamp},{station},no2,{20 + i + 7 * n}.5,µg/m³")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def open_dialog(qtbot, window, path, layout: str):
    dialog = window.csv_import.import_csv([str(path)])
    qtbot.waitUntil(lambda: dialog.preview_model.rowCount() > 0, timeout=5000)
    dialog.layout_combo.setCurrentIndex([value for value, _ in LAYOUTS].index(layout))
    return dialog


def form_label(widget) -> str:
    form = widget.parentWidget().layout()
    assert isinstance(form, QFormLayout)
    return form.labelForField(widget).text()


def test_grouped_defaults_pick_different_columns_and_import_iso_dates(qtbot, make_window, tmp_path):
    window = make_window(tmp_path / "project")
    dialog = open_dialog(qtbot, window, air_quality(tmp_path / "air_quality_no2_long.csv"), GROUPS)
    assert dialog.groups_page.time.column() == "date.time"
    assert dialog.groups_page.by.column() == "city"
    assert dialog.problem() is None

    dialog.ok_button.click()
    wait_idle(qtbot, window)
    report = active(qtbot, window, ResultsDialog).report
    assert report.done_count == 3 and not report.failed
    assert window.backend.count(SampleQuery()) == 3
    record = window.backend.list_samples(SampleQuery())[0]
    assert record.interval_ms == 3_600_000  # hourly readings


def test_the_grouped_time_column_can_be_none_with_an_interval(qtbot, make_window, tmp_path):
    window = make_window(tmp_path / "project")
    dialog = open_dialog(qtbot, window, air_quality(tmp_path / "aq.csv"), GROUPS)
    assert dialog.groups_page.time.itemText(0) == NONE
    dialog.groups_page.time.setCurrentIndex(0)
    assert dialog.groups_page.rate.isEnabled()
    dialog.groups_page.rate.setValue(250)
    spec = dialog.spec()
    assert spec.timestamp_col is None and spec.sample_rate_ms == 250
    dialog.ok_button.click()
    wait_idle(qtbot, window)
    assert not active(qtbot, window, ResultsDialog).report.failed
    records = window.backend.list_samples(SampleQuery())
    assert len(records) == 3 and {r.interval_ms for r in records} == {250}


def test_a_shown_problem_goes_away_once_fixed(qtbot, make_window, tmp_path):
    window = make_window(tmp_path / "project")
    dialog = open_dialog(qtbot, window, air_quality(tmp_path / "aq.csv"), GROUPS)
    time = dialog.groups_page.time.column()
    dialog.groups_page.by.setCurrentIndex(dialog.groups_page.by.findData(time))
    dialog.ok_button.click()
    assert "must differ" in dialog.error_label.text()
    assert dialog.isVisible()

    other = next(c for c in ("location", "country") if c != time)
    dialog.groups_page.by.setCurrentIndex(dialog.groups_page.by.findData(other))
    assert dialog.error_label.text() == ""


def test_time_columns_are_labelled_alike_with_their_units(qtbot, make_window, tmp_path):
    window = make_window(tmp_path / "project")
    dialog = open_dialog(qtbot, window, air_quality(tmp_path / "aq.csv"), PER_FILE)
    assert (
        form_label(dialog.per_file_page.time)
        == form_label(dialog.groups_page.time)
        == "Time column:"
    )
    assert "milliseconds" in dialog.per_file_page.time_help.text()
    assert "seconds" in dialog.groups_page.time_help.text()
    assert "milliseconds" not in dialog.groups_page.time_help.text()
    assert dialog.per_file_page.time.itemText(0) == dialog.groups_page.time.itemText(0) == NONE
    for help_label in (dialog.per_file_page.time_help, dialog.groups_page.time_help):
        assert isinstance(help_label, QLabel) and help_label.isEnabled()
        palette = help_label.palette()
        assert contrast_ratio(palette.windowText().color(), palette.window().color()) >= 4.5


def test_a_time_column_of_timedeltas_is_read_as_durations(qtbot, make_window, tmp_path):
    """``00:00:00.020``-style elapsed times (pandas writes timedeltas so): 20 ms apart."""
    lines = ["elapsed,accX,accY,session"]
    for n, session in enumerate(("a", "b")):
        for i in range(50):
            lines.append(f"0 days 00:00:{i * 0.02:06.3f},{i % 7 + n}.5,{i % 3}.25,{session}")
    path = tmp_path / "elapsed.csv"
    path.write_text("\n".join(lines) + "\n")
    window = make_window(tmp_path / "project")
    dialog = open_dialog(qtbot, window, path, GROUPS)
    assert dialog.groups_page.time.column() == "elapsed"
    assert dialog.groups_page.by.column() == "session"
    assert dialog.problem() is None
    dialog.ok_button.click()
    wait_idle(qtbot, window)
    report = active(qtbot, window, ResultsDialog).report
    assert report.done_count == 2 and not report.failed, report.summary()
    records = window.backend.list_samples(SampleQuery())
    assert {r.interval_ms for r in records} == {20}
    assert {r.values_count for r in records} == {50}
