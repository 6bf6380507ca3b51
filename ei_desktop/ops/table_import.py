"""Importing spreadsheets (CSV files) as samples, in the four layouts the SDK's pandas
functions know: one time series per file, one sample per row, wide rows, grouped rows.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Optional

from ei_desktop.core import display, frames, naming
from ei_desktop.core.backends.base import Backend, UploadItem
from ei_desktop.core.convert import sample_to_item
from ei_desktop.core.model import Sample
from ei_desktop.core.progress import CancelToken, Progress, ProgressCallback, is_cancelled
from ei_desktop.ops.plan import Plan, Skipped, UploadOptions
from ei_desktop.ops.report import Report
from ei_desktop.ops.upload import upload

PER_FILE = "per-file"
ROWS = "rows"
WIDE = "wide"
GROUPS = "groups"

LAYOUTS: tuple[tuple[str, str], ...] = (
    (PER_FILE, "One time series per file"),
    (ROWS, "One sample per row"),
    (WIDE, "Wide: one time series per row (readings in columns)"),
    (GROUPS, "Grouped: one time series per value of a column"),
)


@dataclass
class CsvImportSpec:
    """How CSV files become samples.

    Attributes:
        files: the CSV files.
        layout: :data:`PER_FILE`, :data:`ROWS`, :data:`WIDE` or :data:`GROUPS`.
        feature_cols: sensor/feature columns (empty: every column not used otherwise).
        timestamp_col: per-file (numbers in milliseconds) and grouped (numbers in seconds)
            time column; text that reads as dates or durations is read as such.
        sample_rate_ms: milliseconds between readings (per-file and grouped without a time
            column, wide).
        label: per-file: the label of every file (``None``: the file name before its first
            dot).
        label_col, category_col, metadata_cols: columns giving labels, categories and
            metadata (per-file: ``label_col`` gives multi-label segments).
        data_col_start: wide: the first data column.
        group_by: grouped: the column naming each sample.
        category: the category when no category column is used (or ``split``).
        allow_duplicates: store content already in the project again.
    """

    files: list[str]
    layout: str = PER_FILE
    feature_cols: list[str] = field(default_factory=list)
    timestamp_col: Optional[str] = None
    sample_rate_ms: Optional[float] = None
    label: Optional[str] = None
    label_col: Optional[str] = None
    category_col: Optional[str] = None
    metadata_cols: list[str] = field(default_factory=list)
    data_col_start: Optional[str] = None
    group_by: Optional[str] = None
    category: str = naming.SPLIT
    allow_duplicates: bool = False


def _features(df, spec: CsvImportSpec, used: set) -> list:
    if spec.feature_cols:
        return list(spec.feature_cols)
    return [c for c in df.columns if c not in used]


def _read_times(df, column: str):
    """``df`` with a text time ``column`` read as dates (UTC unless they say otherwise) or
    durations, when every value reads as one; otherwise ``df`` unchanged.
    """
    import pandas as pd

    if getattr(df[column].dtype, "kind", "O") in "biufcmM":  # numbers, dates or durations
        return df
    parsers = (
        lambda text: pd.to_datetime(text, format="ISO8601", utc=True),
        pd.to_timedelta,
    )
    for parse in parsers:
        try:
            parsed = parse(df[column])
        except (ValueError, TypeError, OverflowError):
            continue
        df = df.copy()
        df[column] = parsed
        return df
    return df


def samples_from_file(path: str, spec: CsvImportSpec) -> list[Sample]:
    """The samples one CSV file gives under ``spec`` (raises ``ValueError`` with a reason)."""
    import pandas as pd

    try:
        df = pd.read_csv(path)
    except (OSError, UnicodeDecodeError, pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise ValueError(f"Cannot read the CSV file: {exc}") from exc
    if spec.timestamp_col and spec.timestamp_col in df.columns:
        df = _read_times(df, spec.timestamp_col)
    metas = list(spec.metadata_cols)
    used = {c for c in (spec.label_col, spec.category_col, spec.timestamp_col) if c}
    used.update(metas)
    if spec.layout == PER_FILE:
        used.discard(spec.timestamp_col)
        frame = df
        if spec.timestamp_col:
            frame = df.set_index(spec.timestamp_col)
        axes = _features(frame, spec, used - {spec.timestamp_col})
        label = spec.label if spec.label is not None else naming.sdk_label(path)
        sample = frames.pandas_dataframe_to_sample(
            frame,
            sample_rate_ms=None if spec.timestamp_col else spec.sample_rate_ms,
            label=label,
            filename=os.path.splitext(os.path.basename(path))[0],
            axis_columns=axes,
            label_col=spec.label_col,
            category=spec.category,
        )
        return [sample]
    if spec.layout == ROWS:
        samples = frames.samples_from_rows(
            df,
            feature_cols=_features(df, spec, used),
            label_col=spec.label_col,
            category_col=spec.category_col,
            metadata_cols=metas or None,
        )
    elif spec.layout == WIDE:
        if not spec.sample_rate_ms:
            raise ValueError("Set the interval between readings")
        samples = frames.samples_from_wide(
            df,
            sample_rate_ms=spec.sample_rate_ms,
            data_col_start=spec.data_col_start,
            label_col=spec.label_col,
            category_col=spec.category_col,
            metadata_cols=metas or None,
        )
    elif spec.layout == GROUPS:
        if not spec.group_by:
            raise ValueError("Choose the column to group by")
        timestamp_col = spec.timestamp_col
        if not timestamp_col:
            if not spec.sample_rate_ms:
                raise ValueError("Choose the time column or set the interval between readings")
            # rows at a fixed interval, counted within each group in file order
            timestamp_col = "timestamp"
            while timestamp_col in df.columns:
                timestamp_col = "_" + timestamp_col
            steps = df.groupby(spec.group_by, sort=False).cumcount()
            df = df.copy()
            df[timestamp_col] = pd.to_timedelta(steps * spec.sample_rate_ms, unit="ms")
        used.update((spec.group_by, timestamp_col))
        samples = frames.samples_from_groups(
            df,
            timestamp_col=timestamp_col,
            group_by=spec.group_by,
            feature_cols=_features(df, spec, used),
            label_col=spec.label_col,
            category_col=spec.category_col,
            metadata_cols=metas or None,
        )
    else:
        raise ValueError(f"Unknown layout {spec.layout!r}")
    if not spec.category_col:
        for sample in samples:
            sample.category = spec.category
    return samples


def import_table(
    backend: Backend,
    spec: CsvImportSpec,
    *,
    progress: Optional[ProgressCallback] = None,
    cancel: Optional[CancelToken] = None,
) -> Report:
    """Convert every file of ``spec`` and upload the samples they give.

    A file that cannot be converted is one failed item with its reason; the others go on.
    """
    plan = Plan(options=UploadOptions(allow_duplicates=spec.allow_duplicates))
    for number, path in enumerate(spec.files, start=1):
        if is_cancelled(cancel):
            break
        if progress is not None:
            name = os.path.basename(path)
            progress(Progress(0, None, message=f"Reading {name} ({number} of {len(spec.files)})…"))
        try:
            plan.items.extend(_items(samples_from_file(path, spec), path))
        except (ValueError, KeyError, TypeError, AttributeError, OSError) as exc:
            plan.skipped.append(Skipped(path, str(exc) or type(exc).__name__, failed=True))
    if progress is not None:
        count = len(plan.items)
        progress(Progress(0, count, message=f"Uploading {display.plural(count, 'sample')}…"))
    report = upload(backend, plan, progress=progress, cancel=cancel)
    report.action, report.verb = "CSV import", "imported"
    return report


def _items(samples: list[Sample], path: str) -> list[UploadItem]:
    items = []
    for sample in samples:
        item = sample_to_item(sample)
        item.key = f"{path} → {item.filename}" if len(samples) > 1 else path
        items.append(item)
    return items
