"""``ei-desktop --self-test``: prove, headlessly and in seconds, that an installation works.

Checks that every piece is really there and working: a local project round-trips a CSV, a
CBOR and a PNG file; a Parquet series and a YOLO dataset are read; the server starts on a
free loopback port and takes an upload from the core's HTTP backend; pyqtgraph plots; Qt
opens the main window (offscreen) and lists a project. Prints versions and one line per
check; returns non-zero if anything failed.
"""

from __future__ import annotations

import io
import json
import os
import platform
import sqlite3
import sys
import tempfile
import time
import traceback
from collections.abc import Callable
from pathlib import Path

from ei_desktop.core.about import VERSION

CSV = b"timestamp,accX,accY\n0,1.5,-2\n10,2.5,-1\n20,3.5,0\n"


def _versions() -> list[tuple[str, str]]:
    versions = [
        ("ei-desktop", VERSION),
        ("Python", f"{platform.python_version()} ({sys.executable})"),
        ("platform", platform.platform()),
        ("SQLite", sqlite3.sqlite_version),
    ]
    for name, module in (
        ("numpy", "numpy"),
        ("pandas", "pandas"),
        ("PySide6", "PySide6"),
        ("pyqtgraph", "pyqtgraph"),
        ("FastAPI", "fastapi"),
        ("uvicorn", "uvicorn"),
        ("requests", "requests"),
    ):
        try:
            imported = __import__(module)
            versions.append((name, str(getattr(imported, "__version__", "?"))))
        except Exception as exc:  # noqa: BLE001 - a missing piece is reported, not raised
            versions.append((name, f"MISSING ({exc})"))
    try:
        from PySide6 import QtCore

        versions.append(("Qt", QtCore.qVersion()))
    except Exception:  # noqa: BLE001
        pass
    return versions


def _cbor_bytes() -> bytes:
    import cbor2

    return cbor2.dumps(
        {
            "protected": {"ver": "v1", "alg": "none", "iat": None},
            "signature": None,
            "payload": {
                "device_type": "SELF_TEST",
                "interval_ms": 16,
                "sensors": [{"name": "temp", "units": "Cel"}],
                "values": [[21.5], [21.75], [22.0]],
            },
        }
    )


def _png_bytes() -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (8, 6), (200, 40, 90)).save(buffer, format="PNG")
    return buffer.getvalue()


def check_local_project(work: Path) -> str:
    """Upload a CSV, a CBOR and a PNG into a new local project and download them again."""
    from ei_desktop import data

    samples = [
        data.Sample(data=CSV, filename="selftest.csv", label="a"),
        data.Sample(data=_cbor_bytes(), filename="selftest.cbor", label="b"),
        data.Sample(data=_png_bytes(), filename="selftest.png", label="c"),
    ]
    from ei_desktop.core.backends.local import LocalBackend

    with LocalBackend(work / "local", create=True) as project:
        response = data.upload_samples(samples, project=project)
        if not response.success:
            raise AssertionError("; ".join(f"{f.filename}: {f.error}" for f in response.fails))
        ids = [s.sample_id for s in samples]
        csv_back, cbor_back, png_back = data.download_samples_by_ids(ids, project=project)
    if json.loads(csv_back.data)["payload"]["values"] != [[1.5, -2], [2.5, -1], [3.5, 0]]:
        raise AssertionError("the CSV values changed on the way")
    if json.loads(cbor_back.data)["payload"]["values"] != [[21.5], [21.75], [22.0]]:
        raise AssertionError("the CBOR values changed on the way")
    if png_back.data.read() != _png_bytes():
        raise AssertionError("the PNG bytes changed on the way")
    return "CSV, CBOR and PNG stored and read back"


