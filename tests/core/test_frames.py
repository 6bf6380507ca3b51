"""ei_desktop.core.frames against the real official SDK (edgeimpulse 1.0.20).

The official conversions run for real. For the official ``upload_*`` helpers, which build
their samples and hand them straight to ``upload_samples``, only that one network call is
replaced (``capture_official``) so the samples they would upload can be compared.
"""

from __future__ import annotations

import importlib.util
import io
import json
import random
import re
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest
from edgeimpulse import data as official
from edgeimpulse.data._functions import upload_numpy as official_numpy_module
from edgeimpulse.data._functions import upload_pandas as official_pandas_module
from edgeimpulse.data.sample_type import Sensor as OfficialSensor
from edgeimpulse.experimental.util import generate_labels_from_dataframe

from ei_desktop.core import frames
from ei_desktop.core.frames import (
    numpy_samples,
    numpy_timeseries_to_sample,
    pandas_dataframe_to_sample,
    row_fields,
    samples_from_groups,
    samples_from_rows,
    samples_from_wide,
    to_category,
    to_label,
    to_metadata,
)
from ei_desktop.core.model import Sample, Sensor

# the official 1.0.20 uses ``inplace=True``, which pandas 3.1 deprecates
pytestmark = pytest.mark.filterwarnings("ignore:The inplace keyword:Warning")

HEX16_JSON = re.compile(r"^[0-9a-f]{16}\.json$")
HEX16_CSV = re.compile(r"^[0-9a-f]{16}\.csv$")

HAVE_FORMATS = all(
    importlib.util.find_spec(f"ei_desktop.core.formats.{name}") is not None
    for name in ("csv", "acquisition")
)
needs_formats = pytest.mark.skipif(
    not HAVE_FORMATS, reason="ei_desktop.core.formats csv/acquisition not available"
)


def text(sample) -> str:
    data = sample.data
    if isinstance(data, io.StringIO):
        return data.getvalue()
    assert isinstance(data, str)
    return data


def parse(sample):
    from ei_desktop.core.formats import parse as formats_parse

    return formats_parse(sample.filename, text(sample).encode("utf-8"))


def same_frame(df: pd.DataFrame, before: pd.DataFrame) -> bool:
    return (
        df.equals(before)
        and df.index.equals(before.index)
        and list(df.columns) == list(before.columns)
        and list(df.dtypes) == list(before.dtypes)
    )


@pytest.fixture
def capture_official(monkeypatch):
    """Collect the samples the official upload helpers would send (no network)."""
    captured: list = []

    def fake_upload_samples(samples, *args, **kwargs):
        if not isinstance(samples, list):
            samples = [samples]
        captured.extend(samples)

    monkeypatch.setattr(official_pandas_module, "upload_samples", fake_upload_samples)
    monkeypatch.setattr(official_numpy_module, "upload_samples", fake_upload_samples)
    return captured


# --------------------------------------------------------------------------------------
# numpy
# --------------------------------------------------------------------------------------

VALUES = np.array(
    [
        [[8.81, 0.03, 1.21], [9.83, 1.04, 1.27], [9.12, 0.03, 1.23], [9.14, 2.01, 1.25]],
        [[8.81, 0.03, 1.21], [9.12, 0.03, 1.23], [9.14, 2.01, 1.25], [9.14, 2.01, 1.25]],
    ]
)
SENSOR_DICTS = [
    {"name": "accelX", "units": "ms/s"},
    {"name": "accelY", "units": "ms/s"},
    {"name": "accelZ", "units": "ms/s"},
]


def test_numpy_timeseries_to_sample_same_json_as_official_with_dicts():
    ours = numpy_timeseries_to_sample(VALUES[0], SENSOR_DICTS, 100)
    theirs = official.numpy_timeseries_to_sample(VALUES[0].tolist(), SENSOR_DICTS, 100)
    assert isinstance(ours, Sample)
    assert text(ours) == text(theirs)
    assert HEX16_JSON.match(ours.filename)
    assert ours.label is None and ours.category == "split" and ours.metadata is None


def test_numpy_timeseries_to_sample_same_json_as_official_with_sensor_objects():
    ints = [[1, 2], [3, 4], [5, 6]]
    ours = numpy_timeseries_to_sample(ints, [Sensor("a"), Sensor("b", "g")], 16)
    theirs = official.numpy_timeseries_to_sample(
        ints, [OfficialSensor("a"), OfficialSensor("b", "g")], 16
    )
    assert text(ours) == text(theirs)
    doc = json.loads(text(ours))
    assert doc["payload"]["values"] == ints  # ints stay ints, as in the official
    assert doc["payload"]["sensors"] == [{"name": "a", "units": "m/s"}, {"name": "b", "units": "g"}]


def test_numpy_timeseries_to_sample_accepts_the_official_sensor_class_and_fractional_rate():
    ours = numpy_timeseries_to_sample(
        VALUES[1], [OfficialSensor(d["name"]) for d in SENSOR_DICTS], 0.5
    )
    theirs = official.numpy_timeseries_to_sample(
        VALUES[1].tolist(), [OfficialSensor(d["name"]) for d in SENSOR_DICTS], 0.5
    )
    assert text(ours) == text(theirs)


def test_numpy_timeseries_to_sample_lists_holding_numpy_values():
    rows = [[np.int64(1), np.float32(0.5)], np.array([3, 4])]
    ours = numpy_timeseries_to_sample(rows, [Sensor("a"), Sensor("b")], np.int64(10))
    assert text(ours) == text(
        official.numpy_timeseries_to_sample([[1, 0.5], [3, 4]], [Sensor("a"), Sensor("b")], 10)
    )


