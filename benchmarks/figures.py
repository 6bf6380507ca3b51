"""The figures a benchmark measured, written as JSON for ``benchmarks/run_all.py``.

A benchmark keeps its printout and, given ``--json PATH``, also writes its figures there::

    figures = Figures("http_vs_sdk")
    figures.add("upload_directory.loopback", "upload_directory, 2,000 files",
                ours=5400, reference=830, unit="files/s", reference_kind="official SDK")
    figures.write(args.json)

Each figure has an ``id`` (stable: ``run_all.py`` keys its targets on it), a readable
``measure``, ei-desktop's value, and optionally the value it is compared with (the official
SDK's, or a limit such as a bare script's) with the ratio ours/reference. For times, pass
``higher_is_better=False``: the ratio is then reference/ours, so above 1 still means ahead.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any, Optional, Union


def add_json_argument(parser: argparse.ArgumentParser) -> None:
    """Add ``--json PATH`` (write the figures there as well as printing them)."""
    parser.add_argument("--json", type=Path, metavar="PATH", help="also write figures as JSON")


class Figures:
    """The figures of one benchmark run."""

    def __init__(self, benchmark: str) -> None:
        self.benchmark = benchmark
        self.items: list[dict[str, Any]] = []

    def add(
        self,
        figure_id: str,
        measure: str,
        ours: float,
        *,
        unit: str,
        reference: Optional[float] = None,
        reference_kind: str = "official SDK",
        higher_is_better: bool = True,
        **extra: Any,
    ) -> None:
        """Record one figure (``extra``: anything else worth keeping, such as the runs)."""
        ratio = None
        if reference:
            ratio = ours / reference if higher_is_better else reference / ours
        self.items.append(
            {
                "id": figure_id,
                "measure": measure,
                "ours": ours,
                "reference": reference,
                "reference_kind": reference_kind if reference is not None else None,
                "ratio": ratio,
                "unit": unit,
                "higher_is_better": higher_is_better,
                **extra,
            }
        )

    def write(self, path: Union[str, Path, None]) -> None:
        """Write the figures to ``path`` as JSON (nothing when ``path`` is None)."""
        if path is None:
            return
        document = {"benchmark": self.benchmark, "figures": self.items}
        Path(path).write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")
