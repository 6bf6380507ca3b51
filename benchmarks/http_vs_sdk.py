#!/usr/bin/env python3
"""ei-desktop's HTTP backend against the official SDK, same server, same run. Prints figures.

    .venv/bin/python benchmarks/http_vs_sdk.py [--quick] [--rtt-ms 50] [--sdk-cores 8] [--json PATH]

Starts ``ei-desktop serve`` on a free loopback port in its own process over a fresh project,
then times, for both clients:

1. ``upload_directory`` of 2,000 small CSV files (each client uploads its own files); on
   loopback ei-desktop's files go once more to a do-nothing FastAPI endpoint
   (``noop_endpoint.py``), the ceiling of an upload over HTTP here;
2. ``get_sample_ids`` over 20,000 samples;
3. ``download_samples_by_ids`` of 500 samples, with the server's CPU time per sample sent.

On loopback ei-desktop uses its API extensions where serve offers them, and the two reads are
timed again with them off. With ``--rtt-ms`` both clients go through
``benchmarks/latency_proxy.py`` adding that round-trip time (a real link to Edge Impulse),
ei-desktop keeps to the standard Edge Impulse API only (its extensions off, for the upload
too), and the SDK's thread pools are sized as on an 8-core laptop (``--sdk-cores``; the SDK
sizes them by ``os.cpu_count()``, patched only while its calls run).

Targets (issue 14): on loopback >= 10x the SDK for upload, >= 3x for listing and download
with the standard API only; through 50 ms RTT >= 10x / 3x / 3x.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Optional

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tools"))
sys.path.insert(0, str(ROOT / "benchmarks"))

from figures import Figures, add_json_argument  # noqa: E402
from latency_proxy import LatencyProxy  # noqa: E402
from seed_project import seed  # noqa: E402

from ei_desktop.server.testing import free_port, serve_process  # noqa: E402

KEY = "bench-key-0123456789"


def start_server(project: Path) -> tuple[subprocess.Popen, str]:
    port = free_port()
    return serve_process(project, port, KEY), f"http://127.0.0.1:{port}"


def write_csvs(directory: Path, count: int, offset: int) -> None:
    directory.mkdir(parents=True)
    for i in range(count):
        n = offset + i
        rows = "".join(f"{t * 10},{n},{t},{t * 2}\n" for t in range(20))
        (directory / f"walk.{n:06d}.csv").write_text(f"timestamp,accX,accY,accZ\n{rows}")


def cpu_seconds(pid: int) -> Optional[float]:
    """CPU time (user + system) process ``pid`` has used so far; ``None`` without /proc."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@contextlib.contextmanager
def server_cpu_per(pid: int, units: int, out: dict, key: str):
    """``out[key]``: the server's CPU milliseconds per unit of the work in the block."""
    before = cpu_seconds(pid)
    yield
    after = cpu_seconds(pid)
    if before is not None and after is not None:
        out[key] = 1000 * (after - before) / units


def timed(call, repeat: int = 1) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        call()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


FIGURES = Figures("http_vs_sdk")


def report(
    what: str,
    units: float,
    unit: str,
    sdk_seconds: float,
    ours_seconds: float,
    figure_id: str = "",
) -> None:
    sdk_rate, ours_rate = units / sdk_seconds, units / ours_seconds
    if figure_id:
        FIGURES.add(figure_id, what.strip(), ours_rate, reference=sdk_rate, unit=f"{unit}/s")
    print(
        f"{what:<44} official SDK {sdk_rate:>9,.0f} {unit}/s   "
        f"ei-desktop {ours_rate:>9,.0f} {unit}/s"
        f"   ratio {ours_rate / sdk_rate:5.1f}x"
    )


@contextlib.contextmanager
def cores_seen_by_sdk(cores: int):
    """``os.cpu_count()`` answers ``cores`` meanwhile (0: left alone): the SDK sizes the
    thread pools of its uploads and downloads by it when each call starts."""
    if not cores:
        yield
        return
    real = os.cpu_count
    os.cpu_count = lambda: cores
    try:
        yield
    finally:
        os.cpu_count = real


