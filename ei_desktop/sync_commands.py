"""The terminal side of sync: ``ei-desktop push``, a thin face over :mod:`ei_desktop.ops.sync`.

It pushes the local project (``--project``, else ``$EI_PROJECT`` or the default project) to
the Edge Impulse project of ``--api-key`` (else ``$EI_API_KEY``) at ``$EI_API_ENDPOINT`` /
``$EI_INGESTION_ENDPOINT``, prints what it did and returns 0 when the remote holds the
selection, 1 when something failed (listed with reasons), 130 when stopped by Ctrl-C.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
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
        " the remote holds every selected sample, 1 when something failed, 130 when stopped."
        " Later local edits (name, label, category, metadata, boxes, label segments, enabled"
        " state) are carried too; a sample changed both here and on the remote since the last"
        " sync is a conflict, never overwritten without --conflicts keep-local/keep-remote.",
    )
    _add_options(
        push,
        add_filters,
        add_state,
        dry_run="print how many samples would be sent, changed or deleted, and the conflicts;"
        " send, change and write nothing",
        delete="also delete from the remote the samples pushed from here and deleted here since"
        " (whatever the filters; never a remote sample this project did not push)",
        conflicts="samples changed both here and on the remote since the last sync: list them"
        " and leave them alone, exiting 1 (ask, the default), send the local version"
        " (keep-local) or give the local sample the remote's (keep-remote)",
        project="the local project to push (default: $EI_PROJECT or the default project)",
        api_key="the API key of the Edge Impulse project to push to (default: $EI_API_KEY)",
    )
    _add_pull(commands, add_filters, add_state)


def push(args: argparse.Namespace, cancel: Optional[CancelToken] = None) -> int:
    """Push the selected local samples to the remote; see the module docstring."""
    from ei_desktop.core import connection
    from ei_desktop.ops import sync

    def open_sides(path, open_remote):
        return connection.local_backend(path), open_remote()

    opened = _open(args, "push", "to", open_sides)
    if isinstance(opened, int):
        return opened
    query, local, remote, state = opened

    def run() -> int:
        plan = sync.plan_push(local, remote, state, query, delete=args.delete, cancel=cancel)
        _print_plan(plan, remote.description, dry_run=args.dry_run)
        if args.dry_run:
            return 1 if plan.conflicts and args.conflicts == "ask" else 0
        assert state is not None
        if plan.empty:
            sync.settle(state, plan)
            return 0
        side = {"keep-local": "local", "keep-remote": "remote"}.get(args.conflicts)
        keep = {c.sha256: side for c in plan.conflicts} if side else {}
        return _finish(
            _with_bar(
                "Pushing",
                lambda update: sync.push(
                    local, remote, state, plan, keep=keep, progress=update, cancel=cancel
                ),
            )
        )

    return _run(state, run)


def _open(args, verb: str, toward: str, open_sides):
    """The query, local project, remote and sync state of a push or pull, or its exit status
    (2, or 1 for a remote that failed) with the reason printed.

    ``open_sides(path, open_remote)`` opens the local project at ``path`` (``--project``,
    else the default) and the remote, in the order the command needs; the sync state is
    opened unless this is a dry run of a project that never synced.
    """
    import ei_desktop
    from ei_desktop import commands
    from ei_desktop.core import connection
    from ei_desktop.core.backends.base import BackendError, NotAProjectError
    from ei_desktop.core.sync_state import SYNC_DATABASE, SyncState

    api_key = args.api_key or ei_desktop.API_KEY
    if not api_key:
        print(
            f"error: {verb} needs the API key of the project to {verb} {toward}"
            " (--api-key or $EI_API_KEY)",
            file=sys.stderr,
        )
        return 2
    try:
        query = commands._query(args, default_state="both")
        local, remote = open_sides(
            args.project or connection.configured_default_path(),
            lambda: connection.studio_backend(
                api_key, ei_desktop.API_ENDPOINT, ei_desktop.INGESTION_ENDPOINT
            ),
        )
        has_state = local is not None and (local.path / SYNC_DATABASE).exists()
        state = None
        if local is not None and (has_state or not args.dry_run):
            state = SyncState(local.path)
    except (ValueError, NotAProjectError, BackendError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1 if isinstance(exc, BackendError) and not isinstance(exc, NotAProjectError) else 2
    return query, local, remote, state


def _run(state, run) -> int:
    """``run()``'s exit status; 1 with the reason printed when the remote fails; ``state``
    closed in any case.
    """
    from ei_desktop.core.backends.base import BackendError

    try:
        return run()
    except BackendError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    finally:
        if state is not None:
            state.close()


def _with_bar(title: str, work):
    """``work(update)`` under a terminal progress bar counting samples."""
    from ei_desktop.terminal_progress import terminal_bar

    bar, update = terminal_bar(title, total=None, unit="samples")
    try:
        return work(update)
    finally:
        bar.close()


def _print_plan(plan, where: str, *, dry_run: bool) -> None:
    from ei_desktop.core import display

    same = len(plan.same_content)
    if plan.empty:
        held = display.plural(plan.present, "selected sample")
        print(f"Nothing to push: {where} holds the {held}.")
        if same:
            print(f"({display.plural(same, 'sample')} share content with another; sent once.)")
    else:
        lead = "Would send" if dry_run else "Sending"
        line = f"{lead} {display.plural(len(plan.send), 'sample')} to {where}"
        if plan.resumed:
            line += f" ({display.count(plan.resumed)} of them resumed from an interrupted push)"
        if plan.send:
            print(line + ".")
        else:
            print(f"No new sample to send to {where}.")
        if plan.resend:
            print(
                f"{display.plural(len(plan.resend), 'sample')} deleted on the remote but still"
                " here: sent again."
            )
        for kind, n in plan.kinds().items():
            print(f"{'Would' if dry_run else 'Will'} {_KIND_WORDS[kind].format(n=f'{n:,}')}.")
        if plan.present:
            print(f"{display.plural(plan.present, 'sample')} already there.")
        if same:
            print(
                f"{display.plural(same, 'sample')} share their content with another selected"
                " sample: the remote keeps one copy."
            )
    _print_plan_notes(plan, dry_run)


def _print_plan_notes(plan, dry_run: bool) -> None:
    """Deletes, conflicts and remote changes: what the plan leaves to the user's choice."""
    from ei_desktop.core import display

    if plan.delete:
        n = display.plural(len(plan.delete), "sample")
        if plan.deleting:
            print(
                f"{'Would delete' if dry_run else 'Deleting'} {n} from the remote (deleted here)."
            )
        else:
            print(f"{n} deleted here are still on the remote (push --delete removes them).")
    _print_conflicts(plan.conflicts)
    if plan.remote_changed:
        n = display.plural(len(plan.remote_changed), "sample")
        print(f"{n} changed on the remote: run `ei-desktop pull`.")


