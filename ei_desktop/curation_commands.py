"""The terminal commands that change samples already in a project, and its history
(``ei-desktop label|move|rename|meta|enable|disable|crop|split|summary|history|undo|redo``).

Each is a thin face over :mod:`ei_desktop.ops.curate`: it builds the selection from the
command line, asks before a large change, prints the operation's one sentence and returns
the exit status (0 done, 1 failed or refused, 2 a usage error).
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections.abc import Callable

from ei_desktop import commands
from ei_desktop.cli import CONFIRM_ABOVE
from ei_desktop.core import display, naming
from ei_desktop.core.backends.base import Backend, BackendError, SampleQuery, query_for_ids
from ei_desktop.core.backends.local import LocalBackend
from ei_desktop.core.edits import (
    Change,
    InvalidEditError,
    Move,
    RemoveMetadata,
    Rename,
    SetEnabled,
    SetLabel,
    SetMetadata,
    Summary,
)
from ei_desktop.core.labels import LabelError
from ei_desktop.core.splitting import SplitOptions
from ei_desktop.ops import EditReport, curate, splits

#: how many sample names a dry run shows
EXAMPLES = 5


class UsageError(ValueError):
    """The command line asks for something that cannot be done as written (exit status 2)."""


def run(command: str, args: argparse.Namespace) -> int:
    """Run one curation command; returns the exit status."""
    handlers: dict[str, Callable[[argparse.Namespace], int]] = {
        "label": label,
        "move": move,
        "rename": rename,
        "meta": meta,
        "enable": enable,
        "disable": disable,
        "crop": crop,
        "split": split,
        "summary": summary,
        "rebalance": rebalance,
        "history": history,
        "undo": undo,
        "redo": redo,
    }
    return handlers[command](args)


def _error(message: object, status: int) -> int:
    print(f"error: {message}", file=sys.stderr)
    return status


# -- which samples ---------------------------------------------------------------------------


def _selection(args: argparse.Namespace, default_state: str) -> SampleQuery:
    """The samples a change applies to: the ids given (enabled or disabled), else those the
    filters select (``default_state`` unless ``--disabled``/``--all``), else with
    ``--all-samples`` every sample.

    Raises:
        UsageError: nothing was selected, or ids and filters were mixed.
        ValueError: a filter is malformed (an unknown category…).
    """
    ids = [*(getattr(args, "ids", None) or []), *args.more_ids]
    narrowing = [
        option
        for option, given in (
            ("--category", args.category is not None),
            ("--label", bool(args.label)),
            ("--name", bool(args.filename)),
            ("--metadata", bool(args.metadata)),
        )
        if given
    ]
    state = [o for o, given in (("--disabled", args.disabled), ("--all", args.all_states)) if given]
    if ids:
        if narrowing or state or args.all_samples:
            mixed = ", ".join(narrowing + state + (["--all-samples"] if args.all_samples else []))
            raise UsageError(f"give sample IDs or filters, not both (IDs and {mixed})")
        return query_for_ids(ids)
    if args.all_samples and narrowing:
        raise UsageError(
            f"--all-samples selects every sample; leave it out to use {', '.join(narrowing)}"
        )
    if not narrowing and not args.disabled and not args.all_samples:
        raise UsageError(
            "no samples selected: give sample IDs, a filter (--category, --label, --name,"
            " --metadata, --disabled), or --all-samples to change every sample of the project"
        )
    return commands._query(args, default_state)


def _change(args: argparse.Namespace, change: Change, default_state: str = "enabled") -> int:
    """Apply ``change`` to the selected samples, or with ``--dry-run`` say what it would do.

    A change to more than :data:`CONFIRM_ABOVE` samples asks first on a terminal, and is
    refused without one unless ``--yes``.
    """
    try:
        selection = _selection(args, default_state)
    except ValueError as exc:
        return _error(exc, 2)
    try:
        backend = commands._backend(args)
        preview = None
        if args.dry_run or not args.yes:
            examples = EXAMPLES if args.dry_run else 0
            preview = curate.preview(backend, selection, change, examples=examples)
    except LabelError as exc:
        return _error(exc, 2)
    except BackendError as exc:
        return _error(exc, 1)
    if preview is not None and args.dry_run:
        return _print_preview(preview)
    if preview is not None and preview.would_change > CONFIRM_ABOVE:
        question = preview.question.rstrip("?") + f" in {backend.description}?"
        if not commands._confirm(question):
            return 1
    return _print_report(curate.apply(backend, selection, change), backend)


def _print_preview(preview: curate.EditPreview) -> int:
    print(preview.sentence)
    for sample_id, name in preview.examples:
        print(f"  {name} (ID {sample_id})")
    more = preview.matched - len(preview.examples)
    if preview.examples and more > 0:
        print(f"  … and {display.count(more)} more")
    print("Dry run: nothing was changed.", file=sys.stderr)
    if preview.missing:
        return _error(curate.EditReport(preview.action, "", missing=preview.missing).problem, 1)
    return 0


def _print_report(report: EditReport, backend: Backend) -> int:
    """Print what an operation did (stdout) and what went wrong (stderr); the exit status.

    A change to a local project says how to undo it; through an API key the history lasts
    one session (this command), so another command could not undo it.
    """
    if report.error is not None:
        return _error(report.error, 1)
    if report.matched or not report.missing:
        print(report.message)
    if report.missing:
        return _error(report.problem, 1)
    undoable = report.changed and report.change_id is not None
    if undoable and report.action not in ("Undo", "Redo") and isinstance(backend, LocalBackend):
        print("Undo it with 'ei-desktop undo'.", file=sys.stderr)
    return 0


# -- the commands ----------------------------------------------------------------------------


def label(args: argparse.Namespace) -> int:
    """``label NEW_LABEL [ID...]``: give the selected samples a label."""
    return _change(args, SetLabel(args.new_label))


def move(args: argparse.Namespace) -> int:
    """``move CATEGORY [ID...]``: move the selected samples to a category."""
    return _change(args, Move(args.new_category))


def enable(args: argparse.Namespace) -> int:
    """``enable [ID...]``: enable the selected samples (filters select disabled ones)."""
    return _change(args, SetEnabled(True), default_state="disabled")


def disable(args: argparse.Namespace) -> int:
    """``disable [ID...]``: disable the selected samples."""
    return _change(args, SetEnabled(False))


def meta(args: argparse.Namespace) -> int:
    """``meta set KEY=VALUE... [ID...]`` / ``meta remove KEY [ID...]`` / ``meta clear [ID...]``."""
    if args.meta_action == "set":
        try:
            metadata, args.ids = _pairs_and_ids(args.items)
        except UsageError as exc:
            return _error(exc, 2)
        return _change(args, SetMetadata(metadata, replace=args.replace))
    if args.meta_action == "remove":
        return _change(args, RemoveMetadata(args.key))
    return _change(args, RemoveMetadata(None))


def _pairs_and_ids(items: list[str]) -> tuple[dict[str, str], list[int]]:
    """``KEY=VALUE`` words as metadata and whole numbers as sample ids.

    Raises:
        UsageError: a word is neither, or no KEY=VALUE was given.
    """
    metadata: dict[str, str] = {}
    ids: list[int] = []
    for item in items:
        key, sep, value = item.partition("=")
        if sep and key:
            metadata[key] = value
        elif item.isdigit():
            ids.append(int(item))
        else:
            raise UsageError(f"{item!r} is neither KEY=VALUE nor a sample ID")
    if not metadata:
        raise UsageError("give at least one KEY=VALUE to set")
    return metadata, ids


def rename(args: argparse.Namespace) -> int:
    """``rename ID NEW_NAME``: rename one sample."""
    try:
        backend = commands._backend(args)
    except BackendError as exc:
        return _error(exc, 1)
    report = curate.apply(backend, query_for_ids([args.id]), Rename(args.new_name))
    return _print_report(report, backend)


def crop(args: argparse.Namespace) -> int:
    """``crop ID START END``: keep values START up to (not including) END."""
    try:
        backend = commands._backend(args)
    except BackendError as exc:
        return _error(exc, 1)
    return _print_report(curate.crop(backend, args.id, args.start, args.end), backend)


_RANGE = re.compile(r"^\s*(\d+(?:\.\d*)?)\s*-\s*(\d+(?:\.\d*)?)\s*$")


def _ranges(words: list[str]) -> list[tuple[float, float]]:
    """``0-1000 1000-2500.5`` as ``[(0.0, 1000.0), (1000.0, 2500.5)]``.

    Raises:
        UsageError: a word is not START-END.
    """
    ranges = []
    for word in words:
        match = _RANGE.match(word)
        if match is None:
            raise UsageError(f"{word!r} is not a range START-END in milliseconds (e.g. 0-1000)")
        ranges.append((float(match.group(1)), float(match.group(2))))
    return ranges


def split(args: argparse.Namespace) -> int:
    """``split ID START-END...``: one new sample per millisecond range; the original goes.
    ``split ID --find MS``: the ranges are the events found in the sample (see
    :func:`ops.curate.find_segments`); with ``--dry-run`` they are only printed.
    """
    if bool(args.ranges) == (args.find is not None):
        return _error("give START-END ranges or --find MS, one of the two", 2)
    try:
        ranges = _ranges(args.ranges)
    except UsageError as exc:
        return _error(exc, 2)
    try:
        backend = commands._backend(args)
    except BackendError as exc:
        return _error(exc, 1)
    if args.find is not None:
        found, problem = curate.find_segments(backend, args.id, args.find)
        if problem is not None:
            return _error(problem, 1)
        if not found:
            print(f"No events found in sample {args.id}; nothing was split.")
            return 0
        print(
            f"{display.plural(len(found), 'event')} found: "
            + " ".join(f"{a}-{b}" for a, b in found)
        )
        ranges = [(float(a), float(b)) for a, b in found]
    if args.dry_run:
        print("Dry run: nothing was changed.", file=sys.stderr)
        return 0
    return _print_report(curate.split(backend, args.id, ranges), backend)


def undo(args: argparse.Namespace) -> int:
    """``undo``: revert the latest change."""
    return _history_step(args, curate.undo)


def redo(args: argparse.Namespace) -> int:
    """``redo``: apply again the change undone last."""
    return _history_step(args, curate.redo)


def _history_step(args: argparse.Namespace, step: Callable[[Backend], EditReport]) -> int:
    try:
        backend = commands._backend(args)
    except BackendError as exc:
        return _error(exc, 1)
    return _print_report(step(backend), backend)


def history(args: argparse.Namespace) -> int:
    """``history [--limit N] [--json]``: the latest changes, newest first."""
    if args.limit < 1:
        return _error("--limit must be at least 1", 2)
    try:
        changes = curate.history(commands._backend(args), args.limit)
    except BackendError as exc:
        return _error(exc, 1)
    if args.json:
        rows = [
            {
                "id": c.id,
                "at": c.at.isoformat(),
                "who": c.who,
                "what": c.what,
                "samples": c.samples,
                "undone": c.undone,
            }
            for c in changes
        ]
        print(json.dumps(rows, indent=2))
        return 0
    if not changes:
        print("No changes yet.", file=sys.stderr)
        return 0
    print(f"{'ID':>6}  {'WHEN':<19}  {'WHO':<12} {'SAMPLES':>9}  WHAT")
    for c in changes:
        undone = " (undone)" if c.undone else ""
        print(
            f"{c.id:>6}  {c.at.strftime('%Y-%m-%d %H:%M:%S'):<19}  {c.who[:12]:<12}"
            f" {display.count(c.samples):>9}  {c.what}{undone}"
        )
    return 0


def rebalance(args: argparse.Namespace) -> int:
    """``rebalance``: divide training, testing and validation as asked (after a preview and,
    for more than :data:`CONFIRM_ABOVE` moves, a confirmation).
    """
    percents = (args.training, args.testing, args.validation)
    if abs(sum(percents) - 100) > 1e-6:
        return _error(
            f"the percentages add up to {sum(percents):g}, not 100 (--training {args.training:g}"
            f" --testing {args.testing:g} --validation {args.validation:g})",
            2,
        )
    try:
        options = SplitOptions(
            training=args.training / 100,
            testing=args.testing / 100,
            validation=args.validation / 100,
            stratify_by_label=not args.no_stratify,
            keep_together=tuple(args.keep_together),
            exclude_disabled=not args.include_disabled,
        )
    except InvalidEditError as exc:
        return _error(exc, 2)
    try:
        backend = commands._backend(args)
    except BackendError as exc:
        return _error(exc, 1)
    preview = splits.preview(backend, options)
    if preview.error is not None:
        return _error(preview.error, 1)
    _print_strata(preview)
    if args.dry_run or preview.moved == 0:
        print(preview.message)
        if args.dry_run:
            print("Dry run: nothing was changed.", file=sys.stderr)
        return 0
    if not args.yes and preview.moved > CONFIRM_ABOVE:
        question = f"Move {display.plural(preview.moved, 'sample')} in {backend.description}?"
        if not commands._confirm(question):
            return 1
    report = splits.rebalance(backend, options)
    if report.error is not None:
        return _error(report.error, 1)
    print(report.message)
    if report.change_id is not None and isinstance(backend, LocalBackend):
        print("Undo it with 'ei-desktop undo'.", file=sys.stderr)
    return 0


def _print_strata(report: splits.SplitReport) -> None:
    """One line per stratum: its samples per category now → after."""
    for stratum in report.strata:
        parts = []
        for category, after in stratum.after.items():
            before = None if stratum.before is None else stratum.before.get(category, 0)
            if after or before:
                moved = "" if before in (None, after) else f"{before} → "
                parts.append(f"{category} {moved}{after}")
        print(f"  {stratum.stratum}: {', '.join(parts)}")


def summary(args: argparse.Namespace) -> int:
    """``summary [--json]``: counts and durations per category and label, the train/test
    split, and how many disabled samples are left out of them.
    """
    try:
        totals = curate.summary(commands._backend(args))
    except BackendError as exc:
        return _error(exc, 1)
    if args.json:
        print(json.dumps(_summary_json(totals), indent=2))
        return 0
    counts, durations = totals.by_category(), totals.duration_by_category()
    order = [c for c in naming.CATEGORIES if c in counts] + sorted(
        c for c in counts if c not in naming.CATEGORIES
    )
    print(f"{'CATEGORY':<24} {'SAMPLES':>9}  DURATION")
    for category in order:
        print(f"{category:<24} {_row(counts[category], durations[category])}")
    print(f"{'total':<24} {_row(sum(counts.values()), sum(durations.values()))}")
    train, test = totals.train_test_ratio
    if train or test:
        print(f"Train/test split: {train}% / {test}%")
    labels, label_durations = totals.by_label(), totals.duration_by_label()
    print()
    print(f"{'LABEL':<24} {'SAMPLES':>9}  DURATION")
    for name in sorted(labels):
        print(f"{(name or '(no label)')[:24]:<24} {_row(labels[name], label_durations[name])}")
    disabled = sum(row.disabled for row in totals.rows)
    if disabled:
        print(f"\n{display.plural(disabled, 'disabled sample')} not counted.")
    return 0


def _row(count: int, duration_ms: float) -> str:
    return f"{display.count(count):>9}  {display.duration(duration_ms) if duration_ms else '-'}"


def _summary_json(totals: Summary) -> dict:
    counts, durations = totals.by_category(), totals.duration_by_category()
    labels, label_durations = totals.by_label(), totals.duration_by_label()
    train, test = totals.train_test_ratio
    return {
        "categories": {
            c: {"samples": counts[c], "durationMs": durations[c]} for c in sorted(counts)
        },
        "labels": {
            name: {"samples": labels[name], "durationMs": label_durations[name]}
            for name in sorted(labels)
        },
        "trainTestRatio": {"training": train, "testing": test},
        "disabled": sum(row.disabled for row in totals.rows),
        "rows": [
            {
                "category": row.category,
                "label": row.label,
                "samples": row.count,
                "disabled": row.disabled,
                "durationMs": row.duration_ms,
            }
            for row in totals.rows
        ],
    }
