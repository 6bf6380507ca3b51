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
