"""``ei-desktop pull`` from a real ``ei-desktop serve``: what it carries, that a second pull
and a push after it have nothing to do, a dry run, filters, ``--delete``, what the remote
gained since, and a pull stopped between "stored" and "recorded".
"""

from __future__ import annotations

import sqlite3

import pytest
from fault_proxy import FaultProxy
from sync_helpers import (
    KEY,
    build_project,
    by_hash,
    facts,
    interrupt_sync,
    run_pull,
    run_push,
)

from ei_desktop.core import display
from ei_desktop.core.backends.base import SampleQuery, UploadItem, query_for_ids
from ei_desktop.core.backends.local import LocalBackend
from ei_desktop.core.backends.studio import StudioBackend
from ei_desktop.core.edits import Move, Rename, SetEnabled, SetLabel, SetMetadata
from ei_desktop.core.sync_state import SYNC_DATABASE, SyncState, fingerprint
from ei_desktop.ops import pull as pulling
from ei_desktop.ops import sync
from ei_desktop.server.testing import free_port, serve_process

SAMPLES = 40


@pytest.fixture
def remote(tmp_path):
    """A served project (``ei-desktop serve`` in its own process) holding a mixed project of
    :data:`SAMPLES` samples, some disabled, and the HTTP backend that reaches it directly.
    """
    source = build_project(tmp_path / "source", SAMPLES, seed=7)
    port = free_port()
    server = serve_process(tmp_path / "remote", port, KEY)
    base = f"http://127.0.0.1:{port}"
    backend = StudioBackend(KEY, base + "/v1", base)
    backend.base = base
    try:
        with SyncState(source.path) as state:
            plan = sync.plan_push(source, backend, state, SampleQuery(include_disabled="both"))
            assert sync.push(source, backend, state, plan).ok
        source.close()
        yield backend
    finally:
        backend.close()
        server.kill()
        server.wait(timeout=30)


def same_samples(local_dir, remote) -> None:
    """The local project holds each of the remote's contents once, as the remote has it."""
    with LocalBackend(local_dir) as local:
        held = by_hash(local)
    expected = by_hash(remote)
    assert all(len(copies) == 1 for copies in held.values())
    assert {sha: facts(r[0]) for sha, r in held.items()} == {
        sha: facts(r[0]) for sha, r in expected.items()
    }


def test_pull_into_a_new_folder_holds_every_remote_sample_once_and_a_push_has_nothing_to_send(
    tmp_path, remote
):
    target = tmp_path / "field" / "copy"

    first = run_pull(target, remote.base)

    assert first.returncode == 0, first.stderr
    assert f"Created a new project at {target}" in first.stdout
    assert f"Fetched {SAMPLES} samples" in first.stdout
    same_samples(target, remote)
    with LocalBackend(target) as local:
        assert local.count(SampleQuery(include_disabled="disabled")) > 0

    second = run_pull(target, remote.base)

    assert second.returncode == 0, second.stderr
    assert "Nothing to pull" in second.stdout
    pushed = run_push(target, remote.base)
    assert pushed.returncode == 0, pushed.stderr
    assert "Nothing to push" in pushed.stdout
    assert remote.count(SampleQuery(include_disabled="both")) == SAMPLES


def test_a_pull_after_a_push_has_nothing_to_fetch(tmp_path, remote):
    build_project(tmp_path / "mine", 12, seed=8).close()
    assert run_push(tmp_path / "mine", remote.base).returncode == 0

    pulled = run_pull(tmp_path / "mine", remote.base, "--dry-run")

    assert pulled.returncode == 0, pulled.stderr
    assert f"Would fetch {SAMPLES} samples" in pulled.stdout
    assert "12 samples already here" in pulled.stdout
    assert run_pull(tmp_path / "mine", remote.base).returncode == 0
    again = run_pull(tmp_path / "mine", remote.base)
    assert "Nothing to pull" in again.stdout
    assert "Nothing to push" in run_push(tmp_path / "mine", remote.base).stdout
    same_samples(tmp_path / "mine", remote)


