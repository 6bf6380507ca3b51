#!/usr/bin/env python3
"""Peak memory of downloading one big CSV time series, locally and over HTTP. Prints figures.

    .venv/bin/python benchmarks/big_csv_download.py [--mb 95] [--json PATH]

Stores one CSV of about ``--mb`` MB (3 axes; the local limit is 100 MB per file) in a fresh
project, then runs ``download_samples_by_ids`` of it in fresh processes, locally and through
``ei-desktop serve``, and prints each client's peak resident memory above what it held just
before, as a multiple of the file's size (target: under 3x). Each client first downloads a
small CSV and, for the "warm" figure, imports pandas and reads a tiny CSV with it (the big-file
CSV reader: about 70 MB resident, once per process); the "cold" figure leaves that inside the
download. Small files show mostly that fixed cost; the ratio means something for big ones.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from figures import Figures, add_json_argument  # noqa: E402
from peak_memory import SMALL, child_figures, timed_peak  # noqa: E402

from ei_desktop.server.testing import big_csv, free_port, serve_process  # noqa: E402

KEY = "big-csv-key-0123456789abcdef"
MB = 1024 * 1024


def child(where: str, warm: bool) -> None:
    """In a fresh process: download sample 2 (small), then sample 1 (big); print the figures."""
    from ei_desktop import data
    from ei_desktop.core.backends.studio import StudioBackend

    project = StudioBackend(KEY, f"{where}/v1", where) if where.startswith("http") else where
    data.download_samples_by_ids([2], project=project)
    (sample,), seconds, peak = timed_peak(
        lambda: data.download_samples_by_ids([1], project=project), warm=warm
    )
    print(json.dumps({"seconds": seconds, "peak_mb": peak / MB, "text_mb": len(sample.data) / MB}))


def measured(where: str, warm: bool) -> dict:
    return child_figures(__file__, where, "warm" if warm else "cold")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mb", type=float, default=95)
    parser.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    add_json_argument(parser)
    args = parser.parse_args()
    if args.child:
        child(args.child[0], args.child[1] == "warm")
        return 0
    from ei_desktop.core.backends.base import UploadItem
    from ei_desktop.core.backends.local import LocalBackend

    figures = Figures("big_csv_download")
    with tempfile.TemporaryDirectory(prefix="ei-big-csv-") as tmp:
        project = Path(tmp) / "project"
        body = big_csv(int(args.mb * MB))
        file_mb = len(body) / MB
        with LocalBackend(project, create=True, max_file_bytes=len(body) + MB) as local:
            stored = local.upload([UploadItem("big.csv", body), UploadItem("small.csv", SMALL)])
            assert [r.sample_id for r in stored] == [1, 2], [r.error for r in stored]
        del body
        port = free_port()
        server = serve_process(project, port, KEY)
        try:
            for name, where in (("local", str(project)), ("http", f"http://127.0.0.1:{port}")):
                for warm in (True, False):
                    kind = "warm" if warm else "cold"
                    result = measured(where, warm)
                    print(
                        f"{name:<5} {kind}: {result['seconds']:5.1f} s, peak RSS "
                        f"+{result['peak_mb']:.0f} MB = {result['peak_mb'] / file_mb:.2f}x the "
                        f"{file_mb:.0f} MB file (text {result['text_mb']:.0f} MB)",
                        flush=True,
                    )
                    figures.add(
                        f"{name}.{kind}",
                        f"download of a {file_mb:.0f} MB CSV, {name}, {kind}: client peak RSS",
                        result["peak_mb"],
                        unit="MB",
                        higher_is_better=False,
                        file_mb=file_mb,
                        seconds=result["seconds"],
                    )
        finally:
            server.terminate()
            server.wait(30)
    figures.write(args.json)
    return 0


if __name__ == "__main__":
    sys.exit(main())
