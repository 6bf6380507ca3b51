"""The app, the command line and the ops layer store the same folder identically: one rule set
for labels, categories, companions and exported datasets (:mod:`ei_desktop.ops.plan`), with the
default options and with a category, label and metadata the user chose (which apply to exported
datasets too).
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from gui_helpers import SAMPLES, active, drop, finish_operation

from ei_desktop import ops
from ei_desktop.core.backends.base import SampleQuery
from ei_desktop.core.backends.local import LocalBackend
from ei_desktop.gui.dialogs.upload_options import UploadOptionsDialog


def csv(n: int) -> str:
    return f"timestamp,x,y\n0,{n},1\n10,{n + 1},2\n20,{n + 2},3\n"


@pytest.fixture
def folder(tmp_path) -> Path:
    """Category folders, a nested exported dataset, box and segment companions, odd names."""
    root = tmp_path / "field data"
    for name in ("wave.0.cbor", "idle.0.cbor"):
        (root / "training").mkdir(parents=True, exist_ok=True)
        shutil.copy(SAMPLES / name, root / "training" / name)
    testing = root / "runs" / "Testing"
    testing.mkdir(parents=True)
    (testing / "a+b.01.csv").write_text(csv(1))
    (testing / "name with spaces.02.csv").write_text(csv(2))
    loose = root / "loose"
    loose.mkdir()
    (loose / "caf\u0065\u0301.03.csv").write_text(csv(3))  # an NFD name
    (loose / "notes.docx").write_text("not a sample")
    images = root / "images"
    images.mkdir()
    shutil.copy(SAMPLES / "capacitor.01.png", images / "capacitor.01.png")
    (images / "bounding_boxes.labels").write_text(
        json.dumps(
            {
                "version": 1,
                "type": "bounding-box-labels",
                "boundingBoxes": {
                    "capacitor.01.png": [{"label": "cap", "x": 1, "y": 2, "width": 3, "height": 4}]
                },
            }
        )
    )
    segments = root / "segments"
    segments.mkdir()
    (segments / "mixed.04.csv").write_text(csv(4))
    (segments / "structured_labels.labels").write_text(
        json.dumps(
            {
                "version": 1,
                "type": "structured-labels",
                "structuredLabels": {
                    "mixed.04.csv": [
                        {"label": "up", "startIndex": 0, "endIndex": 1},
                        {"label": "down", "startIndex": 2, "endIndex": 2},
                    ]
                },
            }
        )
    )
    export = root / "deep" / "export"
    (export / "testing").mkdir(parents=True)
    (export / "testing" / "brew.csv").write_text(csv(5))
    (export / "README.txt").write_text("Exported from Edge Impulse\n")
    (export / "info.labels").write_text(
        json.dumps(
            {
                "version": 1,
                "files": [
                    {
                        "path": "testing/brew.csv",
                        "name": "brew.07",
                        "category": "training",
                        "label": {"type": "label", "label": "coffee"},
                        "metadata": {"site": "kitchen"},
                    }
                ],
            }
        )
    )
    return root


def fingerprint(project: Path) -> list[tuple]:
    with LocalBackend(project) as backend:
        return sorted(
            (
                r.filename,
                r.label,
                r.category,
                json.dumps(r.metadata, sort_keys=True),
                json.dumps(r.bounding_boxes, sort_keys=True),
                json.dumps(r.structured_labels, sort_keys=True),
                r.sha256,
            )
            for r in backend.iter_samples(SampleQuery())
        )


#: the options a user may choose, as each face takes them
CHOICES = {
    "defaults": (ops.UploadOptions(), [], None),
    "chosen": (
        ops.UploadOptions(category="anomaly", label="mine", metadata={"batch": "7"}),
        ["--category", "anomaly", "--label", "mine", "--metadata", "batch=7"],
        ("anomaly", "mine", {"batch": "7"}),
    ),
}


def through_ops(folder: Path, project: Path, choice: str, _qtbot, _make_window) -> None:
    options = CHOICES[choice][0]
    with LocalBackend(project, create=True) as backend:
        ops.upload(backend, ops.plan_upload([folder], options))


def through_the_command_line(folder: Path, project: Path, choice: str, _qtbot, _make_window):
    done = subprocess.run(
        [sys.executable, "-m", "ei_desktop", "upload", str(folder), *CHOICES[choice][1]]
        + ["--project", str(project), "--create"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr


def through_the_app(folder: Path, project: Path, choice: str, qtbot, make_window) -> None:
    window = make_window(project)
    drop(window, [folder])
    dialog = active(qtbot, window, UploadOptionsDialog)
    chosen = CHOICES[choice][2]
    if chosen is not None:  # what a user does in the dialog
        category, label, metadata = chosen
        dialog.category_combo.setCurrentIndex(dialog.category_combo.findData(category))
        dialog.fixed_radio.setChecked(True)
        dialog.label_edit.setText(label)
        for key, value in metadata.items():
            dialog.metadata_editor.add_row(key, value, edit=False)
    assert dialog.options() == CHOICES[choice][0]
    dialog.ok_button.click()
    report = finish_operation(qtbot, window)
    assert not report.failed, report.failed


FACES = [through_ops, through_the_command_line, through_the_app]


@pytest.mark.parametrize("choice", CHOICES)
@pytest.mark.parametrize("face", FACES, ids=lambda face: face.__name__)
def test_every_face_stores_the_folder_identically(
    face, choice, folder, tmp_path, qtbot, make_window
):
    reference = tmp_path / "reference"
    through_ops(folder, reference, choice, qtbot, make_window)
    expected = fingerprint(reference)

    project = tmp_path / face.__name__
    face(folder, project, choice, qtbot, make_window)

    assert fingerprint(project) == expected
    by_name = {row[0]: row for row in expected}
    assert set(by_name) == {  # README.txt and notes.docx are not samples
        "wave.0",
        "idle.0",
        "a+b.01",
        "name with spaces.02",
        "caf\u0065\u0301.03",
        "capacitor.01",
        "mixed.04",
        "brew.07",
    }
    assert json.loads(by_name["capacitor.01"][4])[0]["label"] == "cap"
    if choice == "defaults":
        assert by_name["a+b.01"][1:3] == ("a+b", "testing")  # label before the first dot
        assert by_name["wave.0"][2] == "training"
        assert by_name["brew.07"][1:4] == ("coffee", "training", '{"site": "kitchen"}')
        assert json.loads(by_name["mixed.04"][5])[0]["label"] == "up"
    else:  # the user's choice wins everywhere, in the exported dataset too
        assert {row[1:3] for row in expected} == {("mine", "anomaly")}
        assert json.loads(by_name["brew.07"][3]) == {"batch": "7", "site": "kitchen"}
        assert json.loads(by_name["wave.0"][3]) == {"batch": "7"}
