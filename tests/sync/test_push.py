"""``ei-desktop push`` to a real ``ei-desktop serve``: what it carries, what it remembers, the
exit statuses, a dry run, resuming after a crash between "sent" and "recorded", Ctrl-C.
"""

from __future__ import annotations

import subprocess

import pytest
from fault_proxy import FaultProxy
from sync_helpers import (
    KEY,
    build_project,
    by_hash,
    interrupt_sync,
    push_command,
    push_env,
    remote_matches,
    run_push,
    served_remote,
)

from ei_desktop.core import display
from ei_desktop.core.backends.base import SampleQuery, UploadItem, query_for_ids
from ei_desktop.core.backends.local import LocalBackend
from ei_desktop.core.edits import SetEnabled
from ei_desktop.core.sync_state import SYNC_DATABASE, SyncState
from ei_desktop.ops import sync
from ei_desktop.server.testing import running_server


@pytest.fixture
def remote(tmp_path):
    """A served project (in a thread) and the HTTP backend that reaches it directly."""
    with served_remote(tmp_path / "remote") as backend:
        yield backend


@pytest.fixture
def local_dir(tmp_path):
    build_project(tmp_path / "local", 40, seed=3).close()
    return tmp_path / "local"


def test_push_carries_every_sample_and_a_second_push_has_nothing_to_do(local_dir, remote):
    first = run_push(local_dir, remote.base)

    assert first.returncode == 0, first.stderr
    assert "Sent 40 samples" in first.stdout
    assert "disabled there" in first.stdout
    remote_matches(local_dir, remote)

    second = run_push(local_dir, remote.base)

    assert second.returncode == 0, second.stderr
    assert "Nothing to push" in second.stdout
    assert remote.count(SampleQuery(include_disabled="both")) == 40


def test_a_dry_run_counts_what_would_be_sent_and_changes_nothing(local_dir, remote):
    dry = run_push(local_dir, remote.base, "--dry-run")

    assert dry.returncode == 0, dry.stderr
    assert "Would send 40 samples" in dry.stdout
    assert remote.count(SampleQuery(include_disabled="both")) == 0
    assert not (local_dir / SYNC_DATABASE).exists()

    assert run_push(local_dir, remote.base).returncode == 0
    with LocalBackend(local_dir) as local:
        enabled = local.sample_ids(SampleQuery())[:3]
        local.edit(query_for_ids(enabled), SetEnabled(False))
    state_before = (local_dir / SYNC_DATABASE).read_bytes()
    disabled_before = remote.count(SampleQuery(include_disabled="disabled"))

    dry = run_push(local_dir, remote.base, "--dry-run")

    assert dry.returncode == 0, dry.stderr
    assert "Would disable 3 there" in dry.stdout
    assert "37 samples already there" in dry.stdout
    assert remote.count(SampleQuery(include_disabled="disabled")) == disabled_before
    assert (local_dir / SYNC_DATABASE).read_bytes() == state_before
    pushed = run_push(local_dir, remote.base)
    assert pushed.returncode == 0, pushed.stderr
    assert "3 disabled there" in pushed.stdout
    remote_matches(local_dir, remote)


def test_push_sends_only_what_the_filters_select(local_dir, remote):
    some = run_push(local_dir, remote.base, "--category", "testing")

    assert some.returncode == 0, some.stderr
    with LocalBackend(local_dir) as local:
        testing = local.count(SampleQuery(category="testing", include_disabled="both"))
    assert 0 < testing < 40
    assert remote.count(SampleQuery(include_disabled="both")) == testing
    assert remote.count(SampleQuery(category="testing", include_disabled="both")) == testing

    rest = run_push(local_dir, remote.base)

    assert rest.returncode == 0, rest.stderr
    assert f"Sending {40 - testing} samples" in rest.stdout
    assert f"{testing} samples already there" in rest.stdout
    remote_matches(local_dir, remote)


