"""Ctrl-C (a real SIGINT) on the real ``ei-desktop`` command, mid-upload, -delete and
-download: it stops sending, reports truthfully what was done and what was not, exits 130,
and a second run completes the job with nothing lost and nothing stored twice."""

from __future__ import annotations

import os
import signal
import time

import pytest
from reliability_helpers import (
    KEY,
    Served,
    local_count,
    run_cli,
    start_cli,
    stopped_counts,
    wait_until,
    write_csv_files,
)

from ei_desktop.core import display
from ei_desktop.core.backends.base import SampleQuery, UploadItem
from ei_desktop.core.backends.local import LocalBackend

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(os.name == "nt", reason="SIGINT to another process is POSIX"),
]

FILES = 6000
#: generous bounds for a busy 2-core machine; never assertions about speed
START_WAIT = 120
EXIT_WAIT = 60


def interrupt(cli, record_property, name: str) -> int:
    """Send one SIGINT, wait for the exit; report (not assert) the seconds it took."""
    sent = time.monotonic()
    cli.process.send_signal(signal.SIGINT)
    status = cli.wait(timeout=EXIT_WAIT)
    seconds = time.monotonic() - sent
    record_property(f"{name}_seconds_from_sigint_to_exit", round(seconds, 3))
    print(f"\n{name}: {seconds:.2f} s from SIGINT to exit")
    return status


@pytest.fixture
def served(tmp_path):
    server = Served(tmp_path / "served")
    yield server
    server.close()


def test_ctrl_c_stops_an_upload_to_a_server_and_a_rerun_sends_exactly_the_rest(
    tmp_path, served, record_property
):
    files = write_csv_files(tmp_path / "data", FILES)
    upload = ("upload", tmp_path / "data", "--api-key", KEY, "--category", "training")
    cli = start_cli(*upload, out_dir=tmp_path / "first", env=served.env())
    wait_until(lambda: served.count() > 0 or cli.process.poll() is not None, START_WAIT, "uploads")
    assert cli.process.poll() is None, cli.stderr  # still running: the test is meaningful

    status = interrupt(cli, record_property, "upload_over_http")

    assert status == 130, cli.stderr
    stored, total, not_sent = stopped_counts(cli.stderr, "uploaded")
    assert total == FILES
    assert 0 < stored < FILES
    assert not_sent == FILES - stored
    assert served.count() == stored
    assert f"Uploaded {display.plural(stored, 'sample')}" in cli.stdout

    again = run_cli(*upload, env=served.env())
    assert f"Uploaded {display.plural(FILES - stored, 'sample')}" in again.stdout, again.stderr
    assert f"{stored:,} files already in the project" in again.stderr
    names = served.filenames()
    assert len(names) == len(set(names)) == FILES
    assert set(names) == {p.name.removesuffix(".csv") for p in files}


def test_ctrl_c_stops_an_upload_to_a_local_project_and_a_rerun_stores_the_rest(
    tmp_path, record_property
):
    write_csv_files(tmp_path / "data", FILES)
    project = tmp_path / "project"
    upload = ("upload", tmp_path / "data", "--project", project, "--create")
    cli = start_cli(*upload, out_dir=tmp_path / "first")
    wait_until(
        lambda: local_count(project) > 0 or cli.process.poll() is not None, START_WAIT, "uploads"
    )
    assert cli.process.poll() is None, cli.stderr

    status = interrupt(cli, record_property, "upload_to_local_project")

    assert status == 130, cli.stderr
    stored, total, not_sent = stopped_counts(cli.stderr, "uploaded")
    assert total == FILES
    assert 0 < stored < FILES
    assert not_sent == FILES - stored
    assert local_count(project) == stored

    again = run_cli(*upload)
    assert f"Uploaded {display.plural(FILES - stored, 'sample')}" in again.stdout, again.stderr
    with LocalBackend(project) as backend:
        names = [i.filename for i in backend.sample_infos(SampleQuery())]
        assert backend.check().ok
    assert len(names) == len(set(names)) == FILES


def seed(project_dir, count: int) -> list[int]:
    """A local project holding ``count`` small samples; their ids."""
    items = [
        UploadItem(f"t.{n:06d}.csv", f"timestamp,x\n0,{n}\n10,{n}\n".encode(), category="training")
        for n in range(count)
    ]
    with LocalBackend(project_dir, create=True) as backend:
        results = backend.upload(items)
    assert all(r.success for r in results)
    return [r.sample_id for r in results]


def test_ctrl_c_stops_rm_and_reports_what_was_deleted(tmp_path, record_property):
    ids = seed(tmp_path / "served", 3000)
    served = Served(tmp_path / "served")
    try:
        cli = start_cli(
            "rm", *ids, "--yes", "--api-key", KEY, out_dir=tmp_path / "rm", env=served.env()
        )
        wait_until(
            lambda: served.count() < len(ids) or cli.process.poll() is not None,
            START_WAIT,
            "deletes",
        )
        assert cli.process.poll() is None, cli.stderr

        status = interrupt(cli, record_property, "rm_over_http")

        assert status == 130, cli.stderr
        deleted, total, left = stopped_counts(cli.stderr, "deleted")
        assert total == len(ids)
        assert 0 < deleted < len(ids)
        assert left == len(ids) - deleted
        assert served.count() == len(ids) - deleted
    finally:
        served.close()


def test_ctrl_c_stops_a_download_and_reports_what_was_written(tmp_path, record_property):
    ids = seed(tmp_path / "served", 4000)
    served = Served(tmp_path / "served")
    out = tmp_path / "out"
    try:
        cli = start_cli(
            "download",
            *ids,
            "-o",
            out,
            "--api-key",
            KEY,
            out_dir=tmp_path / "download",
            env=served.env(),
        )
        wait_until(
            lambda: (out.exists() and any(out.iterdir())) or cli.process.poll() is not None,
            START_WAIT,
            "downloaded files",
        )
        assert cli.process.poll() is None, cli.stderr

        status = interrupt(cli, record_property, "download_over_http")

        assert status == 130, cli.stderr
        written, total, not_fetched = stopped_counts(cli.stderr, "downloaded")
        assert total == len(ids)
        assert 0 < written < len(ids)
        assert not_fetched == len(ids) - written
        assert len(list(out.iterdir())) == written
        assert len(cli.stdout.splitlines()) == written  # one printed path per written file
    finally:
        served.close()


def test_a_second_ctrl_c_exits_at_once(tmp_path, served, record_property):
    """With the server frozen (SIGSTOP) the requests in flight never finish, so only the
    second Ctrl-C can end the command."""
    write_csv_files(tmp_path / "data", FILES)
    upload = ("upload", tmp_path / "data", "--api-key", KEY, "--category", "training")
    cli = start_cli(*upload, out_dir=tmp_path / "twice", env=served.env())
    wait_until(lambda: served.count() > 0 or cli.process.poll() is not None, START_WAIT, "uploads")
    assert cli.process.poll() is None, cli.stderr
    served.process.send_signal(signal.SIGSTOP)
    try:
        cli.process.send_signal(signal.SIGINT)
        wait_until(lambda: "Stopping" in cli.stderr, EXIT_WAIT, "the first Ctrl-C to be noticed")
        assert cli.process.poll() is None  # waiting for the frozen server's answers
        status = interrupt(cli, record_property, "second_sigint")
    finally:
        served.process.send_signal(signal.SIGCONT)
    assert status == 130
    assert "Interrupted again" in cli.stderr
