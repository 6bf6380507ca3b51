"""The real ``ei-desktop`` command against an address where no server listens (or a host name
that does not resolve): one clear message naming the address, exit 1, no file-by-file retries.
And a server that dies mid-upload: the run ends, saying how much was stored."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time

import pytest
from reliability_helpers import KEY, Served, run_cli, start_cli, wait_until, write_csv_files

from ei_desktop.server.testing import free_port

#: a generous bound on a busy machine; retrying file by file took minutes
WAIT = 60


def endpoint_env(base: str) -> dict:
    return dict(os.environ, EI_API_ENDPOINT=f"{base}/v1", EI_INGESTION_ENDPOINT=base)


def labelled_files(folder, count: int) -> None:
    """``count`` files with a label each, so that each goes in a request of its own."""
    for n in range(count):
        write_csv_files(folder, 1, stem=f"label{n:02d}")


def timed_run(record_property, name: str, *args, env) -> tuple:
    started = time.monotonic()
    result = run_cli(*args, env=env, timeout=WAIT)
    seconds = time.monotonic() - started
    record_property(f"{name}_seconds", round(seconds, 3))
    print(f"\n{name}: failed after {seconds:.2f} s")
    return result


def test_upload_to_a_port_where_nothing_listens_fails_at_once_with_one_message(
    tmp_path, record_property
):
    labelled_files(tmp_path / "data", 58)
    port = free_port()
    result = timed_run(
        record_property,
        "upload_58_files_to_dead_port",
        "upload",
        tmp_path / "data",
        "--api-key",
        KEY,
        env=endpoint_env(f"http://127.0.0.1:{port}"),
    )
    assert result.returncode == 1
    message = f"Cannot reach 127.0.0.1:{port}: connection refused"
    assert result.stderr.count(message) == 1, result.stderr
    assert f"http://127.0.0.1:{port}" in result.stderr
    assert "failed:" not in result.stderr  # no list of 58 files failing one by one


#: runs the real command, noting every connect() to CONNECT_PORT in CONNECT_LOG as it is made
#: (Python's audit events see each socket.connect; nothing in the program is replaced)
COUNTING_CONNECTS = """
import os, runpy, sys
log, port = os.environ["CONNECT_LOG"], int(os.environ["CONNECT_PORT"])
def note(event, args):
    if event == "socket.connect" and isinstance(args[1], tuple) and args[1][1:2] == (port,):
        with open(log, "a") as out:
            out.write(repr(args[1]) + "\\n")
sys.addaudithook(note)
sys.argv = ["ei-desktop", *sys.argv[1:]]
runpy.run_module("ei_desktop", run_name="__main__", alter_sys=True)
"""


@pytest.mark.parametrize("command", ["upload", "ls", "download", "rm"])
def test_a_refused_connection_is_tried_once_not_retried(tmp_path, command):
    """Nothing listens: each command opens one connection, not one per retry."""
    labelled_files(tmp_path / "data", 58)
    port = free_port()
    log = tmp_path / "connects.txt"
    args = {
        "upload": ("upload", tmp_path / "data"),
        "ls": ("ls",),
        "download": ("download", *range(1, 300), "-o", tmp_path / "out"),
        "rm": ("rm", *range(1, 300), "--yes"),
    }[command]
    env = dict(
        endpoint_env(f"http://127.0.0.1:{port}"), CONNECT_LOG=str(log), CONNECT_PORT=str(port)
    )
    result = subprocess.run(
        [sys.executable, "-c", COUNTING_CONNECTS, *map(str, args), "--api-key", KEY],
        capture_output=True,
        text=True,
        env=env,
        stdin=subprocess.DEVNULL,
        timeout=WAIT,
    )
    assert result.returncode == 1, result.stderr
    assert result.stderr.count(f"Cannot reach 127.0.0.1:{port}: connection refused") == 1
    # urllib3 used to retry a refused connect twice (three attempts, ~0.6 s of back-off)
    attempts = log.read_text().splitlines()
    assert attempts == [repr(("127.0.0.1", port))], f"{len(attempts)} connection attempts"


@pytest.mark.parametrize("command", ["ls", "download", "rm"])
def test_other_commands_fail_at_once_with_the_same_message(tmp_path, command, record_property):
    port = free_port()
    args = {
        "ls": ("ls",),
        "download": ("download", *range(1, 300), "-o", tmp_path / "out"),
        "rm": ("rm", *range(1, 300), "--yes"),
    }[command]
    result = timed_run(
        record_property,
        f"{command}_to_dead_port",
        *args,
        "--api-key",
        KEY,
        env=endpoint_env(f"http://127.0.0.1:{port}"),
    )
    assert result.returncode == 1
    assert result.stderr.count(f"Cannot reach 127.0.0.1:{port}: connection refused") == 1


def test_upload_to_a_host_name_that_does_not_resolve_fails_at_once(tmp_path, record_property):
    labelled_files(tmp_path / "data", 20)
    result = timed_run(
        record_property,
        "upload_to_unknown_host",
        "upload",
        tmp_path / "data",
        "--api-key",
        KEY,
        env=endpoint_env("http://ei-desktop-nowhere.invalid:4800"),
    )
    assert result.returncode == 1
    assert result.stderr.count("Cannot reach ei-desktop-nowhere.invalid:4800") == 1, result.stderr
    assert "failed:" not in result.stderr


@pytest.mark.slow
@pytest.mark.skipif(os.name == "nt", reason="SIGKILL is POSIX")
def test_a_server_that_dies_mid_upload_ends_the_run_with_what_was_stored(tmp_path):
    """A server that answered earlier gets a grace period (it may be restarting); one that
    stays away ends the run with one message and the true count of what it stored."""
    write_csv_files(tmp_path / "data", 6000)
    served = Served(tmp_path / "served")
    try:
        cli = start_cli(
            "upload",
            tmp_path / "data",
            "--api-key",
            KEY,
            "--category",
            "training",
            out_dir=tmp_path / "cli",
            env=served.env(),
        )
        wait_until(lambda: served.count() > 0 or cli.process.poll() is not None, 120, "uploads")
        assert cli.process.poll() is None, cli.stderr
        served.process.send_signal(signal.SIGKILL)
        served.process.wait(timeout=30)
        status = cli.wait(timeout=180)  # the grace period is 30 s
    finally:
        served.close()
    assert status == 1
    assert cli.stderr.count(f"Cannot reach 127.0.0.1:{served.port}: connection refused") == 1
    reported = re.search(r"([\d,]+) of 6,000 were uploaded before that", cli.stderr)
    assert reported, cli.stderr
    reported_stored = int(reported.group(1).replace(",", ""))
    cut_off = len(re.findall(r"it may have been stored before that", cli.stderr))
    restarted = Served(tmp_path / "served")
    try:
        stored = restarted.count()
    finally:
        restarted.close()
    # a request cut off by the kill may have been stored without its answer arriving
    assert reported_stored <= stored <= reported_stored + cut_off
