"""Turn numpy arrays and DataFrames into :class:`~ei_desktop.core.model.Sample` objects.

These are the conversions behind ``upload_numpy`` and the ``upload_pandas_*`` functions of
the official ``edgeimpulse.data`` module, without the upload (``ei_desktop.data`` wraps each
of them with one). The produced CSV and JSON texts are the same as the official SDK's
wherever the official output is correct; the official bugs (contract §7, items 15–19) are
fixed here:

* the caller's DataFrame is never modified;
* a ``TimedeltaIndex`` becomes total milliseconds, a ``DatetimeIndex`` epoch milliseconds;
* a non-monotonic index, a wrongly shaped numpy sample or a group with several labels
  raises a :class:`ValueError` naming the sample, row, group or column;
* labels are ``str``, categories default to ``"split"``, metadata values are ``str``;
* random file names always have 16 hex digits.

pandas is not imported at module import time: frames are handled by duck typing, as in the
official SDK, and pandas is only imported inside the functions that need it.
"""

from __future__ import annotations

import csv
import io
import json
import math
import numbers
import random
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict
from typing import Any, Optional

import numpy as np

from ei_desktop.core.model import DataAcquisition, Payload, Protected, Sample, Sensor

__all__ = [
    "DEVICE_TYPE",
    "numpy_samples",
    "numpy_timeseries_to_sample",
    "pandas_dataframe_to_sample",
    "row_fields",
    "samples_from_groups",
    "samples_from_rows",
    "samples_from_wide",
    "to_category",
    "to_label",
    "to_metadata",
]

#: ``payload.device_type`` of every acquisition file built from numpy data
DEVICE_TYPE = "EDGE_IMPULSE_PYTHON_SDK"

#: name of the time column of the CSV ingestion format
TIMESTAMP = "timestamp"

MSG_NO_DF_MODULE = (
    "DataFrame methods on input object not found. DataFrame support "
    "requires pandas (or similar) to be installed."
)

_NS_PER_MS = 1_000_000


# --------------------------------------------------------------------------------------
# small helpers
# --------------------------------------------------------------------------------------


def _random_name() -> str:
    """16 random hex digits (the official ``%08x`` of 64 bits gives 15 or 16)."""
    return f"{random.getrandbits(64):016x}"


def _is_missing(value: Any) -> bool:
    """Tell whether ``value`` is ``None``, NaN, ``pd.NA`` or ``NaT``; never raise."""
    if value is None:
        return True
    if isinstance(value, (float, np.floating)):
        return math.isnan(value)
    if isinstance(value, (str, bytes, bool, int, np.integer, np.bool_)):
        return False
    try:
        import pandas as pd
    except ImportError:  # pragma: no cover - pandas is a dependency
        return False
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):  # arrays, lists and other non-scalars
        return False


def _safe_filename_part(value: Any) -> str:
    """``str(value)`` with path separators (and NUL) replaced by ``_``; never empty."""
    text = str(value)
    for bad in ("/", "\\", "\x00"):
        text = text.replace(bad, "_")
    return text or "_"


def _check_rate(sample_rate_ms: Any, name: str = "sample_rate_ms") -> float | int:
    """Validate an interval in milliseconds: a finite number > 0 (numpy scalars unwrapped)."""
    if isinstance(sample_rate_ms, np.generic):
        sample_rate_ms = sample_rate_ms.item()
    if (
        isinstance(sample_rate_ms, bool)
        or not isinstance(sample_rate_ms, numbers.Real)
        or not math.isfinite(sample_rate_ms)
        or sample_rate_ms <= 0
    ):
        raise ValueError(f"{name} must be a number of milliseconds > 0, got {sample_rate_ms!r}")
    return sample_rate_ms


def _multiples(count: int, rate: float | int) -> np.ndarray:
    """``0, rate, 2*rate, …`` (``count`` values): int64 for whole rates, else floats."""
    if float(rate).is_integer():
        return np.arange(count, dtype=np.int64) * int(rate)
    # round away float noise (0.30000000000000004) at nanosecond precision
    return np.round(np.arange(count, dtype=np.float64) * float(rate), 6)


def _column_list(columns: Any) -> list:
    """``None`` → ``[]``, a single column name → ``[name]``, anything iterable → list."""
    if columns is None:
        return []
    if isinstance(columns, (str, bytes)) or not isinstance(columns, Iterable):
        return [columns]
    return list(columns)


def _require_frame(df: Any, *methods: str) -> None:
    """Raise the official ``AttributeError`` unless ``df`` looks like a DataFrame."""
    for method in ("columns", *methods):
        attr = getattr(df, method, None)
        if attr is None or (method != "columns" and not callable(attr)):
            raise AttributeError(MSG_NO_DF_MODULE)


