"""The summary bar above the table and the Rebalance dialog, on a real local project: the
split and the per-label counts as shown, the warnings, a preview that changes nothing, and a
rebalance that moves samples (keeping groups of a metadata key together).
"""

from __future__ import annotations

from collections import defaultdict

import pytest
from gui_helpers import csv_series, seed_csv, wait_idle
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QLabel, QMessageBox

from ei_desktop.core.backends.base import SampleQuery, query_for_ids
from ei_desktop.core.backends.local import LocalBackend
from ei_desktop.core.edits import Move, SetMetadata
from ei_desktop.core.model import Sample
from ei_desktop.data import upload_samples
from ei_desktop.gui.dialogs.rebalance import RebalanceDialog
from ei_desktop.ops import curate


def seed_testing(backend, labels, count: int, start: int = 1000) -> list[int]:
    """``count`` testing samples cycling through ``labels`` (content unlike seed_csv's)."""
    samples = [
        Sample(
            data=csv_series(labels[i % len(labels)], start + i),
            filename=f"test.{labels[i % len(labels)]}.{i:03d}.csv",
            category="testing",
            label=labels[i % len(labels)],
        )
        for i in range(count)
    ]
    response = upload_samples(samples, project=backend)
    assert not response.fails
    return [s.sample_id for s in response.successes]


@pytest.fixture
def split_project(tmp_path):
    """30 training samples (idle, wave, run ×10) and 6 testing ones (idle, wave ×3): 'run'
    is missing from testing.
    """
    backend = LocalBackend(tmp_path / "split", create=True)
    seed_csv(backend, 30)
    seed_testing(backend, ("idle", "wave"), 6)
    yield backend
    backend.close()


def open_window(qtbot, open_on, backend):
    window = open_on(backend)
    panels = window.panels  # installed by the window itself
    bar = panels.summary_bar
    qtbot.waitUntil(lambda: bar.summary() is not None and not bar.loading, timeout=10000)
    # the bar is shown above the filter bar, "Rebalance…" ends the Edit menu, enabled
    assert bar.isVisible() and bar.geometry().bottom() < window.filter_bar.geometry().top()
    edit_menu = next(
        item.menu()
        for item in window.menuBar().actions()
        if item.menu() is not None and window.menu_actions.undo in item.menu().actions()
    )
    assert edit_menu.actions()[-1] is panels.rebalance_action
    assert panels.rebalance_action.isEnabled()
    return window, panels


def by_category(backend) -> dict[str, int]:
    return backend.summary().by_category()


def open_rebalance(qtbot, panels) -> RebalanceDialog:
    panels.rebalance_action.trigger()
    dialog = panels.rebalance_dialog
    assert dialog is not None and dialog.isVisible()
    qtbot.waitUntil(
        lambda: not dialog.previewing and dialog.preview_report is not None, timeout=10000
    )
    return dialog


def set_share(box, value: int) -> None:
    box.setFocus()
    box.selectAll()
    QTest.keyClicks(box, str(value))
    QTest.keyClick(box, Qt.Key.Key_Tab)


def test_bar_shows_the_split_the_labels_and_a_missing_label(qtbot, open_on, split_project):
    _window, panels = open_window(qtbot, open_on, split_project)
    bar = panels.summary_bar
    assert bar.isVisible()
    assert bar.ratio_text() == "Train / test split 83 % / 17 %"
    assert bar.chip_texts() == ["idle 13 · 6.5 s", "wave 13 · 6.5 s", "run 10 · 5 s"]
    assert bar.totals.text() == "36 samples · 18 s"
    assert bar.warnings() == ["In training but missing from testing: run."]
    assert bar.warning_text.isVisible()


def test_bar_warns_of_a_split_far_from_80_20(qtbot, open_on, project):
    _window, panels = open_window(qtbot, open_on, project)
    assert panels.summary_bar.ratio_text() == "Train / test split 100 % / 0 %"
    assert panels.summary_bar.warnings() == [
        "The train/test split is 100 % / 0 %, far from the recommended 80 % / 20 %."
    ]


def test_bar_follows_a_change(qtbot, open_on, split_project):
    window, panels = open_window(qtbot, open_on, split_project)
    bar = panels.summary_bar
    run_ids = split_project.sample_ids(SampleQuery(labels=("run",)))[:3]
    curate.apply(split_project, query_for_ids(run_ids), Move("testing"))
    window.menu_actions.refresh.trigger()
    qtbot.waitUntil(lambda: bar.ratio_text().endswith("75 % / 25 %"), timeout=10000)
    assert bar.warnings() == []
    assert not bar.warning_text.isVisible()


