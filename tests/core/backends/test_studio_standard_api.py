"""The HTTP backend kept to the standard Edge Impulse API (no ei-desktop extensions), as
against Edge Impulse itself: listings and downloads run many requests in parallel, give
exactly what the project holds, in order, and wait politely when the server says 429."""

from __future__ import annotations

import asyncio
import threading
import time

import pytest

from ei_desktop.core.backends.base import DownloadFailure, SampleQuery, UploadItem
from ei_desktop.core.backends.local import LocalBackend
from ei_desktop.core.backends.studio import (
    PAGE,
    READ_CONNECTIONS,
    SAMPLE_CONNECTIONS,
    StudioBackend,
)
from ei_desktop.server.app import create_app
from ei_desktop.server.testing import running_app

KEY = "standard-key-0123456789"
SAMPLES = 2 * PAGE + 345  # three listing pages, the last one partly full


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    with LocalBackend(tmp_path_factory.mktemp("standard") / "project", create=True) as backend:
        items = [
            UploadItem(
                f"walk.{i:05d}.csv",
                f"timestamp,accX,accY\n0,{i},1\n10,{i % 7},2\n20,3,{i}\n".encode(),
                category="training" if i % 5 else "testing",
                label=f"l{i % 3}",
            )
            for i in range(SAMPLES)
        ]
        assert all(result.success for result in backend.upload(items))
        yield backend


class RateLimiter:
    """ASGI middleware in front of the real app answering some reads ``429 Too Many
    Requests`` with a ``Retry-After``, and noting when each read arrived."""

    def __init__(self, app, *, every: int, retry_after: str, limit: int | None = None) -> None:
        self.app = app
        self.every = every
        self.retry_after = retry_after.encode()
        self.limit = limit
        self.reads = 0
        self.refused: list[float] = []
        self.arrivals: list[float] = []
        #: the path and query of each read, in the order of ``arrivals``
        self.paths: list[str] = []
        self.in_flight = 0
        self.most_in_flight = 0
        self.lock = threading.Lock()

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http" or "/raw-data" not in scope["path"]:
            await self.app(scope, receive, send)
            return
        with self.lock:
            self.reads += 1
            now = time.monotonic()
            self.arrivals.append(now)
            self.paths.append(f"{scope['path']}?{scope['query_string'].decode()}")
            refuse = self.reads % self.every == 0 and (
                self.limit is None or len(self.refused) < self.limit
            )
            if refuse:
                self.refused.append(now)
        if refuse:
            headers = [(b"content-type", b"application/json"), (b"retry-after", self.retry_after)]
            await send({"type": "http.response.start", "status": 429, "headers": headers})
            body = b'{"success":false,"error":"Too many requests"}'
            await send({"type": "http.response.body", "body": body})
            return
        with self.lock:
            self.in_flight += 1
            self.most_in_flight = max(self.most_in_flight, self.in_flight)
        try:
            await self.app(scope, receive, send)
        finally:
            with self.lock:
                self.in_flight -= 1


def standard(base: str) -> StudioBackend:
    return StudioBackend(KEY, f"{base}/v1", base, extensions=False)


def expected_listing(project, query: SampleQuery) -> list[tuple]:
    return [(i.sample_id, i.filename, i.category, i.label) for i in project.sample_infos(query)]


def listed(client: StudioBackend, query: SampleQuery) -> list[tuple]:
    return [(i.sample_id, i.filename, i.category, i.label) for i in client.sample_infos(query)]


def test_listings_and_downloads_are_complete_and_in_order(project):
    ids = project.sample_ids(SampleQuery()).tolist()
    wanted = ids[::-1][:600] + [987654]  # newest first, and one that does not exist
    limiter = RateLimiter(create_app(project, KEY), every=10**9, retry_after="0")
    with running_app(limiter) as base:
        client = standard(base)
        for query in (
            SampleQuery(),
            SampleQuery(category="training"),
            SampleQuery(sort="filename", descending=False),
        ):
            assert listed(client, query) == expected_listing(project, query)
        assert client.sample_ids(SampleQuery()).tolist() == ids
        by_name = SampleQuery(sort="filename", descending=True)
        pages = list(client.iter_samples(by_name, page_size=128))  # many pages, in order
        samples = client.iter_samples(by_name, page_size=100)
        stopped = [next(samples) for _ in range(300)]
        samples.close()  # a reader stopping early leaves nothing running
        listing_in_flight, limiter.most_in_flight = limiter.most_in_flight, 0
        downloaded = client.download(wanted)
        client.close()
    assert [r.id for r in pages] == [r.id for r in project.iter_samples(by_name)]
    assert [r.id for r in stopped] == [r.id for r in project.iter_samples(by_name)][:300]
    assert len(downloaded) == len(wanted) and downloaded[-1] is None
    assert [d.record.id for d in downloaded[:-1]] == wanted[:-1]
    local = project.download(wanted[:-1])
    assert [d.data for d in downloaded[:-1]] == [d.data for d in local]
    # many requests at once, as the official SDK's pool, and never more than the bounds
    assert 4 < listing_in_flight <= READ_CONNECTIONS
    assert 4 < limiter.most_in_flight <= SAMPLE_CONNECTIONS


