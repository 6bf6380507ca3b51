"""Shared fixtures: an isolated environment, temporary local projects and the real samples."""

from __future__ import annotations

import os
from pathlib import Path

# Before anything imports Qt or ei_desktop: headless Qt, and no key or project from the user.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
for _name in ("EI_API_KEY", "EI_API_ENDPOINT", "EI_INGESTION_ENDPOINT", "EI_PROJECT"):
    os.environ.pop(_name, None)

import pytest  # noqa: E402

import ei_desktop  # noqa: E402
from ei_desktop.core import connection  # noqa: E402

SAMPLES = Path(__file__).parent / "data" / "ei-samples"


@pytest.fixture(autouse=True)
def isolated(tmp_path_factory, monkeypatch):
    """Every test starts with no API key and a fresh default project of its own."""
    default = tmp_path_factory.mktemp("default-project")
    monkeypatch.setattr(ei_desktop, "API_KEY", None)
    monkeypatch.setattr(ei_desktop, "API_ENDPOINT", ei_desktop.DEFAULT_API_ENDPOINT)
    monkeypatch.setattr(ei_desktop, "INGESTION_ENDPOINT", ei_desktop.DEFAULT_INGESTION_ENDPOINT)
    monkeypatch.setenv("EI_PROJECT", str(default))
    connection.use_project(None)
    yield
    connection.close_all()
    connection.use_project(None)


@pytest.fixture
def samples_dir() -> Path:
    """The five real Edge Impulse sample files."""
    return SAMPLES


@pytest.fixture
def project_dir(tmp_path) -> Path:
    """A folder for a new local project."""
    return tmp_path / "project"


@pytest.fixture
def local(project_dir):
    """An open local project backend."""
    from ei_desktop.core.backends.local import LocalBackend

    backend = LocalBackend(project_dir, create=True)
    yield backend
    backend.close()