def _print_conflicts(conflicts) -> None:
    """The samples changed on both sides, each with what differs."""
    from ei_desktop.core import display

    if not conflicts:
        return
    print(
        f"{display.plural(len(conflicts), 'sample')} changed both here and on the remote"
        " since the last sync (--conflicts keep-local or keep-remote decides):"
    )
    _print_listed([f"{c.local.filename} (ID {c.local.id}): {_differ(c.fields)}" for c in conflicts])


def _differ(fields) -> str:
    """``label differs``, ``label and metadata differ``, ``name, label and metadata differ``."""
    fields = list(fields)
    if len(fields) == 1:
        return f"{fields[0]} differs"
    return f"{', '.join(fields[:-1])} and {fields[-1]} differ"


def _finish(report) -> int:
    """Print what the push did; its exit status."""
    from ei_desktop.core import display
    from ei_desktop.ops import Status

    _print_summary(
        f"Sent {display.plural(report.sent, 'sample')}",
        (report.recovered, "found stored by an interrupted push"),
        (report.found, "already on the remote"),
        (report.disabled, "disabled there"),
        (report.enabled, "enabled there"),
        (report.edited, "changed there"),
        (report.kept_remote, "given the remote's version here"),
        (report.deleted, "deleted there"),
    )
    found = report.with_status(Status.PRESENT)
    if found:
        print(
            f"{display.plural(len(found), 'sample')} had their content on the remote before"
            " this push (their remote copy is kept as it is):",
            file=sys.stderr,
        )
        _print_items(found)
    _print_failed(report.failed)
    done = report.sent + report.recovered + report.found
    return _exit_status(
        report,
        "push",
        ("send", "sent"),
        report.unsent,
        f"{display.plural(done, 'sample')} on the remote",
    )


def _print_summary(lead: str, *counts: tuple[int, str]) -> None:
    """One line: ``lead``, then each ``(count, words)`` whose count is not 0."""
    from ei_desktop.core import display

    parts = [lead] + [f"{display.count(n)} {words}" for n, words in counts if n]
    print("; ".join(parts) + ".")


def _print_listed(lines, file=None) -> None:
    """``lines`` indented, at most ``LISTED`` of them, then how many more there are."""
    for line in lines[:LISTED]:
        print(f"  {line}", file=file)
    if len(lines) > LISTED:
        print(f"  … and {len(lines) - LISTED:,} more", file=file)


