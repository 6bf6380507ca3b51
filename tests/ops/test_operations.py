"""Download, delete and table import as plain functions over a real local project: each takes
``progress`` and ``cancel`` and returns one :class:`~ei_desktop.ops.Report`, item by item.
"""

from __future__ import annotations

import importlib
import os

import pytest

from ei_desktop import ops
from ei_desktop.core.backends.base import SampleQuery
from ei_desktop.core.progress import CancelToken
from ei_desktop.ops import Status
from ei_desktop.ops.table_import import CsvImportSpec, import_table

# the modules, not the functions ``ei_desktop.ops`` exports under the same names
download_module = importlib.import_module("ei_desktop.ops.download")
delete_module = importlib.import_module("ei_desktop.ops.delete")


def csv(n: int) -> str:
    return f"timestamp,x\n0,{n}\n10,{n + 1}\n20,{n + 2}\n"


@pytest.fixture
def stored(tmp_path, local) -> list[int]:
    """Four samples in the local project; their ids."""
    folder = tmp_path / "training"
    folder.mkdir()
    for n, label in enumerate(("wave", "idle", "wave", "run")):
        (folder / f"{label}.{n:02d}.csv").write_text(csv(n))
    report = ops.upload(local, ops.plan_upload([folder], ops.UploadOptions()), keep_done=True)
    assert report.ok
    return sorted(item.sample_id for item in report.done)


def cancel_after(count: int, events: list):
    """A progress callback that records events and asks to cancel after ``count`` items."""
    token = CancelToken()

    def progress(update):
        events.append(update)
        if update.done >= count:
            token.cancel()

    return progress, token


def test_download_writes_each_sample_and_a_missing_id_fails_alone(tmp_path, local, stored):
    events: list = []
    out = tmp_path / "out"
    report = ops.download(local, [*stored, 999], out, progress=events.append)
    assert report.counts == {Status.DONE: 4, Status.FAILED: 1}
    assert sorted(os.path.basename(item.name) for item in report.done) == sorted(os.listdir(out))
    (failed,) = report.failed
    assert (failed.name, failed.reason) == ("ID 999", "No sample found with ID 999")
    assert [(e.done, e.total) for e in events][-1] == (5, 5)
    assert report.summary() == "4 samples downloaded, 1 failed."
    again = ops.download(local, stored[:1], out)  # an existing file is never overwritten
    assert len(os.listdir(out)) == 5 and again.done[0].name not in {i.name for i in report.done}


def test_a_cancelled_download_says_what_was_not_attempted(tmp_path, local, stored, monkeypatch):
    monkeypatch.setattr(download_module, "STEP", 1)  # one sample per backend call
    events: list = []
    progress, token = cancel_after(2, events)
    report = ops.download(local, stored, tmp_path / "out", progress=progress, cancel=token)
    assert report.done_count == 2 and report.not_attempted == 2
    assert report.cancelled and not report.ok
    assert report.summary() == "2 samples downloaded. Cancelled (2 not attempted)."
    assert len(os.listdir(tmp_path / "out")) == 2


def test_delete_reports_each_id_and_an_unknown_one_fails(local, stored):
    names = {stored[0]: "wave.00"}
    events: list = []
    report = ops.delete(local, [stored[0], 999], names=names, progress=events.append)
    assert [(i.name, i.status) for i in report.items] == [
        (f"wave.00 (ID {stored[0]})", Status.DONE),
        ("ID 999", Status.FAILED),
    ]
    assert report.failed[0].reason == "No sample found with ID 999"
    assert local.count(SampleQuery()) == 3
    assert (events[-1].done, events[-1].total) == (2, 2)


def test_a_cancelled_delete_keeps_the_rest(local, stored, monkeypatch):
    monkeypatch.setattr(delete_module, "STEP", 1)
    progress, token = cancel_after(1, [])
    report = ops.delete(local, stored, progress=progress, cancel=token)
    assert report.done_count == 1 and report.cancelled and report.not_attempted == 3
    assert local.count(SampleQuery()) == 3


def test_delete_all_of_a_category_counts_what_went(local, stored):
    (first,) = local.sample_infos(SampleQuery(ids=(stored[0],)))
    assert first.category == "training"
    report = ops.delete_all(local, "testing")
    assert report.total == 0 and report.ok
    report = ops.delete_all(local, "training")
    assert report.done_count == 4 and local.count(SampleQuery()) == 0
    assert report.summary() == "4 samples deleted."


def test_import_table_stores_good_files_and_fails_a_bad_one_with_its_reason(tmp_path, local):
    good = tmp_path / "idle.01.csv"
    good.write_text(csv(1))
    rows = tmp_path / "rows.csv"
    rows.write_text("x,y,label\n1,2,up\n3,4,down\n")
    bad = tmp_path / "broken.csv"
    bad.write_bytes(b"")
    events: list = []
    per_file = CsvImportSpec(files=[str(good), str(bad)], timestamp_col="timestamp")
    report = import_table(local, per_file, progress=events.append)
    assert report.action == "CSV import"
    assert report.counts == {Status.DONE: 1, Status.FAILED: 1}
    (failed,) = report.failed
    assert failed.name == str(bad) and failed.reason.startswith("Cannot read the CSV file")
    assert any(e.message.startswith("Reading idle.01.csv (1 of 2)") for e in events)
    by_row = CsvImportSpec(files=[str(rows)], layout="rows", label_col="label")
    report = import_table(local, by_row)
    assert report.done_count == 2  # one sample per row
    labels = {r.label for r in local.iter_samples(SampleQuery())}
    assert labels == {"idle", "up", "down"}


def test_import_table_cancelled_before_reading_stores_nothing(tmp_path, local):
    good = tmp_path / "idle.01.csv"
    good.write_text(csv(1))
    token = CancelToken()
    token.cancel()
    report = import_table(local, CsvImportSpec(files=[str(good)]), cancel=token)
    assert report.items == [] and local.count(SampleQuery()) == 0
