"""The HTTP backend under faults: a server killed and restarted mid-upload, injected 500s and
429s, and a cancelled upload. Each ends with an exact report and no sample lost or doubled."""

from __future__ import annotations

import io
import os
import signal
import socket
import threading
import time

import pytest

from ei_desktop.core.backends.base import BackendError, InvalidApiKey, SampleQuery, UploadItem
from ei_desktop.core.backends.local import LocalBackend
from ei_desktop.core.backends.studio import StudioBackend
from ei_desktop.core.convert import sample_to_item
from ei_desktop.core.model import Sample
from ei_desktop.core.progress import CancelToken
from ei_desktop.server.app import create_app
from ei_desktop.server.testing import free_port, running_app, serve_process

KEY = "fault-key-0123456789"


def items(count: int, offset: int = 0) -> list[UploadItem]:
    return [
        UploadItem(
            f"f{offset + i:05d}.csv",
            f"timestamp,x\n0,{offset + i}\n10,{i}\n".encode(),
            category="training",
        )
        for i in range(count)
    ]


def assert_exact(results, project_dir, expected: int) -> None:
    assert len(results) == expected
    assert all(r.success for r in results), {r.error for r in results if not r.success}
    ids = [r.sample_id for r in results]
    assert len(set(ids)) == expected
    with LocalBackend(project_dir, create=True) as project:
        total, distinct = project._one("SELECT count(*), count(DISTINCT sha256) FROM contents")
        assert total == distinct == expected
        assert sorted(ids) == sorted(project.sample_ids(SampleQuery()).tolist())
        assert project.check().ok


def serve(project_dir, port: int):
    return serve_process(project_dir, port, KEY)


@pytest.mark.skipif(os.name == "nt", reason="SIGKILL is POSIX")
def test_server_killed_and_restarted_mid_upload(tmp_path):
    project_dir = tmp_path / "project"
    port = free_port()
    server = serve(project_dir, port)
    base = f"http://127.0.0.1:{port}"
    client = StudioBackend(KEY, f"{base}/v1", base, max_workers=2)
    done = []
    outcome = {}

    def upload():
        outcome["results"] = client.upload(items(3000), progress=lambda p: done.append(p.done))

    thread = threading.Thread(target=upload)
    thread.start()
    try:
        deadline = time.monotonic() + 60
        while len(done) < 300 and time.monotonic() < deadline:
            time.sleep(0.005)
        server.send_signal(signal.SIGKILL)
        server.wait()
        time.sleep(0.5)  # the client sees refused connections and backs off
        server = serve(project_dir, port)
        thread.join(timeout=120)
        assert not thread.is_alive()
    finally:
        server.terminate()
        server.wait(timeout=10)
        client.close()
    assert len(done) >= 300
    assert_exact(outcome["results"], project_dir, 3000)


class FaultInjector:
    """ASGI middleware answering some ingestion requests with 500 or 429 before the app."""

    def __init__(self, app, pattern: list[int]) -> None:
        self.app = app
        self.pattern = pattern
        self.uploads = 0
        self.injected = 0
        self.lock = threading.Lock()

    async def __call__(self, scope, receive, send):
        if scope["type"] == "http" and scope["path"].endswith("/files"):
            with self.lock:
                status = self.pattern[self.uploads % len(self.pattern)]
                self.uploads += 1
            if status:
                self.injected += 1
                headers = [(b"content-type", b"application/json")]
                if status == 429:
                    headers.append((b"retry-after", b"0"))
                await send({"type": "http.response.start", "status": status, "headers": headers})
                await send(
                    {"type": "http.response.body", "body": b'{"success":false,"error":"injected"}'}
                )
                return
        await self.app(scope, receive, send)


def test_injected_500s_and_429s_are_retried_to_an_exact_result(tmp_path):
    project_dir = tmp_path / "project"
    with LocalBackend(project_dir, create=True) as project:
        injector = FaultInjector(create_app(project, KEY), [0, 500, 429, 0, 503])
        with running_app(injector) as base:
            client = StudioBackend(KEY, f"{base}/v1", base)
            results = client.upload(items(400))
            client.close()
    assert injector.injected >= 3
    assert_exact(results, project_dir, 400)