def _require_columns(df: Any, columns: Iterable, *, what: str = "column") -> None:
    """Raise ``ValueError`` naming every column of ``columns`` (``None`` skipped) not in ``df``."""
    present = df.columns
    missing = [c for c in columns if c is not None and c not in present]
    if missing:
        names = ", ".join(repr(c) for c in missing)
        raise ValueError(
            f"{what.capitalize()}{'s' if len(missing) > 1 else ''} not found in the DataFrame: "
            f"{names} (columns are: {', '.join(repr(c) for c in present)})"
        )


# --------------------------------------------------------------------------------------
# label / category / metadata normalisation
# --------------------------------------------------------------------------------------


def to_label(value: Any) -> Optional[str]:
    """Return a label as ``str``; ``None`` for a missing value (``None``, NaN, ``pd.NA``, ``NaT``).

    numpy strings become plain ``str``, numbers their ``str()`` (``1`` → ``"1"``), ``bytes``
    are decoded as UTF-8. ``""`` stays ``""`` (an explicitly unlabeled sample).
    """
    if _is_missing(value):
        return None
    if isinstance(value, bytes):
        return value.decode("utf-8", errors="replace")
    return str(value)


def to_category(value: Any) -> str:
    """Return a category as ``str``; a missing or blank value becomes ``"split"``."""
    if _is_missing(value):
        return "split"
    text = value.decode("utf-8", errors="replace") if isinstance(value, bytes) else str(value)
    text = text.strip()
    return text or "split"


def to_metadata(metadata: Optional[Mapping]) -> Optional[dict]:
    """``{str(key): str(value)}`` (a new dict), or ``None`` when ``metadata`` is ``None``.

    Values are stringified like the official ``row_metadata`` does (a missing value becomes
    ``"nan"``), so numpy scalars (``int64``) never break the JSON encoding.
    """
    if metadata is None:
        return None
    if not isinstance(metadata, Mapping):
        raise ValueError("The 'metadata' argument must be a dictionary or None.")
    return {str(k): str(v) for k, v in metadata.items()}


def row_fields(
    row: Any,
    label_col: Any = None,
    category_col: Any = None,
    metadata_cols: Optional[Sequence] = None,
) -> tuple[Optional[str], str, Optional[dict]]:
    """Return the ``(label, category, metadata)`` of one row, normalised.

    Args:
        row: anything indexable by column name (a pandas ``Series`` from ``iterrows``, a
            dict).
        label_col: column holding the label, or ``None``.
        category_col: column holding the category, or ``None``.
        metadata_cols: columns whose values become the metadata, or ``None``.

    Returns:
        ``label``: ``str`` or ``None`` (no column, or a missing value);
        ``category``: ``str``, ``"split"`` when there is no column or the value is missing
        or blank; ``metadata``: ``{column: str(value)}`` or ``None`` without columns.
    """
    label = to_label(row[label_col]) if label_col is not None else None
    category = to_category(row[category_col] if category_col is not None else None)
    cols = _column_list(metadata_cols)
    metadata = to_metadata({c: row[c] for c in cols}) if cols else None
    return label, category, metadata


def _fields_per_row(
    df: Any, label_col: Any, category_col: Any, metadata_cols: list
) -> list[tuple[Optional[str], str, Optional[dict]]]:
    """:func:`row_fields` for every row of ``df``, reading each column once."""
    wanted = [c for c in dict.fromkeys([label_col, category_col, *metadata_cols]) if c is not None]
    columns = {c: df[c].tolist() for c in wanted}
    out = []
    for i in range(len(df)):
        row = {c: values[i] for c, values in columns.items()}
        out.append(row_fields(row, label_col, category_col, metadata_cols))
    return out


# --------------------------------------------------------------------------------------
# numpy
# --------------------------------------------------------------------------------------


def _sensor_list(sensors: Any) -> list[Sensor]:
    """Sensors given as :class:`Sensor` (ours or the official), objects or dicts → ours."""
    if sensors is None or isinstance(sensors, (str, bytes, Mapping, Sensor)):
        raise ValueError(
            "sensors must be a list of Sensor objects or {'name': ..., 'units': ...} dicts"
        )
    out: list[Sensor] = []
    for i, sensor in enumerate(sensors):
        if isinstance(sensor, Mapping):
            if "name" not in sensor:
                raise ValueError(f"Sensor {i} has no 'name': {sensor!r}")
            name, units = sensor["name"], sensor.get("units", "m/s")
        elif hasattr(sensor, "name"):
            name, units = sensor.name, getattr(sensor, "units", "m/s")
        else:
            raise ValueError(
                f"Sensor {i} must be a Sensor or a {{'name': ..., 'units': ...}} dict, "
                f"got {type(sensor).__name__}"
            )
        out.append(Sensor(name=str(name), units=str(units)))
    if not out:
        raise ValueError("At least one sensor is needed (one per axis of the data)")
    return out