def test_a_dry_run_counts_and_creates_nothing(tmp_path, remote):
    dry = run_pull(tmp_path / "new", remote.base, "--dry-run")

    assert dry.returncode == 0, dry.stderr
    assert f"Would fetch {SAMPLES} samples" in dry.stdout
    assert not (tmp_path / "new").exists()


def test_pull_fetches_only_what_the_filters_select(tmp_path, remote):
    testing = remote.count(SampleQuery(category="testing", include_disabled="both"))
    assert 0 < testing < SAMPLES

    some = run_pull(tmp_path / "copy", remote.base, "--category", "testing")

    assert some.returncode == 0, some.stderr
    with LocalBackend(tmp_path / "copy") as local:
        assert local.count(SampleQuery(include_disabled="both")) == testing
        assert local.count(SampleQuery(category="testing", include_disabled="both")) == testing
    rest = run_pull(tmp_path / "copy", remote.base)
    assert f"Fetching {SAMPLES - testing} samples" in rest.stdout
    same_samples(tmp_path / "copy", remote)


def test_what_the_remote_gained_arrives_with_the_next_pull(tmp_path, remote):
    assert run_pull(tmp_path / "copy", remote.base).returncode == 0
    new = [
        UploadItem("late.01.csv", b"timestamp,x\n0,1\n10,2\n20,5\n", "testing", "late"),
        UploadItem("late.02.csv", b"timestamp,x\n0,3\n10,2\n20,5\n", "training", "late"),
    ]
    results = remote.upload(new)
    assert all(r.success for r in results)
    remote.edit(query_for_ids([results[1].sample_id]), SetEnabled(False))

    pulled = run_pull(tmp_path / "copy", remote.base)

    assert pulled.returncode == 0, pulled.stderr
    assert "Fetching 2 samples" in pulled.stdout
    assert f"{SAMPLES} samples already here" in pulled.stdout
    same_samples(tmp_path / "copy", remote)
    assert "Nothing to push" in run_push(tmp_path / "copy", remote.base).stdout


def test_delete_removes_local_samples_gone_from_the_remote_and_nothing_else(tmp_path, remote):
    assert run_pull(tmp_path / "copy", remote.base).returncode == 0
    with LocalBackend(tmp_path / "copy") as local:
        mine = local.upload([UploadItem("own.01.csv", b"timestamp,x\n0,9\n10,8\n", "training")])
    assert mine[0].success
    gone = remote.sample_ids(SampleQuery(include_disabled="both"))[:3]
    assert remote.delete([int(i) for i in gone]) == [True] * 3

    kept = run_pull(tmp_path / "copy", remote.base)

    assert kept.returncode == 0, kept.stderr
    assert "Nothing to pull" in kept.stdout
    with LocalBackend(tmp_path / "copy") as local:
        assert local.count(SampleQuery(include_disabled="both")) == SAMPLES + 1

    pruned = run_pull(tmp_path / "copy", remote.base, "--delete")

    assert pruned.returncode == 0, pruned.stderr
    assert "Deleting 3 locally" in pruned.stdout
    assert "3 deleted" in pruned.stdout
    with LocalBackend(tmp_path / "copy") as local:
        held = by_hash(local)
        assert local.get_sample(mine[0].sample_id) is not None  # never synced: kept
    assert len(held) == SAMPLES - 3 + 1
    assert set(by_hash(remote)) <= set(held)
    assert "Nothing to pull" in run_pull(tmp_path / "copy", remote.base, "--delete").stdout
    with SyncState(tmp_path / "copy") as state:
        assert len(state.rows(sync.remote_name(remote))) == SAMPLES - 3


