"""``ei-desktop pull`` over a bad link: a real ``ei-desktop serve`` behind a fault-injecting
proxy, the pull SIGKILLed at random points, re-run until it succeeds; the local project then
holds every remote sample exactly once, as it is on the remote.
"""

from __future__ import annotations

import os
import random
import sqlite3
import time

import pytest
from fault_proxy import FaultProxy
from sync_helpers import (
    KEY,
    build_project,
    by_hash,
    facts,
    kill_at_random,
    run_pull,
    run_push,
    run_until_ok,
)

from ei_desktop.core.backends.base import SampleQuery, query_for_ids
from ei_desktop.core.backends.local import LocalBackend
from ei_desktop.core.backends.studio import StudioBackend
from ei_desktop.core.edits import Move, SetEnabled, SetLabel
from ei_desktop.core.sync_state import SYNC_DATABASE
from ei_desktop.server.testing import free_port, serve_process

SAMPLES = int(os.environ.get("EI_TEST_PULL_SAMPLES", "1000"))
SEED = int(os.environ.get("EI_TEST_SEED", "13"))
KILLS = 5
MAX_RUNS = 12


@pytest.mark.slow
def test_pull_over_a_flaky_link_killed_at_random_holds_every_sample_once(tmp_path, record_property):
    build_project(tmp_path / "remote", SAMPLES, seed=SEED).close()
    port = free_port()
    server = serve_process(tmp_path / "remote", port, KEY)
    direct = StudioBackend(KEY, f"http://127.0.0.1:{port}/v1", f"http://127.0.0.1:{port}")
    target = tmp_path / "field"
    rng = random.Random(SEED)
    started = time.monotonic()
    try:
        expected = by_hash(direct)
        assert len(expected) == SAMPLES
        with FaultProxy(port, SEED) as proxy:
            kills = kill_at_random(
                "pull",
                target,
                proxy,
                rng,
                times=KILLS,
                counter="content requests",
                after=(20, 120),  # contents
            )
            runs = run_until_ok("pull", target, proxy.url, MAX_RUNS)
            finished, statuses = runs.finished, runs.statuses
            assert finished.returncode == 0, (statuses, finished.stdout, finished.stderr[-3000:])
            # then the remote changes: what changed arrives with the next pulls, over the link
            edited = _edit_remote(direct, rng)
            finished = run_until_ok("pull", target, proxy.url, MAX_RUNS).finished
            assert finished.returncode == 0, finished.stderr[-3000:]
            contents_before = proxy.stats["content requests"]

            again = run_pull(target, proxy.url)

            assert again.returncode == 0, again.stderr
            assert "Nothing to pull" in again.stdout
            assert proxy.stats["content requests"] == contents_before
            pushed = run_push(target, proxy.url)
            assert pushed.returncode == 0, pushed.stderr
            assert "Nothing to push" in pushed.stdout
            stats = dict(proxy.stats)
        remote = by_hash(direct)
    finally:
        direct.close()
        server.kill()
        server.wait(timeout=30)
    duration = time.monotonic() - started
    record_property("samples", SAMPLES)
    record_property("kills", kills)
    record_property("runs_to_exit_0", len(statuses))
    record_property("statuses", statuses)
    record_property("seconds", round(duration, 1))
    record_property("proxy", stats)
    print(f"kills {kills}, runs to exit 0 {statuses}, {duration:.1f} s, proxy {stats}")
    print("\n".join(str(o) for o in runs.outputs))

    figures = f"kills {kills}, runs {statuses}, proxy {stats}"
    assert kills >= KILLS - 2, figures
    assert stats.get("cut-request", 0) + stats.get("cut-response", 0) > 20, figures
    assert set(remote) == set(expected)  # the remote itself is untouched
    with LocalBackend(target) as local:
        held = by_hash(local)
        assert local.check().ok
    assert all(len(copies) == 1 for copies in held.values())
    assert {sha: facts(r[0]) for sha, r in held.items()} == {
        sha: facts(r[0]) for sha, r in remote.items()
    }
    assert sum(held[sha][0].label == "relabelled" for sha in edited) == 10
    # the state survived the kills intact and records every sample as synced
    with sqlite3.connect(target / SYNC_DATABASE) as db:
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        rows = db.execute("SELECT state, remote_id FROM pushed").fetchall()
    assert len(rows) == SAMPLES
    assert {row[0] for row in rows} == {"remote"}
    assert sorted(row[1] for row in rows) == sorted(r[0].id for r in remote.values())


def _edit_remote(remote: StudioBackend, rng: random.Random) -> list[str]:
    """Relabel, move and disable ten time series each on the remote; their content hashes."""
    series = [
        r
        for r in remote.iter_samples(SampleQuery(sort="id", descending=False))
        if r.kind == "timeseries" and not r.structured_labels
    ]
    picked = rng.sample(series, 30)
    relabel, move, disable = picked[:10], picked[10:20], picked[20:]
    remote.edit(query_for_ids([r.id for r in relabel]), SetLabel("relabelled"))
    for record in move:
        other = "testing" if record.category == "training" else "training"
        remote.edit(query_for_ids([record.id]), Move(other))
    remote.edit(query_for_ids([r.id for r in disable]), SetEnabled(False))
    return [r.sha256 for r in relabel]