def _checked_rows(values: Any, n_sensors: int, where: str, allow_flat: bool) -> list:
    """``values`` as nested lists after checking it is a (time points × axes) number grid."""
    rows = values.tolist() if hasattr(values, "tolist") else values
    try:
        arr = np.asarray(values)
    except ValueError:
        raise ValueError(
            f"{where}: the rows have different lengths (expected time points × {n_sensors} axes)"
        ) from None
    if arr.dtype.kind == "O":
        flat = arr.ravel()
        if not all(
            isinstance(v, numbers.Real) and not isinstance(v, (bool, np.bool_)) for v in flat
        ):
            raise ValueError(f"{where}: values must be numbers")
    elif arr.dtype.kind not in "biuf":
        raise ValueError(f"{where}: values must be numbers, got dtype {arr.dtype}")
    if arr.ndim == 1 and allow_flat and n_sensors == 1:
        if arr.shape[0] == 0:
            raise ValueError(f"{where}: there are no time points")
        return rows
    if arr.ndim != 2:
        raise ValueError(
            f"{where}: expected a 2-D array (time points × axes), got shape {arr.shape}"
        )
    if arr.shape[0] == 0:
        raise ValueError(f"{where}: there are no time points")
    if arr.shape[1] != n_sensors:
        raise ValueError(
            f"{where}: number of sensors ({n_sensors}) doesn't match the number of axes in "
            f"the data ({arr.shape[1]})"
        )
    return rows


def _acquisition_text(rows: list, sensors: list[Sensor], interval: Any) -> str:
    """JSON text of the acquisition format, byte for byte as the official builds it."""
    # ``asdict`` deep-copies its input; build the envelope with empty values and put the
    # (possibly large) rows in afterwards — same keys, same order, same text.
    doc = asdict(
        DataAcquisition(
            protected=Protected(),
            payload=Payload(
                device_type=DEVICE_TYPE, interval_ms=interval, values=[], sensors=sensors
            ),
        )
    )
    doc["payload"]["values"] = rows
    return json.dumps(doc, default=_json_default)


def _json_default(value: Any) -> Any:
    """Encode numpy scalars and arrays left inside nested lists (e.g. a list of ``np.int64``)."""
    if isinstance(value, (np.generic, np.ndarray)):
        return value.tolist()
    raise TypeError(f"Object of type {type(value).__name__} is not JSON serializable")


def numpy_timeseries_to_sample(values: Any, sensors: Sequence[Any], sample_rate_ms: Any) -> Sample:
    """Convert one time series to a sample in the Edge Impulse data acquisition format.

    Args:
        values: the readings, time points × axes: a numpy array or nested lists (a flat
            list is accepted when there is a single sensor).
        sensors: one per axis: :class:`Sensor` objects or ``{"name": ..., "units": ...}``
            dicts.
        sample_rate_ms: milliseconds between consecutive time points (> 0).

    Returns:
        A :class:`Sample` whose ``data`` is the JSON text of the acquisition format (as the
        official SDK writes it) and whose ``filename`` is 16 random hex digits + ``.json``.

    Raises:
        ValueError: the values are not a grid of numbers with one column per sensor, or the
            interval is not a positive number.
    """
    sensor_objs = _sensor_list(sensors)
    interval = _check_rate(sample_rate_ms)
    rows = _checked_rows(values, len(sensor_objs), "values", allow_flat=True)
    return Sample(
        filename=f"{_random_name()}.json",
        data=_acquisition_text(rows, sensor_objs, interval),
    )


def _split_samples(data: Any) -> list:
    """Return the per-sample arrays of a 3-D array or of a list of 2-D arrays."""
    if data is None or isinstance(data, (str, bytes, Mapping)):
        raise ValueError(
            "data must be a 3-D array (samples × time points × axes) or a list of 2-D arrays"
        )
    ndim = getattr(data, "ndim", None)
    is_object = getattr(getattr(data, "dtype", None), "kind", "O") == "O"
    if ndim is not None and not is_object and ndim != 3:
        hint = " (for single-axis data add an axis: data[..., np.newaxis])" if ndim == 2 else ""
        raise ValueError(
            "data must be a 3-D array (samples × time points × axes), "
            f"got shape {tuple(data.shape)}{hint}"
        )
    return list(data)


