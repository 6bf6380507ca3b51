"""The one way the GUI runs work off the UI thread.

A job wraps a plain function ``fn(progress, cancel) -> result`` that knows nothing of Qt. It
runs on a :class:`QThreadPool`; its signals (progress, finished, failed, done) are emitted from
the worker thread by a separate ``QObject`` that lives on the UI thread, so Qt queues them and
every slot runs on the UI thread. A failure carries the exception object, so a caller decides by
type (``isinstance(exc, InvalidApiKey)``); :func:`error_message` words it for the user.

A consumer that only wants the answer to its latest request (the preview of the current row,
the listing of the current filter) owns a :class:`JobSlot`: starting a job in the slot cancels
and disconnects the one before, so a stale result never lands.
"""

from __future__ import annotations

import logging
import threading
import time
import traceback
from collections.abc import Callable
from typing import Any, Optional

from PySide6.QtCore import QCoreApplication, QObject, QRunnable, QThreadPool, Signal

from ei_desktop.core.backends.base import BackendError, InvalidApiKey, UploadResult
from ei_desktop.core.progress import CancelToken, Progress
from ei_desktop.gui.alive import while_alive
from ei_desktop.ops.report import ItemReport, Status

log = logging.getLogger(__name__)

JobFunction = Callable[[Callable[[Progress], None], CancelToken], Any]

#: progress updates are forwarded to the UI at most this often (the last one always is)
PROGRESS_INTERVAL_S = 0.05


class JobSignals(QObject):
    """What a job reports; connect before starting it.

    ``progress`` carries a :class:`Progress`, ``finished`` the function's return value,
    ``failed`` the exception it raised, and ``done`` fires last in every case.
    """

    started = Signal()
    progress = Signal(object)
    finished = Signal(object)
    failed = Signal(object)
    done = Signal()


def error_message(exc: BaseException) -> str:
    """How a job's failure reads to the user: a backend's own words, else the exception."""
    if isinstance(exc, InvalidApiKey):
        return str(exc) or "The server refused the API key."
    if isinstance(exc, BackendError):
        return str(exc) or type(exc).__name__
    return f"Unexpected error: {type(exc).__name__}: {exc}"


def error_details(exc: BaseException) -> Optional[str]:
    """The traceback of an unexpected failure (a bug), ``None`` for a backend's error."""
    if isinstance(exc, BackendError):
        return None
    return "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))


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
        result: Any = None
        error: Optional[BaseException] = None
        try:
            result = self.fn(self._report, self.cancel_token)
        except BackendError as exc:
            error = exc
        except Exception as exc:  # noqa: BLE001 - a job must report, never kill the app
            error = exc
            log.exception("Job %s failed", self.name)
        with self._lock:
            pending, self._pending = self._pending, None
        if pending is not None:
            self.signals.progress.emit(pending)
        self._finished_event.set()
        if error is None:
            self.signals.finished.emit(result)
        else:
            self.signals.failed.emit(error)
        self.signals.done.emit()


def _is_failure(item: Any) -> bool:
    """True for a progress item that reports a failed item (content already in the project
    is not a failure).
    """
    if isinstance(item, ItemReport):
        return item.status is Status.FAILED
    if isinstance(item, UploadResult):
        return not item.success and not item.duplicate
    return False


class JobRunner(QObject):
    """Starts jobs on a thread pool and keeps them alive until their last signal arrived.

    Args:
        max_threads: size of this runner's own pool (separate pools keep long uploads from
            starving the short reads that keep the table and preview responsive).
    """

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
        on_failed: Optional[Callable[[BaseException], None]] = None,
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
        # Start the bound method, not the QRunnable: PySide keeps a QRunnable handed to a pool
        # (and its result) alive for good, while a callable is released when it returns.
        self.pool.start(job.run, priority)
        return job

    def slot(self, parent: Optional[QObject] = None) -> JobSlot:
        """A new "latest result wins" slot running its jobs on this runner."""
        return JobSlot(self, parent)

    @while_alive
    def _on_done(self, job: Job) -> None:
        if job in self._jobs:
            self._jobs.remove(job)
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
        return self.wait_until(lambda: not self._jobs, timeout_s)

    def wait_until(self, condition: Callable[[], bool], timeout_s: float = 30.0) -> bool:
        """Run the event loop (delivering jobs' signals) until ``condition()`` holds; False
        if it still does not after ``timeout_s``. UI thread only.
        """
        deadline = time.monotonic() + timeout_s
        while not condition():
            if time.monotonic() > deadline:
                return False
            self.pool.waitForDone(10)
            QCoreApplication.sendPostedEvents()
            QCoreApplication.processEvents()
        return True


class JobSlot(QObject):
    """One job at a time for one consumer; the latest started job is the only one heard.

    :meth:`start` cancels the job running in the slot and disconnects it before starting the
    new one, so ``finished``, ``failed`` and ``progress`` only ever carry the latest job's
    news. Connect to the slot's signals once, not to each job's.

    Signals:
        progress(Progress): the current job reported progress.
        finished(object): the current job returned this value.
        failed(BaseException): the current job raised this exception.
    """

    progress = Signal(object)
    finished = Signal(object)
    failed = Signal(object)

    def __init__(self, runner: JobRunner, parent: Optional[QObject] = None) -> None:
        super().__init__(parent if parent is not None else runner)
        self._runner = runner
        self._job: Optional[Job] = None
        self._connections: list[tuple[Any, Callable]] = []

    @property
    def running(self) -> bool:
        """True from :meth:`start` until the current job's result or failure is delivered."""
        return self._job is not None

    def start(
        self,
        job_or_fn: Job | JobFunction,
        *,
        name: str = "job",
        throttle: bool = True,
        priority: int = 0,
    ) -> Job:
        """Cancel the job in the slot (its news is dropped), then run this one; returns it."""
        self.cancel()
        job = (
            job_or_fn
            if isinstance(job_or_fn, Job)
            else Job(job_or_fn, name=name, throttle=throttle)
        )
        self._job = job
        self._connect(job.signals.progress, lambda update: self._relay_progress(job, update))
        self._connect(job.signals.finished, lambda result: self._relay_finished(job, result))
        self._connect(job.signals.failed, lambda error: self._relay_failed(job, error))
        return self._runner.start(job, priority=priority)

    def cancel(self) -> None:
        """Ask the current job to stop and drop whatever it still reports."""
        job, self._job = self._job, None
        if job is not None:
            job.cancel()
        self._disconnect()

    def _connect(self, signal, slot: Callable) -> None:
        signal.connect(slot)
        self._connections.append((signal, slot))

    def _disconnect(self) -> None:
        for signal, slot in self._connections:
            try:
                signal.disconnect(slot)
            except (RuntimeError, TypeError):  # the job's signals object is already gone
                pass
        self._connections.clear()

    # A result already queued when the job was replaced may still arrive after the
    # disconnect; the identity check drops it.

    @while_alive
    def _relay_progress(self, job: Job, update: Progress) -> None:
        if job is self._job:
            self.progress.emit(update)

    @while_alive
    def _relay_finished(self, job: Job, result: Any) -> None:
        if job is self._job:
            self._job = None
            self._disconnect()
            self.finished.emit(result)

    @while_alive
    def _relay_failed(self, job: Job, error: BaseException) -> None:
        if job is self._job:
            self._job = None
            self._disconnect()
            self.failed.emit(error)
