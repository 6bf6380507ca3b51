"""``ei-desktop serve``: open a local project and serve it until Ctrl+C / SIGTERM."""

from __future__ import annotations

import contextlib
import ipaddress
import os
import secrets
import signal
import socket
import sqlite3
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Optional, TextIO

import uvicorn

from ei_desktop.core import connection
from ei_desktop.core.backends.base import BackendError, DamagedProjectError
from ei_desktop.core.backends.local import LocalBackend
from ei_desktop.server.app import create_app
from ei_desktop.server.budget import return_large_blocks
from ei_desktop.server.keys import KeyProblem, given_api_key
from ei_desktop.server.project import ServedProject
from ei_desktop.server.protocol import raise_open_file_limit
from ei_desktop.server.runner import bind, make_server, url_host

API_KEY_SETTING = "api_key"
#: the Edge Impulse CLI uploader talks to a local host on fixed ports: Studio API on 4800,
#: ingestion on 4810 (contract §11); on the default port we also listen on the second one
STUDIO_PORT = 4800
CLI_INGESTION_PORT = 4810


def new_api_key() -> str:
    """A key shaped like Edge Impulse's: ``ei_`` + 64 hex digits."""
    return "ei_" + secrets.token_hex(32)


def choose_api_key(backend: ServedProject, api_key: Optional[str]) -> tuple[str, str]:
    """The key to require and where it came from: the given one, else the project's stored
    key, else a new one (stored in the project so it survives restarts).
    """
    if api_key:
        return api_key, "given"
    stored = backend.setting(API_KEY_SETTING)
    if stored:
        return stored, "the project's key"
    key = new_api_key()
    backend.set_setting(API_KEY_SETTING, key)
    return key, "new, saved in the project"


def connect_host(host: str) -> str:
    """The address a local client uses to reach a server listening on ``host`` (a wildcard
    address is not one to connect to).
    """
    return {"0.0.0.0": "127.0.0.1", "": "127.0.0.1", "::": "::1"}.get(host, host)


def lan_address() -> Optional[str]:
    """The address of this machine on its local network, if any (no packet is sent)."""
    try:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
            probe.connect(("192.0.2.1", 9))  # TEST-NET-1: picks the outgoing interface
            address = probe.getsockname()[0]
    except OSError:
        return None
    return None if address.startswith("127.") else address


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def banner(
    project: str,
    project_id: int,
    base_url: str,
    key: str,
    origin: str,
    host: str,
    cli_port: Optional[int] = None,
) -> str:
    """What ``serve`` prints on start: endpoints, key and how to point the SDK at them."""
    lines = [
        f"Serving local project {project} (project id {project_id})",
        f"  EI_API_ENDPOINT={base_url}/v1",
        f"  EI_INGESTION_ENDPOINT={base_url}",
        f"  EI_API_KEY={key}  ({origin})",
        "",
        "Point the Edge Impulse SDK or CLI at it with:",
        f"  export EI_API_ENDPOINT={base_url}/v1 EI_INGESTION_ENDPOINT={base_url} EI_API_KEY={key}",
        "or in Python: edgeimpulse.API_ENDPOINT, .INGESTION_ENDPOINT and .API_KEY.",
    ]
    if cli_port is not None:
        lines += [
            "",
            f"Also listening on port {cli_port} for the Edge Impulse CLI uploader:",
            f"  EI_HOST={connect_host(host)} edge-impulse-uploader --api-key {key} FILES",
        ]
    if not _is_loopback(host):
        lines += [""]
        lan = lan_address() if host in ("0.0.0.0", "", "::") else None
        if lan is not None:
            port = base_url.rsplit(":", 1)[-1]
            lines += [
                f"Teammates on your network use http://{lan}:{port}/v1 and http://{lan}:{port}"
            ]
        lines += [
            f"Listening on {host}: anyone who can reach this address and has the key can read"
            " and change the project.",
        ]
    lines += ["", "Press Ctrl+C to stop."]
    return "\n".join(lines)