def numpy_samples(
    data: Any,
    labels: Any,
    sensors: Sequence[Any],
    sample_rate_ms: Any,
    metadata: Optional[Mapping] = None,
    category: Optional[str] = "split",
) -> list[Sample]:
    """Build one acquisition-format sample per time series (what ``upload_numpy`` uploads).

    Args:
        data: a 3-D array (samples × time points × axes) or a list of 2-D arrays (time
            points × axes; series may differ in length).
        labels: one label per sample (list or array; converted to ``str``, missing values
            become ``None``), or ``None`` for no labels.
        sensors: one per axis: :class:`Sensor` objects or ``{"name", "units"}`` dicts.
        sample_rate_ms: milliseconds between consecutive time points (> 0).
        metadata: metadata for every sample; values are stringified.
        category: category of every sample (``None`` or blank → ``"split"``).

    Returns:
        One :class:`Sample` per series, in order, each with its own metadata dict.

    Raises:
        ValueError: the shape is wrong (message names the sample index), a sample's axis
            count differs from ``len(sensors)``, or the number of labels differs from the
            number of samples.
    """
    sensor_objs = _sensor_list(sensors)
    interval = _check_rate(sample_rate_ms)
    items = _split_samples(data)
    if labels is None:
        label_list: list = [None] * len(items)
    else:
        if isinstance(labels, (str, bytes)):
            raise ValueError("labels must be a list with one label per sample, not a string")
        label_list = labels.tolist() if hasattr(labels, "tolist") else list(labels)
        if len(label_list) != len(items):
            raise ValueError(
                f"Labels length ({len(label_list)}) must be equal to the number of samples "
                f"given ({len(items)})"
            )
    meta = to_metadata(metadata)
    cat = to_category(category)

    rows_per_sample = [
        _checked_rows(values, len(sensor_objs), f"sample {i}", allow_flat=False)
        for i, values in enumerate(items)
    ]
    samples = []
    for rows, label in zip(rows_per_sample, label_list, strict=True):
        samples.append(
            Sample(
                filename=f"{_random_name()}.json",
                data=_acquisition_text(rows, sensor_objs, interval),
                label=to_label(label),
                metadata=dict(meta) if meta is not None else None,
                category=cat,
            )
        )
    return samples


# --------------------------------------------------------------------------------------
# pandas: one frame → one sample
# --------------------------------------------------------------------------------------


def _as_ns(index: Any) -> np.ndarray:
    """int64 nanoseconds of a datetime/timedelta index (UTC for tz-aware datetimes)."""
    if hasattr(index, "as_unit"):
        index = index.as_unit("ns")
    return np.asarray(index.asi8, dtype=np.int64)


def _ns_to_ms(ns: np.ndarray, *, exact: bool) -> np.ndarray:
    """Nanoseconds → milliseconds: int64 (floored) unless ``exact`` and some are fractional."""
    if not exact or not np.any(ns % _NS_PER_MS):
        return ns // _NS_PER_MS
    return ns / _NS_PER_MS


def _temporal_ms(index: Any, what: str) -> Optional[np.ndarray]:
    """Return ms of a timedelta (total) or datetime (epoch) index; ``None`` for other indexes."""
    kind = getattr(getattr(index, "dtype", None), "kind", None)
    if kind not in ("m", "M"):
        return None
    if getattr(index, "hasnans", False):
        raise ValueError(f"{what} has missing values (NaT)")
    ns = _as_ns(index)
    return _ns_to_ms(ns, exact=kind == "m")


def _index_to_ms(index: Any) -> np.ndarray:
    """Return the index of a time-series frame as millisecond timestamps, validated."""
    if getattr(index, "nlevels", 1) > 1:
        raise ValueError(
            "A MultiIndex cannot be used as timestamps; reset it or pass sample_rate_ms"
        )
    ms = _temporal_ms(index, "The index")
    if ms is None:
        kind = getattr(getattr(index, "dtype", None), "kind", None)
        if kind in ("i", "u"):
            try:
                ms = np.asarray(index, dtype=np.int64)
            except (TypeError, ValueError):
                raise ValueError("The index has missing values; pass sample_rate_ms") from None
        elif kind == "f":
            ms = np.asarray(index, dtype=np.float64)
            if not np.all(np.isfinite(ms)):
                raise ValueError("The index has missing or infinite values; pass sample_rate_ms")
        else:
            raise ValueError(
                "The index must hold numbers (milliseconds), timedeltas or datetimes to be "
                f"used as timestamps, got dtype {getattr(index, 'dtype', type(index))}; "
                "pass sample_rate_ms instead"
            )
    steps = np.diff(ms)
    if np.any(steps < 0):
        row = int(np.flatnonzero(steps < 0)[0]) + 1
        raise ValueError(
            "Index should be monotonically increasing in order to detect sample rate "
            f"(it decreases at row {row}: {ms[row - 1]} → {ms[row]} ms). Sort the frame or "
            "specify sample_rate_ms."
        )
    if ms[-1] == ms[0]:
        raise ValueError(
            "The index does not increase (every timestamp is the same); specify sample_rate_ms"
        )
    return ms