def test_a_crash_between_sent_and_recorded_is_recognised_by_the_duplicate_refusal(
    local_dir, remote
):
    """The state says "sending" for one sample that did land on the remote (the push died
    before recording its id): the next push counts the refusal as its own earlier success.
    Content someone else put on the remote is reported, not sent again.
    """
    with LocalBackend(local_dir) as local:
        records = list(local.iter_samples(SampleQuery(include_disabled="both")))
        landed, foreign = records[0], records[1]
        name = sync.remote_name(remote)
        with SyncState(local_dir) as state:
            state.sending(name, [(landed.sha256, landed.id)])
        results = remote.upload([sync._item(local, landed), sync._item(local, foreign)])
    assert all(r.success for r in results)
    landed_id = results[0].sample_id

    pushed = run_push(local_dir, remote.base)

    assert pushed.returncode == 0, pushed.stderr
    assert "1 found stored by an interrupted push" in pushed.stdout
    assert "; 1 already on the remote" in pushed.stdout
    assert foreign.filename in pushed.stderr
    found = by_hash(remote)
    assert len(found) == 40 and all(len(c) == 1 for c in found.values())
    with SyncState(local_dir) as state:
        row = state.lookup(name, [landed.sha256])[landed.sha256]
    assert (row.state, row.remote_id) == ("remote", landed_id)
    assert "Nothing to push" in run_push(local_dir, remote.base).stdout


def test_samples_the_remote_refuses_are_listed_and_the_exit_status_is_1(tmp_path):
    local = LocalBackend(tmp_path / "local", create=True)
    big = "timestamp,x\n" + "".join(f"{n * 10},{n}\n" for n in range(400))
    results = local.upload(
        [
            UploadItem("small.01.csv", b"timestamp,x\n0,1\n10,2\n", "training", "small"),
            UploadItem("big.01.csv", big.encode(), "training", "big"),
        ]
    )
    assert all(r.success for r in results)
    local.close()
    served = LocalBackend(tmp_path / "remote", create=True, max_file_bytes=1000)
    try:
        with running_server(served, KEY) as (base, _):
            pushed = run_push(tmp_path / "local", base)

            assert pushed.returncode == 1
            assert "1 failed" in pushed.stderr
            assert "big.01 (ID 2)" in pushed.stderr
            assert "too large" in pushed.stderr
            assert "Sent 1 sample" in pushed.stdout
            again = run_push(tmp_path / "local", base)
            assert again.returncode == 1
            assert "Sending 1 sample" in again.stdout  # only the refused one is tried again
    finally:
        served.close()


def test_a_sample_whose_local_content_is_missing_fails_alone(local_dir, remote):
    with LocalBackend(local_dir) as local:
        record = next(local.iter_samples(SampleQuery(include_disabled="both")))
        local.blobs.delete(record.sha256)

    pushed = run_push(local_dir, remote.base)

    assert pushed.returncode == 1
    assert f"{record.filename} (ID {record.id}): Its content cannot be read" in pushed.stderr
    assert "Sent 39 samples" in pushed.stdout
    assert remote.count(SampleQuery(include_disabled="both")) == 39


def test_push_needs_a_key(local_dir):
    pushed = subprocess.run(
        push_command(local_dir)[:-2],  # without --api-key
        env=push_env("http://127.0.0.1:9"),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert pushed.returncode == 2
    assert "API key" in pushed.stderr


def test_check_clean_keeps_the_push_state(local_dir, remote):
    assert run_push(local_dir, remote.base).returncode == 0
    state = (local_dir / SYNC_DATABASE).read_bytes()

    cleaned = subprocess.run(
        [*push_command(local_dir)[:3], "check", "--clean", "--project", str(local_dir)],
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert cleaned.returncode == 0, cleaned.stderr
    assert (local_dir / SYNC_DATABASE).read_bytes() == state
    assert "Nothing to push" in run_push(local_dir, remote.base).stdout


def test_ctrl_c_stops_a_push_says_what_was_done_and_a_rerun_sends_the_rest(tmp_path, remote):
    build_project(tmp_path / "slow", 200, seed=5).close()
    port = int(remote.base.rsplit(":", 1)[1])
    # every request waits: the push is still sending when Ctrl-C comes
    with FaultProxy(port, seed=5, cut_rate=0, delay_rate=1.0, outage_every=None) as proxy:
        status, out, err = interrupt_sync("push", tmp_path / "slow", proxy, "upload requests", 2)

        assert status == 130, err
        sent = remote.count(SampleQuery(include_disabled="both"))
        assert 0 < sent < 200
        assert f"Sent {display.plural(sent, 'sample')}" in out
        on_remote = display.plural(sent, "sample")
        assert f"Stopped: {on_remote} on the remote, {200 - sent} not sent" in err
        assert "Run the same push again" in err

        rerun = run_push(tmp_path / "slow", proxy.url)

    assert rerun.returncode == 0, rerun.stderr
    # everything the stopped push sent was recorded: the rest is sent, nothing is refused
    assert f"Sending {200 - sent} samples to {proxy.url}/v1.\n" in rerun.stdout  # none resumed
    assert "already on the remote" not in rerun.stdout
    remote_matches(tmp_path / "slow", remote)
