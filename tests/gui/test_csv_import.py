"""CSV import in the four pandas layouts, through the job and through the dialog."""

from __future__ import annotations

import pandas as pd
import pytest
from gui_helpers import active, wait_idle

from ei_desktop.core.backends.base import SampleQuery
from ei_desktop.core.progress import CancelToken
from ei_desktop.gui.dialogs.csv_import import CsvImportDialog
from ei_desktop.gui.dialogs.results import ResultsDialog
from ei_desktop.gui.jobs.csv_import import csv_import_job
from ei_desktop.ops.table_import import GROUPS, PER_FILE, ROWS, WIDE, CsvImportSpec


def run(backend, spec):
    return csv_import_job(backend, spec)(lambda p: None, CancelToken())


def test_one_time_series_per_file(local, tmp_path):
    files = []
    for name in ("walk.1.csv", "walk.2.csv"):
        path = tmp_path / name
        pd.DataFrame(
            {"t": [0, 20, 40], "x": [1.0, 2.0, 3.0 + len(files)], "y": [0.5, 0.4, 0.3]}
        ).to_csv(path, index=False)
        files.append(str(path))
    outcome = run(local, CsvImportSpec(files, PER_FILE, timestamp_col="t", category="training"))
    assert outcome.done_count == 2 and not outcome.failed
    records = local.list_samples(SampleQuery())
    assert {r.label for r in records} == {"walk"}
    assert {r.category for r in records} == {"training"}
    assert all([s.name for s in r.sensors] == ["x", "y"] and r.interval_ms == 20 for r in records)


def test_one_sample_per_row(local, tmp_path):
    path = tmp_path / "rows.csv"
    pd.DataFrame(
        {"a": [1, 2, 3], "b": [4, 5, 6], "label": ["x", "y", "x"], "site": ["s1", "s2", "s3"]}
    ).to_csv(path, index=False)
    spec = CsvImportSpec(
        [str(path)],
        ROWS,
        feature_cols=["a", "b"],
        label_col="label",
        metadata_cols=["site"],
        category="testing",
    )
    outcome = run(local, spec)
    assert outcome.done_count == 3
    assert local.label_counts() == {("testing", "x"): 2, ("testing", "y"): 1}
    assert {r.metadata["site"] for r in local.list_samples(SampleQuery())} == {"s1", "s2", "s3"}


def test_wide_rows_become_time_series(local, tmp_path):
    path = tmp_path / "wide.csv"
    pd.DataFrame(
        {"label": ["up", "down"], "r0": [1, 9], "r1": [2, 8], "r2": [3, 7], "r3": [4, 6]}
    ).to_csv(path, index=False)
    spec = CsvImportSpec(
        [str(path)], WIDE, sample_rate_ms=100, data_col_start="r0", label_col="label"
    )
    outcome = run(local, spec)
    assert outcome.done_count == 2
    records = local.list_samples(SampleQuery())
    assert sorted(r.label for r in records) == ["down", "up"]
    assert all(r.values_count == 4 and r.interval_ms == 100 for r in records)


def test_grouped_rows_become_one_sample_per_group(local, tmp_path):
    path = tmp_path / "grouped.csv"
    pd.DataFrame(
        {
            "session": ["a", "a", "b", "b", "b"],
            "time": [0.0, 0.01, 0.0, 0.01, 0.02],
            "acc": [1, 2, 3, 4, 5],
            "label": ["idle", "idle", "run", "run", "run"],
        }
    ).to_csv(path, index=False)
    spec = CsvImportSpec(
        [str(path)],
        GROUPS,
        timestamp_col="time",
        group_by="session",
        feature_cols=["acc"],
        label_col="label",
    )
    outcome = run(local, spec)
    assert outcome.done_count == 2
    assert sorted(r.filename for r in local.list_samples(SampleQuery())) == ["a", "b"]


def test_a_bad_file_is_one_failure_and_the_others_go_on(local, tmp_path):
    good = tmp_path / "good.csv"
    pd.DataFrame({"a": [1], "b": [2]}).to_csv(good, index=False)
    bad = tmp_path / "bad.csv"
    bad.write_bytes(b"")
    outcome = run(local, CsvImportSpec([str(bad), str(good)], ROWS, feature_cols=["a", "b"]))
    assert outcome.done_count == 1
    assert [f.name for f in outcome.failed] == [str(bad)]
    assert "Cannot read" in outcome.failed[0].reason


@pytest.mark.parametrize("layout_index", [1])
def test_the_dialog_reads_a_preview_and_imports(qtbot, make_window, tmp_path, layout_index):
    path = tmp_path / "features.csv"
    pd.DataFrame(
        {"f1": [0.1, 0.2, 0.3, 0.4], "f2": [1, 2, 3, 4], "label": ["a", "b", "a", "b"]}
    ).to_csv(path, index=False)
    window = make_window(tmp_path / "project")
    dialog = window.csv_import.import_csv([str(path)])
    assert isinstance(dialog, CsvImportDialog)
    qtbot.waitUntil(lambda: dialog.preview_model.rowCount() == 4, timeout=5000)
    assert dialog.preview_model.columns == ["f1", "f2", "label"]
    dialog.layout_combo.setCurrentIndex(layout_index)  # one sample per row
    assert dialog.rows_page.label.column() == "label"  # guessed from the name
    assert dialog.rows_page.features.columns() == ["f1", "f2"]
    dialog.ok_button.click()
    wait_idle(qtbot, window)
    outcome = active(qtbot, window, ResultsDialog).report
    assert outcome.done_count == 4 and outcome.action == "CSV import"
    assert window.backend.count(SampleQuery(labels=("a",))) == 2
    assert window.table_model.rowCount() == 4
