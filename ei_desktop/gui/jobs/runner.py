"""The one way the GUI runs work off the UI thread.

A job wraps a plain function ``fn(progress, cancel) -> result`` that knows nothing of Qt. It
runs on a :class:`QThreadPool`; its signals (progress, finished, failed, done) are emitted from
the worker thread by a separate ``QObject`` that lives on the UI thread, so Qt queues them and
every slot runs on the UI thread.
"""

from __future__ import annotations

import logging
import threading
import time
import traceback
from collections.abc import Callable
from typing import Any, Optional

from PySide6.QtCore import QCoreApplication, QObject, QRunnable, QThreadPool, Signal

from ei_desktop.core.backends.base import BackendError, InvalidApiKey
from ei_desktop.core.progress import CancelToken, Progress
from ei_desktop.gui.alive import while_alive

log = logging.getLogger(__name__)

JobFunction = Callable[[Callable[[Progress], None], CancelToken], Any]

#: progress updates are forwarded to the UI at most this often (the last one always is)
PROGRESS_INTERVAL_S = 0.05


class JobSignals(QObject):
    """What a job reports; connect before starting it.

    ``progress`` carries a :class:`Progress`, ``finished`` the function's return value,
    ``failed`` a message for the user, and ``done`` fires last in every case.
    """

    started = Signal()
    progress = Signal(object)
    finished = Signal(object)
    failed = Signal(str)
    done = Signal()


class Job(QRunnable):
    """A function to run on a worker thread, with progress and cooperative cancellation.

    Args:
        fn: called as ``fn(progress, cancel)`` on a worker thread; its return value is sent
            with ``finished``. It reports with ``progress(Progress(...))`` and should stop
            early (returning what it did) when ``cancel.cancelled`` becomes true.
        name: a short description for logs and the list of running jobs.
        throttle: forward at most one progress update per :data:`PROGRESS_INTERVAL_S`;
            updates that carry an ``item`` the UI needs (a first page of a listing) can be
            sent unthrottled by passing ``False``.
    """

    def __init__(self, fn: JobFunction, *, name: str = "job", throttle: bool = True) -> None:
        super().__init__()
        self.setAutoDelete(False)
        self.fn = fn
        self.name = name
        self.cancel_token = CancelToken()
        self.signals = JobSignals()
        self.result: Any = None
        self.error: Optional[str] = None
        self.error_details: Optional[str] = None
        #: the exception the function raised, if any
        self.exception: Optional[BaseException] = None
        self.last_progress: Optional[Progress] = None
        #: items reported failed so far (counted before throttling, so it is exact)
        self.failed_count = 0
        self._throttle = throttle
        self._last_emit = 0.0
        self._pending: Optional[Progress] = None
        self._lock = threading.Lock()
        self._finished_event = threading.Event()

    @property
    def cancelled(self) -> bool:
        """True once :meth:`cancel` was called."""
        return self.cancel_token.cancelled

    def cancel(self) -> None:
        """Ask the function to stop at its next item."""
        self.cancel_token.cancel()

    def is_finished(self) -> bool:
        """True once the function returned or raised (signals may still be queued)."""
        return self._finished_event.is_set()

    def _report(self, update: Progress) -> None:
        now = time.monotonic()
        with self._lock:
            self.last_progress = update
            if _is_failure(update.item):
                self.failed_count += 1
            if self._throttle and now - self._last_emit < PROGRESS_INTERVAL_S:
                self._pending = update
                return
            self._last_emit = now
            self._pending = None
        self.signals.progress.emit(update)

    def run(self) -> None:  # noqa: D102 - QRunnable
        self.signals.started.emit()
        try:
            self.result = self.fn(self._report, self.cancel_token)
        except InvalidApiKey as exc:
            self.exception = exc
            self.error = str(exc) or "The server refused the API key."
        except BackendError as exc:
            self.exception = exc
            self.error = str(exc) or type(exc).__name__
        except Exception as exc:  # noqa: BLE001 - a job must report, never kill the app
            self.exception = exc
            self.error = f"Unexpected error: {type(exc).__name__}: {exc}"
            self.error_details = traceback.format_exc()
            log.exception("Job %s failed", self.name)
        with self._lock:
            pending, self._pending = self._pending, None
        if pending is not None:
            self.signals.progress.emit(pending)
        self._finished_event.set()
        if self.error is None:
            self.signals.finished.emit(self.result)
        else:
            self.signals.failed.emit(self.error)
        self.signals.done.emit()