def test_a_server_answering_429_still_gives_everything(project):
    ids = project.sample_ids(SampleQuery()).tolist()
    limiter = RateLimiter(create_app(project, KEY), every=4, retry_after="0.05")
    with running_app(limiter) as base:
        client = standard(base)
        infos = listed(client, SampleQuery())
        downloaded = client.download(ids[:300])
        client.close()
    assert len(limiter.refused) > 50
    assert infos == expected_listing(project, SampleQuery())
    assert not any(isinstance(d, DownloadFailure) for d in downloaded)
    local = project.download(ids[:300])
    assert [d.data for d in downloaded] == [d.data for d in local]


def test_retry_after_pauses_every_request_not_only_the_refused_one(project):
    """Times are the server's own (when each read reached it); only lower bounds and counts
    are asserted, so a slow machine cannot fail the test."""
    ids = project.sample_ids(SampleQuery()).tolist()
    limiter = RateLimiter(create_app(project, KEY), every=40, retry_after="1.5", limit=1)
    with running_app(limiter) as base:
        client = standard(base)
        downloaded = client.download(ids[:200])
        client.close()
    assert all(d is not None and not isinstance(d, DownloadFailure) for d in downloaded)
    (refused,) = limiter.refused
    pause_over = refused + 1.5
    refused_path = limiter.paths[limiter.arrivals.index(refused)]
    during = [
        path
        for t, path in zip(limiter.arrivals, limiter.paths)
        if refused < t < pause_over and path != refused_path
    ]
    # Reads the other connections had already sent off when the 429 left may still reach the
    # server during the pause: one per connection at most, as each of them waits before its
    # next read (a download keeps up to SAMPLE_CONNECTIONS in flight). A client pausing only
    # the refused read would send most of the ~160 left.
    assert len(during) <= SAMPLE_CONNECTIONS - 1, f"{len(during)} reads sent during the pause"
    # the refused read itself is sent again, and not before the pause it was told is over
    again = [t for t, path in zip(limiter.arrivals, limiter.paths) if path == refused_path]
    assert len(again) == 2 and again[1] >= pause_over


def test_a_server_that_keeps_refusing_ends_in_a_clear_failure_per_sample(project):
    ids = project.sample_ids(SampleQuery()).tolist()[:5]
    app = create_app(project, KEY)
    with running_app(app) as base:
        client = standard(base)
        client.project_id()
    limiter = RateLimiter(app, every=1, retry_after="0")
    with running_app(limiter) as base:
        client = standard(base)
        client._project_id = 1  # (the project answered above; only reads are refused)
        downloaded = client.download(ids)
        client.close()
    assert [type(d) for d in downloaded] == [DownloadFailure] * 5
    assert all("429" in d.error for d in downloaded)


def test_a_ca_bundle_named_in_the_environment_is_still_the_one_used(tmp_path, monkeypatch):
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "NO_PROXY", "NETRC"):
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.lower(), raising=False)
    monkeypatch.setenv("HOME", str(tmp_path))  # no ~/.netrc
    monkeypatch.delenv("CURL_CA_BUNDLE", raising=False)
    missing = tmp_path / "no-such-bundle.pem"
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(missing))
    client = StudioBackend(KEY, "https://127.0.0.1:9/v1", "https://127.0.0.1:9")
    with pytest.raises(OSError, match="no-such-bundle"):
        client.project_id()
    client.close()


class AddsBeforeLastPage:
    """ASGI middleware that, when the listing page at offset ``PAGE`` is asked for, waits
    until the first page was answered, then adds ``added`` samples to the project (newer
    ones, listed first): that page then starts with the last samples of the first one."""

    def __init__(self, app, project: LocalBackend, added: int) -> None:
        self.app = app
        self.project = project
        self.added = added
        self.first_answered = threading.Event()

    async def __call__(self, scope, receive, send):
        path, query = scope.get("path", ""), scope.get("query_string", b"").decode()
        listing = scope["type"] == "http" and path.endswith("/raw-data")
        if listing and f"offset={PAGE}" in query.split("&"):
            await asyncio.to_thread(self.first_answered.wait, 30)
            items = [
                UploadItem(f"new.{i}.csv", f"timestamp,x\n0,-{i}\n10,1\n".encode())
                for i in range(self.added)
            ]
            assert all(r.success for r in await asyncio.to_thread(self.project.upload, items))
        await self.app(scope, receive, send)
        if listing and "offset=0" in query.split("&"):
            self.first_answered.set()


def test_a_sample_two_pages_both_hold_is_listed_once(tmp_path):
    with LocalBackend(tmp_path / "project", create=True) as project:
        items = [
            UploadItem(f"s.{i:05d}.csv", f"timestamp,x\n0,{i}\n10,1\n".encode(), label="a")
            for i in range(PAGE + 100)
        ]
        assert all(result.success for result in project.upload(items))
        before = expected_listing(project, SampleQuery())
        app = AddsBeforeLastPage(create_app(project, KEY), project, added=10)
        with running_app(app) as base:
            client = standard(base)
            got = listed(client, SampleQuery())
            client.close()
        assert app.first_answered.is_set()
        assert len(expected_listing(project, SampleQuery())) == len(before) + 10
    # the second page began 10 samples early: those 10 came twice and are kept once
    assert got == before
