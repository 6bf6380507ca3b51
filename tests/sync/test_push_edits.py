"""``ei-desktop push`` carries later local edits: the sync state's fingerprints, edits after a
push, conflicts with edits made on the remote, ``--delete``, resuming an interrupted edit
phase. The remote is a real ``ei-desktop serve``.
"""

from __future__ import annotations

import sqlite3
import time

import pytest
from fault_proxy import FaultProxy
from sync_helpers import (
    KEY,
    build_project,
    by_hash,
    remote_matches,
    run_push,
    served_remote,
    start_sync,
)

from ei_desktop.core.backends.base import SampleQuery, UploadItem, query_for_ids
from ei_desktop.core.backends.local import LocalBackend
from ei_desktop.core.edits import (
    Delete,
    Move,
    RemoveMetadata,
    Rename,
    SetBoundingBoxes,
    SetEnabled,
    SetLabel,
    SetMetadata,
    SetStructuredLabels,
)
from ei_desktop.core.sync_state import SYNC_DATABASE, SyncState, fingerprint
from ei_desktop.ops import sync


@pytest.fixture
def served(tmp_path):
    """The remote's own project, open here to look at its history."""
    backend = LocalBackend(tmp_path / "remote", create=True)
    yield backend
    backend.close()


@pytest.fixture
def remote(served):
    """A served project (in a thread) and the HTTP backend that reaches it directly."""
    with served_remote(served) as backend:
        yield backend


@pytest.fixture
def local_dir(tmp_path):
    build_project(tmp_path / "local", 30, seed=7).close()
    return tmp_path / "local"


def test_a_sample_has_the_same_fingerprint_here_and_on_the_remote(local_dir, remote):
    assert run_push(local_dir, remote.base).returncode == 0
    with LocalBackend(local_dir) as local:
        here = {sha: fingerprint(r[0]) for sha, r in by_hash(local).items()}
    there = {sha: fingerprint(r[0]) for sha, r in by_hash(remote).items()}

    assert here == there
    assert len(set(here.values())) == len(here)  # the mixed samples all differ
    with SyncState(local_dir) as state:
        rows = state.rows(sync.remote_name(remote))
    assert {sha: row.synced_fp for sha, row in rows.items()} == here


def test_a_state_file_of_version_1_is_upgraded_and_its_rows_are_unknown(tmp_path):
    path = tmp_path / SYNC_DATABASE
    old = sqlite3.connect(path)
    old.executescript(
        """
        CREATE TABLE pushed (remote TEXT NOT NULL, sha256 TEXT NOT NULL,
            state TEXT NOT NULL CHECK (state IN ('sending', 'remote')), remote_id INTEGER,
            attempts INTEGER NOT NULL DEFAULT 0, remote_disabled INTEGER NOT NULL DEFAULT 0,
            local_id INTEGER, updated_ms INTEGER NOT NULL, PRIMARY KEY (remote, sha256)
        ) WITHOUT ROWID;
        CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT NOT NULL);
        INSERT INTO settings VALUES ('version', '1');
        INSERT INTO pushed VALUES ('r#1', 'aa', 'remote', 5, 0, 1, 9, 0);
        """
    )
    old.commit()
    old.close()

    with SyncState(tmp_path) as state:
        row = state.lookup("r#1", ["aa"])["aa"]
        assert (row.remote_id, row.remote_disabled, row.synced_fp) == (5, True, None)
        state.set_synced("r#1", [("aa", "f1")])
        state.on_remote("r#1", [("bb", 6, "f2"), ("cc", 7)])
        rows = state.rows("r#1")
    assert {sha: r.synced_fp for sha, r in rows.items()} == {"aa": "f1", "bb": "f2", "cc": None}
    with SyncState(tmp_path) as state:  # opening it again changes nothing
        assert state.rows("r#1") == rows


