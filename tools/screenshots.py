#!/usr/bin/env python3
"""Seed a small realistic project, open the main window on it and save screenshots.

    xvfb-run -s "-screen 0 1600x1000x24" .venv/bin/python tools/screenshots.py OUTDIR

Writes default.png (first start, nothing selected), drop.png (the drop overlay),
browse.png (table + time-series preview), crop.png and split.png (cutting on the plot),
multilabel.png, segments.png (its label segments in edit mode), image.png (bounding boxes),
box_editing.png (an image's boxes in edit mode),
upload_options.png, results.png, csv_import.png, csv_grouped.png, curation.png (the summary
bar, a label edited in place, the History panel: the README's docs/screenshot.png),
rebalance.png, sync_link.png and sync.png (the sync dialog, linked to a real ``ei-desktop
serve``), sync_status.png (the status bar after a push) and sync_conflicts.png into
OUTDIR. The project is seeded through ``ei_desktop.data`` with ``project=``, like any script would.
"""

from __future__ import annotations

import math
import random
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from PySide6.QtCore import QEventLoop, QRectF, Qt, QTimer  # noqa: E402
from PySide6.QtGui import QColor, QFont, QImage, QPainter  # noqa: E402

from ei_desktop import data  # noqa: E402
from ei_desktop.core import scan  # noqa: E402
from ei_desktop.core.backends.base import SampleQuery, query_for_ids  # noqa: E402
from ei_desktop.core.backends.local import LocalBackend  # noqa: E402
from ei_desktop.core.backends.studio import StudioBackend  # noqa: E402
from ei_desktop.core.edits import SetLabel  # noqa: E402
from ei_desktop.gui.app import make_application  # noqa: E402
from ei_desktop.gui.credentials import CredentialStore  # noqa: E402
from ei_desktop.gui.dialogs.results import ResultsDialog  # noqa: E402
from ei_desktop.gui.main_window import MainWindow  # noqa: E402
from ei_desktop.gui.models.sample_table import LABEL_COLUMN  # noqa: E402
from ei_desktop.gui.settings import Settings  # noqa: E402
from ei_desktop.gui.widgets.cut_tools import CROP, SPLIT  # noqa: E402
from ei_desktop.server.testing import running_server  # noqa: E402

SAMPLES = ROOT / "tests" / "data" / "ei-samples"
GESTURES = {
    "idle": lambda t, r: (r.gauss(0, 0.05), r.gauss(0, 0.05), 9.81 + r.gauss(0, 0.05)),
    "wave": lambda t, r: (
        3.0 * math.sin(t * 6.0) + r.gauss(0, 0.2),
        1.2 * math.cos(t * 6.0) + r.gauss(0, 0.2),
        9.81 + 0.5 * math.sin(t * 12.0),
    ),
    "updown": lambda t, r: (
        r.gauss(0, 0.2),
        r.gauss(0, 0.2),
        9.81 + 6.0 * math.sin(t * 4.0) + r.gauss(0, 0.3),
    ),
    "snake": lambda t, r: (
        2.5 * math.sin(t * 3.0) + r.gauss(0, 0.2),
        2.5 * math.sin(t * 3.0 + 1.6) + r.gauss(0, 0.2),
        9.81 + r.gauss(0, 0.3),
    ),
}


def spin(ms: int) -> None:
    loop = QEventLoop()
    QTimer.singleShot(ms, loop.quit)
    loop.exec()


def spin_until(condition, timeout_s: float = 60.0) -> None:
    deadline = time.monotonic() + timeout_s
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError("gave up waiting")
        spin(20)


def series_csv(label: str, seed: int, seconds: float = 2.0, hz: int = 100) -> str:
    rng = random.Random(seed)
    lines = ["timestamp,accX,accY,accZ"]
    for i in range(int(seconds * hz)):
        x, y, z = GESTURES[label](i / hz + seed * 0.37, rng)
        lines.append(f"{i * 1000 // hz},{x:.4f},{y:.4f},{z:.4f}")
    return "\n".join(lines) + "\n"


def multilabel_csv() -> tuple[str, list[dict]]:
    rng = random.Random(99)
    lines = ["timestamp,accX,accY,accZ"]
    segments = [("idle", 0, 149), ("wave", 150, 349), ("updown", 350, 499)]
    for label, start, end in segments:
        for i in range(start, end + 1):
            x, y, z = GESTURES[label](i / 100, rng)
            lines.append(f"{i * 10},{x:.4f},{y:.4f},{z:.4f}")
    labels = [{"label": lab, "startIndex": s, "endIndex": e} for lab, s, e in segments]
    return "\n".join(lines) + "\n", labels


