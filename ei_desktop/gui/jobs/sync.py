"""The sync dialog's work off the UI thread: checking a link, comparing the local project with
its remote, pushing, pulling, and counting what the remote does not hold yet.

Each function here builds a job function ``fn(progress, cancel)`` that knows nothing of Qt.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Optional

from ei_desktop.core import connection
from ei_desktop.core.backends.base import Backend, BackendError, SampleQuery
from ei_desktop.core.sync_state import SyncState
from ei_desktop.gui.jobs.runner import JobFunction
from ei_desktop.gui.sync_links import SyncLink
from ei_desktop.ops import pull as pulling
from ei_desktop.ops import sync, sync_status

#: the whole project, enabled and disabled samples
WHOLE_PROJECT = SampleQuery(include_disabled="both")


@dataclass(frozen=True)
class LinkCheck:
    """A link that answered: the link (with the remote's name) and where the key was saved."""

    link: SyncLink
    note: str


@dataclass(frozen=True)
class Comparison:
    """What a push and a pull would do, and whether the pull deletes what the remote lost."""

    push: sync.PushPlan
    pull: pulling.PullPlan
    delete: bool = False


def _remote(link: SyncLink, api_key: Optional[str]) -> Backend:
    if not api_key:
        raise BackendError(
            "The API key of this link is not saved any more: use “Change link…” to enter it."
        )
    return connection.studio_backend(api_key, link.api_endpoint, link.ingestion_endpoint)


def check_link(link: SyncLink, api_key: str, save_key: Callable[[str], str]) -> JobFunction:
    """A job asking the remote of ``link`` for its project (the key is checked so); once it
    answered, ``save_key(api_key)`` keeps the key. Returns a :class:`LinkCheck`.
    """

    def run(progress, cancel) -> LinkCheck:
        remote = _remote(link, api_key.strip())
        # asked once: a mistyped address is said at once, not after a minute of patience
        name = sync.remote_name(remote)
        project = f"project {remote.project_id()}"
        note = save_key(api_key.strip())
        return LinkCheck(SyncLink(link.api_endpoint, link.ingestion_endpoint, name, project), note)

    return run


def _with_remote(local: Backend, link: SyncLink, load_key, work) -> JobFunction:
    """A job opening the remote of ``link`` (with the key ``load_key()`` gives) and the sync
    state of ``local``, then returning ``work(remote, state, progress, cancel)``.
    """

    def run(progress, cancel):
        remote = _remote(link, load_key())
        with SyncState(local.path) as state:  # type: ignore[attr-defined]
            return work(remote, state, progress, cancel)

    return run


def compare(
    local: Backend,
    link: SyncLink,
    load_key: Callable[[], Optional[str]],
    *,
    delete: bool = False,
) -> JobFunction:
    """A job planning a push of the whole ``local`` project to the remote of ``link`` and a
    pull of the whole remote (deleting here what it lost, with ``delete``). Returns a
    :class:`Comparison`.
    """

    def work(remote, state, progress, cancel) -> Comparison:
        return Comparison(
            sync.plan_push(local, remote, state, WHOLE_PROJECT, delete=delete, cancel=cancel),
            pulling.plan_pull(local, remote, state, WHOLE_PROJECT, delete=delete, cancel=cancel),
            delete,
        )

    return _with_remote(local, link, load_key, work)


def push(
    local: Backend,
    link: SyncLink,
    load_key: Callable[[], Optional[str]],
    *,
    delete: bool = False,
    keep: Optional[Mapping[str, str]] = None,
) -> JobFunction:
    """A job pushing the whole ``local`` project to the remote of ``link`` (planned again, so
    it carries what the project holds now), deleting there what was deleted here with
    ``delete``, settling conflicts by ``keep`` (side per content hash). Returns the
    :class:`~ei_desktop.ops.sync.PushReport`.
    """
    return _plan_and_run(local, link, load_key, sync.plan_push, sync.push, delete, dict(keep or {}))


def pull(
    local: Backend,
    link: SyncLink,
    load_key: Callable[[], Optional[str]],
    *,
    delete: bool = False,
    keep: Optional[Mapping[str, str]] = None,
) -> JobFunction:
    """A job pulling the whole remote of ``link`` into ``local`` (planned again), deleting here
    what the remote lost with ``delete``, settling conflicts by ``keep`` (side per content
    hash). Returns the :class:`~ei_desktop.ops.pull.PullReport`.
    """
    return _plan_and_run(
        local, link, load_key, pulling.plan_pull, pulling.pull, delete, keep or None
    )


def _plan_and_run(local, link, load_key, plan, carry_out, delete: bool, keep) -> JobFunction:
    """A job planning (``plan``: :func:`sync.plan_push` or :func:`pulling.plan_pull`) the
    whole project against the remote of ``link`` and carrying the plan out (``carry_out``:
    :func:`sync.push` or :func:`pulling.pull`) with ``keep``. Returns its report.
    """

    def work(remote, state, progress, cancel):
        planned = plan(local, remote, state, WHOLE_PROJECT, delete=delete, cancel=cancel)
        return carry_out(local, remote, state, planned, keep=keep, progress=progress, cancel=cancel)

    return _with_remote(local, link, load_key, work)


def count_missing(local: Backend, link: SyncLink) -> JobFunction:
    """A job counting, offline, the samples of ``local`` that the remote of ``link`` does not
    hold yet. Returns the count (``None`` when cancelled).
    """

    def run(progress, cancel) -> Optional[int]:
        return sync_status.not_on_remote(
            local,
            local.path,  # type: ignore[attr-defined]
            link.remote,
            cancel=cancel,
        )

    return run