def samples(backend) -> dict[str, object]:
    """Every sample of ``backend`` by content hash (one each)."""
    return {sha: copies[0] for sha, copies in by_hash(backend).items()}


def first_of(local, **conditions):
    """The first local sample whose attributes are as given (``kind``, ``disabled``…)."""
    for record in local.iter_samples(SampleQuery(include_disabled="both", descending=False)):
        if all(getattr(record, name) == value for name, value in conditions.items()):
            return record
    raise AssertionError(f"no sample with {conditions}")


def test_edits_after_a_push_are_carried_and_a_third_push_has_nothing_to_do(
    local_dir, remote, served
):
    assert run_push(local_dir, remote.base).returncode == 0
    with LocalBackend(local_dir) as local:
        series = [r for r in local.iter_samples(SampleQuery()) if r.kind == "timeseries"]
        plain = [r for r in series if not r.structured_labels and r.category == "training"]
        multi = next(r for r in series if r.structured_labels)
        image = first_of(local, kind="image")
        off = first_of(local, disabled=True)
        edits = [
            (plain[0], SetLabel("jump")),
            (plain[1], Move("testing")),
            (plain[2], SetMetadata({"person": "ann"}, replace=False)),
            (plain[3], RemoveMetadata("site")),
            (plain[4], Rename("renamed.0001")),
            (plain[5], SetEnabled(False)),
            (off, SetEnabled(True)),
            (image, SetBoundingBoxes([{"label": "led", "x": 1, "y": 2, "width": 5, "height": 4}])),
            (
                multi,
                SetStructuredLabels(
                    [
                        {"label": "idle", "startIndex": 0, "endIndex": 4},
                        {"label": "jump", "startIndex": 5, "endIndex": 20},
                    ]
                ),
            ),
        ]
        for record, change in edits:
            assert local.edit(query_for_ids([record.id]), change).changed == 1
    state_before = (local_dir / SYNC_DATABASE).read_bytes()
    history = len(served.history(1000))

    dry = run_push(local_dir, remote.base, "--dry-run")

    assert dry.returncode == 0, dry.stderr
    for line in (
        "No new sample to send",
        "Would relabel 1 there",
        "Would move 1 to another category there",
        "Would set the metadata of 2 there",
        "Would rename 1 there",
        "Would disable 1 there",
        "Would enable 1 there",
        "Would set the bounding boxes of 1 there",
        "Would set the label segments of 1 there",
    ):
        assert line in dry.stdout, dry.stdout
    assert (local_dir / SYNC_DATABASE).read_bytes() == state_before
    assert len(served.history(1000)) == history

    pushed = run_push(local_dir, remote.base)

    assert pushed.returncode == 0, pushed.stderr
    assert "9 changed there" in pushed.stdout
    assert "Sent 0 samples" in pushed.stdout
    remote_matches(local_dir, remote)
    history = len(served.history(1000))
    count = remote.count(SampleQuery(include_disabled="both"))

    third = run_push(local_dir, remote.base)

    assert third.returncode == 0, third.stderr
    assert "Nothing to push" in third.stdout
    assert len(served.history(1000)) == history  # no edit, no upload reached the remote
    assert remote.count(SampleQuery(include_disabled="both")) == count


def remote_api(remote):
    """Edge Impulse's generated raw-data client, unchanged, pointed at the remote."""
    import edgeimpulse_api as api

    config = api.Configuration(host=f"{remote.base}/v1", api_key={"ApiKeyAuthentication": KEY})
    return api, api.ApiClient(config)


