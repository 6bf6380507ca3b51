"""A TCP proxy that makes a bad link, deterministically by seed (test-only).

Every accepted connection draws its fate from a seeded generator, and so does every further
request on a kept-alive connection (bytes from the client after bytes from the server): cut
(reset, RST) mid-request after some bytes from the client, cut mid-response after some bytes
from the server, delayed, or left alone. A second seeded generator schedules link drops:
every few seconds the link goes down for a while, resetting every open connection and every
new one until it comes back. Which connections get which fate is fixed by the seed; when
the client makes them depends on timing, as on a real link.
"""

from __future__ import annotations

import random
import selectors
import socket
import struct
import threading
import time
from collections import Counter
from dataclasses import dataclass
from typing import Optional

HOST = "127.0.0.1"


@dataclass
class _Fate:
    kind: str  # "clean", "cut-request", "cut-response", "delay"
    after: int = 0  # bytes let through in the cut direction before the reset
    delay: float = 0.0


def _reset(sock: socket.socket) -> None:
    """Close with RST, as a dropped link does to the endpoint that notices."""
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    except OSError:
        pass
    try:
        sock.close()
    except OSError:
        pass


class FaultProxy:
    """Forward ``127.0.0.1:<port>`` to ``127.0.0.1:upstream_port``, breaking connections.

    Args:
        upstream_port: where the real server listens.
        seed: fixes every fate and the outage schedule.
        cut_rate: share of connections (and requests) reset mid-way (half mid-request, half
            mid-response).
        delay_rate: share of them whose bytes wait a moment before going on.
        outage_every: (min, max) seconds between link drops; ``None``: no drops.
        outage_seconds: how long the link stays down.
    """

    def __init__(
        self,
        upstream_port: int,
        seed: int,
        *,
        cut_rate: float = 0.3,
        delay_rate: float = 0.15,
        outage_every: Optional[tuple[float, float]] = (3.0, 6.0),
        outage_seconds: float = 1.0,
    ) -> None:
        self.upstream_port = upstream_port
        self.cut_rate = cut_rate
        self.delay_rate = delay_rate
        self.outage_every = outage_every
        self.outage_seconds = outage_seconds
        self._fates = random.Random(seed)
        self._schedule = random.Random(seed + 1)
        self._lock = threading.Lock()
        self._live: set[socket.socket] = set()
        self._down = False
        self._stop = threading.Event()
        #: what happened: connections per fate, outages, connections refused while down,
        #: ingestion requests passed on whole (``upload requests``), requests of a sample's
        #: content passed on whole (``content requests``)
        self.stats: Counter = Counter()
        self._listener = socket.create_server((HOST, 0))
        self.port = self._listener.getsockname()[1]
        self._threads = [threading.Thread(target=self._accept, daemon=True)]
        if outage_every is not None:
            self._threads.append(threading.Thread(target=self._outages, daemon=True))
        for thread in self._threads:
            thread.start()

    @property
    def url(self) -> str:
        """``http://127.0.0.1:<port>``."""
        return f"http://{HOST}:{self.port}"

    def close(self) -> None:
        """Stop accepting and reset what is open."""
        self._stop.set()
        try:
            self._listener.close()
        except OSError:
            pass
        self._cut_all()

    def __enter__(self) -> FaultProxy:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def _fate(self) -> _Fate:
        with self._lock:
            draw = self._fates.random()
            after = self._fates.randint(1, 2000)
            delay = self._fates.uniform(0.05, 0.5)
        if draw < self.cut_rate / 2:
            return _Fate("cut-request", after=after)
        if draw < self.cut_rate:
            return _Fate("cut-response", after=after)
        if draw < self.cut_rate + self.delay_rate:
            return _Fate("delay", delay=delay)
        return _Fate("clean")

    def _accept(self) -> None:
        while not self._stop.is_set():
            try:
                client, _ = self._listener.accept()
            except OSError:
                return
            fate = self._fate()
            with self._lock:
                down = self._down
            if down:
                self.stats["refused while down"] += 1
                _reset(client)
                continue
            self.stats[fate.kind] += 1
            threading.Thread(target=self._pump, args=(client, fate), daemon=True).start()

    def _outages(self) -> None:
        assert self.outage_every is not None
        while not self._stop.is_set():
            if self._stop.wait(self._schedule.uniform(*self.outage_every)):
                return
            with self._lock:
                self._down = True
            self.stats["outages"] += 1
            self._cut_all()
            self._stop.wait(self.outage_seconds)
            with self._lock:
                self._down = False

    def _cut_all(self) -> None:
        with self._lock:
            live, self._live = self._live, set()
        for sock in live:
            _reset(sock)

    def _pump(self, client: socket.socket, fate: _Fate) -> None:
        try:
            upstream = socket.create_connection((HOST, self.upstream_port), timeout=10)
        except OSError:
            _reset(client)
            return
        with self._lock:
            if self._down:
                _reset(client)
                _reset(upstream)
                return
            self._live.update((client, upstream))
        sent = {"request": 0, "response": 0}
        answered = False  # the server sent something since the client's last bytes
        selector = selectors.DefaultSelector()
        try:
            selector.register(client, selectors.EVENT_READ, ("request", upstream))
            selector.register(upstream, selectors.EVENT_READ, ("response", client))
            while not self._stop.is_set():
                for key, _ in selector.select(timeout=0.1):
                    direction, target = key.data
                    data = key.fileobj.recv(65536)  # type: ignore[union-attr]
                    if not data:
                        return
                    if direction == "request" and answered:
                        # the next request on a kept-alive connection: it draws its own fate
                        fate = self._fate()
                        self.stats[fate.kind] += 1
                        sent = {"request": 0, "response": 0}
                    answered = direction == "response"
                    if fate.kind == "delay":
                        time.sleep(fate.delay)
                    if fate.kind == f"cut-{direction}" and sent[direction] + len(data) > fate.after:
                        target.sendall(data[: fate.after - sent[direction]])
                        return
                    if direction == "request":
                        self.stats["upload requests"] += data.count(b"/files HTTP/1.1")
                        self.stats["content requests"] += data.count(b"/raw HTTP/1.1")
                    target.sendall(data)
                    sent[direction] += len(data)
        except (OSError, ValueError):
            return  # reset by an outage, or by either end
        finally:
            selector.close()
            with self._lock:
                self._live.discard(client)
                self._live.discard(upstream)
            _reset(client)
            _reset(upstream)