def workbench_image() -> tuple[bytes, list[dict]]:
    """A drawn 'workbench' with two parts and their bounding boxes."""
    image = QImage(480, 320, QImage.Format.Format_RGB32)
    image.fill(QColor("#dfe6e9"))
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.fillRect(0, 230, 480, 90, QColor("#b2bec3"))
    painter.setBrush(QColor("#0984e3"))
    painter.setPen(Qt.PenStyle.NoPen)
    painter.drawRoundedRect(QRectF(60, 120, 120, 80), 10, 10)  # a capacitor body
    painter.setBrush(QColor("#636e72"))
    painter.drawRect(QRectF(90, 200, 8, 40))
    painter.drawRect(QRectF(142, 200, 8, 40))
    painter.setBrush(QColor("#d63031"))
    painter.drawEllipse(QRectF(290, 100, 110, 110))  # a button
    painter.setBrush(QColor("#fab1a0"))
    painter.drawEllipse(QRectF(320, 130, 50, 50))
    painter.setPen(QColor("#2d3436"))
    painter.setFont(QFont("DejaVu Sans", 11))
    painter.drawText(QRectF(0, 290, 480, 24), Qt.AlignmentFlag.AlignCenter, "bench camera 2")
    painter.end()
    from PySide6.QtCore import QBuffer, QByteArray, QIODevice

    buffer = QByteArray()
    device = QBuffer(buffer)
    device.open(QIODevice.OpenModeFlag.WriteOnly)
    image.save(device, "PNG")
    boxes = [
        {"label": "capacitor", "x": 52, "y": 112, "width": 136, "height": 132},
        {"label": "button", "x": 282, "y": 92, "width": 126, "height": 126},
    ]
    return bytes(buffer.data()), boxes


def seed(project: Path) -> None:
    samples = []
    rng = random.Random(1)
    subjects = ["ana", "bo", "chen", "dee"]
    for n in range(40):
        label = list(GESTURES)[n % len(GESTURES)]
        category = "testing" if n % 5 == 4 else "training"
        samples.append(
            data.Sample(
                data=series_csv(label, n),
                filename=f"{label}.{n:03d}.csv",
                category=category,
                label=label,
                metadata={"subject": subjects[n % 4], "device": f"nano-33-{rng.randint(1, 3)}"},
            )
        )
    text, segments = multilabel_csv()
    samples.append(
        data.Sample(
            data=text,
            filename="session.multi.csv",
            category="training",
            structured_labels=segments,
            metadata={"subject": "ana", "device": "nano-33-1", "note": "three gestures"},
        )
    )
    image, boxes = workbench_image()
    samples.append(
        data.Sample(
            data=image,
            filename="workbench.01.png",
            category="training",
            label="workbench",
            bounding_boxes=boxes,
            metadata={"camera": "bench-2"},
        )
    )
    real, _ = scan.plain_items([str(p) for p in sorted(SAMPLES.iterdir()) if p.suffix != ".md"])
    samples.extend(
        data.Sample(
            data=scan.FileSource(str(item.source)),
            filename=item.filename,
            bounding_boxes=item.bounding_boxes,
            structured_labels=item.structured_labels,
        )
        for item in real
    )
    response = data.upload_samples(samples, project=str(project))
    if response.fails:
        raise SystemExit(f"seeding failed: {[f.error for f in response.fails]}")


def listed(window: MainWindow) -> bool:
    return (
        window.backend is not None and not window.table_model.loading and not window.reads.running()
    )


def shown_results(window: MainWindow) -> list[ResultsDialog]:
    return [d for d in window.findChildren(ResultsDialog) if d.isVisible()]


def select(window: MainWindow, name: str) -> int:
    for row in range(window.table_model.rowCount()):
        record = window.table_model.record(window.table_model.sample_id(row))
        if record is not None and record.filename == name:
            window.table.selectRow(row)
            window.table.scrollTo(window.table_model.index(row, 0))
            sample_id = window.table_model.sample_id(row)
            spin_until(
                lambda s=sample_id: window.preview.current_id == s and not window.reads.running()
            )
            spin(400)  # let plots settle
            return sample_id
    raise LookupError(name)