def test_numpy_timeseries_to_sample_always_16_hex_digits():
    # find a seed whose first 64 random bits start with a zero nibble: the official then
    # writes 15 digits (``%08x``), ours still 16
    seed = next(s for s in range(10_000) if random.Random(s).getrandbits(64) < 1 << 60)
    random.seed(seed)
    theirs = official.numpy_timeseries_to_sample([[1]], [{"name": "a", "units": "x"}], 1)
    random.seed(seed)
    ours = numpy_timeseries_to_sample([[1]], [{"name": "a", "units": "x"}], 1)
    assert len(theirs.filename) == len("x.json") + 14  # the official bug, 15 digits
    assert HEX16_JSON.match(ours.filename)
    assert ours.filename.startswith("0")
    assert ours.filename[1:] == theirs.filename


def test_numpy_timeseries_to_sample_validates():
    with pytest.raises(ValueError, match="number of sensors"):
        numpy_timeseries_to_sample([[1, 2]], [Sensor("a")], 10)
    with pytest.raises(ValueError, match="different lengths"):
        numpy_timeseries_to_sample([[1, 2], [3]], [Sensor("a"), Sensor("b")], 10)
    with pytest.raises(ValueError, match="numbers"):
        numpy_timeseries_to_sample([["a", "b"]], [Sensor("a"), Sensor("b")], 10)
    with pytest.raises(ValueError, match="sample_rate_ms"):
        numpy_timeseries_to_sample([[1]], [Sensor("a")], 0)
    with pytest.raises(ValueError, match="name"):
        numpy_timeseries_to_sample([[1]], [{"units": "x"}], 10)
    # a flat list is accepted for a single sensor (seen in the wild, e.g. audio)
    flat = numpy_timeseries_to_sample([1, 2, 3], [Sensor("audio", "wav")], 0.0625)
    assert json.loads(text(flat))["payload"]["values"] == [1, 2, 3]


def test_numpy_samples_same_as_official_upload_numpy(capture_official):
    labels = np.array(["up", "down"])
    official.upload_numpy(
        data=VALUES, labels=labels, sensors=SENSOR_DICTS, sample_rate_ms=100, category="training"
    )
    theirs = capture_official
    ours = numpy_samples(VALUES, labels, SENSOR_DICTS, 100, category="training")
    assert len(ours) == len(theirs) == 2
    for a, b in zip(ours, theirs, strict=True):
        assert text(a) == text(b)
        assert a.label == b.label and type(a.label) is str
        assert a.category == b.category == "training"
        assert HEX16_JSON.match(a.filename)
    assert type(theirs[0].label) is np.str_  # the official keeps numpy strings


def test_numpy_samples_list_of_2d_arrays_with_different_lengths():
    series = [np.zeros((3, 2)), np.ones((5, 2)), [[1, 2]]]
    samples = numpy_samples(series, [1, 2, 3], [Sensor("a"), Sensor("b")], 10)
    assert [s.label for s in samples] == ["1", "2", "3"]
    assert [len(json.loads(text(s))["payload"]["values"]) for s in samples] == [3, 5, 1]


def test_numpy_samples_metadata_stringified_and_not_shared():
    samples = numpy_samples(VALUES, ["a", "b"], SENSOR_DICTS, 100, metadata={"n": np.int64(3)})
    assert samples[0].metadata == {"n": "3"}
    assert samples[0].metadata is not samples[1].metadata
    json.dumps(samples[0].metadata)  # the official would keep np.int64 and fail here


def test_numpy_samples_checks_every_sample_and_names_it():
    series = [np.zeros((3, 3)), np.zeros((3, 3)), np.zeros((3, 2))]
    with pytest.raises(ValueError, match=r"sample 2: number of sensors \(3\).*\(2\)"):
        numpy_samples(series, ["a", "b", "c"], SENSOR_DICTS, 10)
    with pytest.raises(ValueError, match=r"sample 1: expected a 2-D array"):
        numpy_samples([np.zeros((3, 3)), np.zeros(3)], ["a", "b"], SENSOR_DICTS, 10)
    with pytest.raises(ValueError, match=r"sample 1: there are no time points"):
        numpy_samples([np.zeros((3, 3)), np.zeros((0, 3))], ["a", "b"], SENSOR_DICTS, 10)
    with pytest.raises(ValueError, match=r"sample 1: the rows have different lengths"):
        numpy_samples([[[1, 2, 3]], [[1, 2, 3], [1]]], ["a", "b"], SENSOR_DICTS, 10)
    with pytest.raises(ValueError, match=r"3-D array .* got shape \(4, 3\).*np.newaxis"):
        numpy_samples(VALUES[0], ["a"] * 4, SENSOR_DICTS, 10)
    with pytest.raises(ValueError, match=r"Labels length \(1\) must be equal .* \(2\)"):
        numpy_samples(VALUES, ["a"], SENSOR_DICTS, 10)
    with pytest.raises(ValueError, match="not a string"):
        numpy_samples(VALUES, "ab", SENSOR_DICTS, 10)


def test_official_upload_numpy_only_checks_the_first_sample(capture_official):
    # documents the official bug (contract §7 item 15) that numpy_samples fixes
    series = [np.zeros((3, 3)), np.zeros((3, 2))]
    official.upload_numpy(series, ["a", "b"], SENSOR_DICTS, 10)
    assert len(capture_official) == 2


