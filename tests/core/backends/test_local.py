"""The embedded local project: storage, queries, duplicates, deletes and consistency."""

from __future__ import annotations

import json
import sqlite3
import threading

import pytest

from ei_desktop.core.backends.base import SampleQuery, UploadItem
from ei_desktop.core.backends.local import LocalBackend
from ei_desktop.core.progress import CancelToken


def csv_item(name: str, value: int, **kwargs) -> UploadItem:
    body = f"timestamp,x,y\n0,{value},1\n10,{value + 1},2\n20,{value + 2},3\n".encode()
    return UploadItem(filename=name, source=body, **kwargs)


def test_a_stored_sample_keeps_what_was_uploaded(local, samples_dir):
    boxes = [{"label": "cap", "x": 1, "y": 2, "width": 30, "height": 40}]
    (result,) = local.upload(
        [
            UploadItem(
                filename="capacitor.01.png",
                source=samples_dir / "capacitor.01.png",
                category="training",
                label="cap",
                metadata={"site": "lab", "n": 3},
                bounding_boxes=boxes,
            )
        ]
    )
    assert result.success and result.sample_id == 1 and result.category == "training"
    record = local.get_sample(1)
    assert record.filename == "capacitor.01"
    assert record.label == "cap" and record.category == "training" and record.kind == "image"
    assert record.metadata == {"site": "lab", "n": "3"}
    assert record.bounding_boxes == boxes
    assert record.width > 0 and record.height > 0
    assert local.load_bytes(1) == (samples_dir / "capacitor.01.png").read_bytes()
    assert record.cold_storage_name.split("/")[-1].startswith("capacitor.01.png.")


def test_a_chunk_of_uploads_keeps_every_value_exactly_and_in_order(local, tmp_path):
    """A chunk's rows reach SQLite in one statement: names, labels and metadata with quotes,
    backslashes and characters beyond ASCII, floats and contents come back exactly."""
    names = ['wave "1".csv', "tab\there.csv", "ünïcödé.csv", "emoji 😀.csv", "it's 100%.csv"]
    items = []
    for number, name in enumerate(names * 3):  # 15 items, the same content three times
        body = f"timestamp,x\n0,{number % 5}\n{1000 / 3},1.5e-300\n{2000 / 3},2\n".encode()
        source = tmp_path / f"f{number}.csv"
        source.write_bytes(body)
        items.append(
            UploadItem(
                filename=name,
                source=source if number % 2 else body,
                category="training",
                label=f'läbel "{number % 4}"',
                metadata={
                    "quote": 'say "hi"',
                    "path": "C:\\data\\x",
                    "json": '{"a": [1]}',
                    "ß": "✓",
                    "n": number,
                },
            )
        )
    results = local.upload(items, allow_duplicates=True)
    assert all(r.success for r in results), [r.error for r in results if not r.success]
    ids = [r.sample_id for r in results]
    assert ids == list(range(ids[0], ids[0] + len(items)))
    records = local.get_samples(ids)
    for item, sample_id in zip(items, ids):
        record = records[sample_id]
        assert record.upload_name == item.filename
        assert record.label == item.label
        assert record.metadata == {k: str(v) for k, v in item.metadata.items()}
        assert record.interval_ms == 1000 / 3
        assert local.load_bytes(sample_id) == item.read()
    found = local.list_samples(SampleQuery(filename="😀"), limit=10)
    assert sorted(r.id for r in found) == [ids[3], ids[8], ids[13]]
    assert local.label_counts()[("training", 'läbel "1"')] == 4


def test_time_series_are_parsed_and_downloaded_as_acquisition_json(local, samples_dir):
    local.upload([UploadItem("wave.0.cbor", samples_dir / "wave.0.cbor", category="testing")])
    record = local.get_sample(1)
    assert record.kind == "timeseries"
    assert [s.name for s in record.sensors] == ["accX", "accY", "accZ"]
    assert record.interval_ms > 0 and record.values_count > 100
    (downloaded,) = local.download([1])
    doc = json.loads(downloaded.data)
    assert downloaded.filename == "wave.0.json"
    assert doc["payload"]["interval_ms"] == record.interval_ms
    assert len(doc["payload"]["values"]) == record.values_count
    series = local.load_series(1)
    assert series.values.shape == (record.values_count, 3)


