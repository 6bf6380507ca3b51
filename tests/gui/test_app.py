"""Starting the app: ``ei-desktop gui --project DIR`` opens the window and returns an exit code."""

from __future__ import annotations

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication

from ei_desktop import cli
from ei_desktop.gui.main_window import MainWindow
from ei_desktop.gui.settings import Settings


def test_gui_command_opens_the_project_and_exits_cleanly(qtbot, tmp_path, monkeypatch, project):
    settings_file = tmp_path / "app-settings.ini"
    monkeypatch.setenv("EI_DESKTOP_SETTINGS", str(settings_file))
    seen = {}

    def close_when_listed():
        windows = [w for w in QApplication.topLevelWidgets() if isinstance(w, MainWindow)]
        window = windows[-1] if windows else None
        if window is None or window.backend is None or window.table_model.loading:
            QTimer.singleShot(50, close_when_listed)
            return
        seen["rows"] = window.table_model.rowCount()
        seen["icon"] = not QApplication.windowIcon().isNull()
        window.close()

    QTimer.singleShot(50, close_when_listed)
    code = cli.main(["gui", "--project", str(project.path)])
    assert code == 0
    assert seen == {"rows": 30, "icon": True}
    assert Settings(settings_file).last_connection().path == str(project.path)
