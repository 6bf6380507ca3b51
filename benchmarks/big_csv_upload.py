#!/usr/bin/env python3
"""Peak memory and time of uploading one big CSV time series, locally and over HTTP.

    .venv/bin/python benchmarks/big_csv_upload.py [--mb 200] [--json PATH]

Writes one CSV of about ``--mb`` MB (3 axes) and uploads its folder with ``upload_directory``
in fresh processes: into a local project (its per-file limit raised to fit the file,
``EI_MAX_FILE_MB``) and through ``ei-desktop serve`` (whose per-file limit is 100 MB: a bigger
file is refused, and the line says so; ``--http-mb`` sets the size sent there, 99 by
default). Prints each client's peak resident memory above what it held just before, as a
multiple of the file's size (target: under 3x), "warm" (pandas, the big-file CSV reader,
imported beforehand: about 70 MB once per process) and "cold"; over HTTP also the server's
peak above its idle memory.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from figures import Figures, add_json_argument  # noqa: E402
from peak_memory import SMALL, child_figures, timed_peak  # noqa: E402

KEY = "big-csv-key-0123456789abcdef"
MB = 1024 * 1024


def child(folder: str, where: str, warm: bool) -> None:
    """In a fresh process: upload a small file, then ``folder``; print the figures."""
    from ei_desktop import data
    from ei_desktop.core.backends.studio import StudioBackend

    project = StudioBackend(KEY, f"{where}/v1", where) if where.startswith("http") else where
    small = Path(folder).parent / "small"
    small.mkdir(exist_ok=True)
    (small / "small.csv").write_bytes(SMALL)
    first = data.upload_directory(str(small), project=project, allow_duplicates=True)
    assert first.success, first.fails
    response, seconds, peak = timed_peak(
        lambda: data.upload_directory(folder, project=project), warm=warm
    )
    error = "; ".join(f.error for f in response.fails) if response.fails else None
    print(json.dumps({"seconds": seconds, "peak_mb": peak / MB, "error": error}))


def measured(folder: Path, where: str, warm: bool, env: dict) -> dict:
    return child_figures(__file__, str(folder), where, "warm" if warm else "cold", env=env)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mb", type=float, default=200, help="the file's size, local")
    parser.add_argument("--http-mb", type=float, default=99, help="the file's size, over HTTP")
    parser.add_argument("--child", nargs=3, help=argparse.SUPPRESS)
    add_json_argument(parser)
    args = parser.parse_args()
    if args.child:
        child(args.child[0], args.child[1], args.child[2] == "warm")
        return 0
    from ei_desktop.core.backends.local import LocalBackend
    from ei_desktop.server.testing import ProcessMemory, big_csv, free_port, serve_process

    figures = Figures("big_csv_upload")
    with tempfile.TemporaryDirectory(prefix="ei-big-csv-up-") as tmp:
        root = Path(tmp)
        env = {**os.environ, "EI_MAX_FILE_MB": str(int(max(args.mb, args.http_mb)) + 1)}
        for name, mb in (("local", args.mb), ("http", args.http_mb)):
            folder = root / f"files-{name}"
            folder.mkdir()
            body = big_csv(int(mb * MB))
            file_mb = len(body) / MB
            (folder / "big.csv").write_bytes(body)
            del body
            for warm in (True, False):
                kind = "warm" if warm else "cold"
                project = root / f"project-{name}-{kind}"
                LocalBackend(project, create=True).close()
                server = None
                server_memory = None
                if name == "http":
                    port = free_port()
                    server = serve_process(project, port, KEY)
                    server_memory = ProcessMemory(server.pid)
                    where = f"http://127.0.0.1:{port}"
                else:
                    where = str(project)
                try:
                    if server_memory is not None:
                        idle = server_memory.rss()
                        server_memory.reset_peak()
                    result = measured(folder, where, warm, env)
                    server_peak = None
                    if server_memory is not None:
                        server_peak = (server_memory.peak() - idle) / MB
                finally:
                    if server is not None:
                        server.terminate()
                        server.wait(30)
                outcome = f"refused: {result['error']}" if result["error"] else "stored"
                served = (
                    f"; serve +{server_peak:.0f} MB = {server_peak / file_mb:.2f}x"
                    if server_peak is not None
                    else ""
                )
                print(
                    f"{name:<5} {kind}: {result['seconds']:5.1f} s, peak RSS "
                    f"+{result['peak_mb']:.0f} MB = {result['peak_mb'] / file_mb:.2f}x the "
                    f"{file_mb:.0f} MB file{served} ({outcome})",
                    flush=True,
                )
                figures.add(
                    f"{name}.{kind}",
                    f"upload of a {file_mb:.0f} MB CSV, {name}, {kind}: client peak RSS",
                    result["peak_mb"],
                    unit="MB",
                    higher_is_better=False,
                    file_mb=file_mb,
                    seconds=result["seconds"],
                    error=result["error"],
                )
                if server_peak is not None:
                    figures.add(
                        f"{name}.{kind}.serve",
                        f"upload of a {file_mb:.0f} MB CSV, {name}, {kind}: serve's peak RSS",
                        server_peak,
                        unit="MB",
                        higher_is_better=False,
                        file_mb=file_mb,
                    )
    figures.write(args.json)
    return 0


if __name__ == "__main__":
    sys.exit(main())
