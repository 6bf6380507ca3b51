"""``ei-desktop serve`` as a process, the key it chooses, ``running_server``, and the socket
option that keeps keep-alive requests fast (timed in ``benchmarks/keep_alive_latency.py``).
"""

from __future__ import annotations

import gc
import os
import queue
import re
import signal
import socket
import subprocess
import sys
import threading
import time

import pytest
import requests
from server_helpers import csv_series, post_files
from uvicorn.protocols.http.h11_impl import H11Protocol

from ei_desktop.core.backends.base import SampleQuery
from ei_desktop.core.backends.local import LocalBackend
from ei_desktop.server.runner import bind
from ei_desktop.server.serve import choose_api_key, serve
from ei_desktop.server.testing import running_server

OWN_KEY = "my-own-key-0123456789"


class ServeProcess:
    """``python -m ei_desktop serve`` with its banner parsed."""

    def __init__(self, *args: str, env: dict | None = None) -> None:
        port = [] if "--port" in args else ["--port", "0"]
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "ei_desktop", "serve", "--create", *port, *args],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            env={**os.environ, "PYTHONUNBUFFERED": "1", **(env or {})},
        )
        self.lines: queue.Queue[str] = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()
        self.output = self.wait_for("Press Ctrl+C")
        self.api = re.search(r"EI_API_ENDPOINT=(\S+)", self.output).group(1)
        self.ingestion = re.search(r"EI_INGESTION_ENDPOINT=(\S+)", self.output).group(1)
        self.key = re.search(r"EI_API_KEY=(\S+)", self.output).group(1)

    def _read(self) -> None:
        for line in self.proc.stdout:
            self.lines.put(line)

    def wait_for(self, text: str, timeout: float = 30) -> str:
        seen = []
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                line = self.lines.get(timeout=0.1)
            except queue.Empty:
                if self.proc.poll() is not None and self.lines.empty():
                    break
                continue
            seen.append(line)
            if text in line:
                return "".join(seen)
        raise AssertionError(f"{text!r} never appeared in:\n{''.join(seen)}")

    def stop(self, sig: int) -> int:
        self.proc.send_signal(sig)
        try:
            return self.proc.wait(timeout=30)
        finally:
            self.proc.kill()


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_serve_generates_a_key_keeps_it_and_stops_cleanly(tmp_path, sig):
    project = tmp_path / "project"
    first = ServeProcess("--project", str(project))
    try:
        assert re.fullmatch(r"ei_[0-9a-f]{64}", first.key)
        assert first.api == first.ingestion + "/v1"
        assert re.fullmatch(r"http://127\.0\.0\.1:\d+", first.ingestion)
        assert "export EI_API_ENDPOINT=" in first.output
        response = post_files(first.ingestion, first.key, [("a.csv", csv_series()[0])])
        assert response.json()["files"][0]["success"]
        projects = requests.get(f"{first.api}/api/projects", headers={"x-api-key": first.key})
        assert projects.status_code == 200
        assert requests.get(f"{first.api}/api/projects").status_code == 401
    finally:
        status = first.stop(sig)
    assert status == 0
    assert "Stopped." in first.wait_for("Stopped.")

    again = ServeProcess("--project", str(project))
    try:
        assert again.key == first.key and "the project's key" in again.output
    finally:
        again.stop(signal.SIGTERM)
    given = ServeProcess("--project", str(project), "--api-key", OWN_KEY)
    try:
        assert given.key == OWN_KEY
        ok = requests.get(f"{given.api}/api/projects", headers={"x-api-key": OWN_KEY})
        assert ok.status_code == 200
        assert (
            requests.get(f"{given.api}/api/projects", headers={"x-api-key": first.key}).status_code
            == 401
        )
    finally:
        given.stop(signal.SIGTERM)
    with LocalBackend(project, create=True) as backend:
        assert backend.setting("api_key") == first.key


def test_choose_api_key(tmp_path):
    with LocalBackend(tmp_path / "p", create=True) as backend:
        assert choose_api_key(backend, "given") == ("given", "given")
        assert backend.setting("api_key") is None
        key, origin = choose_api_key(backend, None)
        assert key.startswith("ei_") and origin.startswith("new")
        assert choose_api_key(backend, None) == (key, "the project's key")


def test_serve_reports_a_port_in_use(tmp_path, capsys):
    taken = bind("127.0.0.1", 0)
    try:
        status = serve(tmp_path / "p", port=taken.getsockname()[1], api_key=OWN_KEY, create=True)
    finally:
        taken.close()
    assert status == 1 and "Cannot listen" in capsys.readouterr().err


def test_running_server_with_a_folder_starts_and_stops(tmp_path):
    with running_server(tmp_path / "new-project", api_key="abc") as (base, key):
        assert key == "abc" and base.startswith("http://127.0.0.1:")
        assert requests.get(f"{base}/v1/api/projects", headers={"x-api-key": key}).ok
    with pytest.raises(requests.ConnectionError):
        requests.get(f"{base}/v1/api/projects", headers={"x-api-key": key}, timeout=2)
    assert (tmp_path / "new-project" / "project.sqlite3").exists()


def test_running_server_leaves_a_given_backend_open(tmp_path):
    with LocalBackend(tmp_path / "p", create=True) as backend:
        with running_server(backend) as (base, key):
            assert key == "test-key"
            post_files(base, key, [("a.csv", csv_series()[0])])
        assert backend.count(SampleQuery()) == 1


def test_accepted_sockets_have_tcp_nodelay(server):
    listening = bind("127.0.0.1", 0)
    try:
        assert listening.proto == socket.IPPROTO_TCP
        assert listening.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY)
    finally:
        listening.close()
    with requests.Session() as session:
        session.get(f"{server.base}/v1/api/projects", headers={"x-api-key": server.key})

        sockets = [
            p.transport.get_extra_info("socket")
            for p in gc.get_objects()
            if isinstance(p, H11Protocol) and p.transport and not p.transport.is_closing()
        ]
        assert sockets
        assert all(s.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY) for s in sockets)


def _free(port: int) -> bool:
    try:
        bind("127.0.0.1", port).close()
        return True
    except OSError:
        return False


@pytest.mark.skipif(not (_free(4800) and _free(4810)), reason="ports 4800/4810 are in use")
def test_the_default_port_also_serves_the_cli_uploaders_ingestion_port(tmp_path):
    proc = ServeProcess("--project", str(tmp_path / "p"), "--port", "4800")
    try:
        assert proc.ingestion == "http://127.0.0.1:4800" and "port 4810" in proc.output
        response = post_files("http://127.0.0.1:4810", proc.key, [("a.csv", csv_series()[0])])
        assert response.json()["files"][0]["success"]
    finally:
        assert proc.stop(signal.SIGTERM) == 0


def test_banner_tells_teammates_where_to_connect_when_listening_on_every_interface(tmp_path):
    from ei_desktop.server.serve import banner, lan_address

    text = banner(tmp_path, 7, "http://127.0.0.1:4800", "k", "given", "0.0.0.0")
    assert "EI_API_ENDPOINT=http://127.0.0.1:4800/v1" in text
    assert "anyone who can reach this address" in text
    lan = lan_address()
    if lan is not None:
        assert f"http://{lan}:4800/v1" in text
    local_only = banner(tmp_path, 7, "http://127.0.0.1:4800", "k", "given", "127.0.0.1")
    assert "Teammates" not in local_only and "anyone who can reach" not in local_only