def test_numpy_samples_labels_none_and_missing():
    samples = numpy_samples(VALUES, None, SENSOR_DICTS, 10, category=None)
    assert [s.label for s in samples] == [None, None]
    assert [s.category for s in samples] == ["split", "split"]
    samples = numpy_samples(VALUES, ["x", float("nan")], SENSOR_DICTS, 10)
    assert [s.label for s in samples] == ["x", None]


@needs_formats
def test_numpy_samples_parse_back():
    sample = numpy_samples(VALUES, ["up", "down"], SENSOR_DICTS, 100)[1]
    parsed = parse(sample)
    assert parsed.kind == "timeseries"
    assert [(s.name, s.units) for s in parsed.sensors] == [
        (d["name"], d["units"]) for d in SENSOR_DICTS
    ]
    np.testing.assert_array_equal(parsed.values, VALUES[1])
    assert parsed.interval_ms == 100
    assert parsed.device_type == "EDGE_IMPULSE_PYTHON_SDK"


# --------------------------------------------------------------------------------------
# pandas_dataframe_to_sample
# --------------------------------------------------------------------------------------


def compare_with_official(df: pd.DataFrame, **kwargs):
    """Run ours on ``df`` and the official on a copy; both texts must be identical."""
    before = df.copy(deep=True)
    kwargs.setdefault("filename", "name")
    ours = pandas_dataframe_to_sample(df, **kwargs)
    theirs = official.pandas_dataframe_to_sample(df.copy(deep=True), **kwargs)
    assert isinstance(ours.data, io.StringIO)
    assert ours.data.tell() == 0
    assert text(ours) == text(theirs)
    assert ours.filename == theirs.filename == f"{kwargs['filename']}.csv"
    assert ours.structured_labels == theirs.structured_labels
    assert same_frame(df, before)
    return ours


def test_pandas_single_column_range_index_same_as_official():
    ours = compare_with_official(pd.DataFrame([40, 2, 3, 2]))
    assert text(ours) == "timestamp,0\n0,40\n1,2\n2,3\n3,2\n"


def test_pandas_sample_rate_same_as_official():
    ours = compare_with_official(pd.DataFrame([30, 2, 3, 2]), sample_rate_ms=100)
    assert text(ours) == "timestamp,0\n0,30\n100,2\n200,3\n300,2\n"


def test_pandas_multi_column_float_same_as_official():
    df = pd.DataFrame({"accX": [-9.81, -9.83, 0.1], "accY": [0.03, 1e-05, 2.5], "n": [1, 2, 3]})
    compare_with_official(df, sample_rate_ms=16, label="wave", metadata={"a": "b"})
    compare_with_official(df)


def test_pandas_axis_columns_same_as_official():
    df = pd.DataFrame({"x": [1.5, 2.5, 3.5], "y": [4, 5, 6], "other": ["p", "q", "r"]})
    ours = compare_with_official(df, axis_columns=["y", "x"], sample_rate_ms=10)
    assert text(ours) == "timestamp,y,x\n0,4,1.5\n10,5,2.5\n20,6,3.5\n"


def test_pandas_single_row_same_as_official():
    df = pd.DataFrame([[1, 4, 2]], columns=["A", "B", "C"])
    ours = compare_with_official(df, label="One", metadata={"k": "v"}, category="training")
    assert text(ours) == "A,B,C\n1,4,2\n"
    assert (ours.label, ours.category, ours.metadata) == ("One", "training", {"k": "v"})
    ours = compare_with_official(df, sample_rate_ms=100)  # one row: never a time series
    assert text(ours) == "A,B,C\n1,4,2\n"


def test_pandas_label_col_same_as_official_and_generate_labels():
    df = pd.DataFrame(
        {"x": [0.1, 0.2, 0.3, 0.4, 0.5], "label": ["idle", "idle", "wave", "wave", "idle"]}
    )
    ours = compare_with_official(df, label_col="label", sample_rate_ms=10)
    assert ours.structured_labels == generate_labels_from_dataframe(df, label_col="label")
    assert ours.structured_labels == [
        {"startIndex": 0, "endIndex": 1, "label": "idle"},
        {"startIndex": 2, "endIndex": 3, "label": "wave"},
        {"startIndex": 4, "endIndex": 4, "label": "idle"},
    ]
    assert text(ours).splitlines()[0] == "timestamp,x"


def test_pandas_random_filename_has_16_hex_digits():
    sample = pandas_dataframe_to_sample(pd.DataFrame([1, 2]))
    assert HEX16_CSV.match(sample.filename)


def test_pandas_sample_rate_does_not_touch_the_callers_frame():
    df = pd.DataFrame({"v": [1.0, 2.0, 3.0]}, index=[10, 20, 30])
    before = df.copy(deep=True)
    ours = pandas_dataframe_to_sample(df, sample_rate_ms=100)
    assert text(ours) == "timestamp,v\n0,1.0\n100,2.0\n200,3.0\n"
    assert same_frame(df, before)
    assert list(df.index) == [10, 20, 30]
    # the official resets the caller's index in place (contract §7 item 16)
    victim = before.copy(deep=True)
    official.pandas_dataframe_to_sample(victim, sample_rate_ms=100)
    assert list(victim.index) == [0, 100, 200]