def test_a_retried_upload_of_a_file_object_sends_the_same_bytes(tmp_path):
    """The file object was read by the refused attempt: the retry reads it again from where
    it stood when it was handed over.
    """
    content = b"timestamp,x\n0,1\n10,2\n"
    handle = io.BytesIO(b"head" + content)
    handle.seek(4)
    item = sample_to_item(Sample(data=handle, filename="a.csv", category="training"))
    with LocalBackend(tmp_path / "project", create=True) as project:
        injector = FaultInjector(create_app(project, KEY), [429, 0])
        with running_app(injector) as base:
            client = StudioBackend(KEY, f"{base}/v1", base)
            [result] = client.upload([item])
            client.close()
        assert injector.injected == 1
        assert result.success, result.error
        assert project.load_bytes(result.sample_id) == content


class BrokenAnswer:
    """ASGI middleware letting the first ingestion request be stored, then breaking its
    answer off after a few bytes (as a link that drops mid-response).
    """

    def __init__(self, app) -> None:
        self.app = app
        self.broken = 0

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http" or not scope["path"].endswith("/files") or self.broken:
            await self.app(scope, receive, send)
            return
        self.broken += 1

        async def cut(message):
            if message["type"] == "http.response.start":
                headers = [(k, v) for k, v in message["headers"] if k != b"content-length"]
                await send({**message, "headers": headers})
            elif message["type"] == "http.response.body":
                await send({"type": "http.response.body", "body": b'{"succ', "more_body": True})
                raise ConnectionResetError("the link dropped")

        await self.app(scope, receive, cut)


def test_an_upload_whose_answer_broke_off_is_retried_and_stored_once(tmp_path):
    """The first attempt was stored: the retry, with duplicates refused, recognises it."""
    project_dir = tmp_path / "project"
    with LocalBackend(project_dir, create=True) as project:
        broken = BrokenAnswer(create_app(project, KEY))
        with running_app(broken) as base:
            client = StudioBackend(KEY, f"{base}/v1", base)
            results = client.upload(items(3))
            client.close()
    assert broken.broken == 1
    assert_exact(results, project_dir, 3)


def test_with_duplicates_allowed_a_500_is_not_retried(tmp_path):
    """A retry could store a second copy, so the failure is reported instead."""
    project_dir = tmp_path / "project"
    with LocalBackend(project_dir, create=True) as project:
        injector = FaultInjector(create_app(project, KEY), [500])
        with running_app(injector) as base:
            client = StudioBackend(KEY, f"{base}/v1", base)
            results = client.upload(items(3), allow_duplicates=True)
            client.close()
        assert [r.error for r in results] == ["injected"] * 3
        assert project.count(SampleQuery()) == 0


def test_cancelled_upload_leaves_only_whole_samples(tmp_path):
    project_dir = tmp_path / "project"
    token = CancelToken()
    with LocalBackend(project_dir, create=True) as project:
        with running_app(create_app(project, KEY)) as base:
            client = StudioBackend(KEY, f"{base}/v1", base, max_workers=1)

            def progress(update):
                if update.done >= 50:
                    token.cancel()

            results = client.upload(items(2000), progress=progress, cancel=token)
            client.close()
        stored = project.count(SampleQuery())
        assert 50 <= len(results) < 2000
        assert stored == sum(r.success for r in results)
        assert project.check().ok


def test_wrong_key_and_server_gone_are_clear(tmp_path):
    with (
        LocalBackend(tmp_path / "project", create=True) as project,
        running_app(create_app(project, KEY)) as base,
    ):
        wrong = StudioBackend("nope", f"{base}/v1", base)
        results = wrong.upload(items(2))
        assert [r.error for r in results] == ["Invalid API key"] * 2
        with pytest.raises(InvalidApiKey):
            wrong.count(SampleQuery())
    gone = StudioBackend(KEY, f"{base}/v1", base)
    with pytest.raises(BackendError, match="Cannot reach 127.0.0.1"):
        gone.count(SampleQuery())


