"""The drop overlay floats over the window's content while files are dragged in, and never
becomes part of the splitter's layout.
"""

from __future__ import annotations

import os

import pytest
from gui_helpers import active, needs_xvfb, run_under_xvfb
from PySide6.QtCore import QMimeData, QPoint, QPointF, QRect, Qt, QTimer, QUrl
from PySide6.QtGui import (
    QDrag,
    QDragEnterEvent,
    QDragLeaveEvent,
    QDragMoveEvent,
    QDropEvent,
)
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QWidget

from ei_desktop.gui.dialogs.upload_options import UploadOptionsDialog
from ei_desktop.gui.widgets.drop_overlay import DropOverlay

pytestmark = pytest.mark.filterwarnings("ignore:Function.*QDrag.*deprecated:DeprecationWarning")

_COPY = Qt.DropAction.CopyAction
_LEFT = Qt.MouseButton.LeftButton
_NONE = Qt.KeyboardModifier.NoModifier


def _files(tmp_path) -> QMimeData:
    path = tmp_path / "idle.01.csv"
    path.write_text("timestamp,a\n0,1\n10,2\n")
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(path))])
    return mime


def _receiver_at(window, widget: QWidget) -> tuple[QWidget, QPoint]:
    """The widget a drag over the middle of ``widget`` is delivered to, and the point in it.

    This is what Qt's window system layer does for a real drag: it picks the child under the
    cursor (``childAt``, which skips widgets transparent for mouse events) and hands the event
    to the nearest ancestor that accepts drops.
    """
    global_pos = widget.mapToGlobal(widget.rect().center())
    child = window.childAt(window.mapFromGlobal(global_pos)) or window
    target = child
    while not target.acceptDrops() and not target.isWindow():
        target = target.parentWidget()
    return target, target.mapFromGlobal(global_pos)


def _deliver(window, widget, event_type, mime):
    target, point = _receiver_at(window, widget)
    if event_type is QDropEvent:
        event = QDropEvent(QPointF(point), _COPY, mime, _LEFT, _NONE)
    else:
        event = event_type(point, _COPY, mime, _LEFT, _NONE)
    QApplication.sendEvent(target, event)
    return event


def test_dragging_over_the_table_covers_the_content_without_a_new_pane(
    qtbot, make_window, project, tmp_path
):
    """A drag is delivered to the widget under the cursor, as the window system does.

    Starting a real ``QDrag`` with ``QTest`` mouse events cannot be driven offscreen, so the
    test resolves the receiver the way Qt's drag dispatch does (the child under the cursor,
    then up to the first widget accepting drops) and sends the events there. The overlay is
    never addressed directly: it must appear through the window's event path, and must not
    itself take the drag (it would, if it were not transparent, by sitting under the cursor).
    """
    window = make_window(project.path)
    qtbot.waitExposed(window)
    mime = _files(tmp_path)
    overlay = window.findChild(DropOverlay)
    assert window.splitter.count() == 3

    enter = _deliver(window, window.table.viewport(), QDragEnterEvent, mime)
    assert enter.isAccepted()
    move = _deliver(window, window.table.viewport(), QDragMoveEvent, mime)
    assert move.isAccepted()

    assert overlay.isVisible()
    assert window.splitter.count() == 3
    assert window.splitter.indexOf(overlay) == -1
    content = window.centralWidget()
    covered = overlay.geometry()
    assert covered.topLeft() == content.mapTo(overlay.parentWidget(), QPoint(0, 0))
    assert covered.size() == content.size()
    # the table, tree and preview keep their widths while the drag is over them
    assert all(size > 0 for size in window.splitter.sizes())
    # the overlay lets the drag reach the table's window below it
    target, _point = _receiver_at(window, window.table.viewport())
    assert target is window

    _deliver(window, window.table.viewport(), QDropEvent, mime)
    assert not overlay.isVisible()
    assert window.splitter.count() == 3


def test_the_overlay_hides_when_the_drag_leaves(qtbot, make_window, project, tmp_path):
    window = make_window(project.path)
    qtbot.waitExposed(window)
    mime = _files(tmp_path)
    overlay = window.findChild(DropOverlay)
    assert _deliver(window, window.tree.viewport(), QDragEnterEvent, mime).isAccepted()
    assert overlay.isVisible()
    QApplication.sendEvent(window, QDragLeaveEvent())
    assert not overlay.isVisible()
    assert window.splitter.count() == 3