def test_pandas_timedelta_index_in_total_milliseconds():
    index = pd.to_timedelta(np.arange(5) * 500, unit="ms")
    df = pd.DataFrame({"v": [1.0, 2.0, 3.0, 4.0, 5.0]}, index=index)
    before = df.copy(deep=True)
    ours = pandas_dataframe_to_sample(df)
    assert text(ours) == "timestamp,v\n0,1.0\n500,2.0\n1000,3.0\n1500,4.0\n2000,5.0\n"
    assert same_frame(df, before)
    # the official uses `.seconds`: sub-second steps collapse (contract §7 item 16)
    theirs = official.pandas_dataframe_to_sample(df.copy(deep=True))
    assert [line.split(",")[0] for line in text(theirs).splitlines()[1:]] == [
        "0",
        "0",
        "1000",
        "1000",
        "2000",
    ]


def test_pandas_timedelta_index_beyond_a_day_and_whole_minutes():
    df = pd.DataFrame({"v": [1, 2, 3]}, index=pd.to_timedelta([0, 1, 2], unit="D"))
    assert text(pandas_dataframe_to_sample(df)).splitlines()[1:] == [
        "0,1",
        "86400000,2",
        "172800000,3",
    ]
    # whole minutes: same as the official (contract §6.2 table)
    df = pd.DataFrame({"v": [1, 2, 3]}, index=pd.to_timedelta([0, 1, 2], unit="min"))
    compare_with_official(df)


def test_pandas_timedelta_index_with_sub_millisecond_steps_writes_fractions():
    df = pd.DataFrame({"v": [1, 2, 3]}, index=pd.to_timedelta([0, 250, 500], unit="us"))
    assert text(pandas_dataframe_to_sample(df)).splitlines()[1:] == ["0.0,1", "0.25,2", "0.5,3"]


def test_pandas_datetime_index_in_epoch_milliseconds():
    index = pd.date_range("2024-01-01", periods=3, freq="250ms")
    df = pd.DataFrame({"v": [1.0, 2.0, 3.0]}, index=index)
    before = df.copy(deep=True)
    ours = pandas_dataframe_to_sample(df)
    assert text(ours) == ("timestamp,v\n1704067200000,1.0\n1704067200250,2.0\n1704067200500,3.0\n")
    assert same_frame(df, before)
    # the official writes date strings the ingestion rejects (contract §7 item 16)
    theirs = official.pandas_dataframe_to_sample(df.copy(deep=True))
    assert "2024-01-01 00:00:00" in text(theirs)
    # a tz-aware index is converted through UTC
    aware = df.tz_localize("UTC").tz_convert("Europe/Amsterdam")
    assert text(pandas_dataframe_to_sample(aware)) == text(ours)


def test_pandas_index_must_increase_without_sample_rate():
    df = pd.DataFrame({"v": [1, 2, 3]}, index=[0, 20, 10])
    with pytest.raises(ValueError, match=r"monotonically increasing.*row 2"):
        pandas_dataframe_to_sample(df)
    # with a sample rate the index is not used
    assert text(pandas_dataframe_to_sample(df, sample_rate_ms=5)).splitlines()[1:] == [
        "0,1",
        "5,2",
        "10,3",
    ]
    with pytest.raises(ValueError, match="numbers"):
        pandas_dataframe_to_sample(pd.DataFrame({"v": [1, 2]}, index=["a", "b"]))
    with pytest.raises(ValueError, match="every timestamp is the same"):
        pandas_dataframe_to_sample(pd.DataFrame({"v": [1, 2]}, index=[5, 5]))
    with pytest.raises(ValueError, match="NaT"):
        pandas_dataframe_to_sample(
            pd.DataFrame({"v": [1, 2]}, index=pd.to_datetime(["2024-01-01", None]))
        )


def test_pandas_label_col_values_become_strings_and_column_is_dropped():
    df = pd.DataFrame({"v": [1.0, 2.0, 3.0], "cls": [1, 1, 2]})
    before = df.copy(deep=True)
    ours = pandas_dataframe_to_sample(df, label_col="cls")
    assert ours.structured_labels == [
        {"startIndex": 0, "endIndex": 1, "label": "1"},
        {"startIndex": 2, "endIndex": 2, "label": "2"},
    ]
    assert text(ours) == "timestamp,v\n0,1.0\n1,2.0\n2,3.0\n"
    assert same_frame(df, before)
    # label_col with axis_columns: labels still read from the frame
    ours = pandas_dataframe_to_sample(df, label_col="cls", axis_columns=["v"], sample_rate_ms=2)
    assert ours.structured_labels[1]["label"] == "2"
    assert text(ours).splitlines()[0] == "timestamp,v"
    with pytest.raises(ValueError, match="missing value at row 1"):
        pandas_dataframe_to_sample(pd.DataFrame({"v": [1, 2], "l": ["a", None]}), label_col="l")


def test_pandas_single_row_label_col_is_the_label():
    df = pd.DataFrame({"A": [1], "B": [4], "label": ["One"]})
    ours = pandas_dataframe_to_sample(df, label_col="label")
    assert text(ours) == "A,B\n1,4\n"
    assert ours.label == "One"
    assert ours.structured_labels is None
    assert pandas_dataframe_to_sample(df, label_col="label", label="Two").label == "Two"


