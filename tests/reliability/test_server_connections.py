"""A real ``ei-desktop serve`` process against raw sockets that never finish a request:
they are closed after the header deadline, and real requests are served while they are open,
even with a low open-file limit.
"""

from __future__ import annotations

import socket
import sys
import time

import pytest
import requests

from ei_desktop.server.protocol import HEADER_TIMEOUT
from ei_desktop.server.runner import KEEP_ALIVE_SECONDS
from ei_desktop.server.testing import free_port, serve_process

pytestmark = pytest.mark.slow

KEY = "connection-key-0123456789"
HEADERS = {"x-api-key": KEY}
#: how long past a deadline the server may take to act on a busy machine
GRACE = 20.0


@pytest.fixture
def nofile():
    """Room for this test's sockets: the soft open-file limit raised to the hard one."""
    if sys.platform == "win32":
        pytest.skip("POSIX resource limits")
    import resource

    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    yield hard
    resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))


def start(tmp_path, **options):
    port = free_port()
    return serve_process(tmp_path / "project", port, KEY, **options), port


def connect(port: int) -> socket.socket:
    sock = socket.create_connection(("127.0.0.1", port), timeout=10)
    sock.setblocking(False)
    return sock


def closed_by_server(sock: socket.socket) -> bool:
    try:
        return sock.recv(65536) == b""
    except BlockingIOError:
        return False
    except ConnectionResetError:
        return True


def wait_until_closed(socks: list[socket.socket], timeout: float, trickle=()) -> list:
    """The sockets still open after ``timeout`` seconds (``trickle`` ones get a byte a second)."""
    deadline = time.monotonic() + timeout
    open_ = list(socks)
    next_byte = time.monotonic()
    while open_ and time.monotonic() < deadline:
        if time.monotonic() >= next_byte:
            for sock in trickle:
                try:
                    sock.send(b"X")
                except OSError:
                    pass
            next_byte += 1.0
        open_ = [s for s in open_ if not closed_by_server(s)]
        time.sleep(0.2)
    return open_


def test_connections_without_a_complete_request_are_closed(tmp_path, nofile):
    process, port = start(tmp_path)
    socks: list[socket.socket] = []
    try:
        silent = [connect(port) for _ in range(60)]
        partial = [connect(port) for _ in range(60)]
        for sock in partial:
            sock.send(b"GET /v1/api/projects HTTP/1.1\r\nHost: x\r\n")
        trickling = [connect(port) for _ in range(20)]
        for sock in trickling:
            sock.send(b"GET /v1/api/projects HTTP/1.1\r\nX-Slow: ")
        socks = silent + partial + trickling
        assert requests.get(f"http://127.0.0.1:{port}/v1/api/projects", headers=HEADERS).ok
        still_open = wait_until_closed(socks, HEADER_TIMEOUT + GRACE, trickle=trickling)
        assert not still_open, f"{len(still_open)} of {len(socks)} sockets still open"
    finally:
        for sock in socks:
            sock.close()
        process.kill()
        process.wait(timeout=30)


def test_an_idle_keep_alive_connection_is_closed_after_its_response(tmp_path):
    process, port = start(tmp_path)
    try:
        sock = connect(port)
        sock.setblocking(True)
        sock.sendall(
            b"GET /v1/api/projects HTTP/1.1\r\nHost: x\r\nx-api-key: " + KEY.encode() + b"\r\n\r\n"
        )
        assert sock.recv(65536).startswith(b"HTTP/1.1 200")
        sock.setblocking(False)
        assert not wait_until_closed([sock], KEEP_ALIVE_SECONDS + GRACE)
        sock.close()
    finally:
        process.kill()
        process.wait(timeout=30)


def test_real_requests_are_served_while_idle_sockets_exceed_the_servers_file_limit(
    tmp_path, nofile
):
    server_limit = 256
    process, port = start(tmp_path, max_open_files=server_limit)
    socks: list[socket.socket] = []
    try:
        for _ in range(3 * server_limit):
            try:
                socks.append(socket.create_connection(("127.0.0.1", port), timeout=5))
            except OSError:
                break  # the listen backlog is full: enough pressure
        assert len(socks) > server_limit
        with requests.Session() as session:
            for _ in range(5):
                response = session.get(
                    f"http://127.0.0.1:{port}/v1/api/projects", headers=HEADERS, timeout=30
                )
                assert response.status_code == 200
        assert process.poll() is None
    finally:
        for sock in socks:
            sock.close()
        process.kill()
        process.wait(timeout=30)
