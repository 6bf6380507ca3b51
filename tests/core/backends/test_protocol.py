"""Both backends are the whole protocol: every method a caller uses is declared on it."""

from __future__ import annotations

import inspect

from ei_desktop.core.backends.base import Backend
from ei_desktop.core.backends.local import LocalBackend
from ei_desktop.core.backends.studio import StudioBackend


def declared(protocol) -> set[str]:
    return {
        name
        for name, member in vars(protocol).items()
        if not name.startswith("_") and (callable(member) or isinstance(member, property))
    }


def test_both_backends_implement_every_declared_method_with_the_same_parameters():
    names = declared(Backend)
    assert {
        "closed",
        "name",
        "with_options",
        "open_content",
        "upload",
        "download",
        "delete",
    } <= names
    for backend in (LocalBackend, StudioBackend):
        for name in names:
            ours = getattr(backend, name)
            if isinstance(ours, property):
                continue
            expected = list(inspect.signature(getattr(Backend, name)).parameters)
            assert list(inspect.signature(ours).parameters)[: len(expected)] == expected, (
                backend.__name__,
                name,
            )


def test_a_local_project_is_a_backend_the_server_can_serve(local):
    from ei_desktop.server.project import ServedProject

    assert isinstance(local, Backend) and isinstance(local, ServedProject)
    assert local.with_options(timeout_sec=3) is local
    assert not local.closed
    local.close()
    assert local.closed