def test_pandas_argument_errors():
    df = pd.DataFrame({"a": [1, 2]})
    with pytest.raises(AttributeError, match="DataFrame methods"):
        pandas_dataframe_to_sample([[1, 2]])
    with pytest.raises(ValueError, match="axis_columns"):
        pandas_dataframe_to_sample(df, axis_columns="a")
    with pytest.raises(ValueError, match="metadata"):
        pandas_dataframe_to_sample(df, metadata=["x"])
    with pytest.raises(ValueError, match="'zz'"):
        pandas_dataframe_to_sample(df, axis_columns=["zz"])
    with pytest.raises(ValueError, match="no rows"):
        pandas_dataframe_to_sample(df.iloc[[]])
    with pytest.raises(ValueError, match="sample_rate_ms"):
        pandas_dataframe_to_sample(df, sample_rate_ms=-1)
    with pytest.raises(ValueError, match="'timestamp'"):
        pandas_dataframe_to_sample(pd.DataFrame({"timestamp": [0, 10], "a": [1, 2]}))


def test_pandas_metadata_stringified_and_category_default():
    df = pd.DataFrame({"a": [1, 2]})
    sample = pandas_dataframe_to_sample(df, metadata={"n": np.int64(7), 1: 2.5}, category=None)
    assert sample.metadata == {"n": "7", "1": "2.5"}
    assert sample.category == "split"


@needs_formats
def test_pandas_samples_parse_back():
    df = pd.DataFrame({"x": [0.5, 1.5, 2.5], "y": [1, 2, 3]})
    parsed = parse(pandas_dataframe_to_sample(df, sample_rate_ms=20))
    assert parsed.kind == "timeseries"
    assert [s.name for s in parsed.sensors] == ["x", "y"]
    np.testing.assert_array_equal(parsed.values, df.to_numpy(dtype=float))
    assert parsed.interval_ms == 20

    td = df.set_axis(pd.to_timedelta([0, 500, 1000], unit="ms"))
    assert parse(pandas_dataframe_to_sample(td)).interval_ms == 500
    dt = df.set_axis(pd.date_range("2024-01-01", periods=3, freq="2s"))
    assert parse(pandas_dataframe_to_sample(dt)).interval_ms == 2000

    one = parse(pandas_dataframe_to_sample(pd.DataFrame([[1, 4, 2]], columns=list("ABC"))))
    assert one.kind == "table"
    np.testing.assert_array_equal(one.values, [[1, 4, 2]])


# --------------------------------------------------------------------------------------
# row helpers
# --------------------------------------------------------------------------------------


def test_row_fields_normalisation():
    row = pd.Series({"l": np.int64(3), "c": "training", "m1": np.int64(5), "m2": None})
    assert row_fields(row, "l", "c", ["m1", "m2"]) == ("3", "training", {"m1": "5", "m2": "None"})
    assert row_fields({"l": float("nan"), "c": float("nan")}, "l", "c") == (None, "split", None)
    assert row_fields({"c": None}, None, "c") == (None, "split", None)
    assert row_fields({"c": "  "}, None, "c") == (None, "split", None)
    assert row_fields({}, None, None, None) == (None, "split", None)
    assert row_fields({"m": 1}, metadata_cols="m") == (None, "split", {"m": "1"})
    assert to_label(np.str_("up")) == "up" and type(to_label(np.str_("up"))) is str
    assert to_label(pd.NA) is None and to_label(pd.NaT) is None and to_label("") == ""
    assert to_category(pd.NA) == "split" and to_category("testing") == "testing"
    assert to_metadata(None) is None and to_metadata({1: np.float64(0.5)}) == {"1": "0.5"}


# --------------------------------------------------------------------------------------
# samples_from_rows (upload_pandas_dataframe)
# --------------------------------------------------------------------------------------

ROWS = pd.DataFrame(
    [
        ["desk", "training", "One", -9.81, 0.03, 0.21],
        ["field", "testing", "Two", -9.56, 5.34, 1.21],
        ["lab", "training", "One", 1e-05, 100.0, 2.5],
    ],
    columns=["location", "category", "label", "accX", "accY", "accZ"],
)


def test_rows_same_as_official(capture_official):
    df = ROWS.copy(deep=True)
    ours = samples_from_rows(df, ["accX", "accY", "accZ"], "label", "category", ["location"])
    official.upload_pandas_dataframe(
        ROWS.copy(deep=True), ["accX", "accY", "accZ"], "label", "category", ["location"]
    )
    theirs = capture_official
    assert len(ours) == len(theirs) == 3
    for a, b in zip(ours, theirs, strict=True):
        assert text(a) == text(b)
        assert (a.label, a.category, a.metadata) == (b.label, b.category, b.metadata)
        assert a.structured_labels is None
        assert HEX16_CSV.match(a.filename)
    assert text(ours[0]) == "accX,accY,accZ\n-9.81,0.03,0.21\n"
    assert same_frame(df, ROWS)


def test_rows_int_features_keep_their_dtype():
    df = pd.DataFrame({"A": [1, 7], "B": [4.5, 0.25], "C": [2, 3]})
    ours = samples_from_rows(df, ["A", "B", "C"])
    # the official goes through iterrows and writes 1.0 for the int column; ours keeps 1
    assert [text(s) for s in ours] == ["A,B,C\n1,4.5,2\n", "A,B,C\n7,0.25,3\n"]
    assert [s.category for s in ours] == ["split", "split"]
    assert [s.label for s in ours] == [None, None]