def test_label_is_inferred_like_the_ingestion_service_unless_given(local):
    results = local.upload(
        [csv_item("idle.01.csv", 1), csv_item("wave+1.csv", 2), csv_item("noise.csv", 3, label="")]
    )
    labels = [local.get_sample(r.sample_id).label for r in results]
    assert labels == ["idle", "wave", ""]


def test_duplicates_are_refused_by_content_unless_allowed(local):
    first = local.upload([csv_item("a.csv", 1)])
    again = local.upload([csv_item("b.csv", 1), csv_item("c.csv", 1)])
    assert first[0].success
    assert [r.success for r in again] == [False, False]
    assert again[0].error.startswith("An item with this hash already exists (ids: 1")
    in_batch = local.upload([csv_item("d.csv", 7), csv_item("e.csv", 7)])
    assert [r.success for r in in_batch] == [True, False]
    allowed = local.upload([csv_item("f.csv", 1)], allow_duplicates=True)
    assert allowed[0].success
    assert local.count(SampleQuery()) == 3


def test_split_is_deterministic_and_roughly_80_20(local):
    items = [csv_item(f"s{i}.csv", i, category="split") for i in range(400)]
    results = local.upload(items)
    training = sum(r.category == "training" for r in results)
    assert {r.category for r in results} == {"training", "testing"}
    assert 0.72 < training / 400 < 0.88
    other = LocalBackend(local.path.parent / "other", create=True)
    try:
        again = other.upload([csv_item(f"s{i}.csv", i, category="split") for i in range(400)])
        assert [r.category for r in again] == [r.category for r in results]
    finally:
        other.close()


def test_one_bad_item_fails_alone(local):
    results = local.upload(
        [
            csv_item("good.csv", 1),
            UploadItem("bad.csv", b"timestamp,x\n0,abc\n"),
            UploadItem("weird.xyz", b"123"),
            UploadItem("nocat.csv", b"a\n1\n", category="nowhere"),
            csv_item("good2.csv", 5),
        ]
    )
    assert [r.success for r in results] == [True, False, False, False, True]
    assert "Could not parse this CSV file" in results[1].error
    assert "Unsupported file type '.xyz'" in results[2].error
    assert "Unknown category 'nowhere'" in results[3].error
    assert local.count(SampleQuery()) == 2


def test_files_over_the_size_limit_are_refused(project_dir, tmp_path):
    big = tmp_path / "big.csv"
    big.write_bytes(b"timestamp,x\n" + b"".join(b"%d,1\n" % i for i in range(20000)))
    with LocalBackend(project_dir, max_file_bytes=50_000, create=True) as small:
        (result,) = small.upload([UploadItem("big.csv", big)])
    assert not result.success
    assert "too large" in result.error and "limit is 48.8 KB" in result.error


def test_invalid_labels_and_boxes_fail_with_a_reason(local):
    results = local.upload(
        [
            csv_item(
                "a.csv",
                1,
                bounding_boxes=[{"label": "x", "x": 0, "y": 0, "width": -1, "height": 2}],
            ),
            csv_item(
                "b.csv", 2, structured_labels=[{"label": "a", "startIndex": 0, "endIndex": 9}]
            ),
            csv_item("c.csv", 3, metadata="{not json"),
        ]
    )
    assert not any(r.success for r in results)
    assert "positive width" in results[0].error
    assert "past the last row" in results[1].error
    assert "Metadata is not valid JSON" in results[2].error


def test_structured_labels_are_kept_verbatim_and_give_the_summary_label(local):
    segments = [
        {"label": "idle", "startIndex": 0, "endIndex": 1},
        {"label": "wave", "startIndex": 2, "endIndex": 2},
    ]
    (result,) = local.upload([csv_item("multi.csv", 1, structured_labels=segments)])
    record = local.get_sample(result.sample_id)
    assert record.structured_labels == segments
    assert record.label == "idle"


