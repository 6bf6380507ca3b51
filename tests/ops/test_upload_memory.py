"""An upload's memory does not grow with the number of files it stores: nothing per stored
file is kept by the report, by the results or by the upload's history entry.
"""

from __future__ import annotations

import tracemalloc

from ei_desktop.core.backends.base import SampleQuery
from ei_desktop.core.backends.local import LocalBackend
from ei_desktop.ops import Status, UploadOptions, plan_upload, upload


def folder_of(root, count: int):
    folder = root / "training"
    folder.mkdir(parents=True)
    for n in range(count):
        (folder / f"wave.{n:06d}.csv").write_text(f"timestamp,x\n0,{n}\n10,{n + 1}\n")
    return folder


def peak_of_upload(tmp_path, count: int) -> int:
    """The peak of Python memory allocated while uploading ``count`` tiny files."""
    backend = LocalBackend(tmp_path / f"project{count}", create=True)
    try:
        plan = plan_upload([folder_of(tmp_path / f"files{count}", count)], UploadOptions())
        tracemalloc.start()
        try:
            report = upload(backend, plan)
            peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
        assert report.ok and report.done_count == count
        assert report.items == []  # stored files are counted, not listed
        assert report.summary() == f"{count:,} samples uploaded."
        assert backend.count(SampleQuery()) == count
        return peak
    finally:
        backend.close()


def test_upload_memory_is_flat_in_the_number_of_files(tmp_path):
    small, large = 2_000, 12_000
    first = peak_of_upload(tmp_path, small)  # first: it also pays for one-time set-up
    growth = peak_of_upload(tmp_path, large) - first
    # Keeping a result and a report entry per file costs about 260 bytes a file; a generous
    # bound still tells that from flat (a few bytes a file measured).
    assert growth / (large - small) < 50, f"{growth / (large - small):.0f} bytes per file"


def test_uploads_list_present_and_failed_files_and_count_stored_ones(tmp_path, local):
    folder = folder_of(tmp_path / "files", 3)
    (folder / "bad.01.csv").write_text("not,a\ncsv")
    plan = plan_upload([folder], UploadOptions())
    first = upload(local, plan)
    assert first.counts == {Status.DONE: 3, Status.FAILED: 1}
    assert first.done_count == 3 and first.done_categories() == {"training": 3}
    assert [item.name for item in first.items] == [str(folder / "bad.01.csv")]
    assert first.changed and first.not_attempted == 0

    again = upload(local, plan)
    assert again.counts == {Status.PRESENT: 3, Status.FAILED: 1} and not again.changed
    assert sorted(item.name for item in again.with_status(Status.PRESENT)) == sorted(
        str(folder / f"wave.{n:06d}.csv") for n in range(3)
    )

    duplicates = plan_upload([folder], UploadOptions(allow_duplicates=True))
    kept = upload(local, duplicates, keep_done=True)
    assert len(kept.done) == kept.done_count == 3
    assert all(item.sample_id and item.category == "training" for item in kept.done)
