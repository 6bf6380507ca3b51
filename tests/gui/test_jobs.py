"""The job layer: signals in order on the UI thread, failures reported, cancel honoured."""

from __future__ import annotations

import threading

import pytest
from PySide6.QtCore import Qt

from ei_desktop.core.backends.base import BackendError, InvalidApiKey
from ei_desktop.core.progress import Progress
from ei_desktop.gui.jobs.runner import Job, JobRunner, error_details, error_message


@pytest.fixture
def runner(qtbot):
    runner = JobRunner(max_threads=2)
    yield runner
    runner.wait_all(timeout_s=10, cancel=True)


def test_signals_arrive_in_order_on_the_ui_thread(qtbot, runner):
    main = threading.get_ident()
    seen_threads = []

    def work(progress, cancel):
        seen_threads.append(threading.get_ident())
        progress(Progress(1, 2))
        return 42

    job = Job(work, throttle=False)
    received = []
    job.signals.progress.connect(lambda p: received.append(("progress", threading.get_ident())))
    job.signals.finished.connect(lambda r: received.append((r, threading.get_ident())))
    with qtbot.waitSignals(
        [job.signals.started, job.signals.progress, job.signals.finished, job.signals.done],
        order="strict",
        timeout=5000,
    ):
        runner.start(job)
    assert seen_threads and seen_threads[0] != main
    assert received == [("progress", main), (42, main)]


@pytest.mark.parametrize(
    ("error", "message"),
    [
        (BackendError("Cannot reach 10.0.0.1: refused"), "Cannot reach 10.0.0.1: refused"),
        (InvalidApiKey(""), "The server refused the API key."),
        (ZeroDivisionError("boom"), "Unexpected error: ZeroDivisionError: boom"),
    ],
)
def test_a_raising_function_reports_the_exception_not_finished(qtbot, runner, error, message):
    def work(progress, cancel):
        raise error

    job = Job(work)
    finished = []
    job.signals.finished.connect(finished.append)
    with qtbot.waitSignal(job.signals.failed, timeout=5000) as blocker:
        runner.start(job)
    assert blocker.args == [error]
    assert error_message(blocker.args[0]) == message
    qtbot.waitUntil(lambda: not runner.running())
    assert finished == []


def test_only_unexpected_errors_carry_a_traceback(qtbot, runner):
    def work(progress, cancel):
        raise ZeroDivisionError("boom")

    job = Job(work)
    with qtbot.waitSignal(job.signals.failed, timeout=5000) as blocker:
        runner.start(job)
    assert "ZeroDivisionError: boom" in error_details(blocker.args[0])
    assert "Traceback" in error_details(blocker.args[0])
    assert error_details(BackendError("Cannot reach the server")) is None


def test_cancel_stops_a_cooperative_function(qtbot, runner):
    started = threading.Event()

    def work(progress, cancel):
        started.set()
        count = 0
        while not cancel.wait(0.01):
            count += 1
        return count

    job = runner.start(work)
    assert started.wait(5)
    assert runner.running() == [job]
    with qtbot.waitSignal(job.signals.finished, timeout=5000):
        job.cancel()
    assert job.cancelled


def test_progress_is_throttled_but_the_last_update_and_failures_count(qtbot, runner):
    from ei_desktop.ops import ItemReport, Status

    def work(progress, cancel):
        failure = ItemReport("x", Status.FAILED, "bad")
        present = ItemReport("y", Status.PRESENT, "already there")  # not a failure
        for i in range(1, 1001):
            item = failure if i % 100 == 0 else present if i % 7 == 0 else None
            progress(Progress(i, 1000, item=item))
        return None

    job = Job(work)
    updates = []
    job.signals.progress.connect(updates.append)
    with qtbot.waitSignal(job.signals.done, timeout=5000):
        runner.start(job)
    assert 1 <= len(updates) < 1000
    assert updates[-1].done == 1000
    assert job.failed_count == 10