def _structured_labels(values: list, label_col: Any) -> list[dict]:
    """Turn runs of equal labels into ``[{"startIndex", "endIndex", "label"}]`` (inclusive)."""
    labels = []
    for i, value in enumerate(values):
        label = to_label(value)
        if label is None:
            raise ValueError(f"Label column {label_col!r} has a missing value at row {i}")
        labels.append(label)
    out = []
    start = 0
    for i in range(1, len(labels)):
        if labels[i] != labels[i - 1]:
            out.append({"startIndex": start, "endIndex": i - 1, "label": labels[i - 1]})
            start = i
    out.append({"startIndex": start, "endIndex": len(labels) - 1, "label": labels[-1]})
    return out


def pandas_dataframe_to_sample(
    df: Any,
    sample_rate_ms: Any = None,
    label: Optional[str] = None,
    filename: Optional[str] = None,
    axis_columns: Optional[Sequence] = None,
    metadata: Optional[Mapping] = None,
    label_col: Any = None,
    category: Optional[str] = "split",
) -> Sample:
    """Convert a DataFrame into one CSV sample, time series or not.

    A frame with more than one row is a time series: the CSV starts with a ``timestamp``
    column in milliseconds, taken from ``sample_rate_ms`` (``0, rate, 2*rate…``) or else
    from the index: numbers are used as milliseconds, a ``TimedeltaIndex`` becomes total
    milliseconds and a ``DatetimeIndex`` epoch milliseconds. A single row is a
    non-time-series sample (``A,B,C`` / ``1,4,2``, no timestamp). The caller's frame is never
    modified.

    Args:
        df: the DataFrame.
        sample_rate_ms: milliseconds between rows; ``None`` infers timestamps from the index.
        label: label of the sample.
        filename: name without extension (``.csv`` is appended); default 16 random hex
            digits.
        axis_columns: the columns to keep as sensor axes (default: all).
        metadata: metadata of the sample (values stringified).
        label_col: a column of labels: for a time series it becomes structured labels (runs
            of equal labels, inclusive ``endIndex``); for a single row it is the label when
            ``label`` is not given. The column is never written to the CSV.
        category: category of the sample (``None`` → ``"split"``).

    Returns:
        A :class:`Sample` whose ``data`` is a ``StringIO`` with the CSV text and whose
        ``filename`` ends in ``.csv``.

    Raises:
        AttributeError: ``df`` is not a DataFrame.
        ValueError: bad arguments, missing columns, an empty frame, or (without
            ``sample_rate_ms``) an index that cannot serve as increasing timestamps.
    """
    if not hasattr(df, "reset_index") or not callable(df.reset_index):
        raise AttributeError(MSG_NO_DF_MODULE)
    _require_frame(df, "to_csv")
    if axis_columns is not None and (
        not isinstance(axis_columns, (list, tuple))
        or not all(isinstance(c, (str, int, np.integer)) for c in axis_columns)
    ):
        raise ValueError("The 'axis_columns' argument must be a list of strings.")
    meta = to_metadata(metadata)
    _require_columns(df, [*(axis_columns or []), label_col])

    frame = df
    label_values = df[label_col].tolist() if label_col is not None else None
    if axis_columns:
        frame = frame[[c for c in axis_columns if c != label_col]]
    elif label_col is not None:
        frame = frame.drop(columns=[label_col])
    rows = len(frame)
    if rows == 0:
        raise ValueError("The DataFrame has no rows")
    if len(frame.columns) == 0:
        raise ValueError("The DataFrame has no data columns")

    is_time_series = rows > 1
    structured_labels = None
    if label_values is not None:
        if is_time_series:
            structured_labels = _structured_labels(label_values, label_col)
        elif label is None:
            label = to_label(label_values[0])

    buf = io.StringIO()
    if is_time_series:
        if TIMESTAMP in frame.columns:
            raise ValueError(
                f"The DataFrame has a column named {TIMESTAMP!r}, which clashes with the "
                "timestamp column written from the index; make it the index "
                f"(df.set_index({TIMESTAMP!r})) or rename it"
            )
        if sample_rate_ms is not None:
            timestamps = _multiples(rows, _check_rate(sample_rate_ms))
        else:
            timestamps = _index_to_ms(frame.index)
        frame = frame.set_axis(timestamps, axis=0)  # a new frame: the caller's is untouched
        frame.to_csv(buf, index=True, index_label=TIMESTAMP, lineterminator="\n")
    else:
        frame.to_csv(buf, index=False, lineterminator="\n")
    buf.seek(0)

    if not filename:
        filename = _random_name()
    return Sample(
        filename=f"{filename}.csv",
        metadata=meta,
        label=label,
        data=buf,
        structured_labels=structured_labels,
        category=to_category(category),
    )


