"""A local project's history: every change (uploads and deletes too) undoes and redoes as one
step, keeps the content it may need, survives a kill in the middle, and projects made before
curation open upgraded."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from ei_desktop.core.backends.base import SampleQuery, UploadItem, query_for_ids
from ei_desktop.core.backends.blobs import BlobStore
from ei_desktop.core.backends.local import LocalBackend
from ei_desktop.core.backends.local_schema import COLUMNS
from ei_desktop.core.edits import (
    Delete,
    Move,
    NothingToUndo,
    RelabelBoxes,
    SetEnabled,
    SetLabel,
    SetMetadata,
)

ROOT = Path(__file__).resolve().parents[3]
EVERY = SampleQuery(include_disabled="both")


def csv(name: str, seed: int, rows: int = 5, **kwargs) -> UploadItem:
    lines = "".join(f"{t * 10},{seed + t},{-t}\n" for t in range(rows))
    return UploadItem(name, f"timestamp,x,y\n{lines}".encode(), **kwargs)


@pytest.fixture
def local(tmp_path):
    backend = LocalBackend(tmp_path / "project", create=True)
    yield backend
    backend.close()


def seeded(directory: Path, count: int) -> None:
    sys.path.insert(0, str(ROOT / "tools"))
    try:
        from seed_project import seed
    finally:
        sys.path.remove(str(ROOT / "tools"))
    seed(directory, count)


def labels_by_id(backend: LocalBackend) -> dict[int, tuple[str, str]]:
    with backend._read() as conn:
        return {
            i: (c, lab) for i, c, lab in conn.execute("SELECT id, category, label FROM samples")
        }


def totals_match_rows(backend: LocalBackend) -> bool:
    """The per-label totals the summary reads equal a full count of the rows."""
    with backend._read() as conn:
        counted = conn.execute(
            "SELECT category, label, count(*), sum(disabled) FROM samples GROUP BY 1, 2"
        ).fetchall()
        kept = conn.execute("SELECT category, label, n, disabled FROM label_counts").fetchall()
    return sorted(counted) == sorted(kept)


def test_a_relabel_of_50000_samples_undoes_and_redoes_as_one_step(tmp_path):
    seeded(tmp_path / "big", 66_000)
    backend = LocalBackend(tmp_path / "big")
    try:
        before = labels_by_id(backend)
        summary_before = backend.summary().by_label()
        training = SampleQuery(category="training")
        result = backend.edit(training, SetLabel("checked"))
        assert result.changed == result.matched > 48_000
        entry = backend.history(limit=1)[0]
        assert entry.samples == result.changed and "checked" in entry.what
        assert backend.summary().by_label()["checked"] == result.changed
        undone = backend.undo()
        assert undone.id == entry.id and undone.undone
        assert labels_by_id(backend) == before
        assert backend.summary().by_label() == summary_before
        backend.redo()
        after = labels_by_id(backend)
        assert sum(1 for c, lab in after.values() if lab == "checked") == result.changed
        assert totals_match_rows(backend)
        # what the history keeps of it (before and after): a few bytes per sample, not a
        # row of the project's database each (that is about 3 MB for these 50,000)
        assert history_bytes(backend) < 1_000_000
    finally:
        backend.close()


def history_bytes(backend: LocalBackend) -> int:
    """The bytes of the project database that hold the history (tables and indexes)."""
    with backend._read() as conn:
        names = [
            row[0]
            for row in conn.execute("SELECT name FROM sqlite_master WHERE tbl_name LIKE 'change%'")
        ]
        marks = ",".join("?" * len(names))
        query = f"SELECT sum(pgsize) FROM dbstat WHERE name IN ({marks})"
        return int(conn.execute(query, names).fetchone()[0])


def test_a_relabel_gives_back_each_samples_own_label_segments_and_totals(local):
    segments = [
        [
            {"label": lab, "startIndex": 0, "endIndex": 1},
            {"label": "z", "startIndex": 2, "endIndex": 4},
        ]
        for lab in ("p", "q", "r")
    ]
    local.upload(
        [csv(f"s.{n}.csv", n, structured_labels=seg) for n, seg in enumerate(segments)]
        + [csv(f"plain.{n}.csv", 10 + n, category="testing") for n in range(2)]
    )
    local.edit(query_for_ids([2]), SetEnabled(False))
    before = {r.id: r for r in local.get_samples(list(range(1, 6))).values()}
    summary_before = local.summary()
    z_before = local.count(SampleQuery(labels=("z",), include_disabled="both"))
    assert z_before == 3
    assert local.edit(EVERY, SetLabel("x")).changed == 5
    assert local.count(SampleQuery(labels=("z",), include_disabled="both")) == 0
    assert local.summary().by_label() == {"x": 4}  # one of them is disabled
    assert totals_match_rows(local)
    local.undo()
    after_undo = local.get_samples(list(range(1, 6)))
    for sample_id, record in before.items():
        got = after_undo[sample_id]
        assert (got.label, got.structured_labels, got.category, got.disabled) == (
            record.label,
            record.structured_labels,
            record.category,
            record.disabled,
        )
    assert local.summary() == summary_before and totals_match_rows(local)
    assert local.count(SampleQuery(labels=("z",), include_disabled="both")) == z_before
    local.redo()
    assert {r.label for r in local.get_samples(list(range(1, 6))).values()} == {"x"}
    assert local.summary().by_label() == {"x": 4} and totals_match_rows(local)
    local.undo()
    assert local.summary() == summary_before


def test_a_change_recorded_before_grouped_history_still_undoes_and_redoes(local):
    """Projects keep the history they had: a relabel and a move recorded as one image per
    sample (as before changes were recorded in groups) undo and redo as they did.
    """
    from ei_desktop.core.backends import local_history as history

    local.upload([csv(f"{n}.{i}.csv", 10 * i + k) for i in range(4) for k, n in enumerate("ab")])
    before = labels_by_id(local)
    summary_before = local.summary()
    a_samples = local.count(SampleQuery(labels=("a",)))
    assert a_samples >= 4
    with local._write_transaction("an old change") as conn:
        for kind, assignment, new in (
            ("label", "label = 'old', structured_labels = NULL", {"label": "old"}),
            ("move", "category = 'testing'", {"category": "testing"}),
        ):
            change_id = history.begin(conn, "someone", kind, {})
            changed = history.record_rows(
                conn,
                change_id,
                "WHERE label = 'a' OR label = 'old'",
                [],
                source="samples",
                whole=False,
            )
            conn.execute(
                f"UPDATE samples SET {assignment} WHERE id IN ({history.touched(change_id)})"
            )
            history.move_totals(conn, change_id, new)
            history.finish(conn, change_id, changed)
    assert local.count(SampleQuery(labels=("old",), category="testing")) == a_samples
    assert totals_match_rows(local)
    local.undo()
    local.undo()
    assert labels_by_id(local) == before and local.summary() == summary_before
    local.redo()
    local.redo()
    assert local.count(SampleQuery(labels=("old",), category="testing")) == a_samples
    assert totals_match_rows(local)


def test_upload_and_delete_undo_and_their_content_stays_until_forgotten(local):
    uploaded = local.upload([csv("a.1.csv", 1), csv("b.1.csv", 2)])
    content = {r.sample_id: local.load_bytes(r.sample_id) for r in uploaded}
    local.edit(SampleQuery(labels=("a",)), Delete())
    assert local.count(EVERY) == 1
    assert local.clean() == 0  # the deleted sample's content is the history's, not garbage
    local.undo()
    assert {i: local.load_bytes(i) for i in content} == content  # same ids, same bytes
    local.undo()  # the upload
    assert local.count(EVERY) == 0 and local.check().ok
    with pytest.raises(NothingToUndo):
        local.undo()
    local.redo()
    assert local.count(EVERY) == 2
    local.redo()
    assert local.count(EVERY) == 1
    with pytest.raises(NothingToUndo):
        local.redo()


def test_a_new_change_after_undo_ends_redo_and_frees_what_only_redo_needed(local):
    [sample] = local.upload([csv("a.1.csv", 1)])
    sha = local.get_sample(sample.sample_id).sha256
    local.crop(sample.sample_id, 1, 3)
    cropped_sha = local.get_sample(sample.sample_id).sha256
    local.undo()
    assert local.get_sample(sample.sample_id).sha256 == sha
    local.edit(query_for_ids([sample.sample_id]), SetLabel("new"))
    with pytest.raises(NothingToUndo):
        local.redo()
    assert not local.blobs.exists(cropped_sha)  # only the dropped redo needed it
    assert local.check().ok and local.check().orphan_blobs == []


def test_crop_undo_brings_back_the_original_bytes(local):
    [sample] = local.upload([csv("wave.1.csv", 1, rows=10, metadata={"site": "lab"})])
    original = local.load_bytes(sample.sample_id)
    values = local.load_series(sample.sample_id).values
    local.crop(sample.sample_id, 2, 7)
    record = local.get_sample(sample.sample_id)
    assert record.values_count == 5 and record.metadata == {"site": "lab"}
    assert (local.load_series(sample.sample_id).values == values[2:7]).all()
    local.undo()
    assert local.load_bytes(sample.sample_id) == original


def test_split_undo_removes_the_segments_and_restores_the_original(local):
    [sample] = local.upload([csv("wave.1.csv", 1, rows=10, category="testing")])
    result = local.segment(sample.sample_id, [(0, 30), (50, 100)])
    segments = local.get_samples(result.created)
    assert [segments[i].filename for i in result.created] == ["wave.1.s1", "wave.1.s2"]
    assert [segments[i].values_count for i in result.created] == [3, 5]
    assert {s.category for s in segments.values()} == {"testing"}
    assert local.get_sample(sample.sample_id) is None
    local.undo()
    assert local.get_sample(sample.sample_id).values_count == 10
    assert local.get_samples(result.created) == {}


def test_disabled_samples_leave_listings_and_counts_unless_asked_for(local):
    items = [csv(f"a.{i}.csv", i, category="training") for i in range(4)]
    ids = [r.sample_id for r in local.upload(items)]
    local.edit(query_for_ids(ids[:3]), SetEnabled(False))
    assert local.count(SampleQuery()) == 1
    assert local.count(SampleQuery(include_disabled="disabled")) == 3
    assert [s.id for s in local.list_samples(SampleQuery())] == [ids[3]]
    assert all(s.disabled for s in local.list_samples(SampleQuery(include_disabled="disabled")))
    row = local.summary().rows[0]
    assert (row.count, row.disabled, row.duration_ms) == (4, 3, 50.0)


def test_the_per_label_totals_follow_every_change_undo_and_redo(local):
    items = [
        csv(f"{n}.{i}.csv", 10 * i + k, category="training")
        for i in range(6)
        for k, n in enumerate("ab")
    ]
    local.upload(items)
    changes = [
        (SampleQuery(labels=("a",)), SetLabel("c")),
        (SampleQuery(labels=("c",)), Move("testing")),
        (SampleQuery(category="training"), SetEnabled(False)),
        (SampleQuery(include_disabled="both", max_id=4), SetEnabled(True)),
        (SampleQuery(category="testing"), SetMetadata({"k": "v"})),
        (SampleQuery(labels=("b",), include_disabled="both"), Delete()),
    ]
    for selection, change in changes:
        assert local.edit(selection, change).changed > 0, change
        assert totals_match_rows(local), change
    for _ in changes:
        local.undo()
        assert totals_match_rows(local)
    for _ in changes:
        local.redo()
        assert totals_match_rows(local)
    by_category = local.summary().by_category()
    assert by_category == {"testing": 6}  # the b samples are deleted, the a ones moved


def test_history_is_bounded(local):
    from ei_desktop.core.backends import local_history

    [sample] = local.upload([csv("a.1.csv", 1)])
    for n in range(local_history.HISTORY_LIMIT + 5):
        local.edit(query_for_ids([sample.sample_id]), SetMetadata({"n": str(n)}))
    assert len(local.history(limit=1000)) == local_history.HISTORY_LIMIT


# -- a kill in the middle -------------------------------------------------------------------

EDIT_IN_CHILD = """
import sys
from ei_desktop.core.backends.local import LocalBackend
from ei_desktop.core.backends.base import SampleQuery
from ei_desktop.core.edits import Move, SetLabel
backend = LocalBackend(sys.argv[1])
every = SampleQuery(include_disabled="both")
steps = [
    ("relabel", lambda: backend.edit(every, SetLabel("moving"))),
    ("undo", backend.undo),
    ("move", lambda: backend.edit(every, Move("anomaly"))),
    ("undo", backend.undo),
]
print("ready", flush=True)
while True:
    for name, step in steps:
        print("start", name, flush=True)
        step()
        print("end", name, flush=True)
