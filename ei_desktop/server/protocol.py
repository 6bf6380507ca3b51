"""uvicorn's HTTP/1.1 protocol with the connection deadlines it lacks.

uvicorn only times out a connection that stays silent after a response (its keep-alive
timeout), and any byte received cancels even that: a connection that never sends a request,
or sends its headers a byte at a time, is kept forever, holding a file descriptor. Enough of
them and the server cannot accept real clients. This subclass adds:

* a header deadline: from the moment a connection opens, or its previous response ends, the
  client has :data:`HEADER_TIMEOUT` seconds to send a complete request line and headers,
  however it trickles them;
* a body read timeout: a client sending a body must not stall longer than
  :data:`BODY_IDLE_TIMEOUT` between bytes (unless the server paused reading);
* a connection cap: when the server holds :attr:`ConnectionLimits.max_connections`
  connections, a new one closes the oldest that is only waiting for a request, so idle or
  half-open sockets can never starve clients with real requests;
* a lingering close after refusing a malformed request: uvicorn answers 400 and closes at
  once, and closing a socket with unread bytes of the request makes the kernel send a reset,
  which can reach the client before it reads the answer (the official SDK then aborts its
  whole batch on "connection reset" instead of failing one sample). The answer is followed by
  a half-close, and whatever the client still sends is read and dropped until it closes its
  side or :data:`LINGER_TIMEOUT` passes.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass
from typing import Any, Optional

import h11
from uvicorn.protocols.http.h11_impl import H11Protocol

#: seconds a client has to send a complete request line and headers
HEADER_TIMEOUT = 10.0
#: seconds a request body may stall between bytes
BODY_IDLE_TIMEOUT = 60.0
#: file descriptors kept free for the project's database, blobs and the listening sockets
RESERVED_FILES = 64
#: connections asyncio accepts in one go before the protocol of the first sees them (the
#: server's backlog); the cap leaves room for one such burst below the open-file limit
ACCEPT_BURST = 128
#: seconds the rest of a refused request is read and dropped before the socket is closed
LINGER_TIMEOUT = 5.0
UNLIMITED = 1 << 20


@dataclass
class ConnectionLimits:
    """Deadlines and the connection cap of one server."""

    header_timeout: float = HEADER_TIMEOUT
    body_idle_timeout: float = BODY_IDLE_TIMEOUT
    max_connections: int = 10_000


def open_file_limit() -> int:
    """The soft limit of open files of the process (a large number where there is none)."""
    try:
        import resource
    except ImportError:  # Windows: no such limit on sockets
        return UNLIMITED
    soft = resource.getrlimit(resource.RLIMIT_NOFILE)[0]
    return UNLIMITED if soft == resource.RLIM_INFINITY else soft


def raise_open_file_limit() -> int:
    """Raise the soft limit of open files to the hard limit (what many servers do at start);
    returns the resulting soft limit.
    """
    try:
        import resource
    except ImportError:
        return UNLIMITED
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft != hard:
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
        except (ValueError, OSError):
            pass
    return open_file_limit()


def connection_limits_for(open_files: int) -> ConnectionLimits:
    """Limits whose connection cap keeps a burst of accepts within ``open_files``, with
    :data:`RESERVED_FILES` descriptors to spare.
    """
    room = open_files - RESERVED_FILES - ACCEPT_BURST
    return ConnectionLimits(max_connections=max(16, min(100_000, room)))


def protocol_class(limits: ConnectionLimits) -> type[H11Protocol]:
    """An :class:`H11Protocol` subclass enforcing ``limits`` (pass it as uvicorn's ``http``)."""
    return type("DeadlineH11Protocol", (DeadlineH11Protocol,), {"limits": limits})


class DeadlineH11Protocol(H11Protocol):
    """One HTTP/1.1 connection with a header deadline, a body read timeout and a cap."""

    limits = ConnectionLimits()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._deadline: Optional[asyncio.TimerHandle] = None
        self._body_timer: Optional[asyncio.TimerHandle] = None
        self._linger_timer: Optional[asyncio.TimerHandle] = None
        self.opened = time.monotonic()

    # -- asyncio.Protocol ---------------------------------------------------------------------

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        """Accept the connection (making room if the cap is reached), start the deadline."""
        super().connection_made(transport)
        if len(self.connections) > self.limits.max_connections:
            self._close_oldest_waiting()
        self._arm_deadline()

    def connection_lost(self, exc: Optional[Exception]) -> None:
        """Forget the timers, then let uvicorn clean up."""
        self._cancel_timers()
        super().connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        """Feed the parser; stop the deadline once the headers are in."""
        if self._linger_timer is not None:
            return  # the rest of a refused request
        super().data_received(data)
        if self._linger_timer is None:
            self._after_input()

    def eof_received(self) -> None:
        """The client closed its side: end a lingering close at once."""
        if self._linger_timer is not None:
            self._close()
            return
        super().eof_received()

    # -- uvicorn hooks ------------------------------------------------------------------------

    def on_response_complete(self) -> None:
        """A response ended: the next request's headers are due within the deadline."""
        super().on_response_complete()
        if self.conn.their_state is h11.IDLE and not self.transport.is_closing():
            self._arm_deadline()

    def send_400_response(self, msg: str) -> None:
        """Answer a request the parser refused, as uvicorn does, then close lingeringly."""
        headers = [(b"content-type", b"text/plain; charset=utf-8"), (b"connection", b"close")]
        for event in (
            h11.Response(status_code=400, headers=headers, reason=b"Bad Request"),
            h11.Data(data=msg.encode("ascii")),
            h11.EndOfMessage(),
        ):
            self.transport.write(self.conn.send(event))
        self._linger()

    # -- timers -------------------------------------------------------------------------------

    def waiting_for_request(self) -> bool:
        """True while no request is being received or answered on this connection."""
        return self.conn.their_state is h11.IDLE and (
            self.cycle is None or self.cycle.response_complete
        )

    def _after_input(self) -> None:
        state = self.conn.their_state
        if state is not h11.IDLE and self._deadline is not None:
            self._deadline.cancel()
            self._deadline = None
        if self._body_timer is not None:
            self._body_timer.cancel()
            self._body_timer = None
        if state is h11.SEND_BODY and not self.transport.is_closing():
            self._body_timer = self.loop.call_later(
                self.limits.body_idle_timeout, self._body_stalled
            )

    def _arm_deadline(self) -> None:
        if self._deadline is not None:
            self._deadline.cancel()
        self._deadline = self.loop.call_later(self.limits.header_timeout, self._headers_late)

    def _cancel_timers(self) -> None:
        for timer in (self._deadline, self._body_timer, self._linger_timer):
            if timer is not None:
                timer.cancel()
        self._deadline = self._body_timer = self._linger_timer = None

    def _linger(self) -> None:
        self._cancel_timers()
        if self.transport.is_closing():
            return
        self._linger_timer = self.loop.call_later(LINGER_TIMEOUT, self._close)
        if self.transport.can_write_eof():
            self.transport.write_eof()  # sent once the answer is out
        self.transport.resume_reading()

    def _headers_late(self) -> None:
        self._deadline = None
        if self.conn.their_state is h11.IDLE:
            self._close()

    def _body_stalled(self) -> None:
        self._body_timer = None
        if self.conn.their_state is not h11.SEND_BODY:
            return
        if self.flow.read_paused:  # the server is behind, not the client
            self._after_input()
            return
        self._close()

    def _close(self) -> None:
        if not self.transport.is_closing():
            self.transport.close()

    def _close_oldest_waiting(self) -> None:
        waiting = [
            c
            for c in self.connections
            if c is not self
            and isinstance(c, DeadlineH11Protocol)
            and c.waiting_for_request()
            and not c.transport.is_closing()
        ]
        if waiting:
            min(waiting, key=lambda c: c.opened)._close()
