"""What each terminal command does (``ei-desktop upload|ls|download|rm|check``; the commands
that change samples are in :mod:`ei_desktop.curation_commands`).

Every command prints a summary, lists each failure with its reason on stderr and returns 1
when anything failed.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from dataclasses import replace
from typing import Optional

import ei_desktop
from ei_desktop import ops
from ei_desktop.core import connection, display, naming
from ei_desktop.core.backends.base import (
    Backend,
    BackendError,
    MetadataFilter,
    NotAProjectError,
    SampleQuery,
    SampleRecord,
)
from ei_desktop.core.labels import LabelError, normalize_label
from ei_desktop.core.progress import CancelToken, Progress
from ei_desktop.terminal_progress import terminal_bar


def _backend(args: argparse.Namespace) -> Backend:
    api_key = getattr(args, "api_key", None)
    if api_key:
        return connection.resolve(api_key, **_endpoints())
    if args.project:
        try:
            return connection.local_backend(args.project, create=getattr(args, "create", False))
        except NotAProjectError as exc:
            raise NotAProjectError(
                f"{exc}. Nothing was created; add --create to make a new project there."
            ) from None
    return connection.resolve(ei_desktop.API_KEY, **_endpoints())


def _endpoints() -> dict[str, str]:
    """Edge Impulse's endpoints, from the package's settings (``$EI_API_ENDPOINT`` …)."""
    return {
        "api_endpoint": ei_desktop.API_ENDPOINT,
        "ingestion_endpoint": ei_desktop.INGESTION_ENDPOINT,
    }


def _fail(problems: list[tuple[str, str]], what: str) -> None:
    print(f"{len(problems)} {what} failed:", file=sys.stderr)
    for path, error in problems:
        print(f"  {path}: {error}", file=sys.stderr)


def _parse_metadata(pairs: list[str]) -> Optional[dict]:
    metadata = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key:
            raise LabelError(f"--metadata {pair!r} is not KEY=VALUE")
        metadata[key] = value
    return metadata or None


def upload(args: argparse.Namespace, cancel: Optional[CancelToken] = None) -> int:
    """Upload files and folders with the rules of :mod:`ei_desktop.ops.plan`.

    Once ``cancel`` is triggered (Ctrl-C) no new file is sent; the requests in flight finish,
    and what was stored and what was not is printed; returns 130 then. Files already in the
    project are reported, not counted as failures.
    """
    try:
        options = ops.UploadOptions(
            category=args.category,
            label=None if args.label is None else normalize_label(args.label),
            metadata=_parse_metadata(args.metadata) or {},
            allow_duplicates=args.allow_duplicates,
            dataset_format=getattr(args, "dataset_format", None),
        )
        backend = _backend(args)
    except (LabelError, BackendError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    plan = ops.plan_upload(args.paths, options)
    from ei_desktop.dataset_commands import print_datasets

    print_datasets(plan)
    if not plan.items and not any(s.failed for s in plan.skipped):
        print("Nothing to upload: no sample files found.", file=sys.stderr)
        _print_skipped([s.path for s in plan.skipped])
        return 1
    bar, update = terminal_bar("Uploading", total=len(plan.items))
    try:
        report = ops.upload(backend, plan, progress=update, cancel=cancel)
    except BackendError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    finally:
        bar.close()
    categories = report.done_categories()
    spread = ", ".join(f"{name} {display.count(n)}" for name, n in sorted(categories.items()))
    done = display.plural(report.done_count, "sample")
    print(f"Uploaded {done}" + (f" ({spread})" if spread else "") + ".")
    return _finish(report, "file", unsent="not sent")


def _print_skipped(skipped: list[str]) -> None:
    """One line naming the files that are not samples (the first five of them)."""
    shown = ", ".join(os.path.basename(path) for path in skipped[:5])
    more = f" and {len(skipped) - 5} more" if len(skipped) > 5 else ""
    if skipped:
        what = display.plural(len(skipped), "file")
        why = "not a sample" if len(skipped) == 1 else "not samples"
        print(f"Skipped {what} ({why}): {shown}{more}", file=sys.stderr)


def _finish(report: ops.Report, what: str, *, unsent: str) -> int:
    """Print what went wrong in ``report`` (``what``: the singular noun of its items, "file")
    and return the exit status: 130 when the user stopped it, 1 when anything failed or was
    left undone, else 0.
    """
    _print_skipped([item.name for item in report.with_status(ops.Status.SKIPPED)])
    present = report.with_status(ops.Status.PRESENT)
    if present:
        print(f"{display.plural(len(present), what)} already in the project:", file=sys.stderr)
        for item in present:
            print(f"  {item.name}: {item.reason}", file=sys.stderr)
    failed = report.failed
    if failed:
        print(f"{display.plural(len(failed), what)} failed:", file=sys.stderr)
        for item in failed:
            print(f"  {item.name}: {item.reason}", file=sys.stderr)
    left = report.not_attempted
    if report.stopped_by is not None:
        print(f"error: {report.stopped_by}", file=sys.stderr)
        print(
            f"{report.done_count:,} of {report.total:,} were {report.verb} before that;"
            f" {left:,} were {unsent}.",
            file=sys.stderr,
        )
        return 1
    if report.cancelled:
        failures = f"; {len(failed):,} failed" if failed else ""
        print(
            f"Stopped: {report.done_count:,} of {report.total:,} {report.verb};"
            f" {left:,} {unsent}{failures}.",
            file=sys.stderr,
        )
        return 130
    return 0 if report.ok else 1


def _metadata_filters(pairs: list[str]) -> tuple[MetadataFilter, ...]:
    """``--metadata KEY=VALUE`` options as filters: one per key, a key given twice matches
    either value.

    Raises:
        ValueError: an option is not KEY=VALUE.
    """
    values: dict[str, list[str]] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key:
            raise ValueError(f"--metadata {pair!r} is not KEY=VALUE")
        values.setdefault(key, []).append(value)
    return tuple(MetadataFilter(key, "eq", tuple(v)) for key, v in values.items())


def _state(args: argparse.Namespace, default: str = "enabled") -> str:
    """The ``include_disabled`` of ``--disabled`` / ``--all`` (``default`` with neither)."""
    if getattr(args, "all_states", False):
        return "both"
    if getattr(args, "disabled", False):
        return "disabled"
    return default


def _query(args: argparse.Namespace, default_state: str = "enabled") -> SampleQuery:
    """The query of the filter options shared by ``ls`` and the commands that change samples.

    Raises:
        ValueError: an unknown category or a malformed ``--metadata``.
    """
    if args.category is not None and args.category not in naming.CATEGORIES:
        raise ValueError(
            f"Unknown category {args.category!r}; expected one of: {', '.join(naming.CATEGORIES)}"
        )
    return SampleQuery(
        category=args.category,
        labels=tuple(args.label) if getattr(args, "label", None) else None,
        filename=getattr(args, "filename", None) or None,
        metadata=_metadata_filters(getattr(args, "metadata", None) or []),
        include_disabled=_state(args, default_state),
    )


def _length(record: SampleRecord) -> str:
    if record.kind in ("timeseries", "audio"):
        return display.duration(record.length_ms)
    if record.kind == "image" and record.width:
        return f"{record.width}×{record.height}"
    return display.size(record.size)


def _as_json(record: SampleRecord) -> dict:
    return {
        "id": record.id,
        "filename": record.filename,
        "label": record.label,
        "category": record.category,
        "kind": record.kind,
        "sensors": [{"name": s.name, "units": s.units} for s in record.sensors],
        "intervalMs": record.interval_ms,
        "valuesCount": record.values_count,
        "size": record.size,
        "added": record.added.isoformat(),
        "metadata": record.metadata,
        "boundingBoxes": record.bounding_boxes,
        "structuredLabels": record.structured_labels,
        "disabled": record.disabled,
    }


def ls(args: argparse.Namespace) -> int:
    """List samples, newest first: enabled ones, or with ``--disabled`` / ``--all`` the
    disabled ones too (a STATE column says which).
    """
    try:
        query = _query(args)
        backend = _backend(args)
        records = backend.iter_samples(query)
        out = sys.stdout
        shown = 0
        state = query.include_disabled != "enabled"
        if args.json:
            out.write("[")
        else:
            out.write(
                f"{'ID':>8}  {'NAME':<32} {'LABEL':<16} {'CATEGORY':<15} {'KIND':<10} "
                + (f"{'LENGTH':<10} STATE\n" if state else "LENGTH\n")
            )
        for record in records:
            if args.limit is not None and shown >= args.limit:
                break
            if args.json:
                out.write(("," if shown else "") + "\n  " + json.dumps(_as_json(record)))
            else:
                line = (
                    f"{record.id:>8}  {record.filename[:32]:<32} {record.label[:16]:<16} "
                    f"{record.category:<15} {record.kind:<10} {_length(record)}"
                )
                if state:
                    line = f"{line:<97} {'disabled' if record.disabled else 'enabled'}"
                out.write(line + "\n")
            shown += 1
        if args.json:
            out.write("\n]\n")
        else:
            print(display.plural(shown, "sample") + _hidden(backend, query), file=sys.stderr)
    except (ValueError, BackendError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except BrokenPipeError:
        return 0
    return 0


def _hidden(backend: Backend, query: SampleQuery) -> str:
    """`` (2 disabled not shown; --all shows them)`` when a listing of enabled samples leaves
    disabled ones out.
    """
    if query.include_disabled != "enabled":
        return ""
    hidden = backend.count(replace(query, include_disabled="disabled"))
    if not hidden:
        return ""
    return f" ({display.count(hidden)} disabled not shown; --all shows them)"


def download(args: argparse.Namespace, cancel: Optional[CancelToken] = None) -> int:
    """Write samples into a folder in the chosen ``--layout`` (by default under the names the
    SDK gives them), printing each path as it is written.

    Once ``cancel`` is triggered (Ctrl-C) no new request starts; what was written and what was
    not is printed; returns 130 then.
    """
    try:
        backend = _backend(args)
        os.makedirs(args.output, exist_ok=True)
    except (BackendError, OSError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    bar, update = terminal_bar("Downloading", total=len(args.ids), unit="samples")

    def written(progress: Progress) -> None:
        update(progress)
        item = progress.item
        if item is not None and item.status is ops.Status.DONE:
            print(item.name, flush=True)

    try:
        report = ops.export.download_in_layout(
            backend, args.ids, args.output, args.layout, progress=written, cancel=cancel
        )
    except (BackendError, OSError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    finally:
        bar.close()
    done = display.plural(len(report.done), "sample")
    print(f"Downloaded {done} to {args.output}.", file=sys.stderr)
    return _finish(report, "download", unsent="not fetched")


def _confirm(prompt: str) -> bool:
    if not sys.stdin.isatty():
        print(f"{prompt} Refusing without --yes (not a terminal).", file=sys.stderr)
        return False
    answer = input(f"{prompt} Type 'yes' to confirm: ")
    return answer.strip().lower() == "yes"


def rm(args: argparse.Namespace, cancel: Optional[CancelToken] = None) -> int:
    """Delete samples by id, by exact stored name, or all (of a category).

    Once ``cancel`` is triggered (Ctrl-C) no new delete starts; how many were deleted and how
    many were not is printed; returns 130 then. ``--all`` is one request and is not stopped.
    """
    chosen = sum(bool(x) for x in (args.ids, args.filename, args.all))
    if chosen != 1:
        print("error: give sample ids, or --filename NAME, or --all", file=sys.stderr)
        return 2
    try:
        backend = _backend(args)
        if args.category is not None and args.category not in naming.CATEGORIES:
            raise ValueError(f"Unknown category {args.category!r}")
        if args.all:
            what = f"every {args.category} sample" if args.category else "every sample"
            total = backend.count(SampleQuery(category=args.category))
            question = f"Delete {what} ({display.count(total)}) in {backend.description}?"
            if not args.yes and not _confirm(question):
                return 1
            report = ops.delete_all(backend, args.category)
            print(f"Deleted {display.plural(len(report.done), 'sample')}.")
            return 0
        if args.filename:
            query = SampleQuery(category=args.category, filename=args.filename)
            ids = [i.sample_id for i in backend.sample_infos(query) if i.filename == args.filename]
            if not ids:
                print(f"No sample is named {args.filename!r}.", file=sys.stderr)
                return 1
        else:
            ids = args.ids
        report = ops.delete(backend, ids, cancel=cancel)
    except (ValueError, BackendError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(f"Deleted {display.plural(len(report.done), 'sample')}.")
    return _finish(report, "delete", unsent="not deleted")


def check(args: argparse.Namespace) -> int:
    """Check a local project; optionally clean it, or recover a damaged one.

    Verifies SQLite's integrity check of the database, that every sample's content file is
    present, and (unless ``--quick``) that every content file still matches its SHA-256;
    counts unreferenced files. Exit status 0 only when everything is intact.
    """
    from ei_desktop.core.backends.local import LocalBackend

    path = args.project or str(connection.local_project_path())
    if args.recover:
        return _recover(path)
    try:
        with LocalBackend(path) as project:
            if args.migrate:
                bar, update = terminal_bar("Moving small contents into the database")
                try:
                    moved = project.migrate_contents(progress=update)
                finally:
                    bar.close()
                print(f"Moved {moved} content files into the project database.")
            bar, update = terminal_bar("Verifying content")
            try:
                report = project.check(verify_content=not args.quick, progress=update)
            finally:
                bar.close()
            _print_check(project.path, report)
            if args.clean:
                removed = project.clean()
                print(f"Removed {removed} unreferenced files.")
    except BackendError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0 if report.ok else 1


def _print_check(path, report) -> None:
    print(f"Project {path}: {report.samples} samples")
    print(f"  database: {report.integrity}")
    if report.missing_blobs:
        missing = report.missing_blobs
        print(f"  samples without content: {len(missing)} (ids {_ids(missing)})")
    else:
        print("  every sample has its content")
    if report.content_verified:
        if report.corrupt_blobs:
            print(
                f"  samples whose content changed on disk: {len(report.corrupt_blobs)}"
                f" (ids {_ids(report.corrupt_blobs)})"
            )
        else:
            print("  every content file matches its checksum")
    else:
        print("  content checksums not verified (--quick)")
    unreferenced = len(report.orphan_blobs) + report.temporary_files
    hint = " (remove with --clean)" if unreferenced else ""
    print(f"  unreferenced files: {unreferenced}{hint}")


def _ids(ids: list[int], shown: int = 10) -> str:
    more = f", … {len(ids) - shown} more" if len(ids) > shown else ""
    return ", ".join(str(i) for i in ids[:shown]) + more


def _recover(path: str) -> int:
    from ei_desktop.core.backends.local_recovery import RECOVERED_LABEL, recover_project

    bar, update = terminal_bar("Recovering")
    try:
        report = recover_project(path, progress=update)
    except (BackendError, OSError) as exc:
        bar.close()
        print(f"error: {exc}", file=sys.stderr)
        return 1
    bar.close()
    if report.damaged_copy is not None:
        print(f"Moved the damaged database to {report.damaged_copy}.")
    print(f"Restored {report.restored} samples with their names and labels.")
    if report.recovered:
        print(
            f"Recovered {report.recovered} more samples from their content alone, labelled"
            f" {RECOVERED_LABEL!r}."
        )
    if report.failed:
        _fail([(sha[:12], error) for sha, error in report.failed], "content files")
        return 1
    return 0
