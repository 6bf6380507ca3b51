"""Starting the desktop app: the QApplication, its icon and settings, an exception hook that
shows unexpected errors in a dialog instead of aborting, and the main window.
"""

from __future__ import annotations

import gc
import logging
import sys
import threading
import traceback
from collections.abc import Sequence
from typing import Optional

from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication, QWidget

from ei_desktop.core import about
from ei_desktop.gui import icons
from ei_desktop.gui.garbage import UiThreadGarbageCollector

log = logging.getLogger(__name__)


class _ErrorRelay(QObject):
    """Carries errors from any thread to the UI thread."""

    error = Signal(str, str)


class ExceptionHook:
    """Replaces ``sys.excepthook`` (and ``threading.excepthook``): the error is logged and
    shown in a dialog; the app carries on.

    Args:
        parent: a callable returning the widget to parent the dialog to.
    """

    #: at most this many error dialogs stay open at once (an error in a paint loop must not
    #: bury the user in windows)
    MAX_OPEN = 3

    def __init__(self, parent=lambda: None) -> None:
        self._parent = parent
        self._relay = _ErrorRelay()
        self._relay.error.connect(self._show, Qt.ConnectionType.QueuedConnection)
        self._previous = (sys.excepthook, threading.excepthook)
        self.dialogs: list[QWidget] = []
        self.errors: list[tuple[str, str]] = []

    def install(self) -> ExceptionHook:
        """Become the process's exception hook."""
        sys.excepthook = self.handle
        threading.excepthook = self._thread_hook
        return self

    def uninstall(self) -> None:
        """Restore the previous hooks."""
        sys.excepthook, threading.excepthook = self._previous

    def handle(self, exc_type, exc, tb) -> None:
        """Log and show one uncaught exception."""
        if issubclass(exc_type, KeyboardInterrupt):
            QApplication.quit()
            return
        details = "".join(traceback.format_exception(exc_type, exc, tb))
        log.error("Unexpected error:\n%s", details)
        print(details, file=sys.stderr)
        message = f"{exc_type.__name__}: {exc}"
        self.errors.append((message, details))
        self._relay.error.emit(message, details)

    def _thread_hook(self, args) -> None:
        self.handle(args.exc_type, args.exc_value, args.exc_traceback)

    def _show(self, message: str, details: str) -> None:
        from ei_desktop.gui.dialogs.error import ErrorDialog

        self.dialogs = [d for d in self.dialogs if d.isVisible()]
        if len(self.dialogs) >= self.MAX_OPEN:
            return
        dialog = ErrorDialog(message, details, self._parent())
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.dialogs.append(dialog)
        dialog.show()


def tune_garbage_collector() -> None:
    """Keep full garbage collections short: objects alive after start-up (modules, Qt
    wrappers, the window) are frozen out of the collector's scans, and young collections run
    less often. A full collection over everything PySide6, pandas and pyqtgraph create takes
    over 100 ms, which the user would see as a stutter while scrolling.
    """
    gc.collect()
    gc.freeze()
    gc.set_threshold(20_000, 20, 20)  # read by UiThreadGarbageCollector


def make_application(argv: Optional[list[str]] = None) -> QApplication:
    """The QApplication (reused if one exists), named and with the app icon."""
    app = QApplication.instance()
    if app is None:
        QGuiApplication.setHighDpiScaleFactorRoundingPolicy(
            Qt.HighDpiScaleFactorRoundingPolicy.PassThrough
        )
        app = QApplication(argv if argv is not None else sys.argv[:1])
    app.setApplicationName("ei-desktop")
    app.setApplicationDisplayName("ei-desktop")
    app.setOrganizationName("ei-desktop")
    app.setApplicationVersion(about.VERSION)
    app.setDesktopFileName("ei-desktop")
    app.setWindowIcon(icons.app_icon())
    return app  # type: ignore[return-value]


def run(
    project: Optional[str] = None,
    *,
    files: Sequence[str] = (),
    quit_after_ms: Optional[int] = None,
) -> int:
    """Open the main window on ``project`` (a local folder; default: the last connection or
    the default project) and run until it is closed. Returns the exit code.

    ``files`` (files or folders) are offered for upload once the project is open: the upload
    options dialog shows for them. ``quit_after_ms`` closes the window after that long
    (smoke tests).
    """
    from ei_desktop.gui.main_window import MainWindow
    from ei_desktop.gui.settings import Settings

    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    app = make_application()
    window = MainWindow(Settings())
    hook = ExceptionHook(lambda: window).install()
    tune_garbage_collector()
    collector = UiThreadGarbageCollector(app)
    try:
        window.show()
        if files:
            window.uploads.upload_when_open(list(files))
        window.connection.open_startup(project)
        if quit_after_ms is not None:
            QTimer.singleShot(quit_after_ms, window.close)
        return int(app.exec())
    finally:
        collector.stop()
        hook.uninstall()