def test_rebalance_preview_shows_the_moves_and_changes_nothing(qtbot, open_on, split_project):
    _window, panels = open_window(qtbot, open_on, split_project)
    before = by_category(split_project)
    dialog = open_rebalance(qtbot, panels)
    report = dialog.preview_report
    assert report.ok and report.moved > 0
    assert dialog.preview_sentence.text() == report.message
    assert report.message == "12 samples would move: training 78 %, testing 22 %."
    rows = {row[0]: row[1:] for row in dialog.preview_rows()}
    assert rows["run"] == ["10 → 8", "0 → 2", "0"]
    assert by_category(split_project) == before

    # shares that do not make 100 % cannot be previewed nor applied
    set_share(dialog.training, 90)
    assert dialog.shares_error.isVisible()
    assert "110 %" in dialog.shares_error.text()
    assert not dialog.apply_button.isEnabled()
    set_share(dialog.testing, 10)
    assert not dialog.shares_error.isVisible()
    qtbot.waitUntil(lambda: not dialog.previewing, timeout=10000)
    rows = {row[0]: row[1:] for row in dialog.preview_rows()}
    assert rows["run"] == ["10 → 9", "0 → 1", "0"]
    assert by_category(split_project) == before
    dialog.close()


def test_rebalance_apply_moves_the_samples(qtbot, open_on, split_project):
    window, panels = open_window(qtbot, open_on, split_project)
    dialog = open_rebalance(qtbot, panels)
    set_share(dialog.training, 70)
    set_share(dialog.testing, 20)
    set_share(dialog.validation, 10)
    qtbot.waitUntil(lambda: not dialog.previewing, timeout=10000)
    expected = "15 samples would move: training 70 %, testing 22 %, validation 8 %."
    assert dialog.preview_report.message == expected
    with qtbot.waitSignal(dialog.applied, timeout=10000) as applied:
        QTest.mouseClick(dialog.apply_button, Qt.MouseButton.LeftButton)
    report = applied.args[0]
    assert report.ok and report.moved > 0
    message = next(b for b in dialog.findChildren(QMessageBox) if b.isVisible())
    assert message.text() == report.message
    assert message.text().startswith(f"{report.moved} samples moved: training")
    counts = by_category(split_project)
    assert counts == report.after_by_category()
    assert counts["validation"] > 0
    assert sum(counts.values()) == 36
    # the window follows: the bar reads the new split
    bar = panels.summary_bar
    wait_idle(qtbot, window)
    qtbot.waitUntil(lambda: not bar.loading, timeout=10000)
    train, test = split_project.summary().train_test_ratio
    assert bar.ratio_text() == f"Train / test split {train} % / {test} %"
    message.close()
    dialog.close()


def test_rebalance_keeps_groups_of_a_metadata_key_together(qtbot, open_on, tmp_path):
    backend = LocalBackend(tmp_path / "sessions", create=True)
    ids = seed_csv(backend, 40)
    for i, sample_id in enumerate(ids):
        # sessions of 4 samples each, across labels
        change = SetMetadata({"session": f"s{i // 4}"}, replace=False)
        curate.apply(backend, query_for_ids([sample_id]), change)
    try:
        _window, panels = open_window(qtbot, open_on, backend)
        dialog = open_rebalance(qtbot, panels)
        qtbot.waitUntil(lambda: dialog.keep_together.findData("session") >= 0, timeout=5000)
        dialog.keep_together.setCurrentIndex(dialog.keep_together.findData("session"))
        qtbot.waitUntil(lambda: not dialog.previewing, timeout=10000)
        with qtbot.waitSignal(dialog.applied, timeout=10000) as applied:
            QTest.mouseClick(dialog.apply_button, Qt.MouseButton.LeftButton)
        assert applied.args[0].ok and applied.args[0].moved > 0
        categories = defaultdict(set)
        for record in backend.get_samples(ids).values():
            categories[record.metadata["session"]].add(record.category)
        assert all(len(found) == 1 for found in categories.values()), categories
        assert {c for found in categories.values() for c in found} == {"training", "testing"}
        dialog.close()
    finally:
        backend.close()


def test_label_chips_that_do_not_fit_are_counted_not_cut(qtbot, make_window, tmp_path):
    backend = LocalBackend(tmp_path / "many", create=True)
    labels = ("idle", "wave", "snake", "updown", "capacitor", "hadouken", "workbench")
    seed_csv(backend, 14, labels=labels)
    try:
        window = make_window(backend.path)
        bar = window.panels.summary_bar
        qtbot.waitUntil(lambda: len(bar.chip_texts()) > 0 and not bar.loading, timeout=5000)
        strip = bar.chip_strip.viewport()
        for width in (1400, 900, 700):
            window.resize(width, 800)
            QApplication.processEvents()
            shown = [chip for chip in bar.chips.findChildren(QLabel) if chip.isVisible()]
            assert shown
            for chip in shown:  # every chip shown is whole inside the strip
                right = chip.mapTo(strip, chip.rect().topRight()).x()
                assert right < strip.width(), (width, chip.text(), right, strip.width())
            texts = bar.chip_texts()
            whole = [t for t in texts if not t.endswith(" more")]
            hidden = len(labels) - len(whole)
            if hidden:
                assert texts[-1] == f"+{hidden} more", (width, texts)
            else:
                assert len(texts) == len(labels)
        window.resize(700, 800)
        QApplication.processEvents()
        assert bar.chip_texts()[-1].endswith(" more")  # this narrow, some labels are counted
    finally:
        backend.close()
