#!/usr/bin/env python3
"""How responsive the main window stays: event-loop stalls during a 5,000-file upload and
while listing, scrolling, filtering and sorting a 1,000,000-sample project, and the memory
the window holds with 1M samples listed.

    .venv/bin/python benchmarks/gui_latency.py [--files 5000] [--samples 1000000] [--keep DIR]

A QTimer probe fires every 10 ms; each firing records how late it came (actual − expected).
The worst and 99th-percentile lateness are the longest the UI thread was blocked. On a
shared machine lateness also counts time the UI thread waited for a CPU, so each line adds
the UI thread's own CPU time between two firings (the longest the window's code kept it
busy). Runs offscreen unless a display is available. Not a test: it prints figures.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tools"))
sys.path.insert(0, str(ROOT / "benchmarks"))
if not os.environ.get("DISPLAY") and not os.environ.get("WAYLAND_DISPLAY"):
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from figures import Figures, add_json_argument  # noqa: E402
from PySide6.QtCore import QElapsedTimer, QEventLoop, Qt, QTimer  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from ei_desktop.core.backends.base import SampleQuery  # noqa: E402
from ei_desktop.core.edits import SetLabel  # noqa: E402
from ei_desktop.gui.app import make_application, tune_garbage_collector  # noqa: E402
from ei_desktop.gui.connections import ConnectionSpec  # noqa: E402
from ei_desktop.gui.credentials import CredentialStore  # noqa: E402
from ei_desktop.gui.dialogs.results import ResultsDialog  # noqa: E402
from ei_desktop.gui.main_window import MainWindow  # noqa: E402
from ei_desktop.gui.settings import Settings  # noqa: E402
from ei_desktop.ops import UploadOptions  # noqa: E402

PROBE_MS = 10


class Probe:
    """Measures how late a 10 ms timer fires on the UI thread."""

    def __init__(self) -> None:
        self.timer = QTimer()
        self.timer.setTimerType(Qt.TimerType.PreciseTimer)
        self.timer.setInterval(PROBE_MS)
        self.timer.timeout.connect(self._tick)
        self.clock = QElapsedTimer()
        self.late: list[float] = []
        #: the UI thread's CPU time between two firings, ms
        self.busy: list[float] = []
        self._last = 0
        self._last_cpu = 0.0

    def start(self) -> None:
        self.late = []
        self.busy = []
        self.clock.start()
        self._last = self.clock.nsecsElapsed()
        self._last_cpu = time.thread_time()
        self.timer.start()

    def stop(self) -> list[float]:
        self.timer.stop()
        return self.late

    def _tick(self) -> None:
        now = self.clock.nsecsElapsed()
        cpu = time.thread_time()
        self.late.append(max(0.0, (now - self._last) / 1e6 - PROBE_MS))
        self.busy.append((cpu - self._last_cpu) * 1000)
        self._last = now
        self._last_cpu = cpu


def spin(ms: int) -> None:
    loop = QEventLoop()
    QTimer.singleShot(ms, loop.quit)
    loop.exec()


def spin_until(condition, timeout_s: float = 600.0) -> float:
    started = time.perf_counter()
    while not condition():
        if time.perf_counter() - started > timeout_s:
            raise TimeoutError("gave up waiting")
        spin(5)
    return time.perf_counter() - started


FIGURES = Figures("gui_latency")


def summary(name: str, late: list[float], busy: list[float] | None = None) -> str:
    """One line on the probe's lateness (and the worst stall recorded as a figure), with the
    most CPU the UI thread spent between two firings when ``busy`` is given.
    """
    if not late:
        return f"{name}: no samples"
    ordered = sorted(late)
    p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]
    p50 = ordered[len(ordered) // 2]
    slug = "_".join(name.replace(",", "").split()[2:]) or name
    FIGURES.add(
        f"stall.{slug}", f"{name}: worst stall", ordered[-1], unit="ms", higher_is_better=False
    )
    text = (
        f"{name}: worst stall {ordered[-1]:.1f} ms, p99 {p99:.1f} ms, median {p50:.1f} ms "
        f"({len(ordered)} probes)"
    )
    if busy:
        FIGURES.add(
            f"busy.{slug}",
            f"{name}: most UI-thread CPU between two firings",
            max(busy),
            unit="ms",
            higher_is_better=False,
        )
        text += f"; UI-thread CPU between firings at most {max(busy):.1f} ms"
    return text


def rss() -> str:
    try:
        fields = {}
        with open("/proc/self/status") as handle:
            for line in handle:
                key, _, value = line.partition(":")
                fields[key] = value.strip()
        return f"VmRSS {fields.get('VmRSS')}, VmHWM (peak) {fields.get('VmHWM')}"
    except OSError:
        import resource

        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        return f"peak RSS {peak / 1024:.0f} MB"


def make_window(work: Path) -> MainWindow:
    window = MainWindow(
        Settings(work / "settings.ini"),
        CredentialStore(work / "credentials.json", use_keyring=False),
    )
    window.resize(1400, 900)
    window.show()
    tune_garbage_collector()  # as ei_desktop.gui.app.run does
    return window


def listed(window: MainWindow) -> bool:
    return (
        window.backend is not None and not window.table_model.loading and not window.reads.running()
    )


def close(window: MainWindow) -> None:
    window.close()
    window.deleteLater()
    spin(50)


def bench_upload(work: Path, files: int) -> None:
    folder = work / "files"
    folder.mkdir()
    labels = ["idle", "walk", "run", "wave", "jump"]
    rng = random.Random(3)
    for i in range(files):
        label = labels[i % len(labels)]
        rows = "\n".join(
            f"{t * 10},{rng.gauss(0, 1):.4f},{rng.gauss(0, 1):.4f},{9.81 + rng.gauss(0, 0.1):.4f}"
            for t in range(100)
        )
        (folder / f"{label}.{i:05d}.csv").write_text(f"timestamp,accX,accY,accZ\n{rows}\n")
    window = make_window(work)
    new_project = ConnectionSpec.local(str(work / "upload-project"), create=True)
    window.connection.open_connection(new_project)
    spin_until(lambda: listed(window))
    probe = Probe()
    probe.start()
    started = time.perf_counter()
    window.uploads.start_upload([str(folder)], UploadOptions())
    # keep the table busy too: it refreshes once the upload is done
    spin_until(lambda: not window.jobs.running() and listed(window))
    seconds = time.perf_counter() - started
    late = probe.stop()
    report = [d for d in window.findChildren(ResultsDialog) if d.isVisible()][-1].report
    print(
        f"(a) upload of {files:,} files: {report.done_count:,} uploaded, "
        f"{len(report.failed):,} failed in {seconds:.1f} s; rows listed: "
        f"{window.table_model.rowCount():,}"
    )
    print("    " + summary("UI thread during the upload", late, probe.busy))
    close(window)


def bench_listing(work: Path, samples: int, keep: Path | None) -> None:
    from seed_project import seed

    project = keep if keep is not None else work / "big-project"
    if not (project / "project.sqlite3").exists():
        print(f"seeding {samples:,} samples …", flush=True)
        seconds = seed(project, samples)
        print(f"seeded in {seconds:.1f} s")
    window = make_window(work)
    probe = Probe()
    probe.start()
    started = time.perf_counter()
    window.connection.open_startup(str(project))
    spin_until(lambda: window.table_model.rowCount() > 0)
    first_rows = time.perf_counter() - started
    spin_until(lambda: listed(window))
    all_ids = time.perf_counter() - started
    open_late = probe.stop()
    print(
        f"(b) open {window.table_model.rowCount():,} samples: first rows after "
        f"{first_rows * 1000:.0f} ms, every id after {all_ids * 1000:.0f} ms"
    )
    print("    " + summary("UI thread while opening and listing", open_late, probe.busy))
    print(f"    memory with {window.table_model.rowCount():,} samples listed: {rss()}")

    # scrolling: jump around as a user dragging the scroll bar would
    bar = window.table.verticalScrollBar()
    rng = random.Random(5)
    probe.start()
    for _ in range(150):
        bar.setValue(rng.randrange(bar.maximum() + 1))
        spin(20)
    scroll_late = probe.stop()
    print("    " + summary("UI thread while scrolling 150 jumps", scroll_late, probe.busy))

    # filters and sorts: time until the first rows of the new result are on screen
    changes = [
        ("name filter 'walk'", lambda: window.filter_bar.set_text("walk")),
        ("name filter 'run.0004'", lambda: window.filter_bar.set_text("run.0004")),
        ("clear the name filter", lambda: window.filter_bar.set_text("")),
        (
            "category Testing",
            lambda: window.tree.setCurrentIndex(window.tree_model.index_of(("testing", None))),
        ),
        (
            "label idle in Testing",
            lambda: window.tree.setCurrentIndex(window.tree_model.index_of(("testing", "idle"))),
        ),
        (
            "all samples",
            lambda: window.tree.setCurrentIndex(window.tree_model.index_of((None, None))),
        ),
        ("sort by name", lambda: window.table_model.sort(1, Qt.SortOrder.AscendingOrder)),
        ("sort by length", lambda: window.table_model.sort(5, Qt.SortOrder.DescendingOrder)),
        ("sort by added", lambda: window.table_model.sort(8, Qt.SortOrder.AscendingOrder)),
        ("sort by id", lambda: window.table_model.sort(0, Qt.SortOrder.DescendingOrder)),
    ]
    probe.start()
    for name, change in changes:
        resets = []
        connection = window.table_model.modelReset.connect(lambda r=resets: r.append(1))
        started = time.perf_counter()
        change()
        try:
            spin_until(
                lambda r=resets: bool(r) or (listed(window) and window.table_model.rowCount() > 0)
            )
            first = time.perf_counter() - started
            spin_until(lambda: listed(window))
            total = time.perf_counter() - started
        finally:
            window.table_model.modelReset.disconnect(connection)
        print(
            f"    {name:<24} first rows {first * 1000:6.0f} ms, all "
            f"{window.table_model.rowCount():>9,} ids {total * 1000:6.0f} ms"
        )
    filter_late = probe.stop()
    print("    " + summary("UI thread while filtering and sorting", filter_late, probe.busy))
    bench_curation(window)
    print(f"    memory at the end: {rss()}")
    close(window)


def bench_curation(window: MainWindow) -> None:
    """Relabel 100,000 samples (selected as the Edit menu's Set label does, by a query) and
    undo it, from the window's curation controller: how long until the list, tree and summary
    show the result, and the worst UI-thread stall meanwhile.
    """
    selection = SampleQuery(min_id=1, max_id=100_001, include_disabled="both")
    steps = [
        ("relabel 100,000", lambda: window.curation.apply(SetLabel("checked"), selection)),
        ("undo it", window.curation.undo),
    ]
    for name, step in steps:
        done = []
        connection = window.curation.finished.connect(lambda *_, d=done: d.append(1))
        probe = Probe()
        probe.start()
        started = time.perf_counter()
        step()
        try:
            spin_until(lambda d=done: bool(d))
            applied = time.perf_counter() - started
            spin_until(lambda: listed(window) and not window.panels.summary_bar.loading)
            shown = time.perf_counter() - started
        finally:
            window.curation.finished.disconnect(connection)
        late = probe.stop()
        print(
            f"(c) {name}: applied after {applied * 1000:.0f} ms, list and summary show it"
            f" after {shown * 1000:.0f} ms"
        )
        print("    " + summary(f"UI thread while {name}", late, probe.busy))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=5000)
    parser.add_argument("--samples", type=int, default=1_000_000)
    parser.add_argument("--keep", type=Path, help="a 1M project folder to reuse (seeded if new)")
    parser.add_argument("--skip-upload", action="store_true")
    parser.add_argument("--skip-listing", action="store_true")
    add_json_argument(parser)
    args = parser.parse_args()
    app = make_application()
    print(f"Qt platform: {QApplication.platformName()}, {os.cpu_count()} CPUs")
    work = Path(tempfile.mkdtemp(prefix="ei-gui-bench-"))
    try:
        if not args.skip_upload:
            bench_upload(work, args.files)
        if not args.skip_listing:
            bench_listing(work, args.samples, args.keep)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    app.processEvents()
    FIGURES.write(args.json)
    return 0


if __name__ == "__main__":
    sys.exit(main())
