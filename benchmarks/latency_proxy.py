#!/usr/bin/env python3
"""A TCP proxy on loopback that adds round-trip latency (and optionally caps bandwidth), so a
benchmark can see how a client behaves on a real link to Edge Impulse.

    python benchmarks/latency_proxy.py --target 127.0.0.1:4800 --rtt-ms 50 [--listen-port 4801]
    python benchmarks/latency_proxy.py --ping --rtt-ms 50      # check it: ping-pong times

From another benchmark::

    with LatencyProxy(("127.0.0.1", port), rtt_ms=50) as proxy:
        client.get(f"{proxy.url}/v1/api/projects")

Each direction is a delay line: every chunk read from one side is written to the other side
half the round-trip time after it arrived (plus, with a bandwidth cap, the time the link
needs to carry it, the cap being shared by all connections like one link). So a request and
its response cost one RTT, as on a real link, however many connections are open, and a new
connection's handshake costs nothing extra at the proxy (the first request pays the RTT
like any other). It refuses to listen on or forward to anything but a loopback address.
"""

from __future__ import annotations

import argparse
import asyncio
import ipaddress
import socket
import statistics
import sys
import threading
import time
from typing import Optional

CHUNK = 64 * 1024
#: chunks in flight per direction before the reading side waits (bounds memory)
QUEUE_CHUNKS = 256


def _loopback(host: str) -> str:
    """``host`` resolved, if it is a loopback address; raises ValueError otherwise."""
    try:
        address = socket.getaddrinfo(host, None, proto=socket.IPPROTO_TCP)[0][4][0]
    except socket.gaierror as exc:
        raise ValueError(f"Cannot resolve {host!r}: {exc}") from exc
    if not ipaddress.ip_address(address).is_loopback:
        raise ValueError(f"{host!r} ({address}) is not a loopback address; refusing")
    return address


class _Link:
    """One direction's shared bandwidth: when the link is next free to start sending."""

    def __init__(self, bytes_per_second: Optional[float]) -> None:
        self.rate = bytes_per_second
        self.free_at = 0.0

    def sent_at(self, now: float, size: int) -> float:
        """When a chunk of ``size`` bytes arriving ``now`` has fully left the sender."""
        if not self.rate:
            return now
        start = max(now, self.free_at)
        self.free_at = start + size / self.rate
        return self.free_at


class LatencyProxy:
    """A loopback TCP proxy to ``target`` adding ``rtt_ms`` of round-trip time.

    Args:
        target: ``(host, port)`` to forward to; must be a loopback address.
        rtt_ms: round-trip time added, half in each direction.
        bandwidth_mbit: optional cap in megabits per second, per direction, shared by all
            connections.
        listen_host / listen_port: where to listen (port 0: a free one); loopback only.

    Use it as a context manager (or ``start()`` / ``close()``); ``url`` is
    ``http://host:port`` of the listening side. It runs its own event loop on a thread.
    """

    def __init__(
        self,
        target: tuple[str, int],
        rtt_ms: float = 50.0,
        *,
        bandwidth_mbit: Optional[float] = None,
        listen_host: str = "127.0.0.1",
        listen_port: int = 0,
    ) -> None:
        self.target = (_loopback(target[0]), int(target[1]))
        self.listen_host = _loopback(listen_host)
        self.listen_port = listen_port
        self.one_way = max(0.0, rtt_ms) / 2000.0
        rate = bandwidth_mbit * 1e6 / 8 if bandwidth_mbit else None
        self._links = (_Link(rate), _Link(rate))
        self._loop: Optional[asyncio.AbstractEventLoop] = None
        self._thread: Optional[threading.Thread] = None
        self._server: Optional[asyncio.base_events.Server] = None
        self._tasks: set[asyncio.Task] = set()
        self._ready = threading.Event()
        self._error: Optional[BaseException] = None
        self.connections = 0

    @property
    def address(self) -> tuple[str, int]:
        """The ``(host, port)`` the proxy listens on."""
        return self.listen_host, self.listen_port

    @property
    def url(self) -> str:
        """``http://host:port`` of the listening side."""
        return f"http://{self.listen_host}:{self.listen_port}"

    def start(self) -> LatencyProxy:
        """Listen and forward on a thread of its own; returns once it accepts connections."""
        self._thread = threading.Thread(target=self._run, name="latency-proxy", daemon=True)
        self._thread.start()
        self._ready.wait()
        if self._error is not None:
            raise self._error
        return self

    def close(self) -> None:
        """Stop listening, close every connection and stop the thread."""
        loop, thread = self._loop, self._thread
        if loop is None or thread is None:
            return
        if loop.is_running():
            asyncio.run_coroutine_threadsafe(self._shutdown(), loop).result(timeout=10)
            loop.call_soon_threadsafe(loop.stop)
        thread.join(timeout=10)
        self._loop = self._thread = None

    def __enter__(self) -> LatencyProxy:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.close()

    # -- the event loop's side

    def _run(self) -> None:
        loop = self._loop = asyncio.new_event_loop()
        try:
            self._server = loop.run_until_complete(
                asyncio.start_server(self._accept, self.listen_host, self.listen_port, backlog=512)
            )
            self.listen_port = self._server.sockets[0].getsockname()[1]
        except BaseException as exc:  # reported to start()
            self._error = exc
            self._ready.set()
            loop.close()
            return
        self._ready.set()
        try:
            loop.run_forever()
        finally:
            loop.close()

    async def _shutdown(self) -> None:
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)

    async def _accept(self, client_r: asyncio.StreamReader, client_w: asyncio.StreamWriter):
        task = asyncio.current_task()
        assert task is not None
        self._tasks.add(task)
        self.connections += 1
        server_w: Optional[asyncio.StreamWriter] = None
        try:
            server_r, server_w = await asyncio.open_connection(*self.target)
            for writer in (client_w, server_w):
                sock = writer.get_extra_info("socket")
                if sock is not None:
                    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            directions = [
                asyncio.ensure_future(self._direction(client_r, server_w, self._links[0])),
                asyncio.ensure_future(self._direction(server_r, client_w, self._links[1])),
            ]
            try:
                await asyncio.wait(directions, return_when=asyncio.FIRST_EXCEPTION)
            finally:
                for direction in directions:
                    direction.cancel()
                await asyncio.gather(*directions, return_exceptions=True)
        except (OSError, asyncio.CancelledError):  # a reset, or close(): nothing to report
            pass
        finally:
            for writer in (client_w, server_w):
                if writer is not None:
                    writer.close()
            self._tasks.discard(task)

    async def _direction(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, link: _Link
    ) -> None:
        """Copy ``reader`` to ``writer`` through a delay line (a reader and a writer task)."""
        loop = asyncio.get_running_loop()
        line: asyncio.Queue = asyncio.Queue(QUEUE_CHUNKS)

        async def read() -> None:
            try:
                while True:
                    chunk = await reader.read(CHUNK)
                    now = loop.time()
                    due = link.sent_at(now, len(chunk)) + self.one_way
                    await line.put((due, chunk))
                    if not chunk:
                        return
            except OSError:
                await line.put((loop.time(), None))

        async def write() -> None:
            while True:
                due, chunk = await line.get()
                wait = due - loop.time()
                if wait > 0:
                    await asyncio.sleep(wait)
                if chunk is None:  # the other side reset: pass the reset on
                    writer.transport.abort()
                    return
                if not chunk:
                    if writer.can_write_eof():
                        writer.write_eof()
                    return
                writer.write(chunk)
                await writer.drain()

        reading = asyncio.ensure_future(read())
        try:
            await write()
        finally:
            reading.cancel()
            await asyncio.gather(reading, return_exceptions=True)


