"""Opening files with the app from a file manager: the desktop file passes them (``%F``), and
``ei-desktop [gui] [--project DIR] FILE...`` opens the project and asks how to upload them.
"""

from __future__ import annotations

import configparser

import pytest
from gui_helpers import ROOT, copy_samples
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication

from ei_desktop import cli
from ei_desktop.core.backends.base import SampleQuery
from ei_desktop.core.backends.local import LocalBackend
from ei_desktop.gui.dialogs.upload_options import UploadOptionsDialog
from ei_desktop.gui.main_window import MainWindow

DESKTOP_FILE = ROOT / "resources" / "linux" / "ei-desktop.desktop"


def test_the_desktop_file_passes_the_opened_files():
    entry = configparser.ConfigParser(interpolation=None)
    entry.optionxform = str
    entry.read(DESKTOP_FILE)
    desktop = entry["Desktop Entry"]
    assert desktop["Exec"].split() == ["ei-desktop-gui", "%F"]
    assert {"text/csv", "application/json", "image/jpeg", "audio/wav"} <= set(
        desktop["MimeType"].strip(";").split(";")
    )


@pytest.fixture
def app_run(qtbot, tmp_path, monkeypatch):
    """Run an entry point; once the upload options show, answer them and close the app.

    Returns what the dialog showed (its heading and paths) and the exit code.
    """
    monkeypatch.setenv("EI_DESKTOP_SETTINGS", str(tmp_path / "app-settings.ini"))

    def run(entry, argv, *, accept: bool):
        seen: dict = {}

        def window():
            found = [
                w
                for w in QApplication.topLevelWidgets()
                if isinstance(w, MainWindow) and w.isVisible() and not w.closing
            ]
            return found[-1] if found else None

        def close_when_idle():
            if "code" in seen:  # the run is over: its window is gone
                return
            main = window()
            if main.jobs.running() or main.table_model.loading:
                QTimer.singleShot(50, close_when_idle)
                return
            seen["rows"] = main.table_model.rowCount()
            main.close()

        def answer():
            if "heading" in seen or "code" in seen:
                return
            main = window()
            dialogs = main.findChildren(UploadOptionsDialog) if main is not None else []
            shown = [d for d in dialogs if d.isVisible()]
            if not shown:
                QTimer.singleShot(50, answer)
                return
            dialog = shown[0]
            seen["project"] = main.spec.path
            seen["heading"] = dialog.heading.text()
            seen["paths"] = dialog.paths
            if accept:
                dialog.accept()
            else:
                dialog.reject()
            close_when_idle()

        def give_up():
            while window() is not None:
                window().close()

        QTimer.singleShot(50, answer)
        # a test that never sees the dialog fails instead of hanging; the guard is stopped
        # when the run ends, or it would close a window of a later test 30 s on
        guard = QTimer()
        guard.setSingleShot(True)
        guard.timeout.connect(give_up)
        guard.start(30000)
        try:
            seen["code"] = entry(argv)
        finally:
            guard.stop()
            seen.setdefault("code", None)
        return seen

    return run


@pytest.fixture
def files(tmp_path):
    return sorted(str(p) for p in copy_samples(tmp_path / "field"))[:2]


def test_gui_with_files_opens_the_project_and_uploads_them(app_run, project, files):
    before = project.count(SampleQuery())
    seen = app_run(cli.main, ["gui", "--project", str(project.path), *files], accept=True)
    assert seen["code"] == 0
    assert seen["project"] == str(project.path)
    assert seen["heading"] == "<b>Upload 2 items</b>"
    assert seen["paths"] == files
    assert project.count(SampleQuery()) == before + 2
    assert seen["rows"] == before + 2


def test_files_without_a_command_open_the_app(app_run, project, files, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path / "field")
    relative = [f.rsplit("/", 1)[1] for f in files[:1]]
    seen = app_run(cli.main, ["--project", str(project.path), *relative], accept=False)
    assert seen["code"] == 0
    assert seen["paths"] == files[:1]
    assert seen["heading"] == f"<b>Upload {relative[0]}</b>"


def test_the_launcher_takes_the_files_the_desktop_passes(app_run, tmp_path, files):
    LocalBackend(tmp_path / "walk", create=True).close()
    seen = app_run(cli.gui_main, ["--project", str(tmp_path / "walk"), *files], accept=False)
    assert seen["code"] == 0
    assert seen["project"] == str(tmp_path / "walk")
    assert seen["paths"] == files


def test_commands_are_not_taken_for_files(capsys):
    assert cli.build_parser().parse_args(["gui", "a.csv"]).files == ["a.csv"]
    assert not cli._files_mean_gui(["ls"]) and not cli._files_mean_gui(["--version"])
    assert cli._files_mean_gui(["walk.01.csv"]) and cli._files_mean_gui(["--project", "d", "x"])
