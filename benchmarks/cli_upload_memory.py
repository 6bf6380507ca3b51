#!/usr/bin/env python3
"""Peak memory of ``ei-desktop upload`` of many small CSVs into a local project. Prints
figures; asserts nothing.

    .venv/bin/python benchmarks/cli_upload_memory.py [--sizes 10000 100000]

For each size, a fresh ``ei-desktop upload --project NEW --create FOLDER`` process uploads
that many small CSV files (the command line, start-up included); its peak RSS is read from
the kernel when it exits. The growth per file between the smallest and the largest size is
what an upload keeps per file: the writer connection's SQLite page cache (up to 128 MB,
bounded) and whatever Python keeps (the plan's items; the report and the results keep
nothing per stored file).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))

from figures import Figures, add_json_argument  # noqa: E402

MB = 1024 * 1024


def write_small_csvs(directory: Path, count: int) -> None:
    directory.mkdir(parents=True)
    for i in range(count):
        rows = "".join(f"{t * 10},{i},{t}\n" for t in range(5))
        (directory / f"wave.{i:07d}.csv").write_text("timestamp,x,y\n" + rows)


def upload(folder: Path, project: Path) -> tuple[float, float]:
    """Seconds and peak RSS (MB) of one ``ei-desktop upload`` process."""
    command = [sys.executable, "-c", "from ei_desktop.cli import main; raise SystemExit(main())"]
    command += ["upload", str(folder)]
    command += ["--project", str(project), "--create"]
    env = {k: v for k, v in os.environ.items() if k not in ("EI_API_KEY", "EI_PROJECT")}
    env["PYTHONPATH"] = str(ROOT)  # a local project, this checkout
    started = time.perf_counter()
    process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL)
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        raise SystemExit(f"ei-desktop upload exited with {process.returncode}")
    return seconds, usage.ru_maxrss / 1024  # kilobytes on Linux


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    add_json_argument(parser)
    args = parser.parse_args()
    figures = Figures("cli_upload_memory")
    peaks: dict[int, float] = {}
    with tempfile.TemporaryDirectory(prefix="ei-cli-upload-") as tmp:
        for size in args.sizes:
            folder = Path(tmp) / f"files{size}" / "training"
            write_small_csvs(folder, size)
            seconds, peak = upload(folder, Path(tmp) / f"project{size}")
            peaks[size] = peak
            print(
                f"ei-desktop upload of {size:,} small CSVs: peak RSS {peak:.1f} MB,"
                f" {seconds:.1f} s ({size / seconds:,.0f} files/s)",
                flush=True,
            )
            figures.add(
                f"peak_rss.{size}",
                f"ei-desktop upload, {size:,} files: peak RSS",
                peak,
                unit="MB",
                higher_is_better=False,
            )
    small, large = min(peaks), max(peaks)
    if large > small:
        per_file = (peaks[large] - peaks[small]) * MB / (large - small)
        print(
            f"growth {small:,} -> {large:,} files: {per_file:,.0f} bytes per file "
            "(the SQLite page cache, up to 128 MB, included)"
        )
        figures.add(
            "growth_per_file",
            f"peak RSS growth per file, {small:,} -> {large:,}",
            per_file,
            unit="bytes",
            higher_is_better=False,
        )
    figures.write(args.json)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
