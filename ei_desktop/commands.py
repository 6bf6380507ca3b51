"""What each terminal command does (``ei-desktop upload|ls|download|rm|check``).

Every command prints a summary, lists each failure with its reason on stderr and returns 1
when anything failed.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections import Counter
from typing import Optional

import ei_desktop
from ei_desktop.core import connection, naming, scan
from ei_desktop.core.backends.base import (
    Backend,
    BackendError,
    DownloadFailure,
    NotAProjectError,
    SampleQuery,
    SampleRecord,
)
from ei_desktop.core.convert import save_downloaded
from ei_desktop.core.data import infer_from_filename, upload_samples
from ei_desktop.core.labels import LabelError, normalize_label
from ei_desktop.core.progress import CancelToken, Progress, is_cancelled

#: ids per download call: files are written as each step arrives, and memory stays bounded
DOWNLOAD_STEP = 200


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


def _bar(total: int, what: str):
    """A progress bar on a terminal (nothing when stderr is not one)."""
    from tqdm import tqdm

    bar = tqdm(total=total, desc=what, unit=" files", disable=None, file=sys.stderr, leave=False)

    def update(progress: Progress) -> None:
        bar.n = progress.done
        bar.refresh()

    return bar, update


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


def _stopped(done: int, total: int, verb: str, rest: str) -> None:
    """The line printed when Ctrl-C stopped a command: what was done and what was not."""
    print(f"Stopped: {done:,} of {total:,} {verb}; {rest}.", file=sys.stderr)


def _checked_labels(samples: list, problems: list) -> list:
    """``samples`` whose label is acceptable (normalised); the others become problems."""
    kept = []
    for sample in samples:
        if sample.label is not None:
            try:
                sample.label = normalize_label(sample.label)
            except LabelError as exc:
                problems.append(scan.Problem(_origin(sample), str(exc)))
                continue
        kept.append(sample)
    return kept


def upload(args: argparse.Namespace, cancel: Optional[CancelToken] = None) -> int:
    """Upload files and folders (exported datasets keep their ``info.labels``).

    Once ``cancel`` is triggered (Ctrl-C) no new file is sent; the requests in flight finish,
    and what was stored and what was not is printed; returns 130 then.
    """
    try:
        metadata = _parse_metadata(args.metadata)
        label = None if args.label is None else normalize_label(args.label)
        backend = _backend(args)
    except (LabelError, BackendError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    found = scan.find_files(args.paths)
    samples, problems = scan.plain_samples(found.files, metadata=metadata)
    for sample in samples:
        infer_from_filename(sample, sample.data.path)
        if label is not None:
            sample.label = label
        if args.category is not None:
            sample.category = args.category
        elif sample.category is None:
            sample.category = naming.SPLIT
    problems = found.problems + problems
    for directory in found.exported_datasets:
        exported, exported_problems = scan.exported_samples(directory)
        for sample in exported:
            if label is not None:
                sample.label, sample.structured_labels = label, None
            if args.category is not None:
                sample.category = args.category
            if metadata:
                sample.metadata = {**(sample.metadata or {}), **metadata}
        samples.extend(exported)
        problems.extend(exported_problems)
    samples = _checked_labels(samples, problems)
    if found.skipped:
        shown = ", ".join(os.path.basename(path) for path in found.skipped[:5])
        more = f" and {len(found.skipped) - 5} more" if len(found.skipped) > 5 else ""
        print(
            f"Skipped {len(found.skipped)} files that are not samples: {shown}{more}",
            file=sys.stderr,
        )
    if not samples and not problems:
        print("Nothing to upload: no sample files found.", file=sys.stderr)
        return 1
    bar, update = _bar(len(samples), "Uploading")
    try:
        response = upload_samples(
            samples,
            allow_duplicates=args.allow_duplicates,
            progress=update,
            cancel=cancel,
            project=backend,
        )
    except BackendError as exc:
        bar.close()
        print(f"error: {exc}", file=sys.stderr)
        _report_partial(getattr(exc, "results", []), len(samples))
        return 1
    bar.close()
    categories = Counter(s.category for s in response.successes)
    spread = ", ".join(f"{name} {count}" for name, count in sorted(categories.items()))
    print(f"Uploaded {len(response.successes)} samples" + (f" ({spread})" if spread else "") + ".")
    failures = [(p.path, p.error) for p in problems]
    failures += [(_origin(f.sample), f.error or "failed") for f in response.fails]
    if failures:
        _fail(failures, "files")
    if is_cancelled(cancel):
        unsent = len(samples) - len(response.successes) - len(response.fails)
        failed = f"; {len(response.fails):,} failed" if response.fails else ""
        _stopped(len(response.successes), len(samples), "uploaded", f"{unsent:,} not sent{failed}")
        return 130
    return 1 if failures else 0


def _report_partial(results: list, total: int) -> None:
    """What an upload that ended early (the server went away) did: stored, failed, not sent."""
    if not results:
        return
    failed = [(_origin(r.item.key), r.error or "failed") for r in results if not r.success]
    if failed:
        _fail(failed, "files")
    stored = len(results) - len(failed)
    print(
        f"{stored:,} of {total:,} samples were stored before that; {total - len(results):,} were"
        " not sent.",
        file=sys.stderr,
    )


def _origin(sample) -> str:
    return getattr(sample.data, "path", None) or sample.filename or "?"


def _query(args: argparse.Namespace) -> SampleQuery:
    if args.category is not None and args.category not in naming.CATEGORIES:
        raise ValueError(
            f"Unknown category {args.category!r}; expected one of: {', '.join(naming.CATEGORIES)}"
        )
    return SampleQuery(
        category=args.category,
        labels=tuple(args.label) if getattr(args, "label", None) else None,
        filename=getattr(args, "filename", None) or None,
    )


def _length(record: SampleRecord) -> str:
    if record.kind in ("timeseries", "audio"):
        return f"{record.length_ms / 1000:.2f} s"
    if record.kind == "image" and record.width:
        return f"{record.width}×{record.height}"
    return f"{record.size / 1024:.1f} KB"


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
    }


def ls(args: argparse.Namespace) -> int:
    """List samples, newest first."""
    try:
        query = _query(args)
        backend = _backend(args)
        records = backend.iter_samples(query)
        out = sys.stdout
        shown = 0
        if args.json:
            out.write("[")
        else:
            out.write(
                f"{'ID':>8}  {'NAME':<32} {'LABEL':<16} {'CATEGORY':<15} {'KIND':<10} LENGTH\n"
            )
        for record in records:
            if args.limit is not None and shown >= args.limit:
                break
            if args.json:
                out.write(("," if shown else "") + "\n  " + json.dumps(_as_json(record)))
            else:
                out.write(
                    f"{record.id:>8}  {record.filename[:32]:<32} {record.label[:16]:<16} "
                    f"{record.category:<15} {record.kind:<10} {_length(record)}\n"
                )
            shown += 1
        if args.json:
            out.write("\n]\n")
        else:
            print(f"{shown} samples", file=sys.stderr)
    except (ValueError, BackendError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except BrokenPipeError:
        return 0
    return 0


def _save(ids: list[int], downloaded: list, output: str, failures: list) -> int:
    """Write what was downloaded for ``ids``; returns how many files were written."""
    written = 0
    for sample_id, item in zip(ids, downloaded):
        if item is None:
            failures.append((f"id {sample_id}", f"No sample found with ID {sample_id}"))
            continue
        if isinstance(item, DownloadFailure):
            failures.append((f"id {sample_id}", item.error))
            continue
        try:
            path = save_downloaded(item, output)
            written += 1
            print(path, flush=True)
        except OSError as exc:
            failures.append((f"id {sample_id}", f"Cannot write: {exc.strerror or exc}"))
    return written


def download(args: argparse.Namespace, cancel: Optional[CancelToken] = None) -> int:
    """Write samples into a folder under the names the SDK gives them.

    Files are written step by step as they arrive. Once ``cancel`` is triggered (Ctrl-C) no
    new request starts; what was written and what was not is printed; returns 130 then.
    """
    try:
        backend = _backend(args)
        os.makedirs(args.output, exist_ok=True)
    except (BackendError, OSError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    ids = list(args.ids)
    bar, update = _bar(len(ids), "Downloading")
    failures: list[tuple[str, str]] = []
    written = fetched = 0
    try:
        for start in range(0, len(ids), DOWNLOAD_STEP):
            if is_cancelled(cancel):
                break
            step = ids[start : start + DOWNLOAD_STEP]
            downloaded = backend.download(
                step,
                progress=lambda p, s=start: update(Progress(s + p.done, len(ids))),
                cancel=cancel,
            )
            fetched += len(downloaded)
            written += _save(step, downloaded, args.output, failures)
            if len(downloaded) < len(step):
                break
    except BackendError as exc:
        bar.close()
        print(f"error: {exc}", file=sys.stderr)
        print(f"Downloaded {written} samples to {args.output} before that.", file=sys.stderr)
        return 1
    bar.close()
    print(f"Downloaded {written} samples to {args.output}.", file=sys.stderr)
    if failures:
        _fail(failures, "downloads")
    if is_cancelled(cancel):
        failed = f"; {len(failures):,} failed" if failures else ""
        _stopped(written, len(ids), "downloaded", f"{len(ids) - fetched:,} not fetched{failed}")
        return 130
    return 1 if failures else 0


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
            if not args.yes and not _confirm(f"Delete {what} ({total}) in {backend.description}?"):
                return 1
            deleted = backend.delete_all(args.category)
            print(f"Deleted {deleted} samples.")
            return 0
        if args.filename:
            query = SampleQuery(category=args.category, filename=args.filename)
            ids = [i.sample_id for i in backend.sample_infos(query) if i.filename == args.filename]
            if not ids:
                print(f"No sample is named {args.filename!r}.", file=sys.stderr)
                return 1
        else:
            ids = args.ids
        results = backend.delete(ids, cancel=cancel)
    except (ValueError, BackendError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(f"Deleted {sum(results)} samples.")
    missing = [(f"id {i}", f"No sample found with ID {i}") for i, ok in zip(ids, results) if not ok]
    if missing:
        _fail(missing, "deletes")
    if is_cancelled(cancel):
        _stopped(sum(results), len(ids), "deleted", f"{len(ids) - len(results):,} not deleted")
        return 130
    return 1 if missing else 0


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
            bar, update = _bar(None, "Verifying content")
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

    bar, update = _bar(None, "Recovering")
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
