"""API keys of a real ``ei-desktop serve`` process: wrong keys slow their address down
without locking out a correct key, given keys must be usable, the key can stay out of the
process list, and no page loads anything from the internet.
"""

from __future__ import annotations

import http.client
import json
import os
import subprocess
import sys
import time

import pytest
import requests

from ei_desktop.server.testing import free_port, serve_process

KEY = "key-test-0123456789abcdef"


@pytest.fixture
def server(tmp_path):
    port = free_port()
    process = serve_process(tmp_path / "project", port, KEY)
    try:
        yield process, port
    finally:
        process.kill()
        process.wait(timeout=30)


def get(port: int, key: str, source: str = "127.0.0.1") -> http.client.HTTPResponse:
    """``GET /v1/api/projects`` from the loopback address ``source``."""
    connection = http.client.HTTPConnection(
        "127.0.0.1", port, timeout=30, source_address=(source, 0)
    )
    connection.request("GET", "/v1/api/projects", headers={"x-api-key": key})
    response = connection.getresponse()
    response.body = response.read()
    connection.close()
    return response


@pytest.mark.skipif(sys.platform != "linux", reason="127.0.0.2 is loopback on Linux")
def test_repeated_wrong_keys_make_their_address_wait_but_not_others(server):
    _process, port = server
    statuses = [get(port, f"guess-{i}").status for i in range(30)]
    assert statuses[0] == 401
    assert 429 in statuses
    assert statuses.count(401) <= 12  # guessing stops after a few tries
    blocked = get(port, KEY)
    assert blocked.status == 429  # no key is looked at while the address waits
    assert int(blocked.getheader("Retry-After")) >= 1
    assert "try again" in json.loads(blocked.body)["error"]
    assert get(port, KEY, source="127.0.0.2").status == 200  # another address
    wait = int(blocked.getheader("Retry-After"))
    deadline = time.monotonic() + wait + 30
    while time.monotonic() < deadline:
        answer = get(port, KEY)
        if answer.status == 200:
            break
        assert answer.status == 429
        time.sleep(min(wait, 5))
    assert answer.status == 200  # the correct key works again once the wait is over
    assert get(port, "one-more-guess").status == 401  # and the record was cleared


def run_serve(tmp_path, *args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "ei_desktop", "serve", "--create", "--port", "0"]
        + ["--project", str(tmp_path / "project"), *args],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, **(env or {})},
    )


@pytest.mark.parametrize(
    ("key", "message"),
    [
        ("a", "too short"),
        (" " + KEY, "space or line break"),
        (KEY + "\n", "space or line break"),
        ("key with spaces 0123456789", "only letters, digits"),
        ("ключ-0123456789abcdef", "only letters, digits"),
    ],
)
def test_unusable_keys_are_refused_with_one_clear_line(tmp_path, key, message):
    for done in (
        run_serve(tmp_path, "--api-key", key),
        run_serve(tmp_path, env={"EI_SERVE_API_KEY": key}),
    ):
        assert done.returncode == 1
        assert message in done.stderr and "Traceback" not in done.stderr
        assert len(done.stderr.strip().splitlines()) == 1


def test_a_key_from_the_environment_stays_out_of_the_process_list(server):
    process, port = server
    with open(f"/proc/{process.pid}/cmdline", "rb") as cmdline:
        assert KEY.encode() not in cmdline.read()
    assert get(port, KEY).status == 200


def test_a_key_file_is_read_without_its_line_ending(tmp_path):
    key_file = tmp_path / "key.txt"
    key_file.write_text(KEY + "\n")
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "ei_desktop", "serve", "--create", "--port", str(port)]
        + ["--project", str(tmp_path / "project"), "--api-key-file", str(key_file)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                status = get(port, KEY).status
                break
            except OSError:
                time.sleep(0.1)
        assert status == 200
    finally:
        process.kill()
        process.wait(timeout=30)
    missing = run_serve(tmp_path, "--api-key-file", str(tmp_path / "nope.txt"))
    assert missing.returncode == 1 and "Cannot read the key file" in missing.stderr


def test_help_warns_that_a_key_on_the_command_line_is_visible():
    done = subprocess.run(
        [sys.executable, "-m", "ei_desktop", "serve", "--help"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    text = " ".join(done.stdout.split())
    assert "process list" in text and "--api-key-file" in text and "EI_SERVE_API_KEY" in text


def test_no_page_loads_assets_from_the_internet(server):
    _process, port = server
    base = f"http://127.0.0.1:{port}"
    assert requests.get(f"{base}/openapi.json", timeout=30).status_code == 200
    for path in ("/docs", "/redoc", "/docs/oauth2-redirect"):
        response = requests.get(base + path, headers={"x-api-key": KEY}, timeout=30)
        assert response.status_code == 404
        assert "cdn" not in response.text.lower() and "<script" not in response.text.lower()
