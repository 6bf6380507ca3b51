"""The terminal side of datasets: ``upload --dataset-format`` and ``ei-desktop export``.

``export`` is a thin face over :func:`ei_desktop.ops.dataset_export.export_as`: it selects
samples with the filters of ``ls``, prints each path written and returns the exit status
(0 done, 1 failed, 130 stopped).
"""

from __future__ import annotations

import argparse
import sys
from typing import Optional

from ei_desktop.core import display
from ei_desktop.core.progress import CancelToken

#: ``--dataset-format`` values (as ``datasets.FORMATS``, without importing the readers)
IMPORT_FORMATS = ("coco", "yolo", "pascal-voc", "openimage", "csv", "ei")
#: ``export --format`` values (as ``datasets.EXPORT_FORMATS``)
EXPORT_FORMATS = ("ei", "coco", "yolo", "pascal-voc")


def add_upload_arguments(upload: argparse.ArgumentParser) -> None:
    """``--dataset-format`` for ``ei-desktop upload``."""
    upload.add_argument(
        "--dataset-format",
        choices=IMPORT_FORMATS,
        help="read folders as this kind of labelled dataset (default: detected and printed;"
        " 'ei': Edge Impulse exports with info.labels, and plain files)",
    )


def add_commands(commands, add_filters, add_state, add_project) -> None:
    """Register ``ei-desktop export`` (with the filters of ``ls``)."""
    export = commands.add_parser(
        "export",
        help="export samples as a dataset (Edge Impulse, COCO, YOLO or Pascal VOC)",
        description="Write the samples the filters select (every enabled one by default) as a"
        " dataset. Existing files are never overwritten; an interrupted export can be run"
        " again and completes.",
    )
    export.add_argument("-o", "--output", required=True, metavar="DIR", help="folder to write")
    export.add_argument(
        "--format",
        choices=EXPORT_FORMATS,
        default="ei",
        help="ei: training/testing folders with info.labels (default); coco, yolo, pascal-voc:"
        " image samples with their boxes, one split per category",
    )
    add_filters(export)
    add_state(export, "enabled samples")
    add_project(export)


def print_datasets(plan) -> None:
    """Tell which folders of an upload plan are read as datasets, their classes and boxes."""
    for folder, form in plan.datasets.items():
        if form == "ei":
            print(f"Exported dataset: {folder} (labels from its info.labels)", file=sys.stderr)
        else:
            print(f"Dataset format: {form} ({folder})", file=sys.stderr)
    if any(form != "ei" for form in plan.datasets.values()):
        classes = ", ".join(plan.classes) or "none"
        print(
            f"Classes: {classes}; {display.plural(plan.box_count(), 'box', 'boxes')} on "
            f"{display.plural(len(plan.items), 'file')}",
            file=sys.stderr,
        )


def export(args: argparse.Namespace, cancel: Optional[CancelToken] = None) -> int:
    """Export the selected samples into ``args.output`` in ``args.format``."""
    from ei_desktop import commands
    from ei_desktop.core.backends.base import BackendError
    from ei_desktop.ops import Status
    from ei_desktop.ops.dataset_export import export_as
    from ei_desktop.terminal_progress import terminal_bar

    try:
        query = commands._query(args)
        backend = commands._backend(args)
        ids = [int(i) for i in backend.sample_ids(query)]
    except (BackendError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2 if isinstance(exc, ValueError) else 1
    if not ids:
        print("Nothing to export: no sample matches.", file=sys.stderr)
        return 1
    bar, update = terminal_bar("Exporting", total=len(ids), unit="samples")

    def written(progress) -> None:
        update(progress)
        item = progress.item
        if item is not None and item.status is Status.DONE:
            print(item.name, flush=True)

    try:
        report = export_as(backend, ids, args.output, args.format, progress=written, cancel=cancel)
    except (BackendError, OSError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    finally:
        bar.close()
    done = display.plural(len(report.done), "sample")
    print(f"Exported {done} to {args.output} ({args.format}).", file=sys.stderr)
    return commands._finish(report, "sample", unsent="not exported")


#: commands run so that Ctrl-C stops them cleanly
STOPPABLE = {"export": export}
