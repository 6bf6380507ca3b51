#!/usr/bin/env python3
"""How long the time-series view takes to show a huge sample: ``set_series`` and the first
paint of 10,000,000 rows × 3 axes with one label region (the figures the widget test used to
assert; tests now check the behaviour behind them instead).

    .venv/bin/python benchmarks/timeseries_plot.py [--rows 10000000] [--repeat 3]

Runs offscreen unless a display is available. Not a test: it prints figures.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
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
from ei_desktop.gui.widgets.timeseries import TimeSeriesView  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    add_json_argument(parser)
    args = parser.parse_args()
    shown_s, painted_s = [], []
    app = QApplication.instance() or QApplication(sys.argv)
    values = np.empty((args.rows, 3))
    values[:, 0] = np.arange(args.rows) % 1000
    values[:, 1] = -values[:, 0]
    values[:, 2] = 1.5
    series = Series([Sensor(n, "g") for n in "xyz"], values, interval_ms=1.0)
    labels = [{"label": "a", "startIndex": 1000, "endIndex": args.rows // 5}]
    view = TimeSeriesView()
    view.resize(800, 400)
    view.show()
    app.processEvents()
    for run in range(1, args.repeat + 1):
        view.clear()
        started = time.perf_counter()
        view.set_series(series, labels)
        shown = time.perf_counter()
        view.grab()
        painted = time.perf_counter()
        shown_s.append(shown - started)
        painted_s.append(painted - shown)
        print(
            f"run {run}: set_series {shown - started:.3f} s, first paint {painted - shown:.3f} s"
            f" ({args.rows:,} rows × 3)"
        )
    figures = Figures("timeseries_plot")
    figures.add(
        "set_series",
        f"time-series preview of {args.rows:,} rows, set_series (UI thread)",
        statistics.median(shown_s) * 1000,
        unit="ms",
        higher_is_better=False,
    )
    figures.add(
        "first_paint",
        f"time-series preview of {args.rows:,} rows, first paint",
        statistics.median(painted_s) * 1000,
        unit="ms",
        higher_is_better=False,
    )
    figures.write(args.json)


if __name__ == "__main__":
    main()
