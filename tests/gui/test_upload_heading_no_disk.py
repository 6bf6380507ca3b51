"""The upload options dialog names what will be uploaded without asking the file system on the
UI thread: a dropped path on a network share that no longer answers must not hang the window.
"""

from __future__ import annotations

import os
import pathlib
import threading

from gui_helpers import drop

from ei_desktop.gui.dialogs.upload_options import UploadOptionsDialog

MISSING_SHARE = "/mnt/ei-desktop-missing-share"


def refuse_disk(monkeypatch) -> list[str]:
    """From now on, asking the file system about a path on the missing share fails as an
    unreachable share finally would; returns what the UI thread asked (a helper thread, which
    makes the upload plan, may ask and wait).
    """
    asked: list[str] = []

    def refuse(module, name):
        original = getattr(module, name)

        def call(*args, **kwargs):
            if args and MISSING_SHARE in os.fspath(args[0]):
                if threading.current_thread() is threading.main_thread():
                    asked.append(f"{name}({os.fspath(args[0])})")
                raise OSError(112, "Host is down", os.fspath(args[0]))
            return original(*args, **kwargs)

        return call

    for module, name in (
        (os, "stat"),
        (os, "lstat"),
        (os, "scandir"),
        (os, "listdir"),
        (os.path, "isdir"),
        (os.path, "isfile"),
        (os.path, "exists"),
        (pathlib.Path, "stat"),
    ):
        monkeypatch.setattr(module, name, refuse(module, name))
    return asked


def test_the_heading_counts_without_the_disk(qtbot, monkeypatch):
    paths = [f"{MISSING_SHARE}/walk.{i}.csv" for i in range(3)] + [f"{MISSING_SHARE}/field"]
    asked = refuse_disk(monkeypatch)
    dialog = UploadOptionsDialog(paths)
    qtbot.addWidget(dialog)
    assert dialog.heading.text() == "<b>Upload 4 items</b>"
    assert asked == []


def test_dropping_paths_on_a_missing_share_opens_the_options(
    qtbot, make_window, project, monkeypatch
):
    window = make_window(project.path)
    paths = [pathlib.PurePath(MISSING_SHARE, name) for name in ("a.csv", "b.csv", "logs")]
    asked = refuse_disk(monkeypatch)
    drop(window, paths)
    qtbot.waitUntil(lambda: window.findChild(UploadOptionsDialog) is not None, timeout=5000)
    dialog = window.findChild(UploadOptionsDialog)
    qtbot.waitUntil(dialog.isVisible, timeout=5000)
    assert dialog.heading.text() == "<b>Upload 3 items</b>"
    assert dialog.paths == [str(p) for p in paths]
    assert asked == []
    # the plan, made on a helper thread, says the share does not answer
    headline = dialog.plan_preview.headline
    qtbot.waitUntil(lambda: "Host is down" in headline.text(), timeout=10000)
    assert asked == []
    dialog.reject()