def _is_failure(item: Any) -> bool:
    from ei_desktop.gui.jobs.outcome import Failure

    return isinstance(item, Failure) or getattr(item, "success", None) is False


class JobRunner(QObject):
    """Starts jobs on a thread pool and keeps them alive until their last signal arrived.

    Args:
        max_threads: size of this runner's own pool (separate pools keep long uploads from
            starving the short reads that keep the table and preview responsive).
    """

    jobStarted = Signal(object)
    jobDone = Signal(object)

    def __init__(self, max_threads: int = 2, parent: Optional[QObject] = None) -> None:
        super().__init__(parent)
        self.pool = QThreadPool(self)
        self.pool.setMaxThreadCount(max_threads)
        # Keep the threads: a backend may hold per-thread resources (a local project keeps
        # one SQLite connection and its page cache per thread), so new threads cost memory.
        self.pool.setExpiryTimeout(-1)
        self._jobs: list[Job] = []

    def start(
        self,
        job_or_fn: Job | JobFunction,
        *,
        name: str = "job",
        on_finished: Optional[Callable[[Any], None]] = None,
        on_failed: Optional[Callable[[str], None]] = None,
        on_progress: Optional[Callable[[Progress], None]] = None,
        priority: int = 0,
    ) -> Job:
        """Run a job (or a plain function wrapped in one); returns the job.

        The callbacks are connected before the job starts, so none of its signals is missed.
        """
        job = job_or_fn if isinstance(job_or_fn, Job) else Job(job_or_fn, name=name)
        if on_finished is not None:
            job.signals.finished.connect(on_finished)
        if on_failed is not None:
            job.signals.failed.connect(on_failed)
        if on_progress is not None:
            job.signals.progress.connect(on_progress)
        job.signals.done.connect(lambda job=job: self._on_done(job))
        self._jobs.append(job)
        self.jobStarted.emit(job)
        # Start the bound method, not the QRunnable: PySide keeps a QRunnable handed to a pool
        # (and its result) alive for good, while a callable is released when it returns.
        self.pool.start(job.run, priority)
        return job

    @while_alive
    def _on_done(self, job: Job) -> None:
        if job in self._jobs:
            self._jobs.remove(job)
        self.jobDone.emit(job)
        # The slots connected to a job's signals (lambdas capturing the job, the window, a
        # result of millions of ids…) are held by Qt, where Python's collector cannot see the
        # cycle; deleting the signals object releases them, and with them the job.
        job.signals.deleteLater()

    def running(self) -> list[Job]:
        """Jobs started and not yet done (their ``done`` signal not yet delivered)."""
        return list(self._jobs)

    def cancel_all(self) -> None:
        """Ask every running job to stop."""
        for job in self._jobs:
            job.cancel()

    def wait_all(self, timeout_s: float = 30.0, *, cancel: bool = False) -> bool:
        """Wait until every job is done, delivering their signals; True if all finished.

        Runs the event loop while waiting, so call it from the UI thread only (shutdown,
        tests).
        """
        if cancel:
            self.cancel_all()
        deadline = time.monotonic() + timeout_s
        while self._jobs:
            if time.monotonic() > deadline:
                return False
            self.pool.waitForDone(10)
            QCoreApplication.sendPostedEvents()
            QCoreApplication.processEvents()
        return True