def test_rows_fast_and_slow_paths_agree():
    numeric = pd.DataFrame({"a": [1.5, float("nan"), 3.0], "b": [1, 2, 3]})
    fast = [text(s) for s in samples_from_rows(numeric, ["a", "b"])]
    mixed = numeric.assign(s=["x", "y,z", 'q"'])
    slow = [text(s) for s in samples_from_rows(mixed, ["a", "b"])]
    assert fast == slow == ["a,b\n1.5,1\n", "a,b\n,2\n", "a,b\n3.0,3\n"]
    quoted = [text(s) for s in samples_from_rows(mixed, ["s"])]
    assert quoted == ["s\nx\n", 's\n"y,z"\n', 's\n"q"""\n']


def test_rows_labels_categories_metadata_normalised():
    df = pd.DataFrame(
        {
            "f": [1.0, 2.0, 3.0],
            "label": [1, 2, 3],
            "cat": ["training", None, ""],
            "n": np.array([10, 20, 30], dtype=np.int64),
        }
    )
    samples = samples_from_rows(df, ["f"], "label", "cat", ["n"])
    assert [s.label for s in samples] == ["1", "2", "3"]
    assert [s.category for s in samples] == ["training", "split", "split"]
    assert [s.metadata for s in samples] == [{"n": "10"}, {"n": "20"}, {"n": "30"}]
    with pytest.raises(ValueError, match="'nope'"):
        samples_from_rows(df, ["f"], label_col="nope")
    with pytest.raises(ValueError, match="feature_cols"):
        samples_from_rows(df, [])
    with pytest.raises(AttributeError):
        samples_from_rows([[1]], ["f"])


@needs_formats
def test_rows_parse_back():
    for sample, row in zip(
        samples_from_rows(ROWS, ["accX", "accY", "accZ"]), ROWS.itertuples(), strict=True
    ):
        parsed = parse(sample)
        assert parsed.kind == "table"
        assert [s.name for s in parsed.sensors] == ["accX", "accY", "accZ"]
        np.testing.assert_array_equal(parsed.values, [[row.accX, row.accY, row.accZ]])


# --------------------------------------------------------------------------------------
# samples_from_wide (upload_pandas_dataframe_wide)
# --------------------------------------------------------------------------------------

WIDE = pd.DataFrame(
    [
        [1, "idle", 0.8, 0.7, 0.8, 0.9, 0.8, 0.8, 0.7, 0.8],
        [2, "motion", 0.3, 0.9, 0.4, 0.6, 0.8, 0.9, 0.5, 0.4],
    ],
    columns=["id", "label", "0", "1", "2", "3", "4", "5", "6", "7"],
)


def test_wide_same_as_official(capture_official):
    df = WIDE.copy(deep=True)
    ours = samples_from_wide(df, 100, data_col_start=2, label_col="label", metadata_cols=["id"])
    official.upload_pandas_dataframe_wide(
        WIDE.copy(deep=True), 100, data_col_start=2, label_col="label", metadata_cols=["id"]
    )
    theirs = capture_official
    assert len(ours) == len(theirs) == 2
    for a, b in zip(ours, theirs, strict=True):
        assert text(a) == text(b)
        assert (a.label, a.metadata) == (b.label, b.metadata)
        assert a.category == "split" and b.category is None
        assert HEX16_CSV.match(a.filename)
    assert text(ours[1]).startswith("timestamp,1\n0,0.3\n100,0.9\n")
    assert same_frame(df, WIDE)


def test_wide_without_data_col_start_excludes_label_category_metadata(capture_official):
    df = WIDE.assign(cat=["training", "testing"])
    ours = samples_from_wide(df, 10, label_col="label", category_col="cat", metadata_cols=["id"])
    first = text(ours[0]).splitlines()
    assert first[:3] == ["timestamp,0", "0,0.8", "10,0.7"]
    assert len(first) == 1 + 8
    assert [(s.label, s.category, s.metadata) for s in ours] == [
        ("idle", "training", {"id": "1"}),
        ("motion", "testing", {"id": "2"}),
    ]
    # the official puts ids, labels and categories into the series (contract §7 item 17)
    official.upload_pandas_dataframe_wide(
        df.copy(deep=True), 10, label_col="label", category_col="cat", metadata_cols=["id"]
    )
    assert text(capture_official[0]).splitlines()[1:3] == ["0,1", "10,idle"]


def test_wide_data_col_length_limits_single_axis(capture_official):
    ours = samples_from_wide(WIDE, 100, data_col_start=2, data_col_length=3, label_col="label")
    assert text(ours[0]) == "timestamp,0\n0,0.8\n100,0.7\n200,0.8\n"
    official.upload_pandas_dataframe_wide(
        WIDE.copy(deep=True), 100, data_col_start=2, data_col_length=3, label_col="label"
    )
    assert len(text(capture_official[0]).splitlines()) == 9  # the official ignores it
    # a column name works as start too
    assert text(samples_from_wide(WIDE, 100, data_col_start="5", label_col="label")[0]) == (
        "timestamp,0\n0,0.8\n100,0.7\n200,0.8\n"
    )
    with pytest.raises(ValueError, match="data_col_length"):
        samples_from_wide(WIDE, 100, data_col_start=2, data_col_length=9)


MULTI = pd.DataFrame(
    {
        "label": ["idle", "wave"],
        "cat": ["training", None],
        "x0": [0.8, 0.3],
        "y0": [0.7, 0.9],
        "z0": [0.8, 0.4],
        "x1": [0.9, 0.6],
        "y1": [0.8, 0.8],
        "z1": [0.8, 0.9],
        "x2": [1.5, 2.5],
        "y2": [-1.0, 0.0],
        "z2": [3.0, 4.0],
    }
)