def test_filters_sorts_and_counts_happen_in_the_database(local):
    local.upload(
        [csv_item(f"wave.{i:02d}.csv", i, category="training", label="wave") for i in range(5)]
        + [
            csv_item(f"idle.{i:02d}.csv", 100 + i, category="testing", label="idle")
            for i in range(3)
        ]
        + [csv_item("Wave_Special.csv", 500, category="testing", label="wave")]
    )
    assert local.count(SampleQuery()) == 9
    assert local.count(SampleQuery(category="testing")) == 4
    assert local.count(SampleQuery(labels=("wave",))) == 6
    assert local.count(SampleQuery(category="testing", labels=("wave", "idle"))) == 4
    assert local.count(SampleQuery(filename="wave")) == 6  # case-insensitive substring
    assert local.count(SampleQuery(filename="e.0")) == 8
    assert local.count(SampleQuery(filename="_s")) == 1  # short text: LIKE, with "_" escaped
    assert local.label_counts() == {
        ("training", "wave"): 5,
        ("testing", "idle"): 3,
        ("testing", "wave"): 1,
    }
    newest = local.list_samples(SampleQuery(), limit=3)
    assert [r.id for r in newest] == [9, 8, 7]
    by_name = local.list_samples(SampleQuery(sort="filename", descending=False), limit=9)
    assert [r.filename for r in by_name] == sorted(r.filename for r in by_name)
    assert [r.id for r in local.list_samples(SampleQuery(), offset=7, limit=5)] == [2, 1]


@pytest.mark.parametrize("sort", ["id", "filename", "label", "category", "length", "size", "added"])
@pytest.mark.parametrize("descending", [True, False])
def test_keyset_pages_cover_every_sample_once_in_order(local, sort, descending):
    local.upload([csv_item(f"n{i % 7}-{i}.csv", i, label=f"l{i % 3}") for i in range(60)])
    query = SampleQuery(sort=sort, descending=descending)
    paged, after = [], None
    while True:
        page = local.list_after(query, after, limit=7)
        paged.extend(page)
        if len(page) < 7:
            break
        after = page[-1]
    assert [r.id for r in paged] == [r.id for r in local.list_samples(query, limit=1000)]
    assert sorted(r.id for r in paged) == list(range(1, 61))
    assert list(local.sample_ids(query)) == [r.id for r in paged]


def test_ids_are_monotonic_and_never_reused(local):
    first = local.upload([csv_item("a.csv", 1), csv_item("b.csv", 2)])
    assert local.delete_all() == 2
    later = local.upload([csv_item("c.csv", 3)])
    assert later[0].sample_id == first[-1].sample_id + 1


def test_delete_keeps_content_for_undo_until_the_history_is_forgotten(local):
    results = local.upload([csv_item("a.csv", 1), csv_item("b.csv", 2)])
    local.upload([csv_item("a-copy.csv", 1)], allow_duplicates=True)
    sha_shared = local.get_sample(1).sha256
    assert local.delete([1, 999]) == [True, False]
    assert local.delete([3]) == [True]
    assert local.blobs.exists(sha_shared)  # the history can bring both back
    assert local.check().orphan_blobs == []
    local.forget_history()
    assert not local.blobs.exists(sha_shared)
    assert local.get_sample(results[1].sample_id) is not None
    assert local.delete_all("testing") + local.delete_all("training") == 1
    report = local.check()
    assert report.ok and report.samples == 0 and report.orphan_blobs == []


def test_label_counts_follow_deletes(local):
    local.upload(
        [
            csv_item("a.csv", 1, label="x", category="training"),
            csv_item("b.csv", 2, label="x", category="training"),
        ]
    )
    local.delete([1])
    assert local.label_counts() == {("training", "x"): 1}
    local.delete([2])
    assert local.label_counts() == {}