def upload_against_noop(work: Path, files: int, serve_s: float) -> None:
    """The same files, the same client, to the do-nothing endpoint (``noop_endpoint.py``):
    the share of the transport's ceiling that ``serve`` reaches."""
    from noop_endpoint import noop_process

    from ei_desktop import data as ours
    from ei_desktop.core.backends.studio import StudioBackend

    port = free_port()
    process = noop_process(port)
    try:
        base = f"http://127.0.0.1:{port}"
        noop = StudioBackend(KEY, f"{base}/v1", base)
        result = {}
        noop_s = timed(
            lambda: result.update(r=ours.upload_directory(str(work / "ours"), project=noop))
        )
        noop.close()
    finally:
        process.terminate()
        process.wait(timeout=10)
    assert len(result["r"].successes) == files, result["r"].fails[:2]
    FIGURES.add(
        "loopback.upload_directory.vs_noop",
        f"upload_directory, {files:,} small CSV files, serve vs a do-nothing FastAPI endpoint",
        files / serve_s,
        reference=files / noop_s,
        reference_kind="do-nothing FastAPI endpoint, same client",
        unit="files/s",
    )
    print(
        f"{'  the same to a do-nothing FastAPI endpoint':<44} endpoint {files / noop_s:>13,.0f} "
        f"files/s   serve {files / serve_s:>14,.0f} files/s   share {noop_s / serve_s:5.0%}"
    )


