"""``ei-desktop push`` over a bad link: a real ``ei-desktop serve`` behind a fault-injecting
proxy, the push SIGKILLed at random points, re-run until it succeeds; the remote then holds
every local sample exactly once, as it is locally. Then a round of local edits, pushed the
same way (killed once while it edits), lands on the remote too.
"""

from __future__ import annotations

import os
import random
import re
import sqlite3
import time

import pytest
from fault_proxy import FaultProxy
from sync_helpers import (
    KEY,
    build_project,
    by_hash,
    edit_round,
    facts,
    kill_at_random,
    run_push,
    run_until_ok,
    start_sync,
)

from ei_desktop.core.backends.local import LocalBackend
from ei_desktop.core.backends.studio import StudioBackend
from ei_desktop.core.sync_state import SYNC_DATABASE
from ei_desktop.server.testing import free_port, serve_process

SAMPLES = 1000
SEED = int(os.environ.get("EI_TEST_SEED", "13"))
KILLS = 5
MAX_RUNS = 12


@pytest.mark.slow
def test_push_over_a_flaky_link_killed_at_random_lands_every_sample_once(tmp_path, record_property):
    local = build_project(tmp_path / "local", SAMPLES, seed=SEED)
    expected = by_hash(local)
    local.close()
    assert len(expected) == SAMPLES
    port = free_port()
    server = serve_process(tmp_path / "remote", port, KEY)
    direct = StudioBackend(KEY, f"http://127.0.0.1:{port}/v1", f"http://127.0.0.1:{port}")
    rng = random.Random(SEED)
    started = time.monotonic()
    try:
        with FaultProxy(port, SEED) as proxy:
            kills = kill_at_random(
                "push",
                tmp_path / "local",
                proxy,
                rng,
                times=KILLS,
                counter="upload requests",
                after=(2, 12),  # uploads
            )
            runs = run_until_ok("push", tmp_path / "local", proxy.url, MAX_RUNS)
            finished, statuses = runs.finished, runs.statuses
            assert finished.returncode == 0, (statuses, finished.stdout, finished.stderr[-3000:])
            uploads_before = proxy.stats["upload requests"]

            again = run_push(tmp_path / "local", proxy.url)

            assert again.returncode == 0, again.stderr
            assert "Nothing to push" in again.stdout
            assert proxy.stats["upload requests"] == uploads_before

            edited = edit_round(tmp_path / "local", SEED)
            with LocalBackend(tmp_path / "local") as local:
                expected = by_hash(local)
            push = start_sync("push", tmp_path / "local", proxy.url)
            time.sleep(rng.uniform(1.0, 4.0))  # planning, then the edits
            edit_kill = push.poll() is None
            push.kill()
            push.wait(timeout=30)
            edit_runs = run_until_ok("push", tmp_path / "local", proxy.url, MAX_RUNS)
            finished, edit_statuses = edit_runs.finished, edit_runs.statuses
            assert finished.returncode == 0, (edit_statuses, finished.stdout, finished.stderr)
            assert "changed both here and on the remote" not in finished.stdout
            assert proxy.stats["upload requests"] == uploads_before  # edits, no upload
            again = run_push(tmp_path / "local", proxy.url)
            assert again.returncode == 0, again.stderr
            assert "Nothing to push" in again.stdout
            stats = dict(proxy.stats)
        remote = by_hash(direct)
    finally:
        direct.close()
        server.kill()
        server.wait(timeout=30)
    duration = time.monotonic() - started
    record_property("kills", kills)
    record_property("runs_to_exit_0", len(statuses))
    record_property("statuses", statuses)
    record_property("seconds", round(duration, 1))
    record_property("proxy", stats)
    record_property("edit_round", {"edited": edited, "killed": edit_kill, "runs": edit_statuses})
    print(f"kills {kills}, runs to exit 0 {statuses}, {duration:.1f} s, proxy {stats}")
    print(f"edit round: {edited} samples edited, killed {edit_kill}, runs {edit_statuses}")
    print("\n".join(str(o) for o in runs.outputs))

    figures = f"kills {kills}, runs {statuses}, proxy {stats}"
    # a push may finish before its kill point when little is left to send
    assert kills >= KILLS - 2, figures
    assert stats.get("cut-request", 0) + stats.get("cut-response", 0) > 20, figures
    assert set(remote) == set(expected)
    assert all(len(copies) == 1 for copies in remote.values())
    assert {sha: facts(r[0]) for sha, r in remote.items()} == {
        sha: facts(r[0]) for sha, r in expected.items()
    }
    with LocalBackend(tmp_path / "remote") as served:
        assert served.check().ok
    # the state survived the kills intact and says every sample is on the remote
    with sqlite3.connect(tmp_path / "local" / SYNC_DATABASE) as db:
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        rows = db.execute("SELECT state, remote_id FROM pushed").fetchall()
    assert len(rows) == SAMPLES
    assert {row[0] for row in rows} == {"remote"}
    assert sorted(row[1] for row in rows) == sorted(r[0].id for r in remote.values())
    # some uploads landed in a killed push before their ids were recorded; the next push
    # recognised them by the remote's duplicate refusal
    recovered = sum(int(n) for n in re.findall(r"(\d+) found stored by an interrupted", runs.text))
    record_property("recovered", recovered)
    assert recovered > 0, (figures, runs.text)
