#!/usr/bin/env python3
"""``ei-desktop push`` of a local project against the official SDK's ``upload_directory`` of
the same files, to ``ei-desktop serve`` on loopback and through a proxy adding 50 ms of
round-trip time (issue 13). Prints figures.

    .venv/bin/python benchmarks/push_vs_sdk.py [--samples 10000] [--quick] [--runs 1]
                                               [--rtt-ms 0 50] [--json PATH]

Writes ``--samples`` small CSV time series (distinct contents, a few labels taken from the
file names) into a folder, uploads them into a local project (not timed), then for each
round-trip time, each client and each run, starts a fresh ``ei-desktop serve`` project
(behind ``benchmarks/latency_proxy.py`` when the RTT is not 0) and times:

- ``ei-desktop push``: the command line, in a subprocess, on a copy of the local project
  (wall time of the whole command, its start-up included);
- ``ei-desktop push, standard API``: ``ops.sync.plan_push`` / ``push`` in a subprocess with the
  HTTP backend's extensions off (as against Edge Impulse itself, which has none);
- the official SDK's ``upload_directory`` of the folder, in a subprocess, timing the call
  only (not Python's start-up nor the import), its thread pool sized by this machine's cores
  (``min(32, cores + 4)``) and, again, as on an 8-core laptop (``os.cpu_count`` patched to 8
  before ``edgeimpulse`` is imported).

Each run checks the remote then holds every sample. The figure is samples/s (median of the
runs) and the ratio ei-desktop / SDK at each RTT.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from contextlib import ExitStack
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(HERE))

from figures import Figures, add_json_argument  # noqa: E402
from latency_proxy import LatencyProxy  # noqa: E402

from ei_desktop.server.testing import free_port, serve_process  # noqa: E402

KEY = "bench-key-0123456789abcdef"
LABELS = ("idle", "walk", "run", "wave", "jump")

#: the official SDK's upload in a child process; argv: folder, base URL, cores (0: as is)
SDK_CHILD = r"""
import json, os, sys, time
folder, base, cores = sys.argv[1], sys.argv[2], int(sys.argv[3])
if cores:
    os.cpu_count = lambda: cores
import edgeimpulse as ei
from edgeimpulse import data
ei.API_KEY, ei.API_ENDPOINT, ei.INGESTION_ENDPOINT = sys.argv[4], base + "/v1", base
started = time.perf_counter()
response = data.upload_directory(folder)
seconds = time.perf_counter() - started
print(json.dumps({"seconds": seconds, "sent": len(response.successes),
                  "failed": len(response.fails), "cpu_count": os.cpu_count()}))
