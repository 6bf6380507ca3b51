"""``ei-desktop push`` carries later local edits: the sync state's fingerprints, edits after a
push, conflicts with edits made on the remote, ``--delete``, resuming an interrupted edit
phase. The remote is a real ``ei-desktop serve``.
"""

from __future__ import annotations

import sqlite3

import pytest
from sync_helpers import KEY, build_project, by_hash, run_push

from ei_desktop.core.backends.local import LocalBackend
from ei_desktop.core.backends.studio import StudioBackend
from ei_desktop.core.sync_state import SYNC_DATABASE, SyncState, fingerprint
from ei_desktop.ops import sync
from ei_desktop.server.testing import running_server


@pytest.fixture
def remote(tmp_path):
    """A served project (in a thread) and the HTTP backend that reaches it directly."""
    with running_server(tmp_path / "remote", KEY) as (base, key):
        backend = StudioBackend(key, base + "/v1", base)
        backend.base = base
        yield backend
        backend.close()


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
