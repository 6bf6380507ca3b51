"""What a client is told for each kind of backend failure: status, plain words, no paths."""

from __future__ import annotations

from pathlib import Path

from ei_desktop.core.backends.base import (
    BackendError,
    CorruptContentError,
    DamagedProjectError,
    DiskFullError,
)
from ei_desktop.server.errors import describe_backend_error

PROJECT = Path("/home/someone/projects/kws")


def test_a_full_disk_is_507():
    status, message = describe_backend_error(DiskFullError(f"No space left in {PROJECT}"), PROJECT)
    assert status == 507 and message.startswith("The disk is full") and str(PROJECT) not in message


def test_a_damaged_project_is_500_with_its_message_without_paths():
    exc = DamagedProjectError(
        f"The project at {PROJECT} is damaged: run 'ei-desktop check --recover --project {PROJECT}'"
    )
    status, message = describe_backend_error(exc, PROJECT)
    assert status == 500 and "damaged" in message and "check --recover" in message
    assert str(PROJECT) not in message and "<project>" in message


def test_paths_inside_the_project_are_hidden():
    for exc in (
        CorruptContentError(f"{PROJECT}/blobs/ab/abcdef changed on disk"),
        BackendError(f"Cannot read {PROJECT}/project.sqlite3: I/O error"),
    ):
        status, message = describe_backend_error(exc, PROJECT)
        assert status == 500 and "/blobs/" not in message and "/home/" not in message
