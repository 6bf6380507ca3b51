"""The two backends every contract test runs against."""

from __future__ import annotations

import pytest


@pytest.fixture(params=["local", "http"])
def backend(request, tmp_path):
    """A new local project used directly, or the HTTP backend talking to ``ei-desktop serve``
    over loopback, serving such a project.
    """
    from ei_desktop.core.backends.local import LocalBackend

    local = LocalBackend(tmp_path / "project", create=True)
    if request.param == "local":
        yield local
        local.close()
        return
    from ei_desktop.core.backends.studio import StudioBackend
    from ei_desktop.server.testing import running_server

    with running_server(local, api_key="contract-key") as (base_url, key):
        remote = StudioBackend(key, f"{base_url}/v1", base_url)
        yield remote
        remote.close()
    local.close()


@pytest.fixture
def walks(tmp_path):
    """A local project of three walks and an idle sample, all in training."""
    from ei_desktop.core.backends.base import UploadItem
    from ei_desktop.core.backends.local import LocalBackend

    with LocalBackend(tmp_path / "project", create=True) as local:
        items = [
            UploadItem(f"{label}.{n}.csv", f"timestamp,x\n0,{n}\n10,{n}\n".encode(), "training")
            for n, label in enumerate(["walk", "walk", "walk", "idle"])
        ]
        assert all(r.success for r in local.upload(items))
        yield local
