"""The HTTP backend against a server that answers batch changes as Edge Impulse does for large
selections: with a job id, the change finishing later. The backend waits for the job (through
``/api/{projectId}/jobs/{jobId}/status``) before it reports the change done, and reports a
failed job as a failure.
"""

from __future__ import annotations

import json
import re
import threading

import pytest

from ei_desktop.core.backends.base import BackendError, SampleQuery
from ei_desktop.core.backends.studio import StudioBackend
from ei_desktop.core.edits import Move, SetLabel
from ei_desktop.server.app import create_app
from ei_desktop.server.testing import running_app

KEY = "job-key-0123456789"
JOB_STATUS = re.compile(r"/v1/api/\d+/jobs/(\d+)/status$")


class AsJobs:
    """ASGI middleware: a batch change is made by the app, but answered ``{"success": true,
    "id": N}``; job N's status says "running" on its first poll, then finished (successfully
    unless ``fail``).
    """

    def __init__(self, app, *, fail: bool = False) -> None:
        self.app = app
        self.fail = fail
        self.lock = threading.Lock()
        self.jobs: dict[int, int] = {}  # job id -> polls so far
        self.next_id = 41

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        polled = JOB_STATUS.search(scope["path"])
        if polled:
            return await self._status(int(polled.group(1)), send)
        if scope["method"] == "POST" and "/raw-data/batch/" in scope["path"]:
            return await self._as_job(scope, receive, send)
        return await self.app(scope, receive, send)

    async def _as_job(self, scope, receive, send):
        answer: dict = {}

        async def keep(message):
            if message["type"] == "http.response.start":
                answer["status"] = message["status"]
            elif message["type"] == "http.response.body":
                answer["body"] = answer.get("body", b"") + message.get("body", b"")

        await self.app(scope, receive, keep)
        if answer["status"] != 200 or not json.loads(answer["body"]).get("success"):
            return await _reply(send, answer["status"], json.loads(answer["body"]))
        with self.lock:
            self.next_id += 1
            job = self.next_id
            self.jobs[job] = 0
        await _reply(send, 200, {"success": True, "id": job})

    async def _status(self, job: int, send):
        with self.lock:
            polls = self.jobs[job] = self.jobs[job] + 1
        done = polls > 1
        body = {
            "success": True,
            "job": {
                "id": job,
                "category": "Batch change",
                "key": f"job-{job}",
                "created": "2026-01-01T00:00:00Z",
                "started": "2026-01-01T00:00:00Z",
                "finished": "2026-01-01T00:00:01Z" if done else None,
                "finishedSuccessful": (not self.fail) if done else None,
            },
        }
        await _reply(send, 200, body)


async def _reply(send, status: int, body: dict) -> None:
    data = json.dumps(body).encode()
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(data)).encode())]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": data})


@pytest.fixture
def project(walks):
    return walks


def test_a_batch_change_answered_with_a_job_is_done_once_the_job_finishes(project):
    app = AsJobs(create_app(project, KEY))
    with running_app(app) as base:
        remote = StudioBackend(KEY, f"{base}/v1", base)
        try:
            result = remote.edit(SampleQuery(labels=("walk",)), SetLabel("step"))
            assert result.changed == 3
            assert project.count(SampleQuery(labels=("step",))) == 3
            remote.undo()  # the inverse is a batch change too
        finally:
            remote.close()
    assert app.jobs and all(polls == 2 for polls in app.jobs.values())  # polled until done
    assert project.count(SampleQuery(labels=("walk",))) == 3


def test_a_failed_job_is_reported(project):
    app = AsJobs(create_app(project, KEY), fail=True)
    with running_app(app) as base:
        remote = StudioBackend(KEY, f"{base}/v1", base)
        try:
            with pytest.raises(BackendError, match=r"job 42 .*failed"):
                remote.edit(SampleQuery(labels=("walk",)), Move("testing"))
        finally:
            remote.close()
