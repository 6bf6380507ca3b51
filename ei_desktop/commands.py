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

from ei_desktop.core import connection, naming, scan
from ei_desktop.core.backends.base import (
    Backend,
    BackendError,
    DownloadFailure,
    SampleQuery,
    SampleRecord,
)
from ei_desktop.core.convert import save_downloaded
from ei_desktop.core.data import infer_from_filename, upload_samples
from ei_desktop.core.labels import LabelError
from ei_desktop.core.progress import Progress


def _backend(args: argparse.Namespace) -> Backend:
    api_key = getattr(args, "api_key", None)
    if api_key:
        return connection.resolve(api_key=api_key)
    if args.project:
        return connection.local_backend(args.project)
    return connection.resolve()


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


def upload(args: argparse.Namespace) -> int:
    """Upload files and folders (exported datasets keep their ``info.labels``)."""
    try:
        metadata = _parse_metadata(args.metadata)
        backend = _backend(args)
    except (LabelError, BackendError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    found = scan.find_files(args.paths)
    samples, problems = scan.plain_samples(found.files, metadata=metadata)
    for sample in samples:
        infer_from_filename(sample, sample.data.path)
        if args.label is not None:
            sample.label = args.label
        if args.category is not None:
            sample.category = args.category
        elif sample.category is None:
            sample.category = naming.SPLIT
    problems = found.problems + problems
    for directory in found.exported_datasets:
        exported, exported_problems = scan.exported_samples(directory)
        for sample in exported:
            if args.label is not None:
                sample.label, sample.structured_labels = args.label, None
            if args.category is not None:
                sample.category = args.category
            if metadata:
                sample.metadata = {**(sample.metadata or {}), **metadata}
        samples.extend(exported)
        problems.extend(exported_problems)
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
            samples, allow_duplicates=args.allow_duplicates, progress=update, project=backend
        )
    except BackendError as exc:
        bar.close()
        print(f"error: {exc}", file=sys.stderr)
        return 1
    bar.close()
    categories = Counter(s.category for s in response.successes)
    spread = ", ".join(f"{name} {count}" for name, count in sorted(categories.items()))
    print(f"Uploaded {len(response.successes)} samples" + (f" ({spread})" if spread else "") + ".")
    failures = [(p.path, p.error) for p in problems]
    failures += [(_origin(f.sample), f.error or "failed") for f in response.fails]
    if failures:
        _fail(failures, "files")
        return 1
    return 0


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


def download(args: argparse.Namespace) -> int:
    """Write samples into a folder under the names the SDK gives them."""
    try:
        backend = _backend(args)
        os.makedirs(args.output, exist_ok=True)
    except (BackendError, OSError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    bar, update = _bar(len(args.ids), "Downloading")
    failures: list[tuple[str, str]] = []
    written = 0
    try:
        downloaded = backend.download(args.ids, progress=update)
    except BackendError as exc:
        bar.close()
        print(f"error: {exc}", file=sys.stderr)
        return 1
    bar.close()
    for sample_id, item in zip(args.ids, downloaded):
        if item is None:
            failures.append((f"id {sample_id}", f"No sample found with ID {sample_id}"))
            continue
        if isinstance(item, DownloadFailure):
            failures.append((f"id {sample_id}", item.error))
            continue
        try:
            path = save_downloaded(item, args.output)
            written += 1
            print(path)
        except OSError as exc:
            failures.append((f"id {sample_id}", f"Cannot write: {exc.strerror or exc}"))
    print(f"Downloaded {written} samples to {args.output}.", file=sys.stderr)
    if failures:
        _fail(failures, "downloads")
        return 1
    return 0


def _confirm(prompt: str) -> bool:
    if not sys.stdin.isatty():
        print(f"{prompt} Refusing without --yes (not a terminal).", file=sys.stderr)
        return False
    answer = input(f"{prompt} Type 'yes' to confirm: ")
    return answer.strip().lower() == "yes"


def rm(args: argparse.Namespace) -> int:
    """Delete samples by id, by exact stored name, or all (of a category)."""
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
        results = backend.delete(ids)
    except (ValueError, BackendError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(f"Deleted {sum(results)} samples.")
    missing = [(f"id {i}", f"No sample found with ID {i}") for i, ok in zip(ids, results) if not ok]
    if missing:
        _fail(missing, "deletes")
        return 1
    return 0


def check(args: argparse.Namespace) -> int:
    """Check (and optionally clean) a local project."""
    from ei_desktop.core.backends.local import LocalBackend

    path = args.project or str(connection.local_project_path())
    try:
        with LocalBackend(path) as project:
            report = project.check()
            print(f"{report.samples} samples; database: {report.integrity}")
            print(f"samples without content: {len(report.missing_blobs)}")
            print(f"unreferenced files: {len(report.orphan_blobs) + report.temporary_files}")
            if args.clean:
                removed = project.clean(min_age_seconds=0)
                print(f"removed {removed} unreferenced files")
    except BackendError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0 if report.ok else 1