# --------------------------------------------------------------------------------------
# pandas: one frame → many samples
# --------------------------------------------------------------------------------------


def _row_lines(frame: Any) -> tuple[str, list[str]]:
    """Header line and one CSV line per row of ``frame`` (each as to_csv writes a 1-row frame)."""
    if all(getattr(d, "kind", "O") in "biufcmM" for d in frame.dtypes):
        # numbers and dates never contain line breaks: write the frame once and split it
        lines = frame.to_csv(index=False, lineterminator="\n").split("\n")
        if len(lines) == len(frame) + 2 and lines[-1] == "":
            return lines[0] + "\n", [line + "\n" for line in lines[1:-1]]
    header = frame.iloc[[]].to_csv(index=False, lineterminator="\n")
    out = []
    for i in range(len(frame)):
        text = frame.iloc[[i]].to_csv(index=False, lineterminator="\n")
        out.append(text[len(header) :])
    return header, out


def samples_from_rows(
    df: Any,
    feature_cols: Sequence,
    label_col: Any = None,
    category_col: Any = None,
    metadata_cols: Optional[Sequence] = None,
) -> list[Sample]:
    """Build one single-row, non-time-series CSV sample per row (``upload_pandas_dataframe``).

    Each sample's CSV is the ``feature_cols`` header and the row's values (``A,B,C`` /
    ``1,4,2``), each column keeping its own dtype.

    Args:
        df: the DataFrame.
        feature_cols: the columns written to each CSV.
        label_col: column with each row's label (``str``; missing → ``None``).
        category_col: column with each row's category (missing or blank → ``"split"``).
        metadata_cols: columns whose stringified values become each row's metadata.

    Returns:
        One :class:`Sample` per row, in order, each with a random 16-hex-digit ``.csv`` name.

    Raises:
        AttributeError: ``df`` is not a DataFrame.
        ValueError: a named column does not exist, or ``feature_cols`` is empty.
    """
    _require_frame(df, "iterrows")
    features = _column_list(feature_cols)
    metas = _column_list(metadata_cols)
    if not features:
        raise ValueError("feature_cols must name at least one column")
    _require_columns(df, [*features, label_col, category_col, *metas])

    header, lines = _row_lines(df[features])
    fields = _fields_per_row(df, label_col, category_col, metas)
    samples = []
    for line, (label, category, metadata) in zip(lines, fields, strict=True):
        samples.append(
            Sample(
                filename=f"{_random_name()}.csv",
                data=io.StringIO(header + line),
                label=label,
                category=category,
                metadata=metadata,
            )
        )
    return samples


def _wide_columns(df: Any, data_col_start: Any, data_col_length: Any, excluded: set) -> list:
    """Return the data columns of a wide frame (single axis)."""
    columns = list(df.columns)
    if data_col_start is None:
        start = 0
    elif isinstance(data_col_start, (int, np.integer)) and not isinstance(data_col_start, bool):
        start = int(data_col_start)
        if not -len(columns) <= start < len(columns):
            raise ValueError(
                f"data_col_start ({start}) is outside the {len(columns)} columns of the DataFrame"
            )
    elif data_col_start in df.columns:
        start = columns.index(data_col_start)
    else:
        raise ValueError(
            "data_col_start must be a column position (int) or a column name, "
            f"got {data_col_start!r}"
        )
    data = [c for c in columns[start:] if c not in excluded]
    if data_col_length is not None:
        if (
            isinstance(data_col_length, bool)
            or not isinstance(data_col_length, (int, np.integer))
            or data_col_length <= 0
        ):
            raise ValueError(f"data_col_length must be an integer > 0, got {data_col_length!r}")
        if data_col_length > len(data):
            raise ValueError(
                f"data_col_length ({data_col_length}) is more than the {len(data)} data "
                "columns available"
            )
        data = data[: int(data_col_length)]
    if not data:
        raise ValueError("There are no data columns in the DataFrame")
    return data