"""

#: ei-desktop's push through the ops layer, standard API only; argv: project, base URL, key
OPS_CHILD = r"""
import json, sys, time
from ei_desktop.core.backends.base import SampleQuery
from ei_desktop.core.backends.local import LocalBackend
from ei_desktop.core.backends.studio import StudioBackend
from ei_desktop.core.sync_state import SyncState
from ei_desktop.ops import sync
project, base, key = sys.argv[1], sys.argv[2], sys.argv[3]
started = time.perf_counter()
local = LocalBackend(project)
remote = StudioBackend(key, base + "/v1", base, extensions=False)
state = SyncState(local.path)
plan = sync.plan_push(local, remote, state, SampleQuery())
report = sync.push(local, remote, state, plan)
seconds = time.perf_counter() - started
state.close(); remote.close(); local.close()
print(json.dumps({"seconds": seconds, "sent": report.sent}))
"""


def write_samples(folder: Path, count: int) -> None:
    """``count`` small CSV time series with distinct contents, labelled by file name."""
    folder.mkdir(parents=True)
    for n in range(count):
        label = LABELS[n % len(LABELS)]
        rows = "".join(f"{t * 10},{n % 997 + t * 0.5},{n // 997},{t * 2}\n" for t in range(25))
        (folder / f"{label}.{n:06d}.csv").write_text(f"timestamp,accX,accY,accZ\n{rows}")


def make_local_project(project: Path, folder: Path, count: int) -> None:
    from ei_desktop import data
    from ei_desktop.core.backends.local import LocalBackend

    LocalBackend(project, create=True).close()
    response = data.upload_directory(str(folder), project=project)
    assert len(response.successes) == count, response.fails[:3]
    from ei_desktop.core import connection

    connection.close_all()  # the push subprocesses open it themselves


def remote_count(base: str) -> int:
    from ei_desktop import data
    from ei_desktop.core.backends.studio import StudioBackend

    backend = StudioBackend(KEY, f"{base}/v1", base)
    try:
        return len(data.get_sample_ids(project=backend))
    finally:
        backend.close()


def child_env() -> dict[str, str]:
    path = os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))
    return {**os.environ, "PYTHONPATH": path}


def run_child(argv: list[str], env: dict[str, str]) -> tuple[float, str]:
    """Run ``argv``; returns its wall time and stdout; raises when it fails."""
    started = time.perf_counter()
    done = subprocess.run(argv, env=env, capture_output=True, text=True, timeout=1800)
    wall = time.perf_counter() - started
    if done.returncode != 0:
        raise RuntimeError(
            f"{argv[:4]} exited with {done.returncode}:\n{done.stdout[-2000:]}"
            f"\n{done.stderr[-2000:]}"
        )
    return wall, done.stdout


def push_cli(project: Path, url: str) -> dict:
    env = {
        **child_env(),
        "EI_API_KEY": KEY,
        "EI_API_ENDPOINT": f"{url}/v1",
        "EI_INGESTION_ENDPOINT": url,
    }
    argv = [sys.executable, "-m", "ei_desktop", "push", "--project", str(project)]
    wall, out = run_child(argv, env)
    return {"seconds": wall, "output": out.strip().splitlines()[-1:]}


def push_standard(project: Path, url: str) -> dict:
    _, out = run_child([sys.executable, "-c", OPS_CHILD, str(project), url, KEY], child_env())
    return json.loads(out.strip().splitlines()[-1])


def sdk_upload(folder: Path, url: str, cores: int) -> dict:
    argv = [sys.executable, "-c", SDK_CHILD, str(folder), url, str(cores), KEY]
    wall, out = run_child(argv, child_env())
    result = json.loads(out.strip().splitlines()[-1])
    if result["failed"]:
        raise RuntimeError(f"the SDK failed {result['failed']} uploads")
    return {**result, "wall_seconds": wall}


def one_run(work: Path, client: str, rtt_ms: float, files: Path, local: Path, tag: str) -> dict:
    """Time one client once against a fresh serve project; checks the remote holds all."""
    port = free_port()
    server = serve_process(work / f"remote-{tag}", port, KEY)
    base = f"http://127.0.0.1:{port}"
    try:
        with ExitStack() as stack:
            url = base
            if rtt_ms:
                url = stack.enter_context(LatencyProxy(("127.0.0.1", port), rtt_ms)).url
            if client in ("push", "push-standard"):
                copy = work / f"local-{tag}"
                shutil.copytree(local, copy)
                result = (push_cli if client == "push" else push_standard)(copy, url)
                shutil.rmtree(copy, ignore_errors=True)
            else:
                result = sdk_upload(files, url, 8 if client == "sdk8" else 0)
        result["remote_count"] = remote_count(base)
    finally:
        server.terminate()
        server.wait(timeout=30)
    shutil.rmtree(work / f"remote-{tag}", ignore_errors=True)
    return result


CLIENTS = {
    "push": "ei-desktop push (CLI)",
    "push-standard": "ei-desktop push, standard API only",
    "sdk": f"official SDK upload_directory ({os.cpu_count()} cores)",
    "sdk8": "official SDK upload_directory (pools as on 8 cores)",
}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, default=10_000)
    parser.add_argument("--quick", action="store_true", help="1,000 samples")
    parser.add_argument("--runs", type=int, default=1, help="runs per figure (median)")
    parser.add_argument("--rtt-ms", type=float, nargs="+", default=[0.0, 50.0])
    add_json_argument(parser)
    args = parser.parse_args()
    count = 1000 if args.quick else args.samples
    figures = Figures("push_vs_sdk")

    with tempfile.TemporaryDirectory(prefix="ei-push-bench-") as tmp:
        work = Path(tmp)
        files, local = work / "files", work / "local"
        started = time.perf_counter()
        write_samples(files, count)
        make_local_project(local, files, count)
        print(
            f"{count:,} samples written and in a local project in "
            f"{time.perf_counter() - started:.1f} s",
            flush=True,
        )
        rates: dict[tuple[float, str], float] = {}
        for rtt in args.rtt_ms:
            for client, name in CLIENTS.items():
                runs = []
                for run in range(args.runs):
                    tag = f"{client}-{rtt:g}-{run}"
                    result = one_run(work, client, rtt, files, local, tag)
                    if result["remote_count"] != count:
                        raise RuntimeError(f"{name}: the remote holds {result['remote_count']}")
                    runs.append(count / result["seconds"])
                rate = rates[rtt, client] = statistics.median(runs)
                shown = ", ".join(f"{r:,.0f}" for r in runs)
                print(
                    f"RTT {rtt:>3g} ms  {name:<52} {rate:>8,.0f} samples/s  (runs: {shown})",
                    flush=True,
                )
        for rtt in args.rtt_ms:
            sdk, sdk8 = rates[rtt, "sdk"], rates[rtt, "sdk8"]
            for client in ("push", "push-standard"):
                ours = rates[rtt, client]
                print(
                    f"RTT {rtt:>3g} ms  {CLIENTS[client]} / SDK: {ours / sdk:5.1f}x "
                    f"(SDK as on 8 cores: {ours / sdk8:5.1f}x)"
                )
                for ref, kind in ((sdk, "sdk"), (sdk8, "sdk8")):
                    figures.add(
                        f"{client}.rtt{rtt:g}.vs_{kind}",
                        f"{CLIENTS[client]}, {count:,} samples, RTT {rtt:g} ms, vs "
                        + ("SDK" if kind == "sdk" else "SDK (8-core pools)"),
                        ours,
                        reference=ref,
                        unit="samples/s",
                    )
    figures.write(args.json)
    return 0


if __name__ == "__main__":
    sys.exit(main())