def test_a_pull_stopped_between_stored_and_recorded_records_without_fetching(tmp_path, remote):
    """The state lost the rows of a few stored samples (the pull died before writing them),
    and one of them was not disabled yet: the next pull records them, disables that one and
    stores nothing twice.
    """
    target = tmp_path / "copy"
    assert run_pull(target, remote.base).returncode == 0
    with LocalBackend(target) as local:
        disabled = local.sample_ids(SampleQuery(include_disabled="disabled"))[:1]
        enabled = local.sample_ids(SampleQuery())[:3]
        lost = list(local.get_samples([*map(int, disabled), *map(int, enabled)]).values())
        local.edit(query_for_ids([int(i) for i in disabled]), SetEnabled(True))
    with sqlite3.connect(target / SYNC_DATABASE) as db:
        db.executemany("DELETE FROM pushed WHERE sha256 = ?", [(r.sha256,) for r in lost])

    pulled = run_pull(target, remote.base)

    assert pulled.returncode == 0, pulled.stderr
    assert "No new sample to fetch" in pulled.stdout
    assert "Recording 4 held on both sides as synced" in pulled.stdout
    assert "4 already held, recorded as synced" in pulled.stdout
    same_samples(target, remote)
    assert "Nothing to pull" in run_pull(target, remote.base).stdout
    assert "Nothing to push" in run_push(target, remote.base).stdout


def plain_series(local_dir, count: int) -> list:
    """``count`` local time series with one label (no label segments), enabled."""
    with LocalBackend(local_dir) as local:
        records = local.iter_samples(SampleQuery(sort="id", descending=False))
        return [r for r in records if r.kind == "timeseries" and not r.structured_labels][:count]


def test_what_changed_on_the_remote_arrives_with_the_next_pull(tmp_path, remote):
    target = tmp_path / "copy"
    assert run_pull(target, remote.base).returncode == 0
    renamed, relabelled, moved, tagged, disabled = [r.sha256 for r in plain_series(target, 5)]
    ids = {sha: copies[0].id for sha, copies in by_hash(remote).items()}
    remote.edit(query_for_ids([ids[renamed]]), Rename("renamed.there"))
    remote.edit(query_for_ids([ids[relabelled]]), SetLabel("relabelled"))
    record = remote.get_sample(ids[moved])
    other = "testing" if record.category == "training" else "training"
    remote.edit(query_for_ids([ids[moved]]), Move(other))
    remote.edit(query_for_ids([ids[tagged]]), SetMetadata({"site": "moon", "crew": "4"}))
    remote.edit(query_for_ids([ids[disabled]]), SetEnabled(False))

    pulled = run_pull(target, remote.base)

    assert pulled.returncode == 0, pulled.stderr
    assert "No new sample to fetch" in pulled.stdout
    assert "Updating 5 locally" in pulled.stdout
    assert "5 updated" in pulled.stdout
    same_samples(target, remote)
    with LocalBackend(target) as local:
        assert local.count(SampleQuery(labels=("relabelled",))) == 1
    assert "Nothing to pull" in run_pull(target, remote.base).stdout
    assert "Nothing to push" in run_push(target, remote.base).stdout


def test_a_sample_changed_on_both_sides_is_never_overwritten_unless_asked(tmp_path, remote):
    target = tmp_path / "copy"
    assert run_pull(target, remote.base).returncode == 0
    first, second, only_here = plain_series(target, 3)
    ids = {sha: copies[0].id for sha, copies in by_hash(remote).items()}
    remote.edit(query_for_ids([ids[first.sha256], ids[second.sha256]]), SetLabel("there"))
    with LocalBackend(target) as local:
        local.edit(query_for_ids([first.id, second.id, only_here.id]), SetLabel("here"))

    left = run_pull(target, remote.base)

    assert left.returncode == 1
    assert "2 samples changed both here and on the remote since the last sync" in left.stdout
    assert f"{first.filename} (ID {first.id}): Changed on both sides" in left.stderr
    assert "--conflicts keep-local" in left.stderr
    with LocalBackend(target) as local:
        assert local.count(SampleQuery(labels=("here",))) == 3

    taken = run_pull(target, remote.base, "--conflicts", "keep-remote")

    assert taken.returncode == 0, taken.stderr
    assert "2 updated" in taken.stdout
    with LocalBackend(target) as local:
        assert local.count(SampleQuery(labels=("there",))) == 2
        assert local.count(SampleQuery(labels=("here",))) == 1  # changed here only: kept
    assert "Nothing to pull" in run_pull(target, remote.base).stdout