def test_wait_all_delivers_every_pending_signal(qtbot, runner):
    results = []
    for n in range(5):
        runner.start(lambda progress, cancel, n=n: n, on_finished=results.append)
    assert runner.wait_all(timeout_s=10)
    assert sorted(results) == [0, 1, 2, 3, 4]
    assert runner.running() == []


# -- the "latest result wins" slot -----------------------------------------------------------


def blocking(release: threading.Event, value, started: threading.Event | None = None):
    """A job function that waits for ``release`` (or cancel), then returns ``value``."""

    def work(progress, cancel):
        if started is not None:
            started.set()
        while not release.is_set() and not cancel.wait(0.005):
            pass
        return value

    return work


def test_a_second_start_cancels_the_first_and_only_its_result_lands(qtbot, runner):
    slot = runner.slot()
    delivered = []
    slot.finished.connect(delivered.append)
    release, first_started = threading.Event(), threading.Event()
    first = slot.start(blocking(release, "first", first_started))
    assert first_started.wait(5)
    with qtbot.waitSignal(slot.finished, timeout=5000) as blocker:
        second = slot.start(blocking(release, "second"))
        assert first.cancelled and not second.cancelled
        release.set()
    assert blocker.args == ["second"]
    assert runner.wait_all(timeout_s=10)
    assert delivered == ["second"]
    assert not slot.running


def test_a_result_already_sent_by_a_replaced_job_is_dropped(qtbot, runner):
    slot = runner.slot()
    delivered = []
    slot.finished.connect(delivered.append)
    sent = threading.Event()
    first = Job(lambda progress, cancel: "stale")
    # set on the worker thread once every signal of the job was emitted (and queued)
    first.signals.done.connect(sent.set, Qt.ConnectionType.DirectConnection)
    slot.start(first)
    assert sent.wait(5)  # no event processed: "stale" waits in the queue
    with qtbot.waitSignal(slot.finished, timeout=5000) as blocker:
        slot.start(lambda progress, cancel: "fresh")
    assert blocker.args == ["fresh"]
    assert runner.wait_all(timeout_s=10)
    assert delivered == ["fresh"]


def test_a_failure_in_the_slot_delivers_the_exception_object(qtbot, runner):
    slot = runner.slot()
    refused = InvalidApiKey("The server refused the API key.")

    def work(progress, cancel):
        raise refused

    with qtbot.waitSignal(slot.failed, timeout=5000) as blocker:
        slot.start(work)
    assert blocker.args == [refused]
    assert isinstance(blocker.args[0], InvalidApiKey)
    assert not slot.running


def test_a_cancelled_slot_reports_nothing(qtbot, runner):
    slot = runner.slot()
    heard = []
    slot.finished.connect(heard.append)
    slot.failed.connect(heard.append)
    slot.progress.connect(heard.append)
    release = threading.Event()
    job = slot.start(blocking(release, "late"))
    slot.cancel()
    release.set()
    assert runner.wait_all(timeout_s=10)  # delivers whatever the job still sent
    assert heard == [] and job.cancelled and not slot.running


def test_progress_of_the_current_job_goes_through_the_slot(qtbot, runner):
    slot = runner.slot()

    def work(progress, cancel):
        progress(Progress(1, 2, message="half"))
        return "done"

    with qtbot.waitSignals([slot.progress, slot.finished], order="strict", timeout=5000):
        slot.start(work, throttle=False)


def test_download_job_reports_unreadable_content_and_carries_on(tmp_path):
    from gui_helpers import seed_csv

    from ei_desktop.core.backends.local import LocalBackend
    from ei_desktop.core.progress import CancelToken
    from ei_desktop.gui.jobs.download import download_job

    with LocalBackend(tmp_path / "project", create=True) as backend:
        ids = seed_csv(backend, 3)
        backend.blobs.delete(backend.get_sample(ids[1]).sha256)  # content lost on disk
        outcome = download_job(backend, ids, str(tmp_path / "out"))(lambda p: None, CancelToken())
    assert outcome.done_count == 2
    assert len(outcome.failed) == 1
    assert "stored content of sample 2 is missing" in outcome.failed[0].reason
    assert len(list((tmp_path / "out").iterdir())) == 2