# -- the script's side


def _echo_server() -> tuple[socket.socket, threading.Thread]:
    listener = socket.create_server(("127.0.0.1", 0))

    def serve() -> None:
        while True:
            try:
                conn, _ = listener.accept()
            except OSError:
                return
            threading.Thread(target=_echo, args=(conn,), daemon=True).start()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    return listener, thread


def _echo(conn: socket.socket) -> None:
    with conn:
        conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        while data := conn.recv(CHUNK):
            conn.sendall(data)


def ping(rtt_ms: float, count: int = 20, connections: int = 1) -> list[float]:
    """Median ping-pong time (ms) of ``count`` one-byte round trips on each of ``connections``
    concurrent connections through a proxy adding ``rtt_ms``; returns one median each."""
    listener, _ = _echo_server()
    medians: list[float] = []
    lock = threading.Lock()
    try:
        with LatencyProxy(listener.getsockname(), rtt_ms) as proxy:

            def one() -> None:
                times = []
                with socket.create_connection(proxy.address) as sock:
                    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
                    for _ in range(count):
                        started = time.perf_counter()
                        sock.sendall(b"x")
                        sock.recv(1)
                        times.append((time.perf_counter() - started) * 1000)
                with lock:
                    medians.append(statistics.median(times))

            threads = [threading.Thread(target=one) for _ in range(connections)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
    finally:
        listener.close()
    return medians


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--target", help="HOST:PORT to forward to (loopback only)")
    parser.add_argument("--rtt-ms", type=float, default=50.0, help="added round trip (ms)")
    parser.add_argument("--bandwidth-mbit", type=float, help="cap per direction (Mbit/s)")
    parser.add_argument("--listen-port", type=int, default=0)
    parser.add_argument("--ping", action="store_true", help="measure ping-pong through it")
    parser.add_argument("--connections", type=int, default=50, help="concurrent, with --ping")
    parser.add_argument("--json", help="with --ping, also write the figures as JSON")
    args = parser.parse_args()
    if args.ping:
        single = ping(args.rtt_ms)[0]
        many = ping(args.rtt_ms, connections=args.connections)
        print(f"added RTT {args.rtt_ms:.0f} ms: one connection, median ping-pong {single:.1f} ms")
        print(
            f"{args.connections} concurrent connections: medians {min(many):.1f}–"
            f"{max(many):.1f} ms (median {statistics.median(many):.1f} ms)"
        )
        if args.json:
            from figures import Figures

            figures = Figures("latency_proxy")
            for figure_id, what, value in (
                ("ping.one", "one connection", single),
                (
                    "ping.many",
                    f"{args.connections} concurrent connections, median",
                    statistics.median(many),
                ),
            ):
                figures.add(
                    figure_id,
                    f"proxy ping-pong at {args.rtt_ms:g} ms RTT, {what}",
                    value,
                    unit="ms",
                    reference=args.rtt_ms,
                    reference_kind="the RTT asked for",
                    higher_is_better=False,
                )
            figures.write(args.json)
        return 0
    if not args.target:
        parser.error("--target HOST:PORT is needed (or --ping)")
    host, _, port = args.target.rpartition(":")
    with LatencyProxy(
        (host, int(port)),
        args.rtt_ms,
        bandwidth_mbit=args.bandwidth_mbit,
        listen_port=args.listen_port,
    ) as proxy:
        print(
            f"forwarding {proxy.url} -> {args.target} with {args.rtt_ms:.0f} ms RTT; Ctrl-C stops"
        )
        try:
            threading.Event().wait()
        except KeyboardInterrupt:
            pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
