"""pandas DataFrames as samples, in the four layouts of the official SDK (the conversion itself
is in :mod:`ei_desktop.core.frames`).
"""

from __future__ import annotations

from typing import Literal, Optional

from ei_desktop.core import frames
from ei_desktop.core.connection import ProjectArg
from ei_desktop.core.model import Sample, UploadSamplesResponse
from ei_desktop.core.progress import CancelToken, ProgressCallback
from ei_desktop.data.upload import upload_samples


def pandas_dataframe_to_sample(
    df,
    sample_rate_ms: Optional[int] = None,
    label: Optional[str] = None,
    filename: Optional[str] = None,
    axis_columns: Optional[list[str]] = None,
    metadata: Optional[dict] = None,
    label_col: Optional[str] = None,
    category: Literal["training", "testing", "split"] = "split",
) -> Sample:
    """One sample (CSV) from a DataFrame: a time series when it has more than one row."""
    return frames.pandas_dataframe_to_sample(
        df,
        sample_rate_ms=sample_rate_ms,
        label=label,
        filename=filename,
        axis_columns=axis_columns,
        metadata=metadata,
        label_col=label_col,
        category=category,
    )


def upload_pandas_sample(
    df,
    label: Optional[str] = None,
    sample_rate_ms: Optional[int] = None,
    filename: Optional[str] = None,
    axis_columns: Optional[list[str]] = None,
    metadata: Optional[dict] = None,
    label_col: Optional[str] = None,
    category: Literal["training", "testing", "split"] = "split",
    *,
    allow_duplicates: bool = False,
    api_key: Optional[str] = None,
    project: ProjectArg = None,
) -> UploadSamplesResponse:
    """Upload a DataFrame as one sample (see :func:`pandas_dataframe_to_sample`)."""
    sample = pandas_dataframe_to_sample(
        df,
        sample_rate_ms=sample_rate_ms,
        label=label,
        filename=filename,
        axis_columns=axis_columns,
        metadata=metadata,
        label_col=label_col,
        category=category,
    )
    return upload_samples(
        sample, allow_duplicates=allow_duplicates, api_key=api_key, project=project
    )


def upload_pandas_dataframe(
    df,
    feature_cols: list[str],
    label_col: Optional[str] = None,
    category_col: Optional[str] = None,
    metadata_cols: Optional[list[str]] = None,
    *,
    allow_duplicates: bool = False,
    api_key: Optional[str] = None,
    show_progress: bool = False,
    progress: Optional[ProgressCallback] = None,
    cancel: Optional[CancelToken] = None,
    project: ProjectArg = None,
) -> UploadSamplesResponse:
    """Upload each row of a DataFrame as one non-time-series sample."""
    samples = frames.samples_from_rows(df, feature_cols, label_col, category_col, metadata_cols)
    return upload_samples(
        samples,
        allow_duplicates=allow_duplicates,
        api_key=api_key,
        show_progress=show_progress,
        progress=progress,
        cancel=cancel,
        project=project,
    )


def upload_pandas_dataframe_wide(
    df,
    sample_rate_ms: int,
    data_col_start: Optional[int] = None,
    label_col: Optional[str] = None,
    category_col: Optional[str] = None,
    metadata_cols: Optional[list[str]] = None,
    data_col_length: Optional[int] = None,
    data_axis_cols: Optional[list[str]] = None,
    *,
    allow_duplicates: bool = False,
    api_key: Optional[str] = None,
    show_progress: bool = False,
    progress: Optional[ProgressCallback] = None,
    cancel: Optional[CancelToken] = None,
    project: ProjectArg = None,
) -> UploadSamplesResponse:
    """Upload each row of a wide DataFrame (one column per time point) as a time series."""
    samples = frames.samples_from_wide(
        df,
        sample_rate_ms,
        data_col_start=data_col_start,
        label_col=label_col,
        category_col=category_col,
        metadata_cols=metadata_cols,
        data_col_length=data_col_length,
        data_axis_cols=data_axis_cols,
    )
    return upload_samples(
        samples,
        allow_duplicates=allow_duplicates,
        api_key=api_key,
        show_progress=show_progress,
        progress=progress,
        cancel=cancel,
        project=project,
    )


def upload_pandas_dataframe_with_group(
    df,
    timestamp_col: str,
    group_by: str,
    feature_cols: list[str],
    label_col: Optional[str] = None,
    category_col: Optional[str] = None,
    metadata_cols: Optional[list[str]] = None,
    *,
    allow_duplicates: bool = False,
    api_key: Optional[str] = None,
    show_progress: bool = False,
    progress: Optional[ProgressCallback] = None,
    cancel: Optional[CancelToken] = None,
    project: ProjectArg = None,
) -> UploadSamplesResponse:
    """Upload a long DataFrame where ``group_by`` tells which rows form each time series
    (timestamps in seconds or datetimes).
    """
    samples = frames.samples_from_groups(
        df,
        timestamp_col,
        group_by,
        feature_cols,
        label_col=label_col,
        category_col=category_col,
        metadata_cols=metadata_cols,
    )
    return upload_samples(
        samples,
        allow_duplicates=allow_duplicates,
        api_key=api_key,
        show_progress=show_progress,
        progress=progress,
        cancel=cancel,
        project=project,
    )
