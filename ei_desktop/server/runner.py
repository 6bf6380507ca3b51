"""Run an app with uvicorn on a socket we bind ourselves (so port 0 works and the real port
is known before the server starts).
"""

from __future__ import annotations

import os
import socket
from typing import Any, Optional

import uvicorn

from ei_desktop.server.protocol import (
    ACCEPT_BURST,
    ConnectionLimits,
    connection_limits_for,
    open_file_limit,
    protocol_class,
)

#: seconds an idle keep-alive connection stays open after a response (clients notice the close
#: before reusing a pooled connection; a silent one holds a file descriptor)
KEEP_ALIVE_SECONDS = 5


def bind(host: str, port: int) -> socket.socket:
    """A listening TCP socket on ``host:port`` (``port`` 0: any free port).

    Raises:
        OSError: the address is in use or cannot be bound.
    """
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    # proto must be IPPROTO_TCP, not 0: asyncio sets TCP_NODELAY on accepted sockets only
    # when their proto says TCP, and without it every keep-alive request stalls ~40 ms
    # (Nagle + delayed ACK). Linux also copies TCP_NODELAY from the listening socket.
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    try:
        if os.name == "posix":
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        sock.bind((host, port))
        sock.listen(2048)
    except OSError:
        sock.close()
        raise
    return sock


def url_host(host: str) -> str:
    """``host`` as it goes into a URL (IPv6 literals in brackets)."""
    return f"[{host}]" if ":" in host and not host.startswith("[") else host


def make_server(
    app: Any, *, log_level: str = "warning", limits: Optional[ConnectionLimits] = None
) -> uvicorn.Server:
    """A uvicorn server for ``app``: lifespan on, no access log (it costs more than a small
    upload), short keep-alive, a deadline for request headers and a cap on connections
    (``limits``; default: what the process's open-file limit allows), 5 s grace for running
    requests at shutdown.

    Sockets come from :func:`bind`, which makes sure accepted connections get
    ``TCP_NODELAY`` (tests check it).
    """
    if limits is None:
        limits = connection_limits_for(open_file_limit())
    config = uvicorn.Config(
        app,
        http=protocol_class(limits),
        backlog=ACCEPT_BURST,
        lifespan="on",
        log_level=log_level,
        access_log=False,
        timeout_keep_alive=KEEP_ALIVE_SECONDS,
        timeout_graceful_shutdown=5,
        server_header=False,
    )
    return uvicorn.Server(config)
