"""The terminal side of sync: ``ei-desktop push``, a thin face over :mod:`ei_desktop.ops.sync`.

It pushes the local project (``--project``, else ``$EI_PROJECT`` or the default project) to
the Edge Impulse project of ``--api-key`` (else ``$EI_API_KEY``) at ``$EI_API_ENDPOINT`` /
``$EI_INGESTION_ENDPOINT``, prints what it did and returns 0 when the remote holds the
selection, 1 when something failed (listed with reasons), 130 when stopped by Ctrl-C.
"""

from __future__ import annotations

import argparse
import sys
from typing import Optional

from ei_desktop.core.progress import CancelToken


def add_commands(commands, add_filters, add_state) -> None:
    """Register ``ei-desktop push`` (with the filters of ``ls``)."""
    push = commands.add_parser(
        "push",
        help="send the local project to Edge Impulse (or an ei-desktop serve), exactly once",
        description="Send the samples of a local project that the remote does not hold yet,"
        " with their names, labels, categories, metadata, bounding boxes, label segments and"
        " enabled state. What was sent is remembered in the project (sync.sqlite3), so an"
        " interrupted push (Ctrl-C, a lost link, a crash) is simply run again: it resumes and"
        " never stores a sample twice. The remote is the Edge Impulse project of --api-key"
        " (or $EI_API_KEY) at $EI_API_ENDPOINT and $EI_INGESTION_ENDPOINT. Exit status 0 when"
        " the remote holds every selected sample, 1 when something failed, 130 when stopped.",
    )
    add_filters(push)
    add_state(push, "enabled and disabled samples")
    push.add_argument(
        "--dry-run",
        action="store_true",
        help="print how many samples would be sent or changed; send and change nothing",
    )
    push.add_argument(
        "--project",
        metavar="DIR",
        help="the local project to push (default: $EI_PROJECT or the default project)",
    )
    push.add_argument(
        "--api-key",
        metavar="KEY",
        help="the API key of the Edge Impulse project to push to (default: $EI_API_KEY)",
    )


def push(args: argparse.Namespace, cancel: Optional[CancelToken] = None) -> int:
    """Push the selected local samples to the remote; see the module docstring."""
    import ei_desktop
    from ei_desktop import commands
    from ei_desktop.core import connection, display
    from ei_desktop.core.backends.base import BackendError, NotAProjectError
    from ei_desktop.core.sync_state import SYNC_DATABASE, SyncState
    from ei_desktop.ops import sync
    from ei_desktop.terminal_progress import terminal_bar

    api_key = args.api_key or ei_desktop.API_KEY
    if not api_key:
        print(
            "error: push needs the API key of the project to push to (--api-key or $EI_API_KEY)",
            file=sys.stderr,
        )
        return 2
    try:
        query = commands._query(args, default_state="both")
        path = args.project or connection.configured_default_path()
        local = connection.local_backend(path)
        remote = connection.studio_backend(
            api_key, ei_desktop.API_ENDPOINT, ei_desktop.INGESTION_ENDPOINT
        )
        has_state = (local.path / SYNC_DATABASE).exists()  # type: ignore[attr-defined]
        state = SyncState(local.path) if has_state or not args.dry_run else None  # type: ignore[attr-defined]
    except (ValueError, NotAProjectError, BackendError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1 if isinstance(exc, BackendError) and not isinstance(exc, NotAProjectError) else 2
    try:
        plan = sync.plan_push(local, remote, state, query, cancel=cancel)
        _print_plan(plan, remote.description, dry_run=args.dry_run)
        if args.dry_run or plan.empty:
            return 0
        assert state is not None
        bar, update = terminal_bar("Pushing", total=None, unit="samples")
        try:
            report = sync.push(local, remote, state, plan, progress=update, cancel=cancel)
        finally:
            bar.close()
    except BackendError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    finally:
        if state is not None:
            state.close()
    return _finish(report, display)


def _print_plan(plan, where: str, *, dry_run: bool) -> None:
    from ei_desktop.core import display

    same = len(plan.same_content)
    if plan.empty:
        held = display.plural(plan.present, "selected sample")
        print(f"Nothing to push: {where} holds the {held}.")
        if same:
            print(f"({display.plural(same, 'sample')} share content with another; sent once.)")
        return
    lead = "Would send" if dry_run else "Sending"
    line = f"{lead} {display.plural(len(plan.send), 'sample')} to {where}"
    if plan.resumed:
        line += f" ({display.count(plan.resumed)} of them resumed from an interrupted push)"
    print(line + ".")
    if plan.disable:
        print(f"{'Would disable' if dry_run else 'Disabling'} {len(plan.disable):,} there.")
    if plan.enable:
        print(f"{'Would enable' if dry_run else 'Enabling'} {len(plan.enable):,} there.")
    if plan.present:
        print(f"{display.plural(plan.present, 'sample')} already there.")
    if same:
        print(
            f"{display.plural(same, 'sample')} share their content with another selected"
            " sample: the remote keeps one copy."
        )


def _finish(report, display) -> int:
    from ei_desktop.ops import Status

    parts = [f"Sent {display.plural(report.sent, 'sample')}"]
    if report.recovered:
        parts.append(f"{display.count(report.recovered)} found stored by an interrupted push")
    if report.found:
        parts.append(f"{display.count(report.found)} already on the remote")
    if report.disabled:
        parts.append(f"{display.count(report.disabled)} disabled there")
    if report.enabled:
        parts.append(f"{display.count(report.enabled)} enabled there")
    print("; ".join(parts) + ".")
    found = report.with_status(Status.PRESENT)
    if found:
        print(
            f"{display.plural(len(found), 'sample')} had their content on the remote before"
            " this push (their remote copy is kept as it is):",
            file=sys.stderr,
        )
        for item in found[:LISTED]:
            print(f"  {item.name}: {item.reason}", file=sys.stderr)
        if len(found) > LISTED:
            print(f"  … and {len(found) - LISTED:,} more", file=sys.stderr)
    failed = report.failed
    if failed:
        print(f"{len(failed):,} failed:", file=sys.stderr)
        for item in failed:
            print(f"  {item.name}: {item.reason}", file=sys.stderr)
    if report.stopped_by is not None:
        print(f"error: {report.stopped_by}", file=sys.stderr)
        print(
            f"Stopped: {report.unsent:,} samples not sent. Run the same push again to send"
            " the rest.",
            file=sys.stderr,
        )
        return 1
    if report.cancelled:
        done = report.sent + report.recovered + report.found
        print(
            f"Stopped: {done:,} samples on the remote, {report.unsent:,} not sent"
            + (f", {len(failed):,} failed" if failed else "")
            + ". Run the same push again to send the rest.",
            file=sys.stderr,
        )
        return 130
    if failed:
        print("Run the same push again to retry them.", file=sys.stderr)
    return 0 if report.ok else 1


STOPPABLE = {"push": push}
#: samples already on the remote listed one by one, at most
LISTED = 20