def samples_from_wide(
    df: Any,
    sample_rate_ms: Any,
    data_col_start: Any = None,
    label_col: Any = None,
    category_col: Any = None,
    metadata_cols: Optional[Sequence] = None,
    data_col_length: Optional[int] = None,
    data_axis_cols: Optional[Sequence[str]] = None,
) -> list[Sample]:
    """Build one time-series sample per row of a wide frame (``upload_pandas_dataframe_wide``).

    Single axis (``data_axis_cols=None``): the row's data columns, in order, are the readings
    of one axis named after the row's index label (CSV ``timestamp,<index>`` / ``0,0.8`` /
    ``100,0.7``…). Data columns are those from position ``data_col_start`` (default: the
    first), never the label, category or metadata columns, limited to ``data_col_length``
    when given.

    Multi axis: ``data_axis_cols=["x", "y"]`` with ``data_col_length=n`` reads the columns
    ``x0, y0, x1, y1, … x{n-1}, y{n-1}``; the CSV is ``timestamp,x,y`` then one line per time
    point (LF line ends).

    Args:
        df: the DataFrame.
        sample_rate_ms: milliseconds between readings (> 0).
        data_col_start: position (or name) of the first data column.
        label_col: column with each row's label.
        category_col: column with each row's category (missing → ``"split"``).
        metadata_cols: columns whose stringified values become each row's metadata.
        data_col_length: number of readings per series (required for multi axis).
        data_axis_cols: axis name prefixes for multi-axis data.

    Returns:
        One :class:`Sample` per row, in order.

    Raises:
        AttributeError: ``df`` is not a DataFrame.
        ValueError: missing columns or bad arguments.
    """
    _require_frame(df, "iterrows")
    rate = _check_rate(sample_rate_ms)
    metas = _column_list(metadata_cols)
    _require_columns(df, [label_col, category_col, *metas])
    fields = _fields_per_row(df, label_col, category_col, metas)
    samples: list[Sample] = []

    if data_axis_cols is None:
        excluded = {c for c in (label_col, category_col, *metas) if c is not None}
        data = df[_wide_columns(df, data_col_start, data_col_length, excluded)]
        for i in range(len(data)):
            row = data.iloc[i]  # a new Series named after the row's index label
            long = row.to_frame().reset_index(drop=True)
            sample = pandas_dataframe_to_sample(long, sample_rate_ms=rate)
            sample.label, sample.category, sample.metadata = fields[i]
            samples.append(sample)
        return samples

    axes = _column_list(data_axis_cols)
    if not axes:
        raise ValueError("data_axis_cols must name at least one axis")
    if data_col_length is None:
        raise ValueError("The data_col_length must be set to an integer")
    if (
        isinstance(data_col_length, bool)
        or not isinstance(data_col_length, (int, np.integer))
        or data_col_length <= 0
    ):
        raise ValueError(f"data_col_length must be an integer > 0, got {data_col_length!r}")
    dim_columns = [[f"{col}{i}" for col in axes] for i in range(int(data_col_length))]
    all_columns = [col for sub in dim_columns for col in sub]
    missing = [col for col in all_columns if col not in df.columns]
    if missing:
        raise ValueError(f"Can't find the following columns: {missing}")
    values = {col: df[col].tolist() for col in all_columns}
    timestamps = _multiples(len(dim_columns), rate).tolist()
    for r in range(len(df)):
        buf = io.StringIO()
        writer = csv.writer(buf, lineterminator="\n")
        writer.writerow([TIMESTAMP, *axes])
        for t, cols in zip(timestamps, dim_columns, strict=True):
            writer.writerow([t, *(values[c][r] for c in cols)])
        buf.seek(0)
        label, category, metadata = fields[r]
        samples.append(
            Sample(
                filename=f"{_random_name()}.csv",
                data=buf,
                label=label,
                category=category,
                metadata=metadata,
            )
        )
    return samples


