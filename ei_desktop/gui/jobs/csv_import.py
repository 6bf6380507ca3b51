"""Importing CSV files off the UI thread: a preview of a file, and the import itself (an op)."""

from __future__ import annotations

from ei_desktop.core.backends.base import Backend
from ei_desktop.core.progress import CancelToken
from ei_desktop.ops.report import Report
from ei_desktop.ops.table_import import CsvImportSpec, import_table

#: rows read for the preview table
PREVIEW_ROWS = 200


def read_preview(path: str):
    """A job function returning the first :data:`PREVIEW_ROWS` rows of ``path`` (DataFrame)."""

    def run(progress, cancel: CancelToken):
        import pandas as pd

        return pd.read_csv(path, nrows=PREVIEW_ROWS)

    return run


def csv_import_job(backend: Backend, spec: CsvImportSpec):
    """A job function running :func:`ei_desktop.ops.table_import.import_table`."""

    def run(progress, cancel: CancelToken) -> Report:
        return import_table(backend, spec, progress=progress, cancel=cancel)

    return run