def _print_items(items) -> None:
    """Report items with their reasons on stderr, at most ``LISTED`` of them."""
    _print_listed([f"{item.name}: {item.reason}" for item in items], file=sys.stderr)


def _print_failed(failed) -> None:
    """Every failed report item with its reason, on stderr."""
    if failed:
        print(f"{len(failed):,} failed:", file=sys.stderr)
        for item in failed:
            print(f"  {item.name}: {item.reason}", file=sys.stderr)


def _exit_status(report, verb, acts, undone: int, done: str, ok=None) -> int:
    """Print how a push or pull ended; its exit status (1 or 130 when stopped, else 0 when
    ``ok``, by default ``report.ok``).

    ``acts``: what the command does to a sample and its past ("send", "sent"); ``undone``:
    how many samples it did not reach; ``done``: what it did reach, in words.
    """
    from ei_desktop.core import display

    act, acted = acts
    failed = report.failed
    rest = f"Run the same {verb} again to {act} the rest."
    if report.stopped_by is not None:
        print(f"error: {report.stopped_by}", file=sys.stderr)
        print(f"Stopped: {display.plural(undone, 'sample')} not {acted}. {rest}", file=sys.stderr)
        return 1
    if report.cancelled:
        print(
            f"Stopped: {done}, {undone:,} not {acted}"
            + (f", {len(failed):,} failed" if failed else "")
            + f". {rest}",
            file=sys.stderr,
        )
        return 130
    if failed:
        print(f"Run the same {verb} again to retry them.", file=sys.stderr)
    return 0 if (report.ok if ok is None else ok) else 1


STOPPABLE = {"push": push}
#: what the plan says of each kind of edit it would send (``n``: how many samples)
_KIND_WORDS = {
    "rename": "rename {n} there",
    "move": "move {n} to another category there",
    "relabel": "relabel {n} there",
    "label segments": "set the label segments of {n} there",
    "metadata": "set the metadata of {n} there",
    "bounding boxes": "set the bounding boxes of {n} there",
    "disable": "disable {n} there",
    "enable": "enable {n} there",
}
#: samples already on the remote listed one by one, at most
LISTED = 20


# -- pull ------------------------------------------------------------------------------------


def _add_pull(commands, add_filters, add_state) -> None:
    """Register ``ei-desktop pull`` (with the filters of ``ls``)."""
    pull = commands.add_parser(
        "pull",
        help="fetch the samples of Edge Impulse (or an ei-desktop serve) missing locally,"
        " exactly once",
        description="Fetch the samples of the remote project that the local project does not"
        " hold yet, with their names, labels, categories, metadata, bounding boxes, label"
        " segments and enabled state. What was fetched is remembered in the project"
        " (sync.sqlite3), so an interrupted pull is simply run again: it resumes and never"
        " stores a sample twice; a push right after a pull has nothing to send. A --project"
        " folder that does not exist yet becomes a new project. The remote is the Edge Impulse"
        " project of --api-key (or $EI_API_KEY) at $EI_API_ENDPOINT and"
        " $EI_INGESTION_ENDPOINT. Exit status 0 when the local project holds every selected"
        " remote sample, 1 when something failed, 130 when stopped.",
    )
    _add_options(
        pull,
        add_filters,
        add_state,
        dry_run="print how many samples would be fetched, changed or deleted; change nothing",
        delete="also delete the local samples synced with the remote that are gone from it",
        conflicts="samples changed on both sides since the last sync: ask for each (the default;"
        " left as they are when there is no terminal to ask on), keep the local version or"
        " take the remote's",
        project="the local project to pull into, created if the folder does not exist yet"
        " (default: $EI_PROJECT or the default project)",
        api_key="the API key of the Edge Impulse project to pull from (default: $EI_API_KEY)",
    )


def _add_options(parser, add_filters, add_state, **helps: str) -> None:
    """The options push and pull share (``helps``: each one's help text, in their words)."""
    add_filters(parser)
    add_state(parser, "enabled and disabled samples")
    parser.add_argument("--dry-run", action="store_true", help=helps["dry_run"])
    parser.add_argument("--delete", action="store_true", help=helps["delete"])
    parser.add_argument(
        "--conflicts",
        choices=("ask", "keep-local", "keep-remote"),
        default="ask",
        help=helps["conflicts"],
    )
    parser.add_argument("--project", metavar="DIR", help=helps["project"])
    parser.add_argument("--api-key", metavar="KEY", help=helps["api_key"])