def test_wide_multi_axis_same_as_official_but_lf(capture_official):
    df = MULTI.copy(deep=True)
    ours = samples_from_wide(
        df,
        100,
        label_col="label",
        category_col="cat",
        data_col_length=3,
        data_axis_cols=list("xyz"),
    )
    official.upload_pandas_dataframe_wide(
        MULTI.copy(deep=True),
        100,
        label_col="label",
        category_col="cat",
        data_col_length=3,
        data_axis_cols=list("xyz"),
    )
    theirs = capture_official
    assert len(ours) == len(theirs) == 2
    for a, b in zip(ours, theirs, strict=True):
        assert "\r" in text(b)  # the official writes CRLF
        assert text(a) == text(b).replace("\r\n", "\n")
        assert a.label == b.label
        assert HEX16_CSV.match(a.filename)
    assert text(ours[0]) == "timestamp,x,y,z\n0,0.8,0.7,0.8\n100,0.9,0.8,0.8\n200,1.5,-1.0,3.0\n"
    assert [s.category for s in ours] == ["training", "split"]
    assert same_frame(df, MULTI)
    with pytest.raises(ValueError, match="data_col_length"):
        samples_from_wide(MULTI, 100, data_axis_cols=["x"])
    with pytest.raises(ValueError, match=r"Can't find the following columns: \['x3'"):
        samples_from_wide(MULTI, 100, data_axis_cols=["x"], data_col_length=4)


@needs_formats
def test_wide_parse_back():
    parsed = parse(samples_from_wide(WIDE, 100, data_col_start=2, label_col="label")[0])
    assert parsed.kind == "timeseries"
    assert [s.name for s in parsed.sensors] == ["0"]
    np.testing.assert_array_equal(parsed.values[:, 0], WIDE.iloc[0, 2:].to_numpy(dtype=float))
    assert parsed.interval_ms == 100
    multi = parse(samples_from_wide(MULTI, 20, data_col_length=3, data_axis_cols=list("xyz"))[1])
    assert [s.name for s in multi.sensors] == ["x", "y", "z"]
    np.testing.assert_array_equal(multi.values, [[0.3, 0.9, 0.4], [0.6, 0.8, 0.9], [2.5, 0.0, 4.0]])
    assert multi.interval_ms == 20


# --------------------------------------------------------------------------------------
# samples_from_groups (upload_pandas_dataframe_with_group)
# --------------------------------------------------------------------------------------

GROUPED = pd.DataFrame(
    [
        ["desk", "sample 1", "training", "idle", 0, -9.81, 0.03, 0.21],
        ["desk", "sample 1", "training", "idle", 0.01, -9.83, 0.04, 0.27],
        ["desk", "sample 1", "training", "idle", 0.02, -9.12, 0.03, 0.23],
        ["desk", "sample 1", "training", "idle", 0.03, -9.14, 0.01, 0.25],
        ["field", "sample 2", "training", "wave", 0.03, -9.50, -0.98, 1.25],
        ["field", "sample 2", "training", "wave", 0, -9.56, 5.34, 1.21],
        ["field", "sample 2", "training", "wave", 0.01, -9.43, 1.37, 1.27],
        ["field", "sample 2", "training", "wave", 0.02, -9.22, -4.03, 1.23],
    ],
    columns=["location", "sample_name", "category", "label", "time", "accX", "accY", "accZ"],
)
FEATURES = ["accX", "accY", "accZ"]


def test_groups_same_as_official_and_callers_frame_untouched(capture_official):
    df = GROUPED.copy(deep=True)
    ours = samples_from_groups(
        df, "time", "sample_name", FEATURES, "label", "category", ["location"]
    )
    assert same_frame(df, GROUPED)
    victim = GROUPED.copy(deep=True)
    official.upload_pandas_dataframe_with_group(
        victim, "time", "sample_name", FEATURES, "label", "category", ["location"]
    )
    theirs = capture_official
    assert "timestamp" in victim.columns and "time" not in victim.columns  # official mutates
    assert len(ours) == len(theirs) == 2
    for a, b in zip(ours, theirs, strict=True):
        assert text(a) == text(b)
        assert a.filename == b.filename
        assert (a.label, a.category, a.metadata) == (b.label, b.category, b.metadata)
    assert [s.filename for s in ours] == ["sample 1.csv", "sample 2.csv"]
    assert text(ours[1]) == (
        "timestamp,accX,accY,accZ\n0,-9.56,5.34,1.21\n10,-9.43,1.37,1.27\n"
        "20,-9.22,-4.03,1.23\n30,-9.5,-0.98,1.25\n"
    )


def test_groups_existing_timestamp_column_is_left_alone():
    df = GROUPED.assign(timestamp=range(len(GROUPED)))
    before = df.copy(deep=True)
    samples = samples_from_groups(df, "time", "sample_name", ["accX"])
    assert text(samples[0]).splitlines()[:2] == ["timestamp,accX", "0,-9.81"]
    assert same_frame(df, before)
    with pytest.raises(ValueError, match="'timestamp'"):
        samples_from_groups(df, "time", "sample_name", ["timestamp"])


