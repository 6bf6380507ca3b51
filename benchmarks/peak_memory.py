"""What the big-file benchmarks share: one call timed with the process's peak RSS above its
size just before, optionally after importing pandas ("warm"), and a child process's figures.
"""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import time
from collections.abc import Callable
from typing import Any

#: a tiny CSV, read once to import pandas in a "warm" run
SMALL = b"timestamp,accX,accY,accZ\n0,1,2,3\n10,4,5,6\n"


def timed_peak(call: Callable[[], Any], *, warm: bool) -> tuple[Any, float, int]:
    """``call()``'s result, its seconds and the peak RSS (bytes) it added to this process."""
    from ei_desktop.server.testing import ProcessMemory

    if warm:
        import pandas

        pandas.read_csv(io.BytesIO(SMALL))
    memory = ProcessMemory(os.getpid())
    before = memory.rss()
    memory.reset_peak()
    started = time.perf_counter()
    result = call()
    seconds = time.perf_counter() - started
    return result, seconds, memory.peak() - before


def child_figures(script: str, *args: str, env: dict | None = None) -> dict:
    """Run ``script --child ARGS`` in a fresh process; the JSON on its last line."""
    run = subprocess.run(
        [sys.executable, script, "--child", *args],
        capture_output=True,
        text=True,
        check=True,
        env=env,
    )
    return json.loads(run.stdout.strip().splitlines()[-1])
