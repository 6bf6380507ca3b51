"""GUI fixtures: isolated settings and credentials, real local projects, an open window."""

from __future__ import annotations

import os

import pytest
from gui_helpers import seed_csv, wait_listed

from ei_desktop.core.backends.local import LocalBackend


@pytest.fixture(autouse=True)
def garbage_collected_on_the_ui_thread(qapp):
    """As in the app: no collection on a worker thread may destroy a Qt object there."""
    from ei_desktop.gui.garbage import UiThreadGarbageCollector

    collector = UiThreadGarbageCollector(qapp)
    yield collector
    collector.stop()
    collector.deleteLater()


@pytest.fixture
def settings(tmp_path):
    """Settings in a temporary INI file (never the user's)."""
    from ei_desktop.gui.settings import Settings

    return Settings(tmp_path / "settings.ini")


@pytest.fixture
def credentials(tmp_path):
    """A credential store in a temporary file, without the system keyring."""
    from ei_desktop.gui.credentials import CredentialStore

    return CredentialStore(tmp_path / "config" / "credentials.json", use_keyring=False)


@pytest.fixture
def project(tmp_path):
    """An open local project with 30 CSV samples (10 each of idle, wave, run)."""
    backend = LocalBackend(tmp_path / "project", create=True)
    seed_csv(backend, 30)
    yield backend
    backend.close()


@pytest.fixture
def make_window(qtbot, settings, credentials, monkeypatch, tmp_path):
    """A function opening a main window on a project folder and waiting until it is listed."""
    from ei_desktop.gui.main_window import MainWindow

    monkeypatch.setenv("EI_DESKTOP_SETTINGS", str(tmp_path / "settings.ini"))
    windows = []

    def make(path=None, *, wait=True):
        window = MainWindow(settings, credentials)
        qtbot.addWidget(window)
        window.show()
        windows.append(window)
        if path is not None:
            if not os.path.exists(path):  # a new project, as "Create a new project" makes
                LocalBackend(path, create=True).close()
            window.connection.open_startup(str(path))
            if wait:
                wait_listed(qtbot, window)
        return window

    yield make
    for window in windows:
        wait_for_jobs(window)


def wait_for_jobs(window) -> None:
    """Cancel and wait for every job of ``window``: its own runners and those of its panels
    and dialogs (none may still run Python on a pool thread when the interpreter exits).
    """
    import shiboken6

    from ei_desktop.gui.jobs.runner import JobRunner

    if not shiboken6.isValid(window):
        return
    for runner in window.findChildren(JobRunner):
        runner.wait_all(timeout_s=30, cancel=True)


@pytest.fixture(params=["local", "server"])
def open_on(request, qtbot, make_window, tmp_path):
    """A function opening a window on a local project, either directly (``local``) or through
    a real ``ei-desktop serve`` of that project on 127.0.0.1 (``server``), and waiting until it
    is listed. A test taking it runs once on each backend, and reads what changed from the
    project itself (the served project is the same folder).
    """
    import contextlib

    from ei_desktop.gui.connections import ConnectionSpec

    servers = contextlib.ExitStack()
    windows = []

    def open_(backend):
        if request.param == "local":
            window = make_window(backend.path)
        else:
            from ei_desktop.server import testing

            base_url, key = servers.enter_context(testing.running_server(backend, api_key="k"))
            window = make_window()
            window.connection.open_connection(ConnectionSpec.server(base_url), key)
            qtbot.waitUntil(lambda: window.spec is not None and window.spec.kind == "server")
            wait_listed(qtbot, window, timeout=20000)
        windows.append(window)
        return window

    yield open_
    for window in windows:  # before the server stops
        wait_for_jobs(window)
    servers.close()