def sync_shots(window: MainWindow, out: Path, work: Path) -> None:
    """The sync dialog: its link form, the difference with a served remote holding a few
    samples of its own, and the status bar once pushed.
    """
    remote = LocalBackend(work / "remote", create=True)
    field = [
        data.Sample(
            data=series_csv("snake", 500 + n),
            filename=f"field.snake.{n:02d}.csv",
            category="testing",
            label="snake",
        )
        for n in range(12)
    ]
    data.upload_samples(field, project=remote)
    remote.close()
    with running_server(work / "remote", "screenshots-key-0123456789") as (base, key):
        dialog = window.sync.show_dialog()
        assert dialog is not None
        dialog.form.key_edit.setText(key)
        dialog.form.api_edit.setText(base + "/v1")
        dialog.form.ingestion_edit.setText(base)
        spin(300)
        dialog.grab().save(str(out / "sync_link.png"))
        dialog.form.link_button.click()
        spin_until(lambda: dialog.push_button.isEnabled())
        spin(300)
        dialog.grab().save(str(out / "sync.png"))
        dialog.push_button.click()
        spin_until(lambda: not window.jobs.running())
        for results in shown_results(window):
            results.close()
        spin_until(lambda: window.sync.status_label.text().startswith("All"))
        spin(300)
        window.grab().save(str(out / "sync_status.png"))
        # the same samples edited on both sides since: conflicts
        local = window.backend
        there = StudioBackend(key, base + "/v1", base)
        remote_ids = {r.sha256: r.id for r in there.iter_samples(SampleQuery())}
        for record, mine, theirs in zip(
            local.list_samples(SampleQuery(labels=("idle",)), limit=3),
            ("calm", "rest", "idle"),
            ("still", "pause", "moving"),
        ):
            if mine != record.label:
                local.edit(query_for_ids([record.id]), SetLabel(mine))
            there.edit(query_for_ids([remote_ids[record.sha256]]), SetLabel(theirs))
        there.close()
        dialog = window.sync.show_dialog()
        assert dialog is not None
        spin_until(lambda: dialog.conflicts.isVisible())
        dialog.resize(dialog.width(), 560)
        dialog.conflicts.choose(1, "remote")
        spin(300)
        dialog.grab().save(str(out / "sync_conflicts.png"))
        dialog.reject()


