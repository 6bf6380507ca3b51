#!/usr/bin/env python3
"""UI-thread time of the time-series preview of a huge sample, as the app shows it: the
preview job computes the min/max envelope on a worker thread, then the UI thread runs
``set_series`` (with that envelope), the first paint, and repaints after a zoom and a pan.

    .venv/bin/python benchmarks/preview_ui_thread.py [--rows 10000000] [--repeat 3]

Prints the worker's time apart from the UI thread's CPU time (the target is < 50 ms for
set_series and first paint of 10M rows × 3 axes), for the sample and for a 1,000-row one
(what the widget costs whatever the size). ``benchmarks/timeseries_plot.py`` measures
``set_series`` without an envelope, i.e. with the envelope computed on the calling thread.
Not a test: it prints figures.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))
if not os.environ.get("DISPLAY") and not os.environ.get("WAYLAND_DISPLAY"):
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import numpy as np  # noqa: E402
from figures import Figures, add_json_argument  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from ei_desktop.core.backends.base import Series  # noqa: E402
from ei_desktop.core.model import Sensor  # noqa: E402
from ei_desktop.gui.widgets.envelope import Envelope  # noqa: E402
from ei_desktop.gui.widgets.timeseries import TimeSeriesView  # noqa: E402


def timed(action) -> float:
    """The UI thread's CPU time for ``action``, in ms: unlike wall time, it does not count
    waiting for a core when other processes share the machine."""
    started = time.thread_time()
    action()
    return (time.thread_time() - started) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    add_json_argument(parser)
    args = parser.parse_args()
    figures = Figures("preview_ui_thread")
    app = QApplication.instance() or QApplication(sys.argv)
    view = TimeSeriesView()
    view.resize(800, 400)
    view.show()
    app.processEvents()
    with ThreadPoolExecutor(1) as worker:
        for rows in (args.rows, 1000):
            shown = measure(view, worker, rows, args.repeat)
            figures.add(
                f"set_series_first_paint.{'sample' if rows == args.rows else 'small'}",
                f"preview of {rows:,} rows × 3, UI-thread CPU for set_series + first paint",
                shown,
                unit="ms",
                higher_is_better=False,
                rows=rows,
            )
    figures.write(args.json)


def measure(view: TimeSeriesView, worker: ThreadPoolExecutor, rows: int, repeat: int) -> float:
    """Print each run's steps; returns the median UI-thread ms of set_series + first paint."""
    values = np.empty((rows, 3))
    values[:, 0] = np.arange(rows) % 1000
    values[:, 1] = -values[:, 0]
    values[:, 2] = 1.5
    series = Series([Sensor(n, "g") for n in "xyz"], values, interval_ms=1.0)
    labels = [{"label": "a", "startIndex": rows // 10, "endIndex": rows // 5}]
    viewbox = view.plot.plot_item.getViewBox()
    shown, totals = [], []
    for run in range(1, repeat + 1):
        view.clear()
        started = time.perf_counter()
        envelope = worker.submit(Envelope, values).result()
        job_ms = (time.perf_counter() - started) * 1000
        steps = {
            "set_series": timed(lambda e=envelope: view.set_series(series, labels, e)),
            "first paint": timed(view.grab),
            "zoom 10%": timed(
                lambda: (viewbox.setXRange(rows * 0.4, rows * 0.5, padding=0), view.grab())
            ),
            "zoom 200 rows": timed(
                lambda: (viewbox.setXRange(rows // 2, rows // 2 + 200, padding=0), view.grab())
            ),
            "pan": timed(lambda: (viewbox.translateBy(x=100), view.grab())),
            "reset": timed(lambda: (view.plot.reset_view(), view.grab())),
        }
        shown.append(steps["set_series"] + steps["first paint"])
        totals.append(sum(steps.values()))
        parts = " · ".join(f"{name} {ms:.1f}" for name, ms in steps.items())
        print(
            f"{rows:,} rows × 3, run {run}: worker (envelope, wall) {job_ms:.0f} ms | UI: {parts}"
        )
    print(
        f"{rows:,} rows × 3, median UI-thread CPU ms: set_series + first paint "
        f"{statistics.median(shown):.1f}, all six steps {statistics.median(totals):.1f}"
    )
    return statistics.median(shown)


if __name__ == "__main__":
    main()