def test_groups_int64_metadata_is_stringified(capture_official):
    df = GROUPED.assign(device=np.int64(42), rate=1.5)
    ours = samples_from_groups(
        df, "time", "sample_name", FEATURES, metadata_cols=["device", "rate"]
    )
    assert ours[0].metadata == {"device": "42", "rate": "1.5"}
    json.dumps(ours[0].metadata)
    official.upload_pandas_dataframe_with_group(
        df.copy(deep=True), "time", "sample_name", FEATURES, metadata_cols=["device"]
    )
    with pytest.raises(TypeError, match="int64"):  # what the official upload would hit
        json.dumps(capture_official[0].metadata)


def test_groups_datetime_timestamps_are_epoch_ms(capture_official):
    df = pd.DataFrame(
        {
            "station": ["FR04014", "FR04014", "BETR801"],
            "when": pd.to_datetime(
                ["2019-05-07 01:00:00", "2019-05-07 02:00:00", "2019-05-07 01:00:00"]
            ),
            "value": [25.0, 27.7, 50.5],
        }
    )
    ours = samples_from_groups(df, "when", "station", ["value"])
    assert [s.filename for s in ours] == ["FR04014.csv", "BETR801.csv"]
    assert text(ours[0]) == "timestamp,value\n1557190800000,25.0\n1557194400000,27.7\n"
    official.upload_pandas_dataframe_with_group(df.copy(deep=True), "when", "station", ["value"])
    assert [text(s) for s in ours] == [text(s) for s in capture_official]
    aware = df.assign(when=df["when"].dt.tz_localize("UTC").dt.tz_convert("Asia/Tokyo"))
    assert [text(s) for s in samples_from_groups(aware, "when", "station", ["value"])] == [
        text(s) for s in ours
    ]


def test_groups_timestamp_kinds():
    base = pd.DataFrame({"g": ["a", "a"], "v": [1, 2]})
    ints = samples_from_groups(base.assign(t=[1, 2]), "t", "g", ["v"])
    assert text(ints[0]) == "timestamp,v\n1000,1\n2000,2\n"
    deltas = samples_from_groups(
        base.assign(t=pd.to_timedelta([0, 250], unit="ms")), "t", "g", ["v"]
    )
    assert text(deltas[0]) == "timestamp,v\n0,1\n250,2\n"
    objects = base.assign(t=pd.Series([0.5, 1], dtype=object))
    assert text(samples_from_groups(objects, "t", "g", ["v"])[0]) == "timestamp,v\n500,1\n1000,2\n"
    with pytest.raises(ValueError, match=r"Unsupported timestamp 'x'.*row 1"):
        samples_from_groups(base.assign(t=pd.Series([0, "x"], dtype=object)), "t", "g", ["v"])
    with pytest.raises(ValueError, match="missing"):
        samples_from_groups(base.assign(t=[0.0, float("nan")]), "t", "g", ["v"])


def test_groups_several_values_name_the_group_and_column():
    df = GROUPED.copy(deep=True)
    df.loc[5, "label"] = "other"
    with pytest.raises(
        ValueError, match=r'label value found in column "label" for group "sample 2"'
    ):
        samples_from_groups(df, "time", "sample_name", FEATURES, label_col="label")
    df = GROUPED.copy(deep=True)
    df.loc[0, "location"] = "lab"
    with pytest.raises(ValueError, match=r'metadata value .* "location" for group "sample 1"'):
        samples_from_groups(df, "time", "sample_name", FEATURES, metadata_cols=["location"])
    df = GROUPED.copy(deep=True)
    df.loc[7, "category"] = "testing"
    with pytest.raises(ValueError, match=r'category value .* "category" for group "sample 2"'):
        samples_from_groups(df, "time", "sample_name", FEATURES, category_col="category")


def test_groups_safe_filenames_defaults_and_missing_groups():
    df = pd.DataFrame({"g": ["a/b", "c\\d", "a/b"], "t": [0, 0, 1], "v": [1, 2, 3]})
    samples = samples_from_groups(df, "t", "g", ["v"])
    assert [s.filename for s in samples] == ["a_b.csv", "c_d.csv"]
    assert [(s.label, s.category, s.metadata) for s in samples] == [(None, "split", None)] * 2
    nums = samples_from_groups(df.assign(g=[3, 4, 3], lab=[7, 8, 7]), "t", "g", ["v"], "lab")
    assert [(s.filename, s.label) for s in nums] == [("3.csv", "7"), ("4.csv", "8")]
    with pytest.raises(ValueError, match="missing value at row 1"):
        samples_from_groups(df.assign(g=["a", None, "a"]), "t", "g", ["v"])
    with pytest.raises(ValueError, match="'nope'"):
        samples_from_groups(df, "t", "g", ["nope"])


@needs_formats
def test_groups_parse_back():
    samples = samples_from_groups(GROUPED, "time", "sample_name", FEATURES)
    parsed = parse(samples[1])
    assert parsed.kind == "timeseries"
    assert [s.name for s in parsed.sensors] == FEATURES
    expected = GROUPED[GROUPED.sample_name == "sample 2"].sort_values("time")[FEATURES]
    np.testing.assert_array_equal(parsed.values, expected.to_numpy(dtype=float))
    assert parsed.interval_ms == 10


# --------------------------------------------------------------------------------------
# module hygiene
# --------------------------------------------------------------------------------------


def test_importing_frames_does_not_import_pandas():
    code = "import sys, ei_desktop.core.frames; print('pandas' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_public_functions_have_docstrings():
    for name in frames.__all__:
        obj = getattr(frames, name)
        if callable(obj):
            assert obj.__doc__ and obj.__doc__.strip(), name
