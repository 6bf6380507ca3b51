#!/usr/bin/env python3
"""Run every benchmark in ``benchmarks/``, each in its own process, and print one table:
measure | ei-desktop | official SDK or limit | ratio | target | met?

    .venv/bin/python benchmarks/run_all.py [--full] [--only NAME ...] [--skip NAME ...]
                                           [--out benchmarks/results.json]

Quick sizes by default (minutes); ``--full`` runs the sizes of issues 13 and 14 (an hour or
more). Each benchmark keeps its own printout and writes its figures as JSON (``--json``); a
benchmark that fails or times out shows as FAILED in the table and the others still run. All
figures, with each benchmark's status and time, go to ``--out``. Targets are those of issue 14
(and issue 13 for push); a target stated for a size the quick run does not reach is shown but
not judged ("n/a").
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Optional

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent


@dataclass(frozen=True)
class Benchmark:
    """One benchmark script with its quick and full arguments."""

    name: str
    script: str
    quick: tuple[str, ...]
    full: tuple[str, ...]
    timeout_quick: float = 900
    timeout_full: float = 3 * 3600


BENCHMARKS = [
    Benchmark("latency_proxy", "latency_proxy.py", ("--ping", "--rtt-ms", "50"), ("--ping",)),
    Benchmark("local_store", "local_store.py", ("--quick",), ()),
    Benchmark("cli_upload_memory", "cli_upload_memory.py", (), ()),
    Benchmark("http_vs_sdk", "http_vs_sdk.py", ("--quick",), ()),
    Benchmark(
        "http_vs_sdk_rtt50", "http_vs_sdk.py", ("--quick", "--rtt-ms", "50"), ("--rtt-ms", "50")
    ),
    Benchmark("push_vs_sdk", "push_vs_sdk.py", ("--samples", "1000"), ("--samples", "10000")),
    Benchmark("listing_1m", "listing_1m.py", ("--seed", "100000"), ("--seed", "1000000", "--sdk")),
    Benchmark("keep_alive_latency", "keep_alive_latency.py", ("50",), ("200",)),
    Benchmark("curation", "curation.py", ("--quick",), ()),
    Benchmark("dataset_import", "dataset_import.py", ("--quick", "--runs", "1"), ()),
    Benchmark("sample_by_id", "sample_by_id.py", ("--mb", "20", "--repeat", "3"), ()),
    Benchmark("server_memory", "server_memory.py", ("one", "download"), ()),
    Benchmark("timeseries_download", "timeseries_download.py", ("--mb", "10"), ()),
    Benchmark("big_csv_download", "big_csv_download.py", (), ("--mb", "200")),
    Benchmark("big_csv_upload", "big_csv_upload.py", (), ()),
    Benchmark("timeseries_plot", "timeseries_plot.py", ("--rows", "1000000"), ()),
    Benchmark("preview_ui_thread", "preview_ui_thread.py", ("--rows", "1000000"), ()),
    Benchmark(
        "scaling",
        "scaling.py",
        ("--sizes", "10000", "100000"),
        ("--sizes", "10000", "100000", "1000000"),
    ),
    Benchmark("gui_latency", "gui_latency.py", ("--files", "500", "--samples", "100000"), ()),
]


@dataclass(frozen=True)
class Target:
    """A target: its text, and a check of one figure (None: not judged at this size)."""

    text: str
    check: Callable[[dict], Optional[bool]]


def ratio_at_least(value: float) -> Target:
    return Target(f">= {value:g}x", lambda f: f["ratio"] is not None and f["ratio"] >= value)


def at_most(value: float, unit: str) -> Target:
    return Target(f"<= {value:g} {unit}", lambda f: f["ours"] <= value)


def at_least(value: float, unit: str) -> Target:
    return Target(f">= {value:,g} {unit}", lambda f: f["ours"] >= value)


def per_million_at_most(seconds: float) -> Target:
    """``seconds`` for 1M samples, scaled linearly from the size measured."""
    return Target(
        f"<= {seconds:g} s per 1M",
        lambda f: f["ours"] * 1_000_000 / max(1, f.get("samples", 1)) <= seconds,
    )


def rss_at_1m(limit_mb: float) -> Target:
    def check(f: dict) -> Optional[bool]:
        if f.get("samples", 0) < 1_000_000:
            return None
        return f.get("peak_rss_mb", 0) <= limit_mb

    return Target(f"RSS <= {limit_mb:g} MB at 1M", check)


def below_file_size_times(times: float) -> Target:
    return Target(
        f"< {times:g}x the file",
        lambda f: f["ours"] < times * f["file_mb"] if "file_mb" in f else None,
    )


def near_reference(tolerance: float) -> Target:
    def check(f: dict) -> Optional[bool]:
        return abs(f["ours"] - f["reference"]) <= tolerance * f["reference"] + 2

    return Target(f"within {tolerance:.0%} of the RTT", check)


def none_stated(note: str) -> Target:
    return Target(note, lambda f: None)


#: targets by "benchmark.figure id" (issues 13 and 14); figures not named here have none
TARGETS: dict[str, Target] = {
    "latency_proxy.ping.one": near_reference(0.1),
    "latency_proxy.ping.many": near_reference(0.25),
    "local_store.ingest.small_csv": at_least(8000, "samples/s"),
    "local_store.page.worst": at_most(50, "ms"),
    "local_store.ingest.vs_raw_files": ratio_at_least(0.5),
    "local_store.ingest.vs_raw_sqlite": ratio_at_least(0.5),
    "http_vs_sdk.loopback.upload_directory": ratio_at_least(10),
    "http_vs_sdk.loopback.upload_directory.vs_noop": ratio_at_least(0.5),
    "http_vs_sdk.loopback.standard.get_sample_ids": ratio_at_least(3),
    "http_vs_sdk.loopback.standard.download_samples_by_ids": ratio_at_least(3),
    "http_vs_sdk_rtt50.rtt50.upload_directory": ratio_at_least(10),
    "http_vs_sdk_rtt50.rtt50.get_sample_ids": ratio_at_least(3),
    "http_vs_sdk_rtt50.rtt50.download_samples_by_ids": ratio_at_least(3),
    "push_vs_sdk.push.rtt0.vs_sdk": none_stated("ratio (issue 13)"),
    "push_vs_sdk.push.rtt50.vs_sdk": none_stated("ratio (issue 13)"),
    "push_vs_sdk.push.rtt50.vs_sdk8": none_stated("ratio (issue 13)"),
    "listing_1m.get_sample_ids.after-id": per_million_at_most(5),
    "listing_1m.get_sample_ids.standard": per_million_at_most(5),
    "listing_1m.get_sample_ids.local": per_million_at_most(5),
    "curation.relabel.per_100k": at_most(1000, "ms"),
    "curation.move_to_testing.per_100k": at_most(1000, "ms"),
    "curation.disable.per_100k": at_most(1000, "ms"),
    "curation.summary": at_most(20, "ms"),
    "sample_by_id.get_filename_by_id.csv": at_most(20, "ms"),
    "sample_by_id.get_filename_by_id.json": at_most(20, "ms"),
    "timeseries_plot.set_series": at_most(50, "ms"),
    "preview_ui_thread.set_series_first_paint.sample": at_most(50, "ms"),
}
#: second targets on the same figure (shown as a row of its own)
EXTRA_TARGETS: dict[str, Target] = {
    "listing_1m.get_sample_ids.after-id": rss_at_1m(250),
    "listing_1m.get_sample_ids.standard": rss_at_1m(250),
    "listing_1m.get_sample_ids.local": rss_at_1m(250),
}


def target_of(key: str) -> Optional[Target]:
    if key in TARGETS:
        return TARGETS[key]
    if key.startswith(("server_memory.", "big_csv_download.", "big_csv_upload.")):
        return below_file_size_times(3)
    if key.startswith("scaling."):
        return none_stated("flat per item (issue 14)")
    return None


def run_one(bench: Benchmark, full: bool, workdir: Path) -> dict:
    """Run one benchmark in its own process; its status, time and figures."""
    out = workdir / f"{bench.name}.json"
    argv = [sys.executable, str(HERE / bench.script), *(bench.full if full else bench.quick)]
    argv += ["--json", str(out)]
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    print(f"\n=== {bench.name}: {' '.join(argv[1:])}", flush=True)
    started = time.perf_counter()
    try:
        code = subprocess.run(
            argv, env=env, timeout=bench.timeout_full if full else bench.timeout_quick
        ).returncode
        status = "ok" if code == 0 else f"exit {code}"
    except subprocess.TimeoutExpired:
        status = "timed out"
    seconds = time.perf_counter() - started
    figures: list[dict] = []
    if status == "ok":
        try:
            figures = json.loads(out.read_text(encoding="utf-8"))["figures"]
        except (OSError, ValueError, KeyError) as exc:
            status = f"no figures ({exc.__class__.__name__})"
    return {"status": status, "seconds": seconds, "argv": argv[1:-2], "figures": figures}


def number(value: Optional[float], unit: str = "") -> str:
    if value is None:
        return "—"
    text = (
        f"{value:,.0f}"
        if abs(value) >= 100
        else f"{value:,.1f}"
        if abs(value) >= 1
        else f"{value:.3f}"
    )
    return f"{text} {unit}".strip()


def rows_of(results: dict[str, dict]) -> list[tuple[str, ...]]:
    rows = []
    for name, result in results.items():
        if result["status"] != "ok":
            rows.append((f"{name}: FAILED ({result['status']})", "", "", "", "", "FAILED"))
            continue
        for figure in result["figures"]:
            key = f"{name}.{figure['id']}"
            reference = figure.get("reference")
            ref_text = number(reference, figure["unit"]) if reference is not None else "—"
            if reference is not None and figure.get("reference_kind") not in (
                None,
                "official SDK",
            ):
                ref_text += f" ({figure['reference_kind']})"
            ratio = f"{figure['ratio']:.2f}x" if figure.get("ratio") else "—"
            for target in filter(None, (target_of(key), EXTRA_TARGETS.get(key))):
                met = target.check(figure)
                verdict = "n/a" if met is None else "yes" if met else "NO"
                if target is EXTRA_TARGETS.get(key):
                    shown = number(figure.get("peak_rss_mb"), "MB")
                    rows.append(
                        (figure["measure"] + ", client RSS", shown, "—", "—", target.text, verdict)
                    )
                else:
                    rows.append(
                        (
                            figure["measure"],
                            number(figure["ours"], figure["unit"]),
                            ref_text,
                            ratio,
                            target.text,
                            verdict,
                        )
                    )
            if target_of(key) is None:
                rows.append(
                    (
                        figure["measure"],
                        number(figure["ours"], figure["unit"]),
                        ref_text,
                        ratio,
                        "—",
                        "",
                    )
                )
    return rows


def print_table(rows: list[tuple[str, ...]]) -> None:
    header = ("measure", "ei-desktop", "official SDK or limit", "ratio", "target", "met?")
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
    widths[0] = min(widths[0], 84)
    line = " | ".join(f"{{:<{w}}}" for w in widths)
    print()
    print(line.format(*header))
    print("-+-".join("-" * w for w in widths))
    for row in rows:
        print(line.format(row[0][: widths[0]], *row[1:]))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--full", action="store_true", help="the issues' sizes (slow)")
    parser.add_argument("--only", nargs="+", metavar="NAME", help="run only these benchmarks")
    parser.add_argument("--skip", nargs="+", metavar="NAME", default=[], help="skip these")
    parser.add_argument(
        "--out", type=Path, default=HERE / "results.json", help="where to write all figures"
    )
    args = parser.parse_args()
    names = [b.name for b in BENCHMARKS]
    for name in [*(args.only or []), *args.skip]:
        if name not in names:
            parser.error(f"no benchmark {name!r}; there are: {', '.join(names)}")
    chosen = [
        b for b in BENCHMARKS if (not args.only or b.name in args.only) and b.name not in args.skip
    ]
    started = time.time()
    results: dict[str, dict] = {}
    with tempfile.TemporaryDirectory(prefix="ei-run-all-") as tmp:
        for bench in chosen:
            results[bench.name] = run_one(bench, args.full, Path(tmp))
            # written after each benchmark, so a long run interrupted keeps what it measured
            document = {
                "mode": "full" if args.full else "quick",
                "started": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(started)),
                "machine": {"cpus": os.cpu_count(), "platform": platform.platform()},
                "benchmarks": results,
            }
            args.out.write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")
    print_table(rows_of(results))
    failed = [name for name, result in results.items() if result["status"] != "ok"]
    print(
        f"\n{len(results) - len(failed)} of {len(results)} benchmarks ran"
        + (f"; failed: {', '.join(failed)}" if failed else "")
        + f"; figures in {args.out}"
    )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
