"""Where a local project keeps content: small contents inside its database, large ones as
files, older projects' files read as before and moved in on request.
"""

from __future__ import annotations

import hashlib
import sqlite3
from pathlib import Path

import pytest

from ei_desktop.core.backends.base import DownloadFailure, SampleQuery, UploadItem
from ei_desktop.core.backends.blobs import BlobStore
from ei_desktop.core.backends.local import LocalBackend
from ei_desktop.core.backends.local_content import INLINE_MAX
from ei_desktop.core.formats import csv as csv_format


def small_csv(n: int) -> bytes:
    return f"timestamp,x,y\n0,{n},1\n10,{n + 1},2\n20,{n + 2},3\n".encode()


def big_csv(n: int) -> bytes:
    rows = "".join(f"{t * 10},{n},{t % 97}\n" for t in range(7000))
    return f"timestamp,x,y\n{rows}".encode()


def content_files(project: Path) -> set[str]:
    return {p.name for p in (project / "blobs").glob("??/*") if p.is_file()}


def in_database(project: Path) -> set[str]:
    conn = sqlite3.connect(project / "project.sqlite3")
    try:
        return {row[0] for row in conn.execute("SELECT sha256 FROM stored_content")}
    finally:
        conn.close()


def make_old_project(path: Path, contents: list[bytes]) -> list[str]:
    """A project as the previous version made it (schema 2, every content a file); returns
    the content hashes in id order.
    """
    with LocalBackend(path, create=True) as local:
        results = local.upload([UploadItem(f"s.{n}.csv", c) for n, c in enumerate(contents)])
        assert all(r.success for r in results)
        hashes = [local.get_sample(r.sample_id).sha256 for r in results]
    conn = sqlite3.connect(path / "project.sqlite3", isolation_level=None)
    files = BlobStore(path / "blobs")
    for sha, data in conn.execute("SELECT sha256, data FROM stored_content").fetchall():
        files.write(sha, bytes(data))
    files.make_durable([])
    conn.execute("DROP TABLE stored_content")
    conn.execute("UPDATE project SET value = '2' WHERE key = 'schema_version'")
    conn.close()
    assert content_files(path) == set(hashes)
    return hashes


def test_small_contents_live_in_the_database_and_large_ones_in_files(tmp_path):
    project = tmp_path / "project"
    small, big = small_csv(1), big_csv(2)
    assert len(small) <= INLINE_MAX < len(big)
    with LocalBackend(project, create=True) as local:
        results = local.upload([UploadItem("a.csv", small), UploadItem("b.csv", big)])
        assert all(r.success for r in results)
        assert local.load_bytes(1) == small and local.load_bytes(2) == big
        with local.open_content(1) as handle:
            assert handle.read() == small
        small_sha, big_sha = local.get_sample(1).sha256, local.get_sample(2).sha256
        assert local.check().ok
    assert in_database(project) == {small_sha}
    assert content_files(project) == {big_sha}


def test_deleted_contents_leave_the_database_once_the_history_no_longer_needs_them(tmp_path):
    with LocalBackend(tmp_path / "project", create=True) as local:
        local.upload([UploadItem("a.csv", small_csv(1)), UploadItem("b.csv", big_csv(2))])
        hashes = {local.get_sample(i).sha256 for i in (1, 2)}
        local.delete([1, 2])
        assert all(local.blobs.exists(sha) for sha in hashes)  # undo can bring them back
        local.undo()
        assert local.load_bytes(1) == small_csv(1)
        local.delete_all()
        local.forget_history()
        assert not any(local.blobs.exists(sha) for sha in hashes)
        report = local.check()
        assert report.ok and report.samples == 0 and report.orphan_blobs == []


def test_a_project_of_the_previous_version_opens_reads_and_moves_its_small_files_in(tmp_path):
    project = tmp_path / "old"
    contents = [small_csv(n) for n in range(300)] + [big_csv(1)]
    hashes = make_old_project(project, contents)
    with LocalBackend(project) as local:
        assert local.setting("schema_version") == "3"
        assert local.load_bytes(7) == contents[6]
        assert local.check().ok
        (downloaded,) = local.download([300])
        assert not isinstance(downloaded, DownloadFailure)

        updates = []
        assert local.migrate_contents(progress=updates.append) == 300
        assert updates[-1].done == updates[-1].total == 300
        assert local.migrate_contents() == 0  # again: nothing left to move
        report = local.check()
        assert report.ok and report.orphan_blobs == [] and report.temporary_files == 0
        for sample_id in (1, 150, 300, 301):
            assert local.load_bytes(sample_id) == contents[sample_id - 1]
    assert content_files(project) == {hashes[-1]}  # the large one stays a file
    assert in_database(project) == set(hashes[:-1])