def test_a_sample_changed_on_both_sides_is_a_conflict_until_the_user_chooses(local_dir, remote):
    assert run_push(local_dir, remote.base).returncode == 0
    state = SyncState(local_dir)
    name = sync.remote_name(remote)
    with LocalBackend(local_dir) as local:
        series = [
            r for r in local.iter_samples(SampleQuery()) if r.label and not r.structured_labels
        ]
        both, ours, theirs, only_there = series[:4]
        ids = {sha: row.remote_id for sha, row in state.rows(name).items()}  # remote ids by content
        state.close()
        for record in (both, ours, theirs):
            local.edit(query_for_ids([record.id]), SetLabel("here"))
    api, client = remote_api(remote)
    with client:
        raw = api.RawDataApi(client)
        project = remote.project_id()
        for record in (both, ours, theirs):
            request = api.EditSampleLabelRequest(label="there")
            assert raw.edit_label(project, ids[record.sha256], request).success
        request = api.SetSampleMetadataRequest(metadata={"site": "lab"})
        assert raw.set_sample_metadata(project, ids[only_there.sha256], request).success

    asked = run_push(local_dir, remote.base)

    assert asked.returncode == 1
    assert "3 samples changed both here and on the remote" in asked.stdout
    assert f"{both.filename} (ID {both.id}): label differs" in asked.stdout
    assert "choose which to keep" in asked.stderr
    assert "1 sample changed on the remote: run `ei-desktop pull`" in asked.stdout
    there = samples(remote)
    with LocalBackend(local_dir) as local:
        here = samples(local)
    for record in (both, ours, theirs):
        assert (here[record.sha256].label, there[record.sha256].label) == ("here", "there")
    assert there[only_there.sha256].metadata == {"site": "lab"}  # left for pull
    assert here[only_there.sha256].metadata != {"site": "lab"}

    mine = run_push(local_dir, remote.base, "--conflicts", "keep-local")

    assert mine.returncode == 0, mine.stderr
    assert "3 changed there" in mine.stdout
    assert {samples(remote)[r.sha256].label for r in (both, ours, theirs)} == {"here"}
    with LocalBackend(local_dir) as local:
        local.edit(query_for_ids([both.id]), SetLabel("here again"))
        history = len(local.history(1000))
    api, client = remote_api(remote)
    with client:
        request = api.EditSampleLabelRequest(label="there again")
        assert api.RawDataApi(client).edit_label(project, ids[both.sha256], request).success

    theirs_kept = run_push(local_dir, remote.base, "--conflicts", "keep-remote")

    assert theirs_kept.returncode == 0, theirs_kept.stderr
    assert "1 given the remote's version here" in theirs_kept.stdout
    with LocalBackend(local_dir) as local:
        assert samples(local)[both.sha256].label == "there again"
        assert len(local.history(1000)) == history + 1  # a local edit, undoable
    assert samples(remote)[both.sha256].label == "there again"
    again = run_push(local_dir, remote.base)
    assert again.returncode == 0, again.stderr
    assert "Nothing to push" in again.stdout
    assert "1 sample changed on the remote" in again.stdout


def test_delete_removes_from_the_remote_what_was_deleted_here_and_nothing_else(local_dir, remote):
    assert run_push(local_dir, remote.base).returncode == 0
    foreign = UploadItem("foreign.01.csv", b"timestamp,x\n0,1\n10,2\n", "training", "x")
    assert remote.upload([foreign])[0].success
    with LocalBackend(local_dir) as local:
        gone = local.sample_ids(SampleQuery(include_disabled="both"))[:3].tolist()
        gone_hashes = {r.sha256 for r in local.get_samples(gone).values()}
        local.edit(query_for_ids(gone), Delete())
    before = remote.count(SampleQuery(include_disabled="both"))

    kept = run_push(local_dir, remote.base)

    assert kept.returncode == 0, kept.stderr
    assert "3 samples deleted here are still on the remote (push --delete removes them)" in (
        kept.stdout
    )
    dry = run_push(local_dir, remote.base, "--delete", "--dry-run")
    assert "Would delete 3 samples from the remote" in dry.stdout
    assert remote.count(SampleQuery(include_disabled="both")) == before

    deleted = run_push(local_dir, remote.base, "--delete")

    assert deleted.returncode == 0, deleted.stderr
    assert "3 deleted there" in deleted.stdout
    there = samples(remote)
    assert not gone_hashes & set(there)
    assert len(there) == before - 3  # the foreign sample is still there
    assert any(r.filename == "foreign.01" for r in there.values())
    again = run_push(local_dir, remote.base, "--delete")
    assert "Nothing to push" in again.stdout
    assert "deleted here" not in again.stdout


