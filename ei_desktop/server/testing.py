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
from typing import Any, Union

from ei_desktop.core.backends.local import LocalBackend
from ei_desktop.server.app import create_app
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
    project_dir: Union[str, os.PathLike], port: int, api_key: str
) -> subprocess.Popen:
    """``ei-desktop serve`` in a process of its own (so it can be killed like a real one),
    returned once it answers HTTP on ``127.0.0.1:port``.

    Raises:
        RuntimeError: it did not start within 15 seconds.
    """
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "ei_desktop",
            "serve",
            "--project",
            os.fspath(project_dir),
            "--port",
            str(port),
            "--api-key",
            api_key,
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
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
        LocalBackend(Path(project_dir_or_backend)) if owned else project_dir_or_backend  # type: ignore[assignment]
    )
    try:
        with running_app(create_app(backend, api_key), port=port) as base_url:
            yield base_url, api_key
    finally:
        if owned:
            backend.close()