def test_a_read_whose_connection_closed_unanswered_is_retried(tmp_path):
    """Unlike a refused connection, a server that took the request and dropped it may answer
    the next one: the read is sent again, on a new connection."""
    listener = socket.create_server(("127.0.0.1", 0))
    port = listener.getsockname()[1]
    accepted = []

    def serve() -> None:
        while len(accepted) < 2:
            connection, _ = listener.accept()
            accepted.append(connection)
            request = b""
            while b"\r\n\r\n" not in request:
                chunk = connection.recv(4096)
                if not chunk:
                    break
                request += chunk
            if len(accepted) == 2:
                body = b'{"success":true,"projects":[{"id":7}]}'
                head = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                head += f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n"
                connection.sendall(head.encode() + body)
            connection.close()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{port}"
    client = StudioBackend(KEY, f"{base}/v1", base)
    try:
        assert client.project_id() == 7
    finally:
        client.close()
        thread.join(timeout=30)
        listener.close()
    assert len(accepted) == 2


class WithoutBatch:
    """ASGI middleware making the server look like Edge Impulse itself: no batch endpoint."""

    def __init__(self, app) -> None:
        self.app = app
        self.refused = 0

    async def __call__(self, scope, receive, send):
        if scope["type"] == "http" and scope["path"].endswith("/raw-data/batch"):
            self.refused += 1
            body = b'{"success":false,"error":"Not found"}'
            await send(
                {
                    "type": "http.response.start",
                    "status": 404,
                    "headers": [(b"content-type", b"application/json")],
                }
            )
            await send({"type": "http.response.body", "body": body})
            return
        await self.app(scope, receive, send)


@pytest.mark.parametrize("batch", [True, False])
def test_downloads_and_rows_with_and_without_the_batch_extension(tmp_path, batch):
    with LocalBackend(tmp_path / "project", create=True) as project:
        stored = project.upload(items(250))
        ids = [r.sample_id for r in stored] + [987654]
        app = create_app(project, KEY)
        wrapped = app if batch else WithoutBatch(app)
        with running_app(wrapped) as base:
            client = StudioBackend(KEY, f"{base}/v1", base)
            downloaded = client.download(ids)
            records = client.get_samples(ids[:30])
            client.close()
        assert downloaded[-1] is None
        assert [d.record.id for d in downloaded[:-1]] == ids[:-1]
        assert all(d.filename.endswith(".json") for d in downloaded[:-1])
        local = project.download(ids[:-1])
        assert [d.data for d in downloaded[:-1]] == [d.data for d in local]
        assert sorted(records) == sorted(ids[:30])
        if not batch:
            assert wrapped.refused == 1  # asked once, then one request per sample


def test_a_calls_timeout_applies_to_that_call_only(tmp_path):
    import ei_desktop
    from ei_desktop import data
    from ei_desktop.data import _connection as connection

    with (
        LocalBackend(tmp_path / "project", create=True) as project,
        running_app(create_app(project, KEY)) as base,
    ):
        ei_desktop.API_KEY, ei_desktop.API_ENDPOINT = KEY, f"{base}/v1"
        ei_desktop.INGESTION_ENDPOINT = base
        assert data.get_sample_ids(timeout_sec=0.5, num_workers=2) == []
        shared = connection.resolve()
        assert shared._timeout != 0.5 and shared._workers != 2
        view = shared.with_options(timeout_sec=0.5)
        assert view._timeout == 0.5 and view._session is shared._session


def test_overlapping_listings_pause_cyclic_collection_once_and_restore_it():
    """Two listings on two threads overlap: collection stays paused until the last one ends,
    then is as it was."""
    import gc

    from ei_desktop.core.backends.studio import _no_cycle_collection

    was_enabled = gc.isenabled()
    gc.enable()
    try:
        first, second = _no_cycle_collection(), _no_cycle_collection()
        first.__enter__()
        second.__enter__()
        first.__exit__(None, None, None)
        assert not gc.isenabled()  # the second listing is still building its objects
        second.__exit__(None, None, None)
        assert gc.isenabled()
    finally:
        if not was_enabled:
            gc.disable()