def test_cancel_stops_between_items(local):
    token = CancelToken()
    seen = []

    def progress(update):
        seen.append(update.done)
        if update.done == 3:
            token.cancel()

    items = [csv_item(f"{i}.csv", i) for i in range(600)]
    results = local.upload(items, progress=progress, cancel=token)
    assert 3 <= len(results) < 600
    assert local.count(SampleQuery()) == len(results)
    assert seen[-1] == len(results)


def test_concurrent_uploads_from_many_threads_store_every_sample_once(local):
    errors = []

    def worker(offset):
        try:
            results = local.upload(
                [csv_item(f"t{offset}-{i}.csv", offset * 1000 + i) for i in range(50)]
            )
            assert all(r.success for r in results)
        except Exception as exc:  # noqa: BLE001
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    ids = local.sample_ids(SampleQuery())
    assert len(ids) == 300 and len(set(ids.tolist())) == 300


def test_project_reopens_with_its_samples_and_id(project_dir):
    with LocalBackend(project_dir, create=True) as first:
        first.upload([csv_item("a.csv", 1)])
        project_id = first.project_id()
    with LocalBackend(project_dir, create=True) as second:
        assert second.project_id() == project_id
        assert second.get_sample(1).filename == "a"


def test_a_file_that_is_not_a_database_gives_a_clear_error(project_dir):
    from ei_desktop.core.backends.base import DamagedProjectError

    project_dir.mkdir()
    (project_dir / "project.sqlite3").write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(DamagedProjectError, match="is damaged.*check --recover"):
        LocalBackend(project_dir, create=True)


def test_check_finds_missing_content_and_clean_removes_orphans(local):
    local.upload([csv_item("a.csv", 1), csv_item("b.csv", 2)])
    local.blobs.delete(local.get_sample(1).sha256)
    local.blobs.write("f" * 64, b"orphan")
    report = local.check()
    assert report.missing_blobs == [1]
    assert report.orphan_blobs == ["f" * 64]
    assert not report.ok
    assert local.clean(min_age_seconds=0) == 1
    assert local.check().orphan_blobs == []


def test_the_database_uses_wal_and_indexes_for_listing(local):
    local.upload([csv_item("a.csv", 1)])
    conn = sqlite3.connect(local.path / "project.sqlite3")
    try:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        plan = " ".join(
            row[-1]
            for row in conn.execute(
                "EXPLAIN QUERY PLAN SELECT id FROM samples WHERE category = ? AND label = ? "
                "ORDER BY id DESC LIMIT 100",
                ("training", "x"),
            )
        )
        assert "samples_category_label" in plan and "TEMP B-TREE" not in plan
    finally:
        conn.close()


def test_the_duplicate_check_of_an_upload_uses_the_hash_index(local):
    # a project whose samples share few contents, with SQLite's statistics gathered (as a
    # seeded benchmark project): the planner then rates the hash index as poor
    local.upload([csv_item(f"copy.{i}.csv", 1) for i in range(20)], allow_duplicates=True)
    local.upload([csv_item("b.csv", 2)])
    conn = sqlite3.connect(local.path / "project.sqlite3")
    conn.execute("ANALYZE")
    conn.commit()
    statements: list[str] = []
    local._writer.set_trace_callback(statements.append)
    try:
        again = local.upload([csv_item("c.csv", 3), csv_item("copy.csv", 1)])
    finally:
        local._writer.set_trace_callback(None)
    assert again[0].success and again[1].error.startswith(
        "An item with this hash already exists (ids: 1, 2, 3, 4, 5)"
    )
    lookups = [s for s in statements if s.startswith("SELECT sha256, id FROM contents")]
    assert lookups
    try:
        for statement in lookups:
            plan = " ".join(row[-1] for row in conn.execute(f"EXPLAIN QUERY PLAN {statement}"))
            # a scan of every content row made each upload chunk cost a second at 1M samples
            assert "contents_sha256" in plan and "SCAN contents" not in plan, plan
    finally:
        conn.close()