"""


@pytest.mark.slow
@pytest.mark.skipif(os.name == "nt", reason="SIGKILL")
def test_sigkill_during_a_100000_sample_edit_leaves_all_of_it_or_none(tmp_path):
    project = tmp_path / "big"
    seeded(project, 100_000)
    backend = LocalBackend(project)
    before = labels_by_id(backend)
    assert len(before) == 100_000
    backend.close()
    for delay in (0.3, 0.9, 1.7, 2.6):
        child = subprocess.Popen(
            [sys.executable, "-c", EDIT_IN_CHILD, str(project)],
            stdout=subprocess.PIPE,
            text=True,
            cwd=ROOT,
        )
        assert child.stdout.readline().strip() == "ready"
        time.sleep(delay)
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=30)
        said = child.stdout.read().splitlines()
        assert said and said[-1].startswith("start "), said[-3:]  # killed inside a write
        backend = LocalBackend(project)
        try:
            now = labels_by_id(backend)
            moving = {i for i, (c, lab) in now.items() if lab == "moving"}
            assert moving in (set(), set(before))  # all 100,000 relabelled, or none
            moved = {i for i, (c, _) in now.items() if c != before[i][0]}
            assert moved in (set(), {i for i, (c, _) in before.items() if c != "anomaly"})
            assert totals_match_rows(backend)
            while backend.history(limit=1) and not backend.history(limit=1)[0].undone:
                if backend.history(limit=1)[0].what.startswith("Upload"):
                    break
                backend.undo()
            assert labels_by_id(backend) == before
        finally:
            backend.close()


# -- projects made before curation ----------------------------------------------------------


def test_a_project_made_before_curation_opens_upgraded(tmp_path, samples_dir):
    folder = tmp_path / "old"
    folder.mkdir()
    conn = sqlite3.connect(folder / "project.sqlite3")
    conn.executescript((ROOT / "tests/data/schemas/project_v1.sql").read_text())
    conn.execute("INSERT INTO project VALUES ('schema_version', '1'), ('project_id', '4242')")
    data = (samples_dir / "wave.01.json").read_bytes()
    import hashlib

    sha = hashlib.sha256(data).hexdigest()
    BlobStore(folder / "blobs").write(sha, data)
    v1_columns = COLUMNS.replace(", disabled", "")
    for n, (category, label) in enumerate([("training", "wave"), ("testing", "wave")], 1):
        row = (
            n,
            f"wave.0{n}",
            f"wave.0{n}.json",
            category,
            label,
            "timeseries",
            sha,
            len(data),
            16.0,
            4,
            64.0,
            62.5,
            json.dumps([{"name": "accX", "units": "m/s2"}]),
            "DEVICE",
            None,
            None,
            None,
            None,
            None,
            None,
            f"t{n}",
            ".json",
            1700000000000,
        )
        conn.execute(f"INSERT INTO samples ({v1_columns}) VALUES ({','.join('?' * 23)})", row)
    conn.commit()
    conn.close()

    backend = LocalBackend(folder)
    try:
        assert backend.project_id() == 4242 and backend.setting("schema_version") == "3"
        assert backend.summary().by_category() == {"training": 1, "testing": 1}
        assert backend.edit(SampleQuery(category="testing"), Move("training")).changed == 1
        assert backend.summary().by_category() == {"training": 2}
        assert backend.edit(query_for_ids([1]), SetEnabled(False)).changed == 1
        assert backend.count(SampleQuery()) == 1 and backend.check().ok
        with backend._read() as conn:
            indexes = {row[0] for row in conn.execute("SELECT name FROM sqlite_master")}
        assert {"samples_category_label", "samples_label", "contents_sha256"} <= indexes
    finally:
        backend.close()


def test_box_labels_change_across_a_selection_in_one_step(local, samples_dir):
    image = (samples_dir / "capacitor.01.png").read_bytes()

    def box(label: str, x: int) -> dict:
        return {"label": label, "x": x, "y": 1, "width": 2, "height": 3}

    first, second = (
        local.upload([UploadItem(name, data, category="training", bounding_boxes=boxes)])[0]
        for name, data, boxes in [
            ("a.png", image, [box("cat", 1), box("dog", 2)]),
            ("b.png", image + b"\0", [box("dog", 5)]),
        ]
    )
    result = local.edit(SampleQuery(), RelabelBoxes(("dog",), "puppy"))
    assert (result.matched, result.changed) == (2, 2)
    assert local.get_sample(first.sample_id).bounding_boxes == [box("cat", 1), box("puppy", 2)]
    assert "'dog' relabelled 'puppy'" in local.history(limit=1)[0].what
    local.edit(SampleQuery(), RelabelBoxes(("puppy",), ""))  # an empty label removes them
    assert local.get_sample(second.sample_id).bounding_boxes == []
    local.undo()
    local.undo()
    assert local.get_sample(second.sample_id).bounding_boxes == [box("dog", 5)]


def test_a_real_float_wav_crops_to_exactly_its_frames(local, samples_dir):
    import io

    import soundfile as sf

    data = (samples_dir / "hadouken.01.wav").read_bytes()
    [sample] = local.upload([UploadItem("hadouken.01.wav", data, category="training")])
    before = local.load_series(sample.sample_id).values
    count = len(before)
    assert local.crop(sample.sample_id, count // 4, count // 2).changed == 1
    after = local.load_series(sample.sample_id).values
    assert (after == before[count // 4 : count // 2]).all()
    cropped = local.load_bytes(sample.sample_id)
    assert sf.info(io.BytesIO(cropped)).subtype == sf.info(io.BytesIO(data)).subtype
    local.undo()
    assert local.load_bytes(sample.sample_id) == data


def test_an_upload_whose_first_chunk_fails_records_the_rest_as_one_undoable_entry(tmp_path):
    """The first chunk's transaction opens the upload's history entry; when that transaction
    fails (here a trigger refuses to record one file of it), the entry is rolled back with
    it. The rest of the upload must store and open an entry of its own, not record into the
    rolled-back one (whose id the next change, of any process, may be given).
    """
    path = tmp_path / "project"
    LocalBackend(path, create=True).close()
    with sqlite3.connect(path / "project.sqlite3") as conn:
        conn.execute(
            "CREATE TRIGGER poison BEFORE INSERT ON change_rows"
            " WHEN (SELECT filename FROM samples WHERE id = NEW.id) LIKE 'poison%'"
            " BEGIN SELECT RAISE(ABORT, 'poisoned'); END"
        )
    items = [csv("poison.csv", 0)] + [csv(f"walk.{n}.csv", n + 1) for n in range(299)]
    with LocalBackend(path) as local:
        results = local.upload(items)
        stored = {r.sample_id for r in results if r.success}
        failed = [r for r in results if not r.success]
        assert failed and all("poisoned" in r.error for r in failed)
        assert "poison.csv" in {r.item.filename for r in failed}
        assert len(stored) + len(failed) == 300 and len(stored) >= 200  # later chunks stored
        (entry,) = local.history()
        assert entry.samples == len(stored)
        local.undo()
        assert local.sample_ids(SampleQuery()).tolist() == []
