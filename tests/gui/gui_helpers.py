"""Helpers for the GUI tests: seeding projects and waiting for the window."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import shiboken6
from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl
from PySide6.QtGui import QDragEnterEvent, QDragMoveEvent, QDropEvent
from PySide6.QtWidgets import QApplication

from ei_desktop.core.model import Sample
from ei_desktop.data import upload_samples

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = ROOT / "tests" / "data" / "ei-samples"

#: the skip mark of a test that runs another under Xvfb (:func:`run_under_xvfb`)
needs_xvfb = pytest.mark.skipif(
    shutil.which("xvfb-run") is None or not sys.platform.startswith("linux"),
    reason="needs Xvfb (X11 on Linux)",
)


def run_under_xvfb(test: str) -> None:
    """Run the pytest node ``test`` in a child under Xvfb, where Qt's own X11 drag loop
    carries a drag, and assert that it passed."""
    env = dict(os.environ, QT_QPA_PLATFORM="xcb")
    command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", test]
    result = subprocess.run(
        ["xvfb-run", "-a", "-s", "-screen 0 1600x1000x24", *command],
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
    assert "1 passed" in result.stdout


def csv_series(label: str, seed: int, rows: int = 50) -> str:
    """A small accelerometer CSV whose content depends on ``seed``."""
    lines = ["timestamp,accX,accY,accZ"]
    offset = sum(map(ord, label)) % 997  # distinct content per label too
    for i in range(rows):
        x, y = (seed * 7 + i) % 13 / 10, (seed + i) % 5 / 10
        lines.append(f"{i * 10},{x},{y},{9.8 + seed / 1000 + offset / 1e6}")
    return "\n".join(lines) + "\n"


def seed_csv(backend, count: int, labels=("idle", "wave", "run"), category: str = "training"):
    """Upload ``count`` distinct CSV samples; returns their ids in upload order."""
    samples = [
        Sample(
            data=csv_series(labels[i % len(labels)], i),
            filename=f"{labels[i % len(labels)]}.{i:05d}.csv",
            category=category,
            label=labels[i % len(labels)],
        )
        for i in range(count)
    ]
    response = upload_samples(samples, project=backend)
    assert not response.fails, response.fails[:3]
    return [s.sample_id for s in response.successes]


def seed_many(directory: Path, count: int) -> None:
    """Fill a project quickly with ``tools/seed_project.py``."""
    sys.path.insert(0, str(ROOT / "tools"))
    try:
        from seed_project import seed
    finally:
        sys.path.remove(str(ROOT / "tools"))
    seed(directory, count)


def wait_listed(qtbot, window, timeout=15000):
    """Wait until the window has a backend and no read (listing, counts, rows) runs."""
    qtbot.waitUntil(
        lambda: (
            window.backend is not None
            and not window.table_model.loading
            and not window.reads.running()
        ),
        timeout=timeout,
    )


def wait_idle(qtbot, window, timeout=30000):
    """Wait until no job of the window runs and the views are listed."""
    qtbot.waitUntil(lambda: not window.jobs.running(), timeout=timeout)
    wait_listed(qtbot, window, timeout)


def shown_dialogs(window, kind) -> list:
    """The dialogs of type ``kind`` the window shows, oldest first."""
    return [d for d in window.findChildren(kind) if d.isVisible()]


def active(qtbot, window, kind, timeout=5000):
    """Wait for the window to show a dialog of type ``kind``; returns the newest one."""
    qtbot.waitUntil(lambda: bool(shown_dialogs(window, kind)), timeout=timeout)
    return shown_dialogs(window, kind)[-1]


def closed(dialog) -> bool:
    """True once ``dialog`` is hidden or deleted."""
    return not shiboken6.isValid(dialog) or not dialog.isVisible()


def copy_samples(destination: Path) -> list[Path]:
    """The real sample files copied into ``destination``."""
    destination.mkdir(parents=True, exist_ok=True)
    out = []
    for path in sorted(SAMPLES.iterdir()):
        if path.suffix != ".md":
            out.append(Path(shutil.copy(path, destination / path.name)))
    return out


def drop(window, paths: list[Path]) -> None:
    """Drag ``paths`` over the window and drop them, as a file manager would.

    PySide6 builds enter and move events from a QPoint only (that overload is marked
    deprecated); the drop event takes the QPointF.
    """
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(p)) for p in paths])
    position = QPointF(window.width() / 2, window.height() / 2)
    actions = Qt.DropAction.CopyAction
    buttons = Qt.MouseButton.LeftButton
    modifiers = Qt.KeyboardModifier.NoModifier
    enter = QDragEnterEvent(position.toPoint(), actions, mime, buttons, modifiers)
    QApplication.sendEvent(window, enter)
    assert enter.isAccepted()
    move = QDragMoveEvent(position.toPoint(), actions, mime, buttons, modifiers)
    QApplication.sendEvent(window, move)
    assert move.isAccepted()
    event = QDropEvent(position, actions, mime, buttons, modifiers)
    QApplication.sendEvent(window, event)
    assert event.isAccepted()


def finish_operation(qtbot, window):
    """Wait for the running operation; returns the report its results dialog shows."""
    from ei_desktop.gui.dialogs.results import ResultsDialog

    wait_idle(qtbot, window)
    return active(qtbot, window, ResultsDialog).report
