"""Shared pieces of the push and pull tests: a mixed local project, the remote's samples by
content hash, and ``ei-desktop push`` / ``pull`` as processes of their own (run to their end,
killed at random, re-run until they exit 0)."""

from __future__ import annotations

import io
import os
import random
import signal
import subprocess
import sys
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional

from PIL import Image

from ei_desktop.core.backends.base import SampleQuery, UploadItem, query_for_ids
from ei_desktop.core.backends.local import LocalBackend
from ei_desktop.core.backends.studio import StudioBackend
from ei_desktop.core.edits import Move, Rename, SetEnabled, SetLabel, SetMetadata
from ei_desktop.server.testing import running_server

#: long enough for the key rules of ``serve``
KEY = "push-test-key-0123456789"
LABELS = ("idle", "wave", "snake", "updown")
SITES = ("north", "south", "east")


def _series(rng: random.Random, n: int, rows: int = 20) -> bytes:
    lines = ["timestamp,accX,accY,accZ"]
    for row in range(rows):
        values = ",".join(str(rng.randint(-999, 999)) for _ in range(3))
        lines.append(f"{row * 10},{values}")
    lines.append(f"{rows * 10},{n},0,0")  # every sample differs
    return ("\n".join(lines) + "\n").encode()


def _png(rng: random.Random, n: int) -> bytes:
    image = Image.new("RGB", (32, 24), (rng.randrange(256), rng.randrange(256), n % 256))
    image.putpixel((n % 32, (n // 32) % 24), (n % 251, 7, 9))
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def build_project(path: Path, count: int, seed: int = 1) -> LocalBackend:
    """A local project of ``count`` distinct samples: time series with labels and metadata,
    images with bounding boxes, multi-label time series (structured labels), some disabled.
    """
    rng = random.Random(seed)
    items = []
    for n in range(count):
        kind = n % 10
        category = "training" if rng.random() < 0.8 else "testing"
        metadata = {"site": rng.choice(SITES)}
        if n % 7 == 0:
            metadata["run"] = str(n)  # a few with metadata of their own
        if kind < 6:
            label = rng.choice(LABELS)
            items.append(
                UploadItem(
                    f"{label}.{n:04d}.csv", _series(rng, n), category, label, metadata=metadata
                )
            )
        elif kind < 9:
            boxes = [
                {
                    "label": rng.choice(("cap", "res")),
                    "x": rng.randint(0, 10),
                    "y": rng.randint(0, 8),
                    "width": rng.randint(4, 20),
                    "height": rng.randint(4, 14),
                }
                for _ in range(rng.randint(1, 3))
            ]
            items.append(
                UploadItem(
                    f"board.{n:04d}.png",
                    _png(rng, n),
                    category,
                    "board",
                    metadata=metadata,
                    bounding_boxes=boxes,
                )
            )
        else:
            first, second = rng.sample(LABELS, 2)
            segments = [
                {"label": first, "startIndex": 0, "endIndex": 9},
                {"label": second, "startIndex": 10, "endIndex": 20},
            ]
            items.append(
                UploadItem(
                    f"multi.{n:04d}.csv",
                    _series(rng, n),
                    category,
                    None,
                    metadata=metadata,
                    structured_labels=segments,
                )
            )
    local = LocalBackend(path, create=True)
    results = local.upload(items)
    assert all(r.success for r in results), [r.error for r in results if not r.success][:3]
    disabled = [r.sample_id for r in results if r.sample_id % 13 == 0]
    if disabled:
        local.edit(query_for_ids(disabled), SetEnabled(False))
    return local


#: what must be equal on both sides, per content hash
def facts(record) -> tuple:
    return (
        record.filename,
        record.label,
        record.category,
        record.metadata or {},
        _boxes(record.bounding_boxes),
        record.structured_labels or None,
        record.disabled,
    )


def _boxes(boxes) -> list:
    return sorted((b["label"], b["x"], b["y"], b["width"], b["height"]) for b in (boxes or []))


def by_hash(backend) -> dict[str, list]:
    """Every sample of ``backend`` (enabled or not) by content hash."""
    found: dict[str, list] = {}
    for record in backend.iter_samples(SampleQuery(include_disabled="both")):
        found.setdefault(record.sha256, []).append(record)
    return found


def remote_matches(local_dir: Path, remote) -> None:
    """Assert that ``remote`` holds each content of the local project once, as it is here."""
    with LocalBackend(local_dir) as local:
        expected = by_hash(local)
    found = by_hash(remote)
    assert all(len(copies) == 1 for copies in found.values())
    assert {sha: facts(r[0]) for sha, r in found.items()} == {
        sha: facts(r[0]) for sha, r in expected.items()
    }


def push_env(base_url: str) -> dict:
    """The environment of a push to ``base_url`` (an ``ei-desktop serve`` or a proxy)."""
    env = {**os.environ, "EI_API_ENDPOINT": base_url + "/v1", "EI_INGESTION_ENDPOINT": base_url}
    for name in ("EI_API_KEY", "EI_PROJECT"):
        env.pop(name, None)
    return env


def sync_command(verb: str, project: Path, *args) -> list[str]:
    """``ei-desktop push`` or ``pull`` (``verb``) of ``project`` with the test key."""
    return [
        sys.executable,
        "-m",
        "ei_desktop",
        verb,
        "--project",
        str(project),
        "--api-key",
        KEY,
        *map(str, args),
    ]


def push_command(project: Path, *args) -> list[str]:
    """``ei-desktop push`` of ``project`` with the test key."""
    return sync_command("push", project, *args)


def pull_command(project: Path, *args) -> list[str]:
    """``ei-desktop pull`` into ``project`` with the test key."""
    return sync_command("pull", project, *args)


def run_sync(verb: str, project: Path, base_url: str, *args, timeout: float = 300):
    """``ei-desktop push`` or ``pull`` (``verb``) to its end."""
    return subprocess.run(
        sync_command(verb, project, *args),
        env=push_env(base_url),
        capture_output=True,
        text=True,
        timeout=timeout,
        stdin=subprocess.DEVNULL,
    )


def run_push(project: Path, base_url: str, *args, timeout: float = 300):
    """``ei-desktop push`` to its end."""
    return run_sync("push", project, base_url, *args, timeout=timeout)


def run_pull(project: Path, base_url: str, *args, timeout: float = 300):
    """``ei-desktop pull`` to its end."""
    return run_sync("pull", project, base_url, *args, timeout=timeout)


def start_sync(verb: str, project: Path, base_url: str) -> subprocess.Popen:
    """``ei-desktop push`` or ``pull`` (``verb``) started, its output thrown away."""
    return subprocess.Popen(
        sync_command(verb, project),
        env=push_env(base_url),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def kill_at_random(verb, project, proxy, rng, *, times, counter, after) -> int:
    """Start ``verb`` through ``proxy`` ``times`` times, each SIGKILLed once a random number
    (``rng.randint(*after)``) more ``proxy.stats[counter]`` requests went through (or a
    minute passed), at a random moment after; how many were killed before they finished.
    """
    kills = 0
    for _ in range(times):
        process = start_sync(verb, project, proxy.url)
        target = proxy.stats[counter] + rng.randint(*after)
        deadline = time.monotonic() + 60
        while (
            process.poll() is None and proxy.stats[counter] < target and time.monotonic() < deadline
        ):
            time.sleep(0.01)
        time.sleep(rng.uniform(0.0, 0.3))
        if process.poll() is None:
            process.kill()
            kills += 1
        process.wait(timeout=30)
    return kills


@dataclass
class Runs:
    """The runs of :func:`run_until_ok`: the last one, every exit status, the tail of each
    run's output and all of their standard output.
    """

    finished: subprocess.CompletedProcess
    statuses: list[int] = field(default_factory=list)
    outputs: list[list[str]] = field(default_factory=list)
    text: str = ""


def run_until_ok(verb: str, project: Path, base_url: str, most: int) -> Runs:
    """Run ``verb`` to its end again and again, at most ``most`` times, until it exits 0."""
    runs: Optional[Runs] = None
    for _ in range(most):
        finished = run_sync(verb, project, base_url)
        runs = runs or Runs(finished)
        runs.finished = finished
        runs.statuses.append(finished.returncode)
        runs.text += finished.stdout
        runs.outputs.append(finished.stdout.strip().splitlines()[-1:])
        if finished.returncode:
            runs.outputs.append(finished.stderr.strip().splitlines()[-6:])
        else:
            break
    assert runs is not None
    return runs


def interrupt_sync(verb: str, project: Path, proxy, counter: str, after: int):
    """Start ``verb`` through ``proxy``, press Ctrl-C (SIGINT) once ``proxy.stats[counter]``
    reached ``after`` (or a minute passed) and wait for its end: ``(exit status, stdout,
    stderr)``.
    """
    process = subprocess.Popen(
        sync_command(verb, project),
        env=push_env(proxy.url),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 60
    while proxy.stats[counter] < after and time.monotonic() < deadline:
        time.sleep(0.01)
    process.send_signal(signal.SIGINT)
    out, err = process.communicate(timeout=120)
    return process.returncode, out, err


@contextmanager
def served_remote(project):
    """A project (a folder or an open local backend) served in a thread, and the HTTP backend
    that reaches it directly (its address as ``.base``).
    """
    with running_server(project, KEY) as (base, key):
        backend = StudioBackend(key, base + "/v1", base)
        backend.base = base
        try:
            yield backend
        finally:
            backend.close()


def edit_round(path: Path, seed: int) -> int:
    """Edit the local project at ``path`` as a user would after a push: relabel, move, rename,
    set metadata, disable and enable some samples. Returns how many samples changed.
    """
    rng = random.Random(seed)
    with LocalBackend(path) as local:
        records = list(local.iter_samples(SampleQuery(include_disabled="both")))
        plain = [r for r in records if not r.structured_labels and r.kind == "timeseries"]
        touched: set[int] = set()

        def edit(chosen, change) -> None:
            ids = [r.id for r in chosen]
            if ids:
                local.edit(query_for_ids(ids), change)
                touched.update(ids)

        edit(rng.sample(plain, len(plain) // 6), SetLabel("relabelled"))
        training = [r for r in records if r.category == "training"]
        edit(rng.sample(training, len(training) // 8), Move("testing"))
        edit(rng.sample(records, len(records) // 10), SetMetadata({"visit": "2"}, replace=False))
        enabled = [r for r in records if not r.disabled]
        edit(rng.sample(enabled, len(enabled) // 12), SetEnabled(False))
        edit([r for r in records if r.disabled][::2], SetEnabled(True))
        for record in rng.sample(records, 5):
            edit([record], Rename(record.filename + ".renamed"))
    return len(touched)