def test_a_file_left_beside_its_database_copy_reads_from_the_database_and_is_cleaned(tmp_path):
    # what an interrupted migration leaves: the content in both places
    project = tmp_path / "project"
    with LocalBackend(project, create=True) as local:
        local.upload([UploadItem("a.csv", small_csv(1))])
        sha = local.get_sample(1).sha256
        local.blobs.write(sha, small_csv(1))
        assert local.check().ok
        assert local.clean() == 1
        assert content_files(project) == set()
        assert local.load_bytes(1) == small_csv(1)


def test_a_content_changed_inside_the_database_fails_check_and_only_its_download(tmp_path):
    project = tmp_path / "project"
    with LocalBackend(project, create=True) as local:
        local.upload([UploadItem(f"s.{n}.csv", small_csv(n)) for n in range(4)])
        victim = local.get_sample(2).sha256
    conn = sqlite3.connect(project / "project.sqlite3", isolation_level=None)
    conn.execute("UPDATE stored_content SET data = ? WHERE sha256 = ?", (small_csv(99), victim))
    conn.close()
    with LocalBackend(project) as local:
        report = local.check()
        assert not report.ok and report.corrupt_blobs == [2] and report.missing_blobs == []
        downloaded = local.download([1, 2, 3, 4])
        failed = [d for d in downloaded if isinstance(d, DownloadFailure)]
        assert [f.sample_id for f in failed] == [2] and "damaged" in failed[0].error
        with pytest.raises(Exception, match="damaged"):
            local.open_content(2)


def test_recover_keeps_contents_kept_inside_the_database(tmp_path):
    from ei_desktop.core.backends.local_recovery import recover_project

    project = tmp_path / "project"
    with LocalBackend(project, create=True) as local:
        local.upload([UploadItem(f"s.{n}.csv", small_csv(n), label="x") for n in range(20)])
        before = [(r.id, r.filename, r.sha256) for r in local.iter_samples(SampleQuery())]
    report = recover_project(project)
    assert report.restored == 20 and report.recovered == 0
    with LocalBackend(project) as local:
        after = [(r.id, r.filename, r.sha256) for r in local.iter_samples(SampleQuery())]
        assert after == before and local.check().ok
        assert local.load_bytes(20) == small_csv(19)


@pytest.mark.parametrize(
    "text",
    [
        "timestamp,a,b\n0,1,2\n10,3,4\n",
        "timestamp,a,b\n0,1,2\n10,3,4\n\n,,\n",
        "timestamp,a,b\n0,1,2\n\n10,3,4\n",
        "timestamp,a,b\n0,1,2\n10,3\n",
        "timestamp,a,b\n0,1,2\n10,x,4\n",
        "timestamp,a,b\n0,1,2\n10,,4\n",
        "timestamp,a,b\n10,1,2\n0,3,4\n",
        "timestamp,a,b\n0,1,2\n0,3,4\n",
        "timestamp,a,b\n0,1,nan\n10,3,4\n",
        "timestamp,a,b\n0, 1 ,2\n10,3,4e2\n",
        "a,b\n1,2\n",
        "a,b\n1,2\n3,4\n",
        "timestamp,a\n0,1\n",
        "timestamp,a,b\r\n0,1,2\r\n10,3,4\r\n",
    ],
)
def test_the_quick_csv_reader_answers_as_the_careful_one(text, monkeypatch):
    data = text.encode()

    def outcome():
        try:
            parsed = csv_format.parse(data)
        except Exception as exc:
            return type(exc), str(exc)
        values = None if parsed.values is None else parsed.values.tolist()
        return parsed.kind, parsed.interval_ms, parsed.values_count, parsed.sensors, values

    quick = outcome()
    monkeypatch.setattr(csv_format, "QUICK_BYTES", -1)
    assert quick == outcome()


def test_a_sample_is_named_by_the_hash_of_its_bytes(tmp_path):
    with LocalBackend(tmp_path / "project", create=True) as local:
        local.upload([UploadItem("a.csv", small_csv(5))])
        assert local.get_sample(1).sha256 == hashlib.sha256(small_csv(5)).hexdigest()
