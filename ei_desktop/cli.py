"""The ``ei-desktop`` command: upload, ls, download, rm, check, serve and gui."""

from __future__ import annotations

import argparse
import os
import signal
import sys
import threading
from collections.abc import Callable, Sequence
from typing import Optional

import ei_desktop
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
    _add_project(upload)

    ls = commands.add_parser("ls", help="list samples")
    ls.add_argument("--category", help="only this category")
    ls.add_argument("--label", action="append", help="only this label (repeatable)")
    ls.add_argument("--filename", help="only names containing this text (case-insensitive)")
    ls.add_argument("--limit", type=int, help="at most this many samples")
    ls.add_argument("--json", action="store_true", help="print JSON (one array)")
    _add_project(ls)

    download = commands.add_parser("download", help="download samples by id")
    download.add_argument("ids", nargs="+", type=int, metavar="ID")
    download.add_argument("-o", "--output", required=True, metavar="DIR", help="folder to write to")
    _add_project(download)

    rm = commands.add_parser("rm", help="delete samples")
    rm.add_argument("ids", nargs="*", type=int, metavar="ID")
    rm.add_argument("--filename", help="delete the samples stored under exactly this name")
    rm.add_argument("--all", action="store_true", help="delete every sample (of --category)")
    rm.add_argument("--category", help="with --all or --filename: only this category")
    rm.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    _add_project(rm)

    check = commands.add_parser(
        "check",
        help="check a local project: database integrity, every sample's content present and "
        "matching its checksum, unreferenced files",
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
    return parser


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
_NOT_FILES = ("upload", "ls", "download", "rm", "check", "serve", "gui", "-h", "--help")


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
    from ei_desktop import commands

    stoppable = {"upload": commands.upload, "download": commands.download, "rm": commands.rm}
    try:
        if command in stoppable:
            return _run_stoppable(stoppable[command], args)
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
