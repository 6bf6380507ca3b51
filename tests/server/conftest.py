"""A live server on 127.0.0.1 over a temporary local project, shared by a module's tests and
emptied before each test.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from ei_desktop.core.backends.base import SampleQuery
from ei_desktop.core.backends.local import LocalBackend
from ei_desktop.server.testing import running_server

API_KEY = "ei_" + "0123456789abcdef" * 4


@dataclass
class Served:
    """A running server and the project behind it."""

    base: str
    key: str
    backend: LocalBackend

    @property
    def project_id(self) -> int:
        """The served project's id."""
        return self.backend.project_id()

    def count(self, **query) -> int:
        """Samples in the project (optionally filtered like :class:`SampleQuery`)."""
        return self.backend.count(SampleQuery(**query))

    def v1(self, path: str) -> str:
        """The URL of a Studio API path under ``/v1/api/{project}``."""
        return f"{self.base}/v1/api/{self.project_id}{path}"


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    """One server per test module."""
    backend = LocalBackend(tmp_path_factory.mktemp("served") / "project", create=True)
    try:
        with running_server(backend, api_key=API_KEY) as (base, key):
            yield Served(base, key, backend)
    finally:
        backend.close()


@pytest.fixture
def server(served) -> Served:
    """The module's server with an empty project."""
    served.backend.delete_all()
    return served


@pytest.fixture
def raw(server):
    """Edge Impulse's generated raw-data API client, unchanged, pointed at the server."""
    import edgeimpulse_api as api

    config = api.Configuration(
        host=f"{server.base}/v1", api_key={"ApiKeyAuthentication": server.key}
    )
    with api.ApiClient(config) as client:
        yield api.RawDataApi(client)
