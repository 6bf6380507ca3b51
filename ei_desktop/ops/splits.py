"""Dividing a project's samples between training, testing and validation (Studio's
"rebalance"), written once for the app and the command line.

:func:`rebalance` wraps ``Backend.split``: with ``dry_run`` it only says what would move. Its
outcome is one :class:`SplitReport` with a sentence ("12 samples moved: training 80 %,
testing 20 %.") and, per stratum (a label, when the split is stratified by label), how many
samples each category holds before and after. Errors a user can cause (shares that do not add
up, a server that went away) end up in :attr:`SplitReport.error` as one line, never as an
exception.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Optional

from ei_desktop.core import display
from ei_desktop.core.backends.base import Backend, BackendError
from ei_desktop.core.edits import InvalidEditError
from ei_desktop.core.splitting import (
    SPLIT_CATEGORIES,
    SplitCount,
    SplitOptions,
    stratum_name,
)

#: the stratum name of a split that is not stratified
ALL_SAMPLES = stratum_name(())


@dataclass
class StratumCounts:
    """How many samples of one stratum each split category holds.

    Attributes:
        stratum: the stratum in words (a label, ``idle, site=lab``, or ``all samples``).
        before: samples per category now (``None`` when the strata are not labels and the
            current counts cannot be told cheaply).
        after: samples per category after the split.
    """

    stratum: str
    before: Optional[dict[str, int]]
    after: dict[str, int]


@dataclass
class SplitReport:
    """What a rebalance did, or would do.

    Attributes:
        action: "Rebalance" (or "Preview rebalance" for a dry run).
        message: one sentence for a status bar, a dialog or a terminal.
        dry_run: true when nothing was changed on purpose.
        moved: how many samples change (or would change) category.
        counts: per stratum and category after the split (as the backend reported them).
        strata: :attr:`counts` per stratum, with the counts before.
        change_id: the history entry recording the change, when there is one.
        error: why the rebalance failed, in one line (``None`` when it did not).
    """

    action: str
    message: str
    dry_run: bool = False
    moved: int = 0
    counts: list[SplitCount] = field(default_factory=list)
    strata: list[StratumCounts] = field(default_factory=list)
    change_id: Optional[int] = None
    error: Optional[str] = None

    @property
    def ok(self) -> bool:
        """True when nothing failed."""
        return self.error is None

    @property
    def changed(self) -> int:
        """How many samples the project had changed (0 for a dry run): views refresh."""
        return 0 if self.dry_run or self.error else self.moved

    def after_by_category(self) -> dict[str, int]:
        """Samples per split category after the split."""
        totals = dict.fromkeys(SPLIT_CATEGORIES, 0)
        for count in self.counts:
            totals[count.category] = totals.get(count.category, 0) + count.count
        return totals


def shares_text(totals: dict[str, int], *, always: tuple[str, ...] = ()) -> str:
    """``training 80 %, testing 20 %`` (validation only when it holds samples or is in
    ``always``); percentages are rounded and add up to 100.
    """
    shown = [c for c in SPLIT_CATEGORIES if totals.get(c, 0) > 0 or c in always]
    whole = sum(totals.get(c, 0) for c in shown)
    if whole == 0:
        return "no samples"
    percents = _rounded([100 * totals.get(c, 0) / whole for c in shown])
    return ", ".join(f"{c} {p} %" for c, p in zip(shown, percents))


def _rounded(values: list[float]) -> list[int]:
    """Whole percentages adding up to 100 (largest remainders get the rounding)."""
    floors = [int(v) for v in values]
    missing = 100 - sum(floors)
    order = sorted(range(len(values)), key=lambda i: values[i] - floors[i], reverse=True)
    for i in order[: max(0, missing)]:
        floors[i] += 1
    return floors


def _before(backend: Backend, options: SplitOptions) -> Optional[dict[str, dict[str, int]]]:
    """Samples per stratum and split category now, when the strata are labels (or one)."""
    if options.stratify_by:
        return None
    before: dict[str, dict[str, int]] = {}
    for row in backend.summary().rows:
        if row.category not in SPLIT_CATEGORIES:
            continue
        stratum = stratum_name((row.label,)) if options.stratify_by_label else ALL_SAMPLES
        n = row.count - (row.disabled if options.exclude_disabled else 0)
        per = before.setdefault(stratum, dict.fromkeys(SPLIT_CATEGORIES, 0))
        per[row.category] += n
    return before


def _strata(
    counts: list[SplitCount], before: Optional[dict[str, dict[str, int]]]
) -> list[StratumCounts]:
    after: dict[str, dict[str, int]] = {}
    for count in counts:
        per = after.setdefault(count.stratum, dict.fromkeys(SPLIT_CATEGORIES, 0))
        per[count.category] = per.get(count.category, 0) + count.count
    names = sorted(set(after) | set(before or {}))
    empty = dict.fromkeys(SPLIT_CATEGORIES, 0)
    return [
        StratumCounts(
            name,
            None if before is None else dict(before.get(name, empty)),
            dict(after.get(name, empty)),
        )
        for name in names
    ]


def rebalance(backend: Backend, options: SplitOptions, *, dry_run: bool = False) -> SplitReport:
    """Divide the samples of training, testing and validation as ``options`` ask, as one
    undoable step; with ``dry_run``, change nothing and say what would move.

    Never raises for options the project cannot meet or a backend that fails: the reason is
    in :attr:`SplitReport.error` and nothing was changed.
    """
    action = "Preview rebalance" if dry_run else "Rebalance"
    try:
        before = _before(backend, options)
        result = backend.split(options, dry_run=dry_run)
    except (InvalidEditError, BackendError) as exc:
        text = " ".join((str(exc).strip() or type(exc).__name__).split())
        return SplitReport(action, text, dry_run=dry_run, error=text)
    report = SplitReport(
        action,
        "",
        dry_run=dry_run,
        moved=result.moved,
        counts=list(result.counts),
        strata=_strata(list(result.counts), before),
        change_id=result.change_id,
    )
    always = ("validation",) if options.validation > 0 else ()
    shares = shares_text(report.after_by_category(), always=always)
    if result.moved == 0:
        report.message = f"Nothing to move: the split is already {shares}."
    elif dry_run:
        report.message = f"{display.plural(result.moved, 'sample')} would move: {shares}."
    else:
        report.message = f"{display.plural(result.moved, 'sample')} moved: {shares}."
    return report


def preview(backend: Backend, options: SplitOptions) -> SplitReport:
    """What :func:`rebalance` would do, changing nothing."""
    return rebalance(backend, options, dry_run=True)