def test_a_sample_deleted_on_the_remote_is_sent_again(local_dir, remote):
    assert run_push(local_dir, remote.base).returncode == 0
    with LocalBackend(local_dir) as local:
        record = first_of(local, kind="image")
    victim = samples(remote)[record.sha256]
    remote.edit(query_for_ids([victim.id]), Delete())

    pushed = run_push(local_dir, remote.base)

    assert pushed.returncode == 0, pushed.stderr
    assert "1 sample deleted on the remote but still here: sent again" in pushed.stdout
    assert "Sent 1 sample" in pushed.stdout
    remote_matches(local_dir, remote)
    assert "Nothing to push" in run_push(local_dir, remote.base).stdout


def test_a_push_killed_while_it_sends_edits_resumes_to_exit_0(tmp_path, remote, served):
    build_project(tmp_path / "many", 40, seed=11).close()
    renamed = SampleQuery(filename=".v2", include_disabled="both")
    port = int(remote.base.rsplit(":", 1)[1])
    # some new connections wait a moment: the push is still editing when it is killed
    with FaultProxy(port, seed=3, cut_rate=0, delay_rate=0.3, outage_every=None) as proxy:
        assert run_push(tmp_path / "many", proxy.url).returncode == 0
        with LocalBackend(tmp_path / "many") as local:
            for record in local.iter_samples(SampleQuery(include_disabled="both")):
                local.edit(query_for_ids([record.id]), Rename(f"{record.filename}.v2"))
            some = local.sample_ids(SampleQuery(include_disabled="both"))[::3].tolist()
            local.edit(query_for_ids(some), SetLabel("moved"))
        push = start_sync("push", tmp_path / "many", proxy.url)
        deadline = time.monotonic() + 120
        while push.poll() is None and served.count(renamed) < 5 and time.monotonic() < deadline:
            time.sleep(0.01)
        assert push.poll() is None, "the push ended before it could be killed"
        push.kill()
        push.wait(timeout=30)
        assert 5 <= served.count(renamed) < 40  # killed half way through the renames

        resumed = run_push(tmp_path / "many", proxy.url)

        assert resumed.returncode == 0, resumed.stderr
        assert "changed both here and on the remote" not in resumed.stdout
        assert "Nothing to push" in run_push(tmp_path / "many", proxy.url).stdout
    remote_matches(tmp_path / "many", remote)


def test_rows_of_unknown_agreement_take_the_remote_as_agreed_never_as_a_conflict(local_dir, remote):
    """A state written before fingerprints were kept: the remote as it is counts as agreed,
    so a local edit is carried (not a conflict) and the others are recorded as agreed.
    """
    assert run_push(local_dir, remote.base).returncode == 0
    with sqlite3.connect(local_dir / SYNC_DATABASE) as db:
        db.execute("UPDATE pushed SET synced_fp = NULL")
    with LocalBackend(local_dir) as local:
        record = first_of(local, kind="image")
        local.edit(query_for_ids([record.id]), SetLabel("panel"))

    pushed = run_push(local_dir, remote.base)

    assert pushed.returncode == 0, pushed.stderr
    assert "1 changed there" in pushed.stdout
    assert samples(remote)[record.sha256].label == "panel"
    with SyncState(local_dir) as state:
        rows = state.rows(sync.remote_name(remote))
    with LocalBackend(local_dir) as local:
        assert {sha: row.synced_fp for sha, row in rows.items()} == {
            sha: fingerprint(r) for sha, r in samples(local).items()
        }
