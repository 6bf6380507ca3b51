"""Parquet time series: columns as axes, an optional timestamp column, clear errors."""

from __future__ import annotations

import io

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from ei_desktop.core import formats
from ei_desktop.core.formats import FormatError


def parquet_bytes(table: pa.Table) -> bytes:
    sink = io.BytesIO()
    pq.write_table(table, sink)
    return sink.getvalue()


def test_columns_are_axes_and_timestamps_give_the_interval():
    table = pa.table({"timestamp": [0, 20, 40], "accX": [1.0, 2.0, 3.0], "accY": [4, 5, 6]})
    parsed = formats.parse("walk.01.parquet", parquet_bytes(table))
    assert parsed.kind == formats.TIMESERIES
    assert [s.name for s in parsed.sensors] == ["accX", "accY"]
    assert parsed.interval_ms == 20
    assert parsed.values_count == 3
    np.testing.assert_array_equal(parsed.values, [[1, 4], [2, 5], [3, 6]])


def test_timestamp_type_and_units_from_field_metadata():
    stamps = pa.array(np.array([0, 10, 20], dtype="datetime64[ms]"))
    field = pa.field("temp", pa.float32(), metadata={"units": "C"})
    schema = pa.schema([pa.field("time", stamps.type), field])
    table = pa.table([stamps, pa.array([1.5, 2.5, 3.5], pa.float32())], schema=schema)
    parsed = formats.parse("t.PARQUET", parquet_bytes(table))
    assert parsed.interval_ms == 10
    assert [(s.name, s.units) for s in parsed.sensors] == [("temp", "C")]


def test_without_timestamp_the_interval_is_one_millisecond():
    parsed = formats.parse("x.parquet", parquet_bytes(pa.table({"v": [1, 2]})))
    assert parsed.interval_ms == 1.0 and parsed.values_count == 2


@pytest.mark.parametrize(
    ("table", "message"),
    [
        (pa.table({"v": pa.array([], pa.float64())}), "no rows"),
        (pa.table({"name": ["a", "b"]}), "column 'name' holds string"),
        (pa.table({"timestamp": [0, 10, 5], "v": [1, 2, 3]}), "do not increase"),
        (pa.table({"timestamp": [0, 10]}), "no value columns"),
    ],
)
def test_unusable_files_say_why(table, message):
    with pytest.raises(FormatError, match=message):
        formats.parse("bad.parquet", parquet_bytes(table))


def test_not_parquet_is_a_format_error():
    with pytest.raises(FormatError, match="Parquet"):
        formats.parse("bad.parquet", b"not a parquet file at all")


def test_local_project_stores_a_parquet_series(local, tmp_path):
    from ei_desktop.core.backends.base import SampleQuery
    from ei_desktop.ops import UploadOptions, plan_upload, upload

    path = tmp_path / "walk.01.parquet"
    path.write_bytes(parquet_bytes(pa.table({"timestamp": [0, 10], "accX": [1.0, 2.0]})))
    report = upload(local, plan_upload([path], UploadOptions(category="training")))
    assert report.done_count == 1
    (record,) = local.iter_samples(SampleQuery())
    assert (record.label, record.kind, record.interval_ms) == ("walk", "timeseries", 10)
    series = local.load_series(record.id)
    np.testing.assert_array_equal(np.asarray(series.values), [[1.0], [2.0]])
