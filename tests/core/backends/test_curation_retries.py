"""The HTTP backend's curation requests under a failing server: a change that is the same when
sent twice (a relabel, a move, metadata, a per-sample change) is retried after a 500 and
lands once; a delete by filter, which could select other samples by the time a retry
arrives, is sent once and its failure reported, with nothing deleted.
"""

from __future__ import annotations

import threading

import pytest

from ei_desktop.core.backends.base import BackendError, SampleQuery
from ei_desktop.core.backends.studio import StudioBackend
from ei_desktop.core.edits import Delete, Move, SetLabel, SetMetadata
from ei_desktop.server.app import create_app
from ei_desktop.server.testing import running_app

KEY = "retry-key-0123456789"


class FailFirst:
    """ASGI middleware answering the first ``times`` POSTs to a path ending in ``suffix``
    with a 500, before the app sees them; counts every POST to such a path.
    """

    def __init__(self, app, suffix: str, times: int = 1) -> None:
        self.app = app
        self.suffix = suffix
        self.times = times
        self.seen = 0
        self.lock = threading.Lock()

    async def __call__(self, scope, receive, send):
        if (
            scope["type"] == "http"
            and scope["method"] == "POST"
            and scope["path"].endswith(self.suffix)
        ):
            with self.lock:
                self.seen += 1
                fail = self.seen <= self.times
            if fail:
                headers = [(b"content-type", b"application/json")]
                await send({"type": "http.response.start", "status": 500, "headers": headers})
                await send(
                    {"type": "http.response.body", "body": b'{"success":false,"error":"injected"}'}
                )
                return
        await self.app(scope, receive, send)


@pytest.fixture
def project(walks):
    return walks


def labels(project) -> list[str]:
    return sorted(r.label for r in project.iter_samples(SampleQuery()))


CHANGES = [
    (
        "batch/edit-labels",
        SetLabel("step"),
        lambda p: labels(p) == ["idle", "step", "step", "step"],
    ),
    (
        "batch/moveSamples",
        Move("testing"),
        lambda p: p.count(SampleQuery(category="testing")) == 3,
    ),
    (
        "batch/add-metadata",
        SetMetadata({"site": "lab"}, replace=False),
        lambda p: sum(1 for r in p.iter_samples(SampleQuery()) if r.metadata) == 3,
    ),
]


@pytest.mark.parametrize(("endpoint", "change", "done"), CHANGES, ids=[c[0] for c in CHANGES])
def test_a_change_that_may_be_sent_twice_is_retried_after_a_500(project, endpoint, change, done):
    app = FailFirst(create_app(project, KEY), endpoint)
    with running_app(app) as base:
        remote = StudioBackend(KEY, f"{base}/v1", base)
        result = remote.edit(SampleQuery(labels=("walk",)), change)
        remote.close()
    assert app.seen == 2  # refused once, sent again
    assert result.changed == 3 and done(project)
    assert len(project.history(limit=10)) == 2  # the upload, then the change once


def test_a_per_sample_change_is_retried_after_a_500(project):
    (idle,) = [r.id for r in project.iter_samples(SampleQuery(labels=("idle",)))]
    app = FailFirst(create_app(project, KEY), "/edit-label")
    with running_app(app) as base:
        remote = StudioBackend(KEY, f"{base}/v1", base)
        remote.edit(SampleQuery(ids=(idle,)), SetLabel("rest"))
        remote.close()
    assert app.seen == 2
    assert labels(project) == ["rest", "walk", "walk", "walk"]


def test_a_delete_by_filter_is_not_sent_again_after_a_500(project):
    app = FailFirst(create_app(project, KEY), "batch/delete")
    with running_app(app) as base:
        remote = StudioBackend(KEY, f"{base}/v1", base)
        with pytest.raises(BackendError, match="injected"):
            remote.edit(SampleQuery(labels=("walk",)), Delete())
        remote.close()
    assert app.seen == 1
    assert labels(project) == ["idle", "walk", "walk", "walk"]