def test_conflicts_are_settled_per_sample(tmp_path, remote):
    """The app's way: ``keep`` by content hash, one side for each conflict."""
    target = tmp_path / "copy"
    assert run_pull(target, remote.base).returncode == 0
    mine, theirs = plain_series(target, 2)
    ids = {sha: copies[0].id for sha, copies in by_hash(remote).items()}
    remote.edit(query_for_ids([ids[mine.sha256], ids[theirs.sha256]]), SetLabel("there"))
    with LocalBackend(target) as local, SyncState(target) as state:
        local.edit(query_for_ids([mine.id, theirs.id]), SetLabel("here"))
        plan = pulling.plan_pull(local, remote, state, SampleQuery(include_disabled="both"))
        assert {pair.sha256 for pair in plan.conflicts} == {mine.sha256, theirs.sha256}
        assert not plan.fetch and not plan.update

        keep = {mine.sha256: "local", theirs.sha256: "remote"}
        report = pulling.pull(local, remote, state, plan, keep=keep)

        assert report.ok and report.updated == 1 and not report.unsettled
        assert local.get_sample(mine.id).label == "here"
        assert local.get_sample(theirs.id).label == "there"
        again = pulling.plan_pull(local, remote, state, SampleQuery(include_disabled="both"))
        assert again.empty


def test_a_pull_stopped_half_way_through_a_sample_s_changes_takes_them_up_again(tmp_path, remote):
    """The remote relabelled and moved a sample; a pull recorded where it was heading and
    died after relabelling it here: the next pull moves it too, seeing no conflict.
    """
    target = tmp_path / "copy"
    assert run_pull(target, remote.base).returncode == 0
    (sample,) = plain_series(target, 1)
    remote_id = by_hash(remote)[sample.sha256][0].id
    other = "testing" if sample.category == "training" else "training"
    remote.edit(query_for_ids([remote_id]), SetLabel("there"))
    remote.edit(query_for_ids([remote_id]), Move(other))
    with LocalBackend(target) as local, SyncState(target) as state:
        state.changing(
            sync.remote_name(remote), [(sample.sha256, fingerprint(remote.get_sample(remote_id)))]
        )
        local.edit(query_for_ids([sample.id]), SetLabel("there"))

    pulled = run_pull(target, remote.base)

    assert pulled.returncode == 0, pulled.stderr
    assert "Updating 1 locally" in pulled.stdout
    same_samples(target, remote)
    assert "Nothing to pull" in run_pull(target, remote.base).stdout


def test_pull_needs_a_key_and_says_so(tmp_path):
    pulled = run_pull(tmp_path / "copy", "http://127.0.0.1:9", "--api-key", "")

    assert pulled.returncode == 2
    assert "API key" in pulled.stderr
    assert not (tmp_path / "copy").exists()


def test_ctrl_c_stops_a_pull_says_what_was_done_and_a_rerun_fetches_the_rest(tmp_path, remote):
    target = tmp_path / "copy"
    port = int(remote.base.rsplit(":", 1)[1])
    # every request waits: the pull is still fetching when Ctrl-C comes
    with FaultProxy(port, seed=5, cut_rate=0, delay_rate=1.0, outage_every=None) as proxy:
        status, out, err = interrupt_sync("pull", target, proxy, "content requests", 3)

        assert status == 130, err
        with LocalBackend(target) as local:
            held = local.count(SampleQuery(include_disabled="both"))
        assert 0 < held < SAMPLES
        assert f"Fetched {display.plural(held, 'sample')}" in out
        fetched = display.plural(held, "sample")
        assert f"Stopped: {fetched} fetched, {SAMPLES - held} not fetched" in err
        assert "Run the same pull again" in err

        rerun = run_pull(target, proxy.url)

    assert rerun.returncode == 0, rerun.stderr
    assert f"Fetching {SAMPLES - held} samples" in rerun.stdout
    assert "recorded as synced" not in rerun.stdout  # everything stored was recorded
    same_samples(target, remote)
