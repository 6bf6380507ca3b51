"""Run a server in a background thread, for tests and for code that needs a live endpoint.

Example::

    from ei_desktop.server.testing import running_server

    with running_server(tmp_path / "project") as (base_url, api_key):
        ei.API_ENDPOINT = base_url + "/v1"
        ei.INGESTION_ENDPOINT = base_url
        ei.API_KEY = api_key
        ...
"""

from __future__ import annotations

import http.client
import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Optional, Union

from ei_desktop.core.backends.local import LocalBackend
from ei_desktop.server.app import create_app
from ei_desktop.server.keys import API_KEY_ENV, check_api_key
from ei_desktop.server.runner import bind, make_server

HOST = "127.0.0.1"
START_TIMEOUT = 15.0


@contextmanager
def running_app(app: Any, *, port: int = 0) -> Iterator[str]:
    """Serve an ASGI ``app`` on ``127.0.0.1:port`` (0: a free port) in a background thread.

    Yields the base URL (``http://127.0.0.1:PORT``) once the server answers HTTP; stops the
    server (waiting for running requests) on exit.

    Raises:
        RuntimeError: the server did not start within 15 seconds.
    """
    sock = bind(HOST, port)
    port = sock.getsockname()[1]
    server = make_server(app)
    thread = threading.Thread(
        target=server.run, kwargs={"sockets": [sock]}, name=f"ei-serve-{port}", daemon=True
    )
    thread.start()
    try:
        _wait_until_answering(port, alive=thread.is_alive)
        yield f"http://{HOST}:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=30)
        sock.close()


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def serve_process(
    project_dir: Union[str, os.PathLike],
    port: int,
    api_key: str,
    *,
    max_open_files: Optional[int] = None,
    stderr: Any = subprocess.DEVNULL,
) -> subprocess.Popen:
    """``ei-desktop serve`` in a process of its own (so it can be killed like a real one),
    returned once it answers HTTP on ``127.0.0.1:port``.

    The project is created if missing. The key goes through ``EI_SERVE_API_KEY`` (not the
    command line), so it must be one ``serve`` accepts. ``max_open_files`` caps
    the process's file descriptors (soft and hard limit), as on a system with a low limit.

    Raises:
        KeyProblem: ``api_key`` is one ``serve`` refuses (too short, spaces, symbols).
        RuntimeError: it did not start within 15 seconds.
    """
    check_api_key(api_key)

    def limit_files() -> None:  # runs in the child, before exec
        import resource

        resource.setrlimit(resource.RLIMIT_NOFILE, (max_open_files, max_open_files))

    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "ei_desktop",
            "serve",
            "--project",
            os.fspath(project_dir),
            "--create",
            "--port",
            str(port),
        ],
        env={**os.environ, API_KEY_ENV: api_key},
        stdout=subprocess.DEVNULL,
        stderr=stderr,
        preexec_fn=limit_files if max_open_files else None,
    )
    try:
        _wait_until_answering(port, alive=lambda: process.poll() is None)
    except RuntimeError:
        process.kill()
        raise
    return process


def _wait_until_answering(port: int, alive) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if not alive():
            raise RuntimeError("The server stopped while starting (see the log above)")
        connection = http.client.HTTPConnection(HOST, port, timeout=1)
        try:
            connection.request("GET", "/openapi.json")
            if connection.getresponse().status == 200:
                return
        except OSError:
            pass
        finally:
            connection.close()
        time.sleep(0.02)
    raise RuntimeError(f"The server on port {port} did not answer within {START_TIMEOUT:.0f} s")


@contextmanager
def running_server(
    project_dir_or_backend: Union[str, os.PathLike, LocalBackend],
    api_key: str = "test-key",
    port: int = 0,
) -> Iterator[tuple[str, str]]:
    """Serve a local project on ``127.0.0.1`` in a background thread.

    Args:
        project_dir_or_backend: a project folder (opened, created if missing, and closed on
            exit) or an open :class:`LocalBackend` (left open).
        api_key: the key clients must send.
        port: the port; 0 picks a free one.

    Yields:
        ``(base_url, api_key)`` where ``base_url`` is ``http://127.0.0.1:PORT``: set
        ``API_ENDPOINT = base_url + "/v1"`` and ``INGESTION_ENDPOINT = base_url``.
    """
    owned = not isinstance(project_dir_or_backend, LocalBackend)
    backend = (
        LocalBackend(Path(project_dir_or_backend), create=True) if owned else project_dir_or_backend  # type: ignore[assignment]
    )
    try:
        with running_app(create_app(backend, api_key), port=port) as base_url:
            yield base_url, api_key
    finally:
        if owned:
            backend.close()


class ProcessMemory:
    """Resident memory of a process, from ``/proc/<pid>/status`` (Linux)."""

    def __init__(self, pid: int) -> None:
        self.pid = pid

    def _field(self, name: str) -> int:
        with open(f"/proc/{self.pid}/status", encoding="ascii") as status:
            for line in status:
                if line.startswith(name + ":"):
                    return int(line.split()[1]) * 1024
        raise RuntimeError(f"/proc/{self.pid}/status has no {name}")

    def rss(self) -> int:
        """Bytes resident now (``VmRSS``)."""
        return self._field("VmRSS")

    def peak(self) -> int:
        """The most bytes resident since the start or the last :meth:`reset_peak` (``VmHWM``)."""
        return self._field("VmHWM")

    def reset_peak(self) -> None:
        """Start measuring the peak again from the current resident size."""
        with open(f"/proc/{self.pid}/clear_refs", "w", encoding="ascii") as refs:
            refs.write("5")


def big_csv(nbytes: int, seed: int = 0) -> bytes:
    """A valid time-series CSV of about ``nbytes`` bytes (3 axes), different for every seed.

    Built from one block of rows repeated with a growing timestamp, so it is quick to make.
    """
    import numpy as np

    rng = np.random.default_rng(seed)
    values = rng.integers(-99999, 99999, size=(20000, 3))
    block = "".join(f"@,{a},{b},{c}\n" for a, b, c in values.tolist()).encode()
    header = b"timestamp,accX,accY,accZ\n"
    blocks = [header]
    size = len(header)
    step = 0
    while size < nbytes - len(block) - 32:
        chunk = block.replace(b"@", str(step * 10).encode())
        blocks.append(chunk)
        size += len(chunk)
        step += 1
    blocks.append(f"{step * 10},0,0,0\n".encode())
    return b"".join(blocks)
