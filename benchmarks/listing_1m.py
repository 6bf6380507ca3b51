#!/usr/bin/env python3
"""``get_sample_ids`` over HTTP on a large project: ei-desktop's HTTP backend against
``ei-desktop serve``, with the standard API only (offset pages, what Edge Impulse offers) and
with the server's paging by last-seen id.

    .venv/bin/python benchmarks/listing_1m.py PROJECT [--standard-only] [--sdk] [--json PATH]
    .venv/bin/python benchmarks/listing_1m.py --seed 1000000

PROJECT is a local project folder (for instance one made by ``tools/seed_project.py``); it
is served as it is, so pass a copy when it must stay untouched. ``--seed N`` instead seeds a
temporary project of N samples. Prints the time and the
client's peak RSS of each listing (each in a fresh process), the same listing of the project
folder itself (``local``), and the server's cost per page at the start and at the end of the
listing.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from figures import Figures, add_json_argument  # noqa: E402

KEY = "bench-key-0123456789abcdef"
MB = 1024 * 1024


def one_listing(base: str, how: str) -> None:
    """In a child process: list every id and print seconds, ids and peak RSS as JSON
    (``base``: the server's address, or for ``local`` the project folder).
    """
    import ei_desktop
    from ei_desktop import data as eid

    ei_desktop.API_KEY = KEY
    ei_desktop.API_ENDPOINT = f"{base}/v1"
    ei_desktop.INGESTION_ENDPOINT = base
    started = time.perf_counter()
    if how == "sdk":
        import edgeimpulse as ei

        ei.API_KEY, ei.API_ENDPOINT = KEY, f"{base}/v1"
        ids = ei.data.get_sample_ids()
    elif how == "local":
        ids = eid.get_sample_ids(project=base)
    else:
        from ei_desktop.core.backends.studio import StudioBackend

        backend = StudioBackend(KEY, f"{base}/v1", base)
        if how == "standard":
            backend._paging_after_id = False  # as against Edge Impulse: offset pages only
        ids = eid.get_sample_ids(project=backend)
    seconds = time.perf_counter() - started
    print(json.dumps({"seconds": seconds, "ids": len(ids), "peak": peak_rss()}))


def peak_rss() -> int:
    """This process's peak resident memory in bytes: ``VmHWM``, the peak of its own memory
    since it started (``ru_maxrss`` also keeps the parent's peak when that was higher, the
    memory it had when this process was started from it).
    """
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) * 1024
    import resource  # not Linux

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def page_ms(base: str, api: str, params: dict, repeat: int = 5) -> float:
    import requests

    session = requests.Session()
    session.headers["x-api-key"] = KEY
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        session.get(f"{api}/raw-data", params=params, timeout=600).raise_for_status()
        times.append(time.perf_counter() - started)
    return 1000 * sorted(times)[len(times) // 2]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("project", nargs="?", help="the project folder to serve")
    parser.add_argument("--standard-only", action="store_true", help="skip the extension run")
    parser.add_argument("--sdk", action="store_true", help="also time the official SDK")
    parser.add_argument("--seed", type=int, metavar="N", help="seed a temporary project of N")
    parser.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    add_json_argument(parser)
    args = parser.parse_args()
    if args.child:
        one_listing(*args.child)
        return
    if args.project is None:
        if not args.seed:
            parser.error("give a PROJECT folder or --seed N")
        sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tools"))
        from seed_project import seed

        with tempfile.TemporaryDirectory(prefix="ei-listing-bench-") as tmp:
            args.project = str(Path(tmp) / "project")
            print(f"seeded {args.seed:,} samples in {seed(Path(args.project), args.seed):.1f} s")
            run(args)
        return
    run(args)


def run(args: argparse.Namespace) -> None:
    """Serve ``args.project`` and time each listing against it."""
    figures = Figures("listing_1m")
    import requests

    # here only: the listing's own process imports no more than a client would
    from ei_desktop.server.testing import free_port, serve_process

    port = free_port()
    process = serve_process(Path(args.project), port, KEY)
    base = f"http://127.0.0.1:{port}"
    try:
        projects = requests.get(f"{base}/v1/api/projects", headers={"x-api-key": KEY}).json()
        api = f"{base}/v1/api/{projects['projects'][0]['id']}"
        info = {"fields": "id,filename,category,label", "excludeSensors": "true", "limit": 1000}
        first = requests.get(
            f"{api}/raw-data", params={**info, "limit": 1}, headers={"x-api-key": KEY}
        ).json()
        total, top = first["totalCount"], first["samples"][0]["id"]
        print(f"{total:,} samples")
        deep = max(0, total - 1000)
        print(f"server, one page of 1000 at offset 0:       {page_ms(base, api, info):8.1f} ms")
        print(
            f"server, one page of 1000 at offset {deep:,}: "
            f"{page_ms(base, api, {**info, 'offset': deep}):8.1f} ms"
        )
        if not args.standard_only:
            last = {**info, "afterId": max(1, top - total + 1000)}
            print(f"server, the last page of 1000 by afterId:   {page_ms(base, api, last):8.1f} ms")
            deep = {**info, "limit": 10_000, "afterId": max(1, top - total + 10_000)}
            print(f"server, the last page of 10,000 by afterId: {page_ms(base, api, deep):8.1f} ms")
            columns = {**deep, "columns": "true"}
            print(
                f"server, the same page as columns:           {page_ms(base, api, columns):8.1f} ms"
            )
        runs = ["standard"] + ([] if args.standard_only else ["after-id"])
        runs += ["sdk"] if args.sdk else []
        runs += ["local"]
        for how in runs:
            where = args.project if how == "local" else base
            child = subprocess.run(
                [sys.executable, __file__, "--child", str(where), how],
                capture_output=True,
                text=True,
                check=True,
            )
            result = json.loads(child.stdout.strip().splitlines()[-1])
            print(
                f"get_sample_ids, {how:<9} {result['seconds']:7.2f} s, {result['ids']:,} ids, "
                f"client peak RSS {result['peak'] / MB:.0f} MB",
                flush=True,
            )
            figures.add(
                f"get_sample_ids.{how}",
                f"get_sample_ids {'of a local project' if how == 'local' else 'over HTTP'}, "
                f"{result['ids']:,} samples, {how}",
                result["seconds"],
                unit="s",
                higher_is_better=False,
                samples=result["ids"],
                peak_rss_mb=result["peak"] / MB,
            )
    finally:
        process.terminate()
        process.wait(60)
    figures.write(args.json)


if __name__ == "__main__":
    main()