def pull(args: argparse.Namespace, cancel: Optional[CancelToken] = None) -> int:
    """Pull the selected remote samples into the local project; see ``_add_pull``."""
    from ei_desktop.core import connection
    from ei_desktop.ops import pull as pulling

    def open_sides(path, open_remote):
        # The remote first: a key that fails creates no project folder.
        path = Path(path).expanduser()
        new = _new_project_folder(path)
        remote = open_remote()
        if new and args.dry_run:
            return None, remote
        local = connection.local_backend(path, create=new)
        if new:
            print(f"Created a new project at {path}.")
        return local, remote

    opened = _open(args, "pull", "from", open_sides)
    if isinstance(opened, int):
        return opened
    query, local, remote, state = opened

    def run() -> int:
        plan = pulling.plan_pull(local, remote, state, query, delete=args.delete, cancel=cancel)
        _print_pull_plan(plan, remote.description, dry_run=args.dry_run)
        if args.dry_run or plan.empty:
            return 0
        assert local is not None and state is not None
        keep = _settle(plan.conflicts, args.conflicts)
        return _finish_pull(
            _with_bar(
                "Pulling",
                lambda update: pulling.pull(
                    local, remote, state, plan, keep=keep, progress=update, cancel=cancel
                ),
            )
        )

    return _run(state, run)


def _new_project_folder(path: Path) -> bool:
    """True when ``path`` does not exist yet (or is an empty folder): pull creates it."""
    if not path.exists():
        return True
    return path.is_dir() and not any(path.iterdir())


def _settle(conflicts, choice: str):
    """How to settle ``conflicts``: for all (``--conflicts keep-…``), else asked one by one on
    the terminal; with no terminal, none is settled (they are listed, the pull exits 1).
    """
    if choice != "ask":
        return choice.removeprefix("keep-")
    if not conflicts or not sys.stdin.isatty():
        return None
    keep = {}
    for conflict in conflicts:
        name = f"{conflict.local.filename} (ID {conflict.local.id})"
        answer = ""
        while answer not in ("l", "r", "s"):
            answer = input(f"{name} changed on both sides: keep [l]ocal, [r]emote, [s]kip? ")
            answer = answer.strip().lower()[:1]
        if answer != "s":
            keep[conflict.sha256] = "local" if answer == "l" else "remote"
    return keep


def _print_pull_plan(plan, where: str, *, dry_run: bool) -> None:
    from ei_desktop.core import display

    if plan.empty:
        held = display.plural(plan.present, "selected sample")
        print(f"Nothing to pull: the local project holds the {held} of {where}.")
        return
    lead = "Would fetch" if dry_run else "Fetching"
    if plan.fetch:
        print(f"{lead} {display.plural(len(plan.fetch), 'sample')} from {where}.")
    else:
        print(f"No new sample to fetch from {where}.")
    if plan.update:
        print(f"{'Would update' if dry_run else 'Updating'} {len(plan.update):,} locally.")
    _print_conflicts(plan.conflicts)
    if plan.delete:
        print(
            f"{'Would delete' if dry_run else 'Deleting'} {len(plan.delete):,} locally"
            " (gone from the remote)."
        )
    if plan.record:
        print(
            f"{'Would record' if dry_run else 'Recording'} {len(plan.record):,} held on"
            " both sides as synced."
        )
    if plan.present:
        print(f"{display.plural(plan.present, 'sample')} already here.")
    if plan.same_content:
        print(
            f"{display.plural(plan.same_content, 'remote sample')} share their content with"
            " another: the local project keeps one copy."
        )


def _finish_pull(report) -> int:
    """Print what the pull did; its exit status."""
    from ei_desktop.core import display
    from ei_desktop.ops import Status

    _print_summary(
        f"Fetched {display.plural(report.fetched, 'sample')}",
        (report.updated, "updated"),
        (report.deleted, "deleted"),
        (report.recorded, "already held, recorded as synced"),
    )
    _print_failed(report.failed)
    settled = report.with_status(Status.SKIPPED)
    if settled:
        print(f"{display.plural(len(settled), 'sample')} changed on both sides:", file=sys.stderr)
        _print_items(settled)
    if report.unsettled:
        print(
            "Pull again with --conflicts keep-local or --conflicts keep-remote to settle them.",
            file=sys.stderr,
        )
    return _exit_status(
        report,
        "pull",
        ("fetch", "fetched"),
        report.unfetched,
        f"{display.plural(report.fetched, 'sample')} fetched",
        ok=report.ok and not report.unsettled,
    )


STOPPABLE["pull"] = pull