def run_all_three(
    work: Path,
    base: str,
    files: int,
    listed: int,
    downloads: int,
    rtt: float,
    sdk_cores: int,
    server_pid: int,
) -> None:
    os.environ.update(EI_API_KEY=KEY, EI_API_ENDPOINT=f"{base}/v1", EI_INGESTION_ENDPOINT=base)
    import edgeimpulse
    import edgeimpulse.data as sdk

    import ei_desktop
    from ei_desktop import data as ours
    from ei_desktop.core.backends.base import SampleQuery
    from ei_desktop.core.backends.studio import StudioBackend

    edgeimpulse.API_KEY, edgeimpulse.API_ENDPOINT = KEY, f"{base}/v1"
    edgeimpulse.INGESTION_ENDPOINT = base
    ei_desktop.API_KEY, ei_desktop.API_ENDPOINT = KEY, f"{base}/v1"
    ei_desktop.INGESTION_ENDPOINT = base
    # through a link: ei-desktop as against Edge Impulse itself, the standard API only
    plain = StudioBackend(KEY, f"{base}/v1", base, extensions=False)
    mine = {"project": plain} if rtt else {}
    where = f", RTT {rtt:g} ms, standard API" if rtt else ""
    tag = f"rtt{rtt:g}." if rtt else "loopback."
    if rtt or sdk_cores:
        print(
            f"through {rtt:g} ms RTT; ei-desktop: standard API only; "
            f"SDK pools as on {sdk_cores or os.cpu_count()} cores"
        )

    # 1. upload_directory
    result = {}
    with cores_seen_by_sdk(sdk_cores):
        sdk_s = timed(lambda: result.update(sdk=sdk.upload_directory(str(work / "sdk"))))
    ours_s = timed(lambda: result.update(ours=ours.upload_directory(str(work / "ours"), **mine)))
    assert len(result["sdk"].successes) == files, result["sdk"].fails[:2]
    assert len(result["ours"].successes) == files, result["ours"].fails[:2]
    report(
        f"upload_directory, {files:,} small CSV files{where}",
        files,
        "files",
        sdk_s,
        ours_s,
        f"{tag}upload_directory",
    )
    if not rtt:
        upload_against_noop(work, files, ours_s)

    # 2. get_sample_ids
    total = listed + 2 * files
    counts = {}
    sdk_s = sdk_list_s = timed(lambda: counts.update(sdk=len(sdk.get_sample_ids())), repeat=3)
    ours_s = timed(lambda: counts.update(ours=len(ours.get_sample_ids(**mine))), repeat=3)
    assert counts["sdk"] == counts["ours"] == total, counts
    report(
        f"get_sample_ids over {total:,} samples{where}",
        total,
        "ids",
        sdk_s,
        ours_s,
        f"{tag}get_sample_ids",
    )

    # 3. download_samples_by_ids
    ids = [info.sample_id for info in ours.get_sample_ids()][:downloads]
    got, cpu = {}, {}
    with cores_seen_by_sdk(sdk_cores), server_cpu_per(server_pid, 3 * downloads, cpu, "sdk"):
        sdk_s = timed(lambda: got.update(sdk=sdk.download_samples_by_ids(ids)), repeat=3)
    with server_cpu_per(server_pid, 3 * downloads, cpu, "ours"):
        ours_s = timed(lambda: got.update(ours=ours.download_samples_by_ids(ids, **mine)), repeat=3)
    assert len(got["sdk"]) == len(got["ours"]) == downloads
    report(
        f"download_samples_by_ids, {downloads} samples{where}",
        downloads,
        "samples",
        sdk_s,
        ours_s,
        f"{tag}download_samples_by_ids",
    )
    if cpu:
        print(
            f"{'  serve CPU per sample downloaded':<44} official SDK {cpu['sdk']:>6.2f} ms"
            f"        ei-desktop {cpu['ours']:>6.2f} ms"
        )
        FIGURES.add(
            f"{tag}download_samples_by_ids.serve_cpu",
            f"serve's CPU per sample downloaded{where}",
            cpu["ours"],
            reference=cpu["sdk"],
            higher_is_better=False,
            unit="ms",
        )

    if not rtt:
        # the same two reads with ei-desktop kept to the standard Edge Impulse API
        print("ei-desktop without its API extensions (as against Edge Impulse itself):")
        plain_s = timed(lambda: plain.sample_infos(SampleQuery()), repeat=3)
        report(
            f"  get_sample_ids over {total:,} samples, standard API",
            total,
            "ids",
            sdk_list_s,
            plain_s,
            "loopback.standard.get_sample_ids",
        )
        with server_cpu_per(server_pid, 3 * downloads, cpu, "standard"):
            plain_s = timed(lambda: plain.download(ids), repeat=3)
        report(
            f"  download_samples_by_ids, {downloads} samples, standard API",
            downloads,
            "samples",
            sdk_s,
            plain_s,
            "loopback.standard.download_samples_by_ids",
        )
        if "standard" in cpu:
            print(
                f"{'    serve CPU per sample downloaded':<44} official SDK {cpu['sdk']:>6.2f} ms"
                f"        ei-desktop {cpu['standard']:>6.2f} ms"
            )
            FIGURES.add(
                "loopback.standard.download_samples_by_ids.serve_cpu",
                "serve's CPU per sample downloaded, standard API",
                cpu["standard"],
                reference=cpu["sdk"],
                higher_is_better=False,
                unit="ms",
            )
    plain.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a tenth of the sizes")
    parser.add_argument(
        "--rtt-ms", type=float, default=0.0, help="through a proxy adding this round trip"
    )
    parser.add_argument(
        "--sdk-cores",
        type=int,
        help="size the SDK's pools as on this many cores (default: 8 with --rtt-ms, else as is)",
    )
    add_json_argument(parser)
    args = parser.parse_args()
    rtt = args.rtt_ms
    sdk_cores = args.sdk_cores if args.sdk_cores is not None else (8 if rtt else 0)
    scale = 10 if args.quick else 1
    files, listed, downloads = 2000 // scale, 20_000 // scale, 500 // scale

    with tempfile.TemporaryDirectory(prefix="ei-http-bench-") as tmp:
        work = Path(tmp)
        project = work / "project"
        seed(project, listed)
        write_csvs(work / "sdk", files, 0)
        write_csvs(work / "ours", files, files)
        server, direct = start_server(project)
        try:
            with contextlib.ExitStack() as stack:
                base = direct
                if rtt:
                    port = int(direct.rsplit(":", 1)[1])
                    base = stack.enter_context(LatencyProxy(("127.0.0.1", port), rtt)).url
                run_all_three(work, base, files, listed, downloads, rtt, sdk_cores, server.pid)
        finally:
            server.terminate()
            server.wait(timeout=10)
    FIGURES.write(args.json)
    return 0


if __name__ == "__main__":
    sys.exit(main())