def test_the_overlay_covers_the_content_with_a_saved_layout(
    qtbot, make_window, project, tmp_path, settings
):
    first = make_window(project.path)
    first.splitter.setSizes([200, 700, 400])
    first.save_layout()
    first.close()

    window = make_window(project.path)
    qtbot.waitExposed(window)
    overlay = window.findChild(DropOverlay)
    assert _deliver(window, window.table.viewport(), QDragEnterEvent, _files(tmp_path)).isAccepted()
    assert overlay.width() == window.centralWidget().width() > 0
    assert overlay.height() == window.centralWidget().height() > 0
    assert window.splitter.count() == 3


def test_the_overlay_follows_a_resize_while_shown(qtbot, make_window, project, tmp_path):
    window = make_window(project.path)
    qtbot.waitExposed(window)
    overlay = window.findChild(DropOverlay)
    _deliver(window, window.table.viewport(), QDragEnterEvent, _files(tmp_path))
    window.resize(window.width() - 100, window.height() - 50)
    qtbot.waitUntil(lambda: overlay.size() == window.centralWidget().size())


class FileSource(QWidget):
    """A stand-in for a file manager: pressing and moving the mouse on it drags ``paths``."""

    def __init__(self, paths) -> None:
        super().__init__()
        self.paths = [str(p) for p in paths]
        self.pressed_at = None
        self.result = None
        self.resize(120, 120)

    def mousePressEvent(self, event):  # noqa: N802 (Qt override)
        self.pressed_at = event.position().toPoint()

    def mouseMoveEvent(self, event):  # noqa: N802 (Qt override)
        if self.pressed_at is None:
            return
        moved = (event.position().toPoint() - self.pressed_at).manhattanLength()
        if moved < QApplication.startDragDistance():
            return
        self.pressed_at = None
        drag = QDrag(self)
        mime = QMimeData()
        mime.setUrls([QUrl.fromLocalFile(p) for p in self.paths])
        drag.setMimeData(mime)
        self.result = drag.exec(_COPY)


@pytest.mark.skipif(
    os.environ.get("QT_QPA_PLATFORM") != "xcb", reason="needs a window system's drag loop"
)
def test_a_real_drag_of_files_shows_the_overlay_over_the_content(
    qtbot, make_window, project, tmp_path
):
    """Files dragged from another window with the mouse, through Qt's own X11 drag loop: the
    overlay covers the content while the drag is over the window, the splitter keeps its
    three panes and their widths, and the drop asks how to upload the files.
    """
    window = make_window(project.path)
    window.move(200, 0)
    window.resize(1200, 800)
    qtbot.waitExposed(window)
    path = tmp_path / "idle.01.csv"
    path.write_text("timestamp,a\n0,1\n10,2\n")
    source = FileSource([path])
    qtbot.addWidget(source)
    source.move(0, 0)
    source.show()
    qtbot.waitExposed(source)
    sizes = window.splitter.sizes()
    overlay = window.findChild(DropOverlay)
    seen = {}
    viewport = window.table.viewport()
    target = viewport.rect().center()

    def over_the_window():
        # the drag's own event loop runs now: move over the table, look, then drop
        QTest.mouseMove(viewport, target - QPoint(0, 4))
        QTest.mouseMove(viewport, target)
        qtbot.waitUntil(overlay.isVisible, timeout=5000)
        content = window.centralWidget()
        seen["geometry"] = overlay.geometry()
        seen["content"] = QRect(content.mapTo(window, QPoint(0, 0)), content.size())
        seen["panes"] = window.splitter.count()
        seen["sizes"] = window.splitter.sizes()
        QTest.mouseRelease(viewport, Qt.MouseButton.LeftButton, pos=target)

    start = source.rect().center()
    QTest.mousePress(source, Qt.MouseButton.LeftButton, pos=start)
    QTimer.singleShot(100, over_the_window)
    QTest.mouseMove(source, start + QPoint(2, 0))
    QTest.mouseMove(source, start + QPoint(30, 30))
    qtbot.waitUntil(lambda: source.result is not None, timeout=10000)

    assert seen, "the drag never reached the window"
    assert seen["geometry"] == seen["content"]
    assert seen["panes"] == 3 and seen["sizes"] == sizes
    assert not overlay.isVisible()
    dialog = active(qtbot, window, UploadOptionsDialog)
    assert dialog.paths == [str(path)]
    dialog.reject()


@needs_xvfb
def test_the_real_drag_under_xvfb():
    """Runs the real drag test above under Xvfb, where Qt's X11 drag loop carries it."""
    run_under_xvfb(f"{__file__}::test_a_real_drag_of_files_shows_the_overlay_over_the_content")
