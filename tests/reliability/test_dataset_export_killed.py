"""``ei-desktop export`` killed (SIGKILL) halfway: running it again completes the export,
with every image written once and nothing partial under a real name, and the export uploads
back into the same samples.
"""

from __future__ import annotations

import io
import os
import signal
from pathlib import Path

import pytest
from PIL import Image
from reliability_helpers import run_cli, start_cli, wait_until

from ei_desktop.core.backends.base import SampleQuery, UploadItem
from ei_desktop.core.backends.local import LocalBackend

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(os.name == "nt", reason="SIGKILL is POSIX"),
]

IMAGES = 1500


def png(number: int) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (24, 16), (number % 256, number // 256, 9)).save(out, "PNG")
    return out.getvalue()


def seed(project: Path) -> None:
    """Distinct small images, each with a box, in training and testing."""
    items = [
        UploadItem(
            f"img{n:05d}.png",
            png(n),
            "testing" if n % 5 == 0 else "training",
            bounding_boxes=[{"label": "red cube", "x": n % 8, "y": 1, "width": 9, "height": 7}],
        )
        for n in range(IMAGES)
    ]
    with LocalBackend(project, create=True) as backend:
        assert all(r.success for r in backend.upload(items))


def stored(project: Path) -> dict[str, tuple]:
    with LocalBackend(project) as backend:
        return {
            r.upload_name: (r.category, r.bounding_boxes, r.sha256)
            for r in backend.iter_samples(SampleQuery())
        }


@pytest.mark.parametrize("form", ["ei", "coco"])
def test_a_killed_export_run_again_completes(tmp_path, form):
    seed(tmp_path / "p")
    out = tmp_path / "out"
    export = ("export", "-o", out, "--format", form, "--project", tmp_path / "p")
    cli = start_cli(*export, out_dir=tmp_path / "first")
    wait_until(lambda: len(cli.stdout.splitlines()) >= 100, 120, "100 images exported")
    cli.process.send_signal(signal.SIGKILL)
    cli.wait(timeout=30)
    written = [p for p in out.rglob("*.png")]
    annotations = "info.labels" if form == "ei" else "_annotations.coco.json"
    assert 100 <= len(written) < IMAGES and not list(out.rglob(annotations)), "not halfway"

    again = run_cli(*export)
    assert again.returncode == 0, again.stderr
    images = sorted(p.name for p in out.rglob("*.png"))
    assert images == sorted(f"img{n:05d}.png" for n in range(IMAGES))  # each once, no "(2)"
    assert not list(out.rglob("*.partial"))

    back = run_cli("upload", out, "--project", tmp_path / "q", "--create")
    assert back.returncode == 0, back.stderr
    assert stored(tmp_path / "q") == stored(tmp_path / "p")