def main() -> int:
    if len(sys.argv) != 2:
        print(__doc__)
        return 2
    out = Path(sys.argv[1])
    out.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="ei-shots-"))
    try:
        app = make_application()
        project = work / "Gesture lab"
        LocalBackend(project, create=True).close()
        seed(project)
        window = MainWindow(
            Settings(work / "settings.ini"),
            CredentialStore(work / "credentials.json", use_keyring=False),
        )
        window.show()
        window.connection.open_startup(str(project))
        spin_until(lambda: listed(window))
        spin(300)
        # the first start: default window size and panes, nothing selected
        window.grab().save(str(out / "default.png"))
        window.drop_overlay.show_for("Drop to upload to Gesture lab")
        spin(100)
        window.grab().save(str(out / "drop.png"))
        window.drop_overlay.hide()
        window.resize(1500, 900)
        window.splitter.setSizes([230, 720, 550])
        spin(300)
        # make every row's record known (the table fetches what is painted)
        for row in range(0, window.table_model.rowCount(), 20):
            window.table.scrollTo(window.table_model.index(row, 0))
            spin(100)
        window.table.scrollToTop()
        spin(300)

        current = select(window, "wave.037")
        others = [window.table_model.sample_id(r) for r in (1, 2)]
        window.select_ids([*others, current], current=current)
        spin(300)
        window.grab().save(str(out / "browse.png"))

        # cutting a time series: a crop region, then split points, on the plot
        select(window, "wave.037")
        spin(300)
        if window.cutting.start(CROP):
            tools, _ = window.cutting.target()
            tools.set_crop_region(35, 165)  # value indices
            spin(300)
            window.grab().save(str(out / "crop.png"))
            window.cutting.cancel()
        if window.cutting.start(SPLIT):
            tools, _ = window.cutting.target()
            for x in (60, 130):
                tools.add_point(x)
            spin(300)
            window.grab().save(str(out / "split.png"))
            window.cutting.cancel()

        select(window, "session.multi")
        window.grab().save(str(out / "multilabel.png"))
        # segments.png: the multi-label sample in "Label segments" mode, a segment picked
        if window.segments.start():
            window.segments.editor.select(1)
            spin(300)
            window.grab().save(str(out / "segments.png"))
            window.segments.cancel()

        select(window, "workbench.01")
        window.grab().save(str(out / "image.png"))

        # box editing: the image in "Edit boxes" mode, a box moved (not saved) and selected
        if window.box_editing.start():
            editor = window.preview.image.editor
            editor.select(0)
            editor.nudge(16, 8)
            spin(300)
            window.grab().save(str(out / "box_editing.png"))
            window.box_editing.cancel()

        files = [str(p) for p in sorted(SAMPLES.iterdir()) if p.suffix != ".md"]
        dialog = window.uploads.ask_upload(files)
        dialog.metadata_editor.add_row("site", "field station 3", edit=False)
        spin_until(lambda: dialog.plan is not None)
        spin(300)
        dialog.grab().save(str(out / "upload_options.png"))
        dialog.reject()

        bad = work / "incoming" / "broken.07.json"
        bad.parent.mkdir()
        bad.write_text('{"protected": {"ver": "v1"}, "payload": {"values": [[1, 2')
        (work / "incoming" / "notes.csv").write_text("this,is\nnot,numbers\n")
        good = work / "incoming" / "idle.99.csv"
        good.write_text(series_csv("idle", 1234))
        window.uploads.start_upload([str(bad.parent), *files[:2]], window.uploads.last_options)
        spin_until(lambda: bool(shown_results(window)))
        spin(300)
        results = shown_results(window)[-1]
        results.grab().save(str(out / "results.png"))
        results.reject()

        csv = work / "features.csv"
        csv.write_text(
            "f1,f2,f3,label,subject\n"
            + "\n".join(
                f"{i / 10:.2f},{i % 7},{(i * 3) % 11},{'ok' if i % 3 else 'fault'},s{i % 4}"
                for i in range(40)
            )
            + "\n"
        )
        csv_dialog = window.csv_import.import_csv([str(csv)])
        spin_until(lambda: csv_dialog.preview_model.rowCount() > 0)
        csv_dialog.layout_combo.setCurrentIndex(1)
        spin(300)
        csv_dialog.grab().save(str(out / "csv_import.png"))
        csv_dialog.reject()

        # pandas' air_quality_no2_long.csv: ISO dates, grouped by city
        grouped = work / "air_quality_no2_long.csv"
        grouped.write_text(
            "city,country,date.time,location,parameter,value,unit\n"
            + "\n".join(
                f"{city},{country},2019-06-{21 - i // 24:02d} {23 - i % 24:02d}:00:00+00:00,"
                f"{station},no2,{10 + (i * 7) % 30}.0,µg/m³"
                for city, country, station in (
                    ("Paris", "FR", "FR04014"),
                    ("Antwerpen", "BE", "BETR801"),
                    ("London", "GB", "London Westminster"),
                )
                for i in range(48)
            )
            + "\n"
        )
        csv_dialog = window.csv_import.import_csv([str(grouped)])
        spin_until(lambda: csv_dialog.preview_model.rowCount() > 0)
        csv_dialog.layout_combo.setCurrentIndex(3)
        spin(300)
        csv_dialog.grab().save(str(out / "csv_grouped.png"))
        csv_dialog.reject()

        # curation: a few changes in the history, an edit in progress, the summary bar
        current = select(window, "wave.037")
        window.curation.apply(SetLabel("wave-fast"), query_for_ids([current]))
        spin_until(lambda: not window.curation.busy)
        window.curation.move_selected("testing")
        spin_until(lambda: not window.curation.busy)
        window.history_dock.show()
        window.resize(1600, 900)
        window.resizeDocks([window.history_dock], [330], Qt.Orientation.Horizontal)
        spin(200)
        window.splitter.setSizes([235, 600, 400])
        spin_until(lambda: len(window.curation.history) >= 3)
        row = window.table.index_for_id(current).row()
        for _ in range(40):  # the row is fetched again when painted
            spin(250)
            if window.table_model.index(row, 3).data() == "Testing":
                break
        spin(300)
        window.table.edit(window.table_model.index(row, LABEL_COLUMN))
        spin(300)
        window.grab().save(str(out / "curation.png"))
        window.table.setFocus()  # ends the edit unchanged
        dialog = window.panels.open_rebalance()
        spin(1500)
        if dialog is not None:
            dialog.grab().save(str(out / "rebalance.png"))
            dialog.reject()
        sync_shots(window, out, work)

        window.close()
        app.processEvents()
        print(f"screenshots written to {out}")
        return 0
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