def check_dataset_formats(work: Path) -> str:
    """Read a Parquet series (pyarrow) and a YOLO dataset named by its data.yaml (PyYAML)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    from ei_desktop.core import formats
    from ei_desktop.core.formats import datasets

    buffer = io.BytesIO()
    pq.write_table(pa.table({"timestamp": [0, 10], "x": [1.5, 2.5]}), buffer)
    parsed = formats.parse("selftest.parquet", buffer.getvalue())
    if parsed.values.tolist() != [[1.5], [2.5]] or parsed.interval_ms != 10:
        raise AssertionError("the Parquet values changed on the way")
    folder = work / "yolo"
    folder.mkdir()
    (folder / "data.yaml").write_text("names: [self test]\n", encoding="utf-8")
    (folder / "one.png").write_bytes(_png_bytes())
    (folder / "one.txt").write_text("0 0.5 0.5 0.5 0.5\n", encoding="utf-8")
    dataset = datasets.read(str(folder), datasets.detect(str(folder)) or "none")
    if [s.boxes for s in dataset.samples] != [
        [{"label": "self test", "x": 2, "y": 2, "width": 4, "height": 3}]
    ]:
        raise AssertionError(f"the YOLO box was not read: {dataset.problems}")
    return "Parquet and a YOLO dataset read"


def check_server(work: Path) -> str:
    """Serve a project on a free loopback port and upload to it with the HTTP backend."""
    from ei_desktop.core.backends.base import SampleQuery, UploadItem
    from ei_desktop.core.backends.studio import StudioBackend
    from ei_desktop.server.testing import running_server

    with running_server(work / "served", api_key="self-test-key-0123456789") as (base_url, key):
        client = StudioBackend(key, f"{base_url}/v1", base_url)
        try:
            (result,) = client.upload([UploadItem("served.csv", CSV, category="training")])
            if not result.success:
                raise AssertionError(result.error)
            if client.count(SampleQuery()) != 1:
                raise AssertionError("the server does not list the uploaded sample")
        finally:
            client.close()
    return f"served on {base_url}, upload accepted"


def _grabbed_colours(widget) -> int:
    image = widget.grab().toImage()
    if image.isNull():
        return 0
    step_x, step_y = max(1, image.width() // 40), max(1, image.height() // 40)
    return len(
        {
            image.pixel(x, y)
            for x in range(0, image.width(), step_x)
            for y in range(0, image.height(), step_y)
        }
    )


def check_plot(work: Path) -> str:
    """Draw a curve with pyqtgraph and check something was painted."""
    import numpy as np
    import pyqtgraph as pg

    from ei_desktop.gui.app import make_application

    make_application()
    plot = pg.PlotWidget()
    plot.resize(320, 200)
    plot.plot(np.sin(np.linspace(0, 12, 2000)), pen="r")
    plot.show()
    colours = _grabbed_colours(plot)
    plot.close()
    if colours < 2:
        raise AssertionError("the plot rendered blank")
    return f"plot rendered ({colours} colours sampled)"


def check_main_window(work: Path) -> str:
    """Open the main window offscreen on a local project and wait until it lists it."""
    from PySide6.QtWidgets import QApplication

    from ei_desktop import data
    from ei_desktop.core.backends.local import LocalBackend
    from ei_desktop.gui.app import make_application
    from ei_desktop.gui.connections import ConnectionSpec
    from ei_desktop.gui.credentials import CredentialStore
    from ei_desktop.gui.main_window import MainWindow
    from ei_desktop.gui.settings import Settings

    project = work / "window"
    with LocalBackend(project, create=True) as backend:
        data.upload_samples(data.Sample(data=CSV, filename="shown.csv"), project=backend)
    app = make_application()
    window = MainWindow(
        Settings(work / "settings.ini"),
        CredentialStore(work / "credentials.json", use_keyring=False),
    )
    try:
        window.resize(1000, 700)
        window.show()
        window.connection.open_connection(ConnectionSpec.local(str(project)))
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            app.processEvents()
            if window.backend is not None and window.table_model.rowCount() == 1:
                break
            time.sleep(0.01)
        else:
            raise AssertionError("the main window did not list the project within 20 s")
        if _grabbed_colours(window) < 2:
            raise AssertionError("the main window rendered blank")
    finally:
        window.close()
        QApplication.processEvents()
        window.jobs.wait_all()
        window.reads.wait_all()
        if window.backend is not None:
            window.backend.close()
    return "main window opened and listed a project"


CHECKS: list[tuple[str, Callable[[Path], str]]] = [
    ("local project", check_local_project),
    ("dataset formats", check_dataset_formats),
    ("server", check_server),
    ("pyqtgraph", check_plot),
    ("main window", check_main_window),
]


def run_self_test() -> int:
    """Run every check; print versions and results; 0 when all passed."""
    os.environ["QT_QPA_PLATFORM"] = "offscreen"  # headless, whatever the session has
    print("ei-desktop self-test")
    for name, version in _versions():
        print(f"  {name:<10} {version}")
    failures = 0
    with tempfile.TemporaryDirectory(prefix="ei-desktop-selftest-") as tmp:
        for name, check in CHECKS:
            started = time.perf_counter()
            try:
                detail = check(Path(tmp))
                status = "ok"
            except Exception as exc:  # noqa: BLE001 - every failure is reported, then counted
                failures += 1
                status, detail = "FAIL", f"{type(exc).__name__}: {exc}"
                traceback.print_exc(file=sys.stderr)
            print(f"[{status:>4}] {name:<12} {detail} ({time.perf_counter() - started:.1f} s)")
    print("self-test passed" if not failures else f"self-test FAILED ({failures} checks)")
    return 1 if failures else 0
