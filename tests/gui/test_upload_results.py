"""What the window says after an upload: samples stored, already in the project, skipped
(with why) and failed are counted and listed apart, and every reason is shown whole.
"""

from __future__ import annotations

from gui_helpers import active, copy_samples, finish_operation, wait_idle
from PySide6.QtCore import QRect, Qt

from ei_desktop.gui.dialogs.results import ResultsDialog
from ei_desktop.ops import UploadOptions


def upload(qtbot, window, paths) -> ResultsDialog:
    window.uploads.start_upload([str(p) for p in paths], UploadOptions())
    finish_operation(qtbot, window)
    return active(qtbot, window, ResultsDialog)


def test_results_tell_stored_present_skipped_and_failed_apart(qtbot, make_window, tmp_path):
    window = make_window(tmp_path / "target")
    files = copy_samples(tmp_path / "first")
    first = upload(qtbot, window, files[:2])
    assert first.summary.text() == "<b>2 samples uploaded.</b>"
    first.reject()
    wait_idle(qtbot, window)

    folder = tmp_path / "second"
    again = copy_samples(folder)  # the first two are in the project now
    (folder / "notes.docx").write_bytes(b"PK\x03\x04 not a sample")
    long_name = "broken." + "x" * 60 + ".01.json"
    (folder / long_name).write_text('{"protected": {"ver": "v1"}, "payload": [1, 2')
    results = upload(qtbot, window, [folder])

    report = results.report
    assert report.done_count == len(again) - 2
    assert results.summary.text() == (
        f"<b>{len(again) - 2} samples uploaded, 2 already in the project, 1 skipped, 1 failed.</b>"
    )
    rows = [
        [results.table.item(r, c).text() for c in range(3)] for r in range(results.table.rowCount())
    ]
    assert [row[1] for row in rows] == [
        "Failed",
        "Already in the project",
        "Already in the project",
        "Skipped",
    ]
    assert rows[0][0].endswith(long_name)
    assert {row[0].rsplit("/", 1)[-1] for row in rows[1:3]} == {p.name for p in files[:2]}
    assert rows[3][0].endswith("notes.docx") and rows[3][2]  # skipped, and why
    assert all(row[2] for row in rows)

    # each reason is shown whole: wrapped in its row, not elided with the rest in a tooltip
    table = results.table
    width = table.columnWidth(2)
    metrics = table.fontMetrics()
    for r in range(table.rowCount()):
        reason = table.item(r, 2).text()
        needed = metrics.boundingRect(
            QRect(0, 0, width - 8, 10_000), Qt.TextFlag.TextWordWrap, reason
        ).height()
        assert table.rowHeight(r) >= needed, (reason, table.rowHeight(r), needed)
    results.reject()
