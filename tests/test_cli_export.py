"""``ei-desktop download --layout uploaded|export``, run as a user runs it (a real process)."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from ei_desktop.core.backends.base import SampleQuery, UploadItem
from ei_desktop.core.backends.local import LocalBackend


def run(*args):
    return subprocess.run(
        [sys.executable, "-m", "ei_desktop", *map(str, args)],
        capture_output=True,
        text=True,
        timeout=120,
    )


def records(path) -> dict[str, tuple]:
    backend = LocalBackend(path)
    try:
        return {
            r.filename: (
                r.category,
                r.label,
                r.metadata or {},
                r.bounding_boxes,
                r.structured_labels,
                r.sha256,
            )
            for r in backend.iter_samples(SampleQuery())
        }
    finally:
        backend.close()


@pytest.fixture
def project(tmp_path, samples_dir):
    path = tmp_path / "p"
    backend = LocalBackend(path, create=True)
    csv = "timestamp,x\n" + "".join(f"{i * 10},{i}\n" for i in range(6))
    segments = [
        {"label": "a", "startIndex": 0, "endIndex": 2},
        {"label": "b", "startIndex": 3, "endIndex": 5},
    ]
    box = {"label": "cap", "x": 0, "y": 0, "width": 5, "height": 5}
    items = [
        UploadItem("cap.01.png", samples_dir / "capacitor.01.png", "testing", bounding_boxes=[box]),
        UploadItem("wave.0.cbor", samples_dir / "wave.0.cbor", "training", metadata={"k": "v"}),
        UploadItem("seg.csv", csv.encode(), "training", structured_labels=segments),
    ]
    assert all(r.success for r in backend.upload(items))
    ids = [int(i) for i in backend.sample_ids(SampleQuery())]
    backend.close()
    return path, ids


def test_download_as_an_export_uploads_back_unchanged(project, tmp_path):
    path, ids = project
    out = tmp_path / "export"
    result = run("download", *ids, "-o", out, "--layout", "export", "--project", path)
    assert result.returncode == 0, result.stderr
    assert (out / "info.labels").is_file() and (out / "training" / "seg.csv").is_file()
    assert str(out / "testing" / "cap.01.png") in result.stdout
    copy = tmp_path / "copy"
    uploaded = run("upload", out, "--project", copy, "--create")
    assert uploaded.returncode == 0, uploaded.stderr
    assert records(copy) == records(path)


def test_download_as_uploaded_keeps_files_and_reports_missing_ids(project, tmp_path, samples_dir):
    path, ids = project
    out = tmp_path / "files"
    result = run("download", *ids, 4242, "-o", out, "--layout", "uploaded", "--project", path)
    assert result.returncode == 1
    assert "No sample found with ID 4242" in result.stderr
    png = (out / "testing" / "cap.01.png").read_bytes()
    assert png == (samples_dir / "capacitor.01.png").read_bytes()
    assert (out / "training" / "seg.csv").read_text().startswith("timestamp,x")
    again = run("download", ids[0], "-o", out, "--layout", "uploaded", "--project", path)
    assert again.returncode == 0 and "(2)" in again.stdout


def test_the_default_layout_stays_the_sdk_one(project, tmp_path):
    path, ids = project
    out = tmp_path / "sdk"
    assert run("download", *ids, "-o", out, "--project", path).returncode == 0
    assert sorted(p.name for p in out.iterdir()) == ["cap.01.png", "seg.json", "wave.0.json"]
    assert json.loads((out / "seg.json").read_text())["payload"]
    assert run("download", ids[0], "-o", out, "--layout", "flat").returncode == 2
