#!/usr/bin/env python3
"""Importing a COCO dataset: detection and planning, then upload into a local project and
through ``ei-desktop serve``. Prints figures; asserts nothing.

    .venv/bin/python benchmarks/dataset_import.py [--quick]

A COCO dataset of 10,000 distinct 32×32 PNG images (8,000 train, 2,000 val, two boxes each)
is written once; each figure is the median of its runs, in files per second:

1. plan: detect the format, read the COCO files and every image's size;
2. local: plan and upload into a new local project (``ops.upload``);
3. serve: plan and upload over HTTP into ``ei-desktop serve`` in its own process.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

from PIL import Image

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from figures import Figures, add_json_argument  # noqa: E402

from ei_desktop import ops  # noqa: E402
from ei_desktop.core.backends.local import LocalBackend  # noqa: E402
from ei_desktop.core.backends.studio import StudioBackend  # noqa: E402
from ei_desktop.server.testing import free_port, serve_process  # noqa: E402

KEY = "ei_" + "0123456789abcdef" * 4
SIZE = 32


def write_dataset(root: Path, count: int) -> None:
    """``count`` distinct small PNG images in ``train``/``val`` with one COCO file each."""
    splits = {"train": range(0, count * 4 // 5), "val": range(count * 4 // 5, count)}
    for split, numbers in splits.items():
        folder = root / split
        folder.mkdir(parents=True)
        images, annotations = [], []
        for number in numbers:
            name = f"img{number:06d}.png"
            colour = (number % 256, (number // 256) % 256, 77)
            Image.new("RGB", (SIZE, SIZE), colour).save(folder / name, compress_level=1)
            images.append({"id": number, "file_name": name, "width": SIZE, "height": SIZE})
            for k, box in enumerate(([1, 2, 10, 12], [15, 16, 16, 14])):
                annotations.append(
                    {"id": 2 * number + k, "image_id": number, "category_id": k + 1, "bbox": box}
                )
        document = {
            "images": images,
            "annotations": annotations,
            "categories": [{"id": 1, "name": "red cube"}, {"id": 2, "name": "blue"}],
        }
        (folder / "_annotations.coco.json").write_text(json.dumps(document))


def plan(source: Path) -> ops.Plan:
    result = ops.plan_upload([source], ops.UploadOptions())
    assert result.datasets == {str(source): "coco"}, result.datasets
    return result


FIGURES = Figures("dataset_import")


def median_rate(count: int, runs: list[float], figure_id: str, measure: str) -> str:
    rates = [count / seconds for seconds in runs]
    FIGURES.add(figure_id, measure, statistics.median(rates), unit="files/s", runs=rates)
    shown = ", ".join(f"{r:,.0f}" for r in rates)
    return f"median {statistics.median(rates):,.0f} files/s (runs: {shown})"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a tenth of the size")
    parser.add_argument("--runs", type=int, default=3, help="runs per figure (default 3)")
    add_json_argument(parser)
    args = parser.parse_args()
    count = 1000 if args.quick else 10_000
    with tempfile.TemporaryDirectory(prefix="ei-dataset-bench-") as tmp:
        work = Path(tmp)
        source = work / "coco"
        started = time.perf_counter()
        write_dataset(source, count)
        print(f"wrote {count:,} images and 2 COCO files in {time.perf_counter() - started:.1f} s")

        runs = []
        for _ in range(args.runs):
            started = time.perf_counter()
            planned = plan(source)
            runs.append(time.perf_counter() - started)
        assert len(planned.items) == count and planned.box_count() == 2 * count
        shown = median_rate(count, runs, "plan", f"COCO plan, {count:,} images")
        print(f"plan (detect, read COCO, image sizes): {shown}")

        runs = []
        for attempt in range(args.runs):
            started = time.perf_counter()
            with LocalBackend(work / f"local{attempt}", create=True) as backend:
                report = ops.upload(backend, plan(source))
            runs.append(time.perf_counter() - started)
            assert report.done_count == count, report.summary()
        shown = median_rate(count, runs, "local", f"COCO plan + upload, local, {count:,} images")
        print(f"local project, plan + upload:          {shown}")

        runs = []
        for attempt in range(args.runs):
            port = free_port()
            server = serve_process(work / f"served{attempt}", port, KEY)
            base = f"http://127.0.0.1:{port}"
            try:
                backend = StudioBackend(KEY, f"{base}/v1", base)
                started = time.perf_counter()
                report = ops.upload(backend, plan(source))
                runs.append(time.perf_counter() - started)
                backend.close()
                assert report.done_count == count, report.summary()
            finally:
                server.terminate()
                server.wait(timeout=30)
        shown = median_rate(count, runs, "serve", f"COCO plan + upload to serve, {count:,} images")
        print(f"ei-desktop serve, plan + upload:       {shown}")
    FIGURES.write(args.json)
    return 0


if __name__ == "__main__":
    sys.exit(main())