def _seconds_column_to_ms(column: Any, name: Any) -> np.ndarray:
    """Convert a timestamp column to int64 ms.

    Numbers are seconds (``int(s * 1000)``), datetimes become epoch ms, timedeltas total ms.
    """
    import pandas as pd

    kind = getattr(column.dtype, "kind", "O")
    if kind in ("m", "M"):
        ms = _temporal_ms(pd.Index(column), f"Timestamp column {name!r}")
        assert ms is not None
        return ms
    if kind in ("i", "u"):
        try:
            return np.asarray(column, dtype=np.int64) * 1000
        except (TypeError, ValueError):
            raise ValueError(f"Timestamp column {name!r} has missing values") from None
    if kind == "f":
        seconds = np.asarray(column, dtype=np.float64)
        if not np.all(np.isfinite(seconds)):
            raise ValueError(f"Timestamp column {name!r} has missing or infinite values")
        return np.trunc(seconds * 1000).astype(np.int64)
    out = []
    for i, value in enumerate(column.tolist()):
        if isinstance(value, numbers.Real) and not isinstance(value, (bool, np.bool_)):
            if not math.isfinite(value):
                raise ValueError(f"Timestamp column {name!r} has a missing value at row {i}")
            out.append(int(value * 1000))
            continue
        if _is_missing(value):
            raise ValueError(f"Timestamp column {name!r} has a missing value at row {i}")
        if isinstance(value, (pd.Timestamp, np.datetime64)) or hasattr(value, "timestamp"):
            stamp = pd.Timestamp(value)
            out.append(int(stamp.as_unit("ns").value // _NS_PER_MS))
            continue
        if isinstance(value, (pd.Timedelta, np.timedelta64)) or hasattr(value, "total_seconds"):
            out.append(int(pd.Timedelta(value).as_unit("ns").value // _NS_PER_MS))
            continue
        raise ValueError(
            f"Unsupported timestamp {value!r} ({type(value).__name__}) in column {name!r} at "
            f"row {i}: expected seconds (numbers), datetimes or timedeltas"
        )
    return np.asarray(out, dtype=np.int64)


def _one_value(column: Any, positions: np.ndarray, name: Any, what: str, group: Any) -> Any:
    """Return the single value of ``column`` over ``positions``; ``ValueError`` if several."""
    values = column.iloc[positions].unique()
    if len(values) > 1:
        shown = ", ".join(repr(v) for v in list(values)[:5])
        raise ValueError(
            f'More than one {what} value found in column "{name}" for group "{group}": {shown}'
        )
    return values[0]


def samples_from_groups(
    df: Any,
    timestamp_col: Any,
    group_by: Any,
    feature_cols: Sequence,
    label_col: Any = None,
    category_col: Any = None,
    metadata_cols: Optional[Sequence] = None,
) -> list[Sample]:
    """Build one time-series sample per group of rows (``upload_pandas_dataframe_with_group``).

    Rows are grouped by the value of ``group_by`` (in order of first appearance) and sorted
    by time (stable). The CSV is ``timestamp,<feature_cols…>`` where numeric timestamps are
    seconds converted to ``int(seconds * 1000)`` ms, datetimes become epoch ms and timedeltas
    total ms. The caller's frame is never modified.

    Args:
        df: the DataFrame.
        timestamp_col: column with the time of each row.
        group_by: column whose value names the sample; the file is ``<group>.csv`` (path
            separators replaced by ``_``).
        feature_cols: columns written as sensor axes.
        label_col: column with the label; one value per group.
        category_col: column with the category; one value per group (missing → ``"split"``).
        metadata_cols: columns whose (single per group) values become the metadata, as
            ``str``.

    Returns:
        One :class:`Sample` per group.

    Raises:
        AttributeError: ``df`` is not a DataFrame.
        ValueError: a missing column, a missing group or timestamp value, an unsupported
            timestamp, or more than one label/category/metadata value in a group (the
            message names the group and the column).
    """
    _require_frame(df, "groupby")
    import pandas as pd

    features = _column_list(feature_cols)
    metas = _column_list(metadata_cols)
    if not features:
        raise ValueError("feature_cols must name at least one column")
    _require_columns(df, [timestamp_col, group_by, *features, label_col, category_col, *metas])
    if TIMESTAMP in features:
        raise ValueError(
            f"feature_cols must not include a column named {TIMESTAMP!r}: it would clash with "
            "the timestamp column of the CSV"
        )

    ms = _seconds_column_to_ms(df[timestamp_col], timestamp_col)
    codes, groups = pd.factorize(df[group_by], sort=False)
    if np.any(codes < 0):
        row = int(np.flatnonzero(codes < 0)[0])
        raise ValueError(f"Group column {group_by!r} has a missing value at row {row}")

    out = df[features].set_axis(pd.RangeIndex(len(df)), axis=0)
    out.insert(0, TIMESTAMP, ms)  # `out` is a new frame; df is untouched

    order = np.argsort(codes, kind="stable")
    bounds = np.searchsorted(codes[order], np.arange(len(groups) + 1))
    samples = []
    for k, group in enumerate(groups):
        positions = order[bounds[k] : bounds[k + 1]]
        positions = positions[np.argsort(ms[positions], kind="stable")]
        label = category = metadata = None
        if label_col is not None:
            label = to_label(_one_value(df[label_col], positions, label_col, "label", group))
        category_value = (
            _one_value(df[category_col], positions, category_col, "category", group)
            if category_col is not None
            else None
        )
        category = to_category(category_value)
        if metas:
            metadata = to_metadata(
                {c: _one_value(df[c], positions, c, "metadata", group) for c in metas}
            )
        buf = io.StringIO()
        out.iloc[positions].to_csv(buf, index=False, lineterminator="\n")
        buf.seek(0)
        samples.append(
            Sample(
                filename=f"{_safe_filename_part(group)}.csv",
                data=buf,
                category=category,
                label=label,
                metadata=metadata,
            )
        )
    return samples