@contextlib.contextmanager
def _stopped_by_signals(server: uvicorn.Server) -> Iterator[None]:
    """Ctrl+C and SIGTERM ask ``server`` to stop gracefully (a second Ctrl+C: at once),
    from the moment the banner can be read, not just once uvicorn has set its own handlers.

    The handlers only set flags: an exception raised while asyncio is still setting up
    can leave the event loop's shutdown waiting forever.
    """

    def ask_to_stop(signum, _frame) -> None:
        if server.should_exit and signum == signal.SIGINT:
            server.force_exit = True
        server.should_exit = True

    previous = {sig: signal.signal(sig, ask_to_stop) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def serve(
    project: Optional[str | os.PathLike] = None,
    host: str = "127.0.0.1",
    port: int = 4800,
    api_key: Optional[str] = None,
    *,
    api_key_file: Optional[str | os.PathLike] = None,
    create: bool = False,
    out: TextIO = sys.stdout,
) -> int:
    """Serve a local project over the Edge Impulse API until interrupted; returns an exit
    status. Problems that stop it from starting are one line on stderr and status 1.

    Args:
        project: the project folder (default: the selected local project, created if new).
        host: address to listen on (default loopback only).
        port: port for both APIs (0: any free port); on the default 4800 the server also
            listens on 4810 when it is free, where the Edge Impulse CLI uploader expects
            the ingestion service.
        api_key: the key clients must send; else the one in ``api_key_file``, else
            ``$EI_SERVE_API_KEY``, else the project's own (generated once).
        api_key_file: a file holding the key.
        create: make a new project at ``project`` if it is not one yet.
    """
    try:
        given, origin = given_api_key(api_key, api_key_file)
    except KeyProblem as exc:
        print(str(exc), file=sys.stderr)
        return 1
    path = Path(project).expanduser() if project else connection.local_project_path()
    try:
        backend = open_project(path, create=create or not project)
    except BackendError as exc:
        print(f"Cannot open the project: {one_line(exc)}", file=sys.stderr)
        return 1
    try:
        return _serve(backend, host, port, given, origin, out)
    except (BackendError, sqlite3.DatabaseError) as exc:  # damaged, found while starting
        print(f"Cannot serve the project: {one_line(exc)}", file=sys.stderr)
        return 1
    finally:
        backend.close()


def open_project(path: Path, *, create: bool) -> LocalBackend:
    """The local project at ``path`` (a new one only with ``create``).

    Raises:
        BackendError: not a project, damaged, or unreadable (a database that is not SQLite
            at all included).
    """
    try:
        return LocalBackend(path, create=create)
    except sqlite3.DatabaseError as exc:
        raise DamagedProjectError(
            f"The project at {path} is damaged: its database cannot be read ({exc})"
        ) from None


def one_line(exc: BaseException) -> str:
    """An error's message on a single line."""
    return " ".join(str(exc).split())


def _serve(
    backend: ServedProject,
    host: str,
    port: int,
    given: Optional[str],
    given_origin: str,
    out: TextIO,
) -> int:
    key, origin = (given, given_origin) if given else choose_api_key(backend, None)
    try:
        sockets = [bind(host, port)]
    except OSError as exc:
        print(f"Cannot listen on {host}:{port}: {exc.strerror or exc}", file=sys.stderr)
        return 1
    if port == STUDIO_PORT:
        try:
            sockets.append(bind(host, CLI_INGESTION_PORT))
        except OSError:
            pass  # optional: only the CLI uploader needs it
    base_url = f"http://{url_host(connect_host(host))}:{sockets[0].getsockname()[1]}"
    cli_port = CLI_INGESTION_PORT if len(sockets) > 1 else None
    return_large_blocks()
    try:
        app = create_app(backend, key)
    except BaseException:
        for sock in sockets:
            sock.close()
        raise
    raise_open_file_limit()
    server = make_server(app, log_level="info")
    try:
        with _stopped_by_signals(server):
            print(
                banner(
                    backend.description, backend.project_id(), base_url, key, origin, host, cli_port
                ),
                file=out,
            )
            out.flush()
            server.run(sockets=sockets)
    finally:
        for sock in sockets:
            sock.close()
    print("Stopped.", file=out)
    return 0
