"""The offline count of samples a linked remote does not hold yet (the status bar's words)."""

from __future__ import annotations

from ei_desktop.core.backends.base import SampleQuery, UploadItem
from ei_desktop.core.backends.local import LocalBackend
from ei_desktop.core.sync_state import SYNC_DATABASE, SyncState
from ei_desktop.ops.sync_status import differences, not_on_remote, status_text

REMOTE = "http://127.0.0.1:4800/v1#1"


def make_project(path, count):
    local = LocalBackend(path, create=True)
    items = [
        UploadItem(f"idle.{n}.csv", f"timestamp,accX\n0,{n}\n10,{n + 1}\n".encode(), "training")
        for n in range(count)
    ]
    ids = [r.sample_id for r in local.upload(items)]
    records = local.get_samples(ids)
    return local, [records[i].sha256 for i in ids]


def test_a_project_that_never_pushed_counts_every_sample_and_creates_no_state(tmp_path):
    local, _ = make_project(tmp_path / "p", 5)
    with local:
        assert not_on_remote(local, local.path, REMOTE) == 5
    assert not (tmp_path / "p" / SYNC_DATABASE).exists()


def test_only_what_the_state_says_is_stored_on_that_remote_counts_as_there(tmp_path):
    local, hashes = make_project(tmp_path / "p", 6)
    with local, SyncState(local.path) as state:
        state.on_remote(REMOTE, [(sha, n) for n, sha in enumerate(hashes[:3])])
        state.sending(REMOTE, [(hashes[3], 4)])  # sent, no answer yet: not there
        state.on_remote("http://elsewhere/v1#2", [(hashes[4], 9)])  # another remote
        assert not_on_remote(local, local.path, REMOTE) == 3
        state.on_remote(REMOTE, [(sha, n) for n, sha in enumerate(hashes[3:], start=3)])
        assert not_on_remote(local, local.path, REMOTE) == 0


def test_the_words_of_the_status_bar():
    assert status_text(0) == "All samples are on Edge Impulse"
    assert status_text(1) == "1 sample not yet on Edge Impulse"
    assert status_text(3120) == "3,120 samples not yet on Edge Impulse"


def test_the_differences_of_a_conflict_in_a_few_words(tmp_path):
    from dataclasses import replace

    local, _ = make_project(tmp_path / "p", 1)
    with local:
        mine = next(iter(local.iter_samples(SampleQuery())))
    theirs = replace(mine, label="wave", metadata={"site": "north"}, disabled=True)
    assert differences(mine, theirs) == "label: idle here, wave there; metadata; disabled there"
    assert differences(mine, mine) == "changed on both sides"
