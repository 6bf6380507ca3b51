"""Garbage is collected on the UI thread, never on a worker that happens to allocate."""

from __future__ import annotations

import gc
import threading

from ei_desktop.gui.garbage import UiThreadGarbageCollector


def test_collection_happens_on_the_ui_thread_only(qtbot, qapp):
    collector = UiThreadGarbageCollector(qapp)
    try:
        assert not gc.isenabled()
        threads = []
        gc.callbacks.append(lambda phase, _info: threads.append(threading.current_thread()))
        try:

            def allocate() -> None:  # far past every threshold, on a worker thread
                junk = []
                for _ in range(200_000):
                    cycle: list = []
                    cycle.append(cycle)
                    junk.append(cycle)

            worker = threading.Thread(target=allocate)
            worker.start()
            worker.join()
            assert threads == []  # the worker never collected
            qtbot.waitUntil(lambda: bool(threads), timeout=5000)
            assert set(threads) == {threading.main_thread()}
        finally:
            gc.callbacks.pop()
    finally:
        collector.stop()
    assert gc.isenabled()
