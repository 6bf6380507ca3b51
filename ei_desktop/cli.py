"""The ``ei-desktop`` command: upload, ls, download, rm, push, the curation commands (label,
move, rename, meta, enable, disable, crop, split, summary, history, undo, redo), check, serve
and gui.
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
import threading
from collections.abc import Callable, Sequence
from typing import Optional

import ei_desktop
from ei_desktop.core.naming import CATEGORIES
from ei_desktop.core.progress import CancelToken

#: exit status of a command stopped by Ctrl-C (128 + SIGINT), as shells report it
INTERRUPTED = 130


def _add_project(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--project",
        metavar="DIR",
        help="local project folder (default: $EI_PROJECT or the default project; "
        "ignored when an API key is configured)",
    )
    parser.add_argument(
        "--create",
        action="store_true",
        help="make a new local project at --project if the folder is not one yet",
    )
    parser.add_argument(
        "--api-key",
        metavar="KEY",
        help="act on the Edge Impulse project of this API key (default: $EI_API_KEY)",
    )


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of ``ei-desktop``."""
    parser = argparse.ArgumentParser(
        prog="ei-desktop",
        description="Dataset manager for Edge Impulse projects. With no command, opens the app.",
    )
    parser.add_argument(
        "--version", action="version", version=f"ei-desktop {ei_desktop.__version__}"
    )
    parser.add_argument(
        "--self-test",
        action="store_true",
        help="check headlessly that every part of the installation works, then exit",
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    upload = commands.add_parser("upload", help="upload files and folders")
    upload.add_argument("paths", nargs="+", metavar="PATH", help="files or folders (recursive)")
    upload.add_argument(
        "--category",
        choices=["training", "testing", "validation", "post-processing", "anomaly", "split"],
        help="category for every file (default: from a training/testing folder in the path, "
        "else split 80/20)",
    )
    upload.add_argument(
        "--label", help="label for every file (default: the file name before its first dot)"
    )
    upload.add_argument(
        "--metadata", action="append", default=[], metavar="KEY=VALUE", help="metadata (repeatable)"
    )
    upload.add_argument(
        "--allow-duplicates", action="store_true", help="store content already in the project again"
    )
    from ei_desktop import dataset_commands

    dataset_commands.add_upload_arguments(upload)
    _add_project(upload)

    ls = commands.add_parser("ls", help="list samples (enabled ones unless asked)")
    _add_filters(ls)
    _add_state(ls, "enabled samples")
    ls.add_argument("--limit", type=int, help="at most this many samples")
    ls.add_argument("--json", action="store_true", help="print JSON (one array)")
    _add_project(ls)

    download = commands.add_parser("download", help="download samples by id")
    download.add_argument("ids", nargs="+", type=int, metavar="ID")
    download.add_argument("-o", "--output", required=True, metavar="DIR", help="folder to write to")
    download.add_argument(
        "--layout",
        choices=("sdk", "uploaded", "export"),
        default="sdk",
        help="sdk: acquisition JSON files in one folder, as the official SDK writes (default); "
        "uploaded: each file as uploaded, in category folders; "
        "export: Edge Impulse's export layout (category folders and info.labels), "
        "which 'ei-desktop upload' reads back",
    )
    _add_project(download)

    rm = commands.add_parser("rm", help="delete samples")
    rm.add_argument("ids", nargs="*", type=int, metavar="ID")
    rm.add_argument("--filename", help="delete the samples stored under exactly this name")
    rm.add_argument("--all", action="store_true", help="delete every sample (of --category)")
    rm.add_argument("--category", help="with --all or --filename: only this category")
    rm.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    _add_project(rm)

    _add_curation_commands(commands)

    check = commands.add_parser(
        "check",
        help="check a local project: database integrity, every sample's content present and "
        "matching its checksum, unreferenced files",
        description="Check a local project and say what is wrong. Verifies SQLite's integrity "
        "check of the database; that every sample's content is present (small contents are "
        "kept inside the database, larger ones as files); that every content still matches "
        "its SHA-256 checksum (reads every byte, with a progress bar; --quick skips this); and "
        "counts contents no sample refers to (leftovers of interrupted writes among them). Exit "
        "status 0 only when everything is intact, 1 otherwise. A project whose database is "
        "missing, empty or corrupt is refused in one line and nothing is removed; --recover "
        "rebuilds it. --migrate moves the small content files of a project made by an earlier "
        "version into its database (faster to read and to back up; safe to interrupt).",
    )
    check.add_argument(
        "--clean",
        action="store_true",
        help="remove unreferenced files (never on a damaged project)",
    )
    check.add_argument(
        "--quick", action="store_true", help="skip reading every content file to verify checksums"
    )
    check.add_argument(
        "--migrate",
        action="store_true",
        help="move small content files (of a project made by an earlier version) into the "
        "database, with a progress bar; safe to interrupt and to run again",
    )
    check.add_argument(
        "--recover",
        action="store_true",
        help="rebuild a damaged project from its content (the damaged database is kept aside)",
    )
    check.add_argument("--project", metavar="DIR", help="local project folder")

    serve = commands.add_parser("serve", help="serve a local project over the Edge Impulse API")
    serve.add_argument("--project", metavar="DIR", help="local project folder")
    serve.add_argument(
        "--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)"
    )
    serve.add_argument("--port", type=int, default=4800, help="port (default 4800)")
    serve.add_argument(
        "--create", action="store_true", help="make a new project in --project DIR if needed"
    )
    keys = serve.add_mutually_exclusive_group()
    keys.add_argument(
        "--api-key",
        metavar="KEY",
        help="the key clients must send (default: $EI_SERVE_API_KEY, else the project's own);"
        " other users of this computer can see it in the process list: prefer"
        " --api-key-file or $EI_SERVE_API_KEY",
    )
    keys.add_argument(
        "--api-key-file", metavar="FILE", help="read the key clients must send from FILE"
    )

    gui = commands.add_parser("gui", help="open the desktop app")
    _add_gui_arguments(gui)
    dataset_commands.add_commands(commands, _add_filters, _add_state, _add_project)
    from ei_desktop import sync_commands

    sync_commands.add_commands(commands, _add_filters, _add_state)
    return parser


def _add_filters(parser: argparse.ArgumentParser) -> None:
    """The sample filters of ``ls``, also the selection of the commands that change samples."""
    parser.add_argument("--category", help="only this category")
    parser.add_argument(
        "--label", action="append", metavar="LABEL", help="only this label (repeatable: any of)"
    )
    parser.add_argument(
        "--name",
        "--filename",
        dest="filename",
        metavar="TEXT",
        help="only names containing this text (case-insensitive)",
    )
    parser.add_argument(
        "--metadata",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="only samples with this metadata (repeatable: every key must match; the same key"
        " twice matches either value)",
    )


def _add_state(parser: argparse.ArgumentParser, default: str) -> None:
    """``--disabled`` / ``--all``: which of enabled and disabled samples to include."""
    state = parser.add_mutually_exclusive_group()
    state.add_argument("--disabled", action="store_true", help="only disabled samples")
    state.add_argument(
        "--all",
        action="store_true",
        dest="all_states",
        help=f"enabled and disabled samples (default: {default})",
    )


def _add_selection(parser: argparse.ArgumentParser, *, default_state: str) -> None:
    """Which samples a change applies to: ids, or filters, or --all-samples; never everything
    by accident.
    """
    parser.add_argument(
        "--id",
        dest="more_ids",
        action="append",
        type=int,
        default=[],
        metavar="ID",
        help="a sample to change (repeatable; enabled or disabled)",
    )
    _add_filters(parser)
    _add_state(parser, default_state)
    parser.add_argument(
        "--all-samples",
        action="store_true",
        help="change every sample of the project (needed when no ID or filter is given)",
    )
    parser.add_argument(
        "--dry-run",
        action="store_true",
        help="show how many samples would change and a few of their names; change nothing",
    )
    parser.add_argument(
        "--yes",
        action="store_true",
        help=f"do not ask for confirmation (asked when more than {CONFIRM_ABOVE} samples change)",
    )
    _add_project(parser)


#: a change to more samples than this asks for confirmation first
CONFIRM_ABOVE = 100

_SELECTION_EPILOG = (
    "Samples are chosen by ID (positional or --id, enabled or disabled) or by the filters of"
    " 'ls'; with neither, give --all-samples. Undo any change with 'ei-desktop undo'."
)


def _edit_parser(commands, name: str, help: str) -> argparse.ArgumentParser:
    """A command that changes the samples it selects (see :func:`_add_selection`)."""
    description = help[0].upper() + help[1:] + "."
    return commands.add_parser(name, help=help, description=description, epilog=_SELECTION_EPILOG)


def _add_curation_commands(commands) -> None:
    """label, move, rename, meta, enable, disable, crop, split, summary, rebalance, history,
    undo, redo.
    """
    label = _edit_parser(commands, "label", "give samples a label")
    label.add_argument("new_label", metavar="NEW_LABEL", help="the new label")
    label.add_argument("ids", nargs="*", type=int, metavar="ID", help="samples to change")
    _add_selection(label, default_state="enabled samples")

    move = _edit_parser(commands, "move", "move samples to another category")
    move.add_argument(
        "new_category",
        choices=CATEGORIES,
        metavar="CATEGORY",
        help=f"one of: {', '.join(CATEGORIES)}",
    )
    move.add_argument("ids", nargs="*", type=int, metavar="ID", help="samples to move")
    _add_selection(move, default_state="enabled samples")

    rename = commands.add_parser(
        "rename", help="rename one sample", description="Rename one sample (its stored name)."
    )
    rename.add_argument("id", type=int, metavar="ID", help="the sample")
    rename.add_argument("new_name", metavar="NEW_NAME", help="its new name")
    _add_project(rename)

    meta = commands.add_parser(
        "meta",
        help="set or remove metadata of samples",
        description="Set or remove metadata of samples: 'meta set KEY=VALUE... [ID...]',"
        " 'meta remove KEY [ID...]', 'meta clear [ID...]'.",
    )
    actions = meta.add_subparsers(dest="meta_action", metavar="ACTION", required=True)
    meta_set = actions.add_parser(
        "set",
        help="set metadata keys (others are kept unless --replace)",
        description="Set metadata keys on samples; their other keys are kept unless --replace.",
        epilog=_SELECTION_EPILOG,
    )
    meta_set.add_argument(
        "items",
        nargs="+",
        metavar="KEY=VALUE|ID",
        help="metadata to set, then optionally the samples to change by ID",
    )
    meta_set.add_argument(
        "--replace", action="store_true", help="replace all their metadata with these keys"
    )
    _add_selection(meta_set, default_state="enabled samples")
    meta_remove = actions.add_parser(
        "remove",
        help="remove one metadata key",
        description="Remove one metadata key from samples.",
        epilog=_SELECTION_EPILOG,
    )
    meta_remove.add_argument("key", metavar="KEY")
    meta_remove.add_argument("ids", nargs="*", type=int, metavar="ID", help="samples to change")
    _add_selection(meta_remove, default_state="enabled samples")
    meta_clear = actions.add_parser(
        "clear",
        help="remove all metadata",
        description="Remove all metadata of samples.",
        epilog=_SELECTION_EPILOG,
    )
    meta_clear.add_argument("ids", nargs="*", type=int, metavar="ID", help="samples to change")
    _add_selection(meta_clear, default_state="enabled samples")

    enable = _edit_parser(commands, "enable", "enable disabled samples")
    enable.add_argument("ids", nargs="*", type=int, metavar="ID", help="samples to enable")
    _add_selection(enable, default_state="disabled samples")

    disable = _edit_parser(
        commands, "disable", "disable samples (kept, but left out of listings and training)"
    )
    disable.add_argument("ids", nargs="*", type=int, metavar="ID", help="samples to disable")
    _add_selection(disable, default_state="enabled samples")

    crop = commands.add_parser(
        "crop",
        help="keep part of a time-series or audio sample",
        description="Keep values START up to (not including) END of a time-series or audio"
        " sample (value indices: 0 is the first reading). Undo with 'ei-desktop undo'.",
    )
    crop.add_argument("id", type=int, metavar="ID", help="the sample")
    crop.add_argument("start", type=int, metavar="START", help="first value kept (from 0)")
    crop.add_argument("end", type=int, metavar="END", help="first value dropped after START")
    _add_project(crop)

    split = commands.add_parser(
        "split",
        help="split a time-series or audio sample into several",
        description="Split a time-series or audio sample into one new sample per range of"
        " milliseconds (START-END, END not included), named NAME.s1, NAME.s2…; the original"
        " is removed. Undo with 'ei-desktop undo'.",
    )
    split.add_argument("id", type=int, metavar="ID", help="the sample")
    split.add_argument("ranges", nargs="*", metavar="START-END", help="e.g. 0-1000 1000-2500")
    split.add_argument(
        "--find",
        type=float,
        metavar="MS",
        help="split around the events found in the sample, one window of MS milliseconds each",
    )
    split.add_argument("--dry-run", action="store_true", help="print the ranges, split nothing")
    _add_project(split)

    summary = commands.add_parser(
        "summary",
        help="samples and durations per category and label, and the train/test split",
        description="Samples and durations per category and label, and the train/test split"
        " (of enabled samples; disabled ones are counted apart).",
    )
    summary.add_argument("--json", action="store_true", help="print JSON")
    _add_project(summary)

    rebalance = commands.add_parser(
        "rebalance",
        help="divide training, testing and validation anew (80/20 per label by default)",
        description="Divide the samples of training, testing and validation anew: each label"
        " gets the asked shares, samples that share the value of a --keep-together metadata"
        " key land in one category; the same project always splits the same way. Asks before"
        " moving more than a few samples; undo with 'ei-desktop undo'.",
    )
    rebalance.add_argument(
        "--training",
        type=float,
        default=80,
        metavar="PERCENT",
        help="share of training (default 80)",
    )
    rebalance.add_argument(
        "--testing", type=float, default=20, metavar="PERCENT", help="share of testing (default 20)"
    )
    rebalance.add_argument(
        "--validation",
        type=float,
        default=0,
        metavar="PERCENT",
        help="share of validation (default 0)",
    )
    rebalance.add_argument(
        "--keep-together",
        action="append",
        default=[],
        metavar="KEY",
        help="metadata key whose values stay in one category (repeatable)",
    )
    rebalance.add_argument(
        "--no-stratify", action="store_true", help="shares over all samples, not per label"
    )
    rebalance.add_argument(
        "--include-disabled",
        action="store_true",
        help="move disabled samples too (left where they are by default)",
    )
    rebalance.add_argument("--dry-run", action="store_true", help="say what would move")
    rebalance.add_argument("--yes", action="store_true", help="do not ask")
    _add_project(rebalance)

    history = commands.add_parser(
        "history",
        help="the latest changes, newest first",
        description="The latest changes to a local project, newest first; undone ones are"
        " marked. Through an API key the history lasts one command and is empty here.",
    )
    history.add_argument("--limit", type=int, default=20, metavar="N", help="how many (default 20)")
    history.add_argument("--json", action="store_true", help="print JSON (one array)")
    _add_project(history)

    undo = commands.add_parser(
        "undo",
        help="undo the latest change",
        description="Undo the latest change to a local project that is not undone yet,"
        " whatever it was (an edit, an upload, a delete); run again to go further back."
        " 'ei-desktop history' lists them. Through an API key the history lasts one command,"
        " so a change cannot be undone afterwards.",
    )
    _add_project(undo)
    redo = commands.add_parser(
        "redo",
        help="redo the change undone last",
        description="Redo the change undone last on a local project (until another change"
        " is made).",
    )
    _add_project(redo)


#: commands that change or summarize samples (see :mod:`ei_desktop.curation_commands`)
CURATION_COMMANDS = (
    "label",
    "move",
    "rename",
    "meta",
    "enable",
    "disable",
    "crop",
    "split",
    "summary",
    "rebalance",
    "history",
    "undo",
    "redo",
)


def _add_gui_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--project", metavar="DIR", help="local project folder to open")
    parser.add_argument(
        "files",
        nargs="*",
        metavar="FILE",
        help="files or folders to upload: the app opens the project, then asks the upload"
        " options for them (what a file manager's “Open with ei-desktop” passes)",
    )


def _gui_parser() -> argparse.ArgumentParser:
    """The arguments of the ``ei-desktop-gui`` launcher: those of ``ei-desktop gui``."""
    parser = argparse.ArgumentParser(
        prog="ei-desktop-gui", description="Open the ei-desktop app (and upload FILEs)."
    )
    _add_gui_arguments(parser)
    return parser


#: first arguments that are not files to open: commands and top-level options
_NOT_FILES = (
    "upload",
    "ls",
    "download",
    "rm",
    "export",
    "push",
    "pull",
    *CURATION_COMMANDS,
    "check",
    "serve",
    "gui",
    "-h",
    "--help",
)


def _files_mean_gui(argv: Sequence[str]) -> bool:
    """True for ``ei-desktop FILE...`` and ``ei-desktop --project DIR FILE...``: no command,
    so the app opens and uploads the files.
    """
    if not argv or argv[0] in _NOT_FILES or argv[0] in ("--version", "--self-test"):
        return False
    return argv[0] == "--project" or not argv[0].startswith("-")


def main(argv: Optional[Sequence[str]] = None) -> int:
    """Run ``ei-desktop``; returns the exit status.

    Without a command, files on the command line (``ei-desktop [--project DIR] FILE...``)
    open the app and offer to upload them, as ``ei-desktop gui`` does.
    """
    argv = list(sys.argv[1:] if argv is None else argv)
    if _files_mean_gui(argv):
        argv.insert(0, "gui")
    args = build_parser().parse_args(argv)
    if args.self_test:
        from ei_desktop.selftest import run_self_test

        return run_self_test()
    command = args.command or "gui"
    if command == "gui":
        return _gui(getattr(args, "project", None), getattr(args, "files", None) or [])
    if command == "serve":
        return _serve(args)
    from ei_desktop import commands, dataset_commands, sync_commands

    stoppable = {"upload": commands.upload, "download": commands.download, "rm": commands.rm}
    stoppable.update(dataset_commands.STOPPABLE)
    stoppable.update(sync_commands.STOPPABLE)
    try:
        if command in stoppable:
            return _run_stoppable(stoppable[command], args)
        if command in CURATION_COMMANDS:
            from ei_desktop import curation_commands

            return curation_commands.run(command, args)
        return {"ls": commands.ls, "check": commands.check}[command](args)
    except KeyboardInterrupt:
        print("Interrupted.", file=sys.stderr)
        return INTERRUPTED


def _run_stoppable(handler: Callable[..., int], args: argparse.Namespace) -> int:
    """Run a long command so that the first Ctrl-C stops it cleanly and the second at once.

    The first SIGINT triggers the command's :class:`CancelToken`: it starts no new work, lets
    what is in flight finish, prints what was done and what was not, and exits 130. A second
    SIGINT exits 130 immediately.
    """
    cancel = CancelToken()
    if threading.current_thread() is not threading.main_thread():
        return handler(args, cancel=cancel)  # signal handlers can only be set from there

    def on_interrupt(signum, frame) -> None:
        if cancel.cancelled:
            os.write(2, b"\nInterrupted again: exiting now.\n")
            os._exit(INTERRUPTED)
        cancel.cancel()
        # os.write: print is not safe inside a signal handler that may interrupt a print
        os.write(2, b"\nStopping: finishing what is in flight (Ctrl-C again to quit now)...\n")

    previous = signal.signal(signal.SIGINT, on_interrupt)
    try:
        status = handler(args, cancel=cancel)
    finally:
        signal.signal(signal.SIGINT, previous)
    return INTERRUPTED if cancel.cancelled else status


def _gui(project: Optional[str], files: Sequence[str] = ()) -> int:
    try:
        from ei_desktop.gui.app import run
    except ImportError as exc:
        print(
            f"The desktop app is not installed ({exc}). Install ei-desktop[gui].", file=sys.stderr
        )
        return 2
    return run(project, files=[os.path.abspath(f) for f in files])


def _serve(args: argparse.Namespace) -> int:
    try:
        from ei_desktop.server.serve import serve
    except ImportError as exc:
        print(f"The server is not installed ({exc}). Install ei-desktop[server].", file=sys.stderr)
        return 2
    return serve(
        project=args.project,
        host=args.host,
        port=args.port,
        api_key=args.api_key,
        api_key_file=args.api_key_file,
        create=args.create,
    )


def gui_main(argv: Optional[Sequence[str]] = None) -> int:
    """Entry point of the ``ei-desktop-gui`` launcher: ``ei-desktop-gui [--project DIR]
    [FILE...]`` (the desktop file passes the files opened with the app).
    """
    args = _gui_parser().parse_args(sys.argv[1:] if argv is None else argv)
    return _gui(args.project, args.files)
