"""Parquet time series: one sample per file, each numeric column an axis, an optional
``timestamp`` column (milliseconds, or a timestamp type) giving the interval, as the Edge
Impulse ingestion service takes them. Read with pyarrow.
"""

from __future__ import annotations

import numpy as np

from ei_desktop.core.formats import TIMESERIES, FormatError, ParsedSample
from ei_desktop.core.model import Sensor

PREFIX = "Not a usable Parquet time series"
#: names of the timestamp column (any case)
TIMESTAMP_COLUMNS = ("timestamp", "time", "ts")
#: interval when a file has no timestamp column
DEFAULT_INTERVAL_MS = 1.0


def parse(data: bytes) -> ParsedSample:
    """Read a Parquet file into a time series: every numeric column but the timestamp is an
    axis (units from the column's ``units`` field metadata, else ``N/A``).

    Raises:
        FormatError: not a Parquet file, no numeric column, a non-numeric column, empty, or
            timestamps that do not increase.
    """
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        table = pq.read_table(pa.BufferReader(data))
    except (pa.ArrowException, OSError, ValueError) as exc:
        raise FormatError(f"{PREFIX}: {exc}") from None
    if table.num_rows == 0:
        raise FormatError(f"{PREFIX}: it has no rows")
    timestamp = next(
        (n for n in table.column_names if n.strip().lower() in TIMESTAMP_COLUMNS), None
    )
    axes = [n for n in table.column_names if n != timestamp]
    if not axes:
        raise FormatError(f"{PREFIX}: it has no value columns")
    columns = []
    for name in axes:
        kind = table.schema.field(name).type
        if not (
            pa.types.is_integer(kind) or pa.types.is_floating(kind) or pa.types.is_boolean(kind)
        ):
            raise FormatError(f"{PREFIX}: column '{name}' holds {kind}, not numbers")
        columns.append(table.column(name).to_numpy(zero_copy_only=False).astype(np.float64))
    values = np.column_stack(columns)
    interval = DEFAULT_INTERVAL_MS
    if timestamp is not None and table.num_rows > 1:
        interval = _interval_ms(table.column(timestamp), pa)
    sensors = [Sensor(name=name, units=_units(table.schema.field(name))) for name in axes]
    return ParsedSample(
        kind=TIMESERIES,
        sensors=sensors,
        values=values,
        interval_ms=interval,
        values_count=table.num_rows,
    )


def _interval_ms(column, pa) -> float:
    kind = column.type
    if pa.types.is_timestamp(kind):
        stamps = column.cast(pa.timestamp("ns")).to_numpy().astype("int64") / 1e6
    elif pa.types.is_integer(kind) or pa.types.is_floating(kind):
        stamps = column.to_numpy(zero_copy_only=False).astype(np.float64)
    else:
        raise FormatError(f"{PREFIX}: the timestamp column holds {kind}, not times")
    steps = np.diff(stamps)
    if not np.all(steps > 0):
        raise FormatError(f"{PREFIX}: the timestamps do not increase row after row")
    return float((stamps[-1] - stamps[0]) / (len(stamps) - 1))


def _units(field) -> str:
    metadata = field.metadata or {}
    units = metadata.get(b"units")
    return units.decode("utf-8", "replace") if units else "N/A"
