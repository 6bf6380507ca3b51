from __future__ import annotations

import copy
import dataclasses
import json
import math
from pathlib import Path

import cbor2
import numpy as np
import pytest

from ei_desktop.core import formats
from ei_desktop.core.formats import FormatError, acquisition
from ei_desktop.core.model import DataAcquisition, Payload, Protected, Sensor

SAMPLES = Path(__file__).resolve().parents[2] / "data" / "ei-samples"

GOOD = {
    "protected": {"ver": "v1", "alg": "none", "iat": None},
    "payload": {
        "device_type": "TEST",
        "sensors": [{"name": "accX", "units": "m/s2"}, {"name": "accY", "units": "m/s2"}],
        "values": [[1, 2.5], [3, -4], [5.25, 6]],
        "interval_ms": 10,
        "device_name": None,
    },
    "signature": None,
}


def doc(**payload_changes):
    document = copy.deepcopy(GOOD)
    for key, value in payload_changes.items():
        if value is ...:
            del document["payload"][key]
        else:
            document["payload"][key] = value
    return document


def as_json(document) -> bytes:
    return json.dumps(document).encode()


def error_of(data: bytes, cbor: bool = False) -> str:
    with pytest.raises(FormatError) as caught:
        acquisition.parse(data, cbor=cbor)
    return str(caught.value)


# --- the real sample files ------------------------------------------------------------------


def test_real_json_sample():
    sample = formats.parse("wave.01.json", (SAMPLES / "wave.01.json").read_bytes())
    assert sample.kind == formats.TIMESERIES
    assert sample.sensors == [
        Sensor("accX", "m/s2"),
        Sensor("accY", "m/s2"),
        Sensor("accZ", "m/s2"),
    ]
    assert sample.values.dtype == np.float64
    assert sample.values.tolist() == [
        [-9.81, 0.03, 1.21],
        [-9.83, 0.04, 1.27],
        [-9.12, 0.03, 1.23],
        [-9.14, 0.01, 1.25],
    ]
    assert sample.interval_ms == 10
    assert sample.frequency_hz == 100
    assert sample.values_count == 4
    assert sample.device_type == "DISCO-L475VG-IOT01A"
    assert sample.device_name == "ac:87:a3:0a:2d:1b"
    assert sample.signed is True


@pytest.mark.parametrize(
    ("name", "rows", "first_row"),
    [("wave.0.cbor", 622, [7.73, 0.34, -5.75]), ("idle.0.cbor", 621, [0.01, 0.0, 10.1])],
)
def test_real_cbor_samples(name, rows, first_row):
    sample = formats.parse(name, (SAMPLES / name).read_bytes())
    assert sample.kind == formats.TIMESERIES
    assert [s.name for s in sample.sensors] == ["accX", "accY", "accZ"]
    assert {s.units for s in sample.sensors} == {"m/s2"}
    assert sample.values.shape == (rows, 3)
    assert sample.values[0].tolist() == first_row
    assert sample.interval_ms == 16
    assert sample.values_count == rows
    assert sample.device_type == "Edge Impulse dataset"
    assert sample.device_name is None
    assert sample.signed is True


# --- valid variations -----------------------------------------------------------------------


def test_cbor_and_json_give_the_same_sample():
    from_json = acquisition.parse(as_json(GOOD), cbor=False)
    from_cbor = acquisition.parse(cbor2.dumps(GOOD), cbor=True)
    assert from_json.values.tolist() == from_cbor.values.tolist() == [[1, 2.5], [3, -4], [5.25, 6]]
    assert (
        from_json.sensors == from_cbor.sensors == [Sensor("accX", "m/s2"), Sensor("accY", "m/s2")]
    )
    assert from_json.signed is from_cbor.signed is False


def test_key_order_and_extra_keys_do_not_matter():
    document = {
        "extra": [1, 2],
        "signature": None,
        "payload": {
            "values": [[1]],
            "whatever": {"x": 1},
            "interval_ms": 1,
            "sensors": [{"units": "N/A", "name": "a", "color": "red"}],
            "device_type": "X",
            "metadata": {"site": "lab"},
        },
        "protected": {"alg": "none", "ver": "v1"},
    }
    sample = acquisition.parse(cbor2.dumps(document), cbor=True)
    assert sample.values.tolist() == [[1.0]]
    assert sample.extra == {"metadata": {"site": "lab"}}


def test_flat_values_for_a_single_sensor():
    data = doc(sensors=[{"name": "audio", "units": "wav"}], values=[0, 0.5, -1], interval_ms=0.0625)
    sample = acquisition.parse(as_json(data), cbor=False)
    assert sample.values.shape == (3, 1)
    assert sample.values[:, 0].tolist() == [0, 0.5, -1]
    assert sample.interval_ms == 0.0625
    assert sample.frequency_hz == 16000


def test_zero_interval_is_allowed_for_exactly_one_row():
    sample = acquisition.parse(as_json(doc(values=[[1, 2]], interval_ms=0)), cbor=False)
    assert sample.values_count == 1
    assert sample.interval_ms == 0


def test_units_are_not_validated_and_device_name_may_be_a_string():
    data = doc(sensors=[{"name": "a", "units": "ms/s"}, {"name": "b", "units": ""}])
    data["payload"]["device_name"] = "ac:87"
    sample = acquisition.parse(as_json(data), cbor=False)
    assert [s.units for s in sample.sensors] == ["ms/s", ""]
    assert sample.device_name == "ac:87"


def test_utf8_bom_is_tolerated():
    assert acquisition.parse(b"\xef\xbb\xbf" + as_json(GOOD), cbor=False).values_count == 3


@pytest.mark.parametrize(
    ("alg", "signature", "signed"),
    [
        ("HS256", "ab" * 32, True),
        ("HS256", "0" * 64, False),
        ("HS256", "", False),
        ("HS256", None, False),
        ("none", "ab" * 32, False),
    ],
)
def test_signed_flag(alg, signature, signed):
    document = copy.deepcopy(GOOD)
    document["protected"]["alg"] = alg
    document["signature"] = signature
    assert acquisition.parse(as_json(document), cbor=False).signed is signed


# --- invalid files --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("document", "expected"),
    [
        ([1, 2, 3], "top level of the file must be a map"),
        ("text", "top level of the file must be a map"),
        ({"protected": {}}, "has no 'payload'"),
        ({"payload": [1]}, "'payload' must be a map"),
        ({"protected": "x", "payload": {}}, "'protected' must be a map"),
        (doc(device_type=...), "payload.device_type is missing"),
        (doc(device_type=5), "payload.device_type must be a string, got 5"),
        (doc(device_name=5), "payload.device_name must be a string or null, got 5"),
        (doc(sensors=...), "payload.sensors is missing"),
        (doc(sensors={"name": "a"}), "payload.sensors must be a list, got a map"),
        (doc(sensors=[]), "payload.sensors is empty"),
        (doc(sensors=["accX", "accY"]), "payload.sensors item 1 must be a map"),
        (doc(sensors=[{"name": "a", "units": "x"}, {"units": "x"}]), "item 2 must have a 'name'"),
        (doc(sensors=[{"name": "a", "units": "x"}, {"name": " ", "units": "x"}]), "empty name"),
        (doc(sensors=[{"name": "a", "units": "x"}, {"name": "b"}]), "item 2 ('b') must have a"),
        (doc(sensors=[{"name": "a", "units": 1}, {"name": "b", "units": "x"}]), "'units' string"),
        (doc(values=...), "payload.values is missing"),
        (doc(values=[]), "payload.values is empty"),
        (doc(values="1,2"), "payload.values must be a list of rows, got a string"),
        (doc(values=[[1, 2], [3, 4], [5]]), "payload.values row 3 has 1 value, expected 2"),
        (doc(values=[[1, 2], [3, 4, 5]]), "payload.values row 2 has 3 values, expected 2"),
        (doc(values=[[1, 2], 3]), "payload.values row 2 must be a list of 2 numbers, got 3"),
        (doc(values=[1, 2, 3]), "flat list of numbers, but there are 2 sensors"),
        (doc(values=[[1, 2], ["3", 4]]), "row 2, value for 'accX' is a string ('3'), not a number"),
        (doc(values=[[1, 2], [3, True]]), "row 2, value for 'accY' is true, not a number"),
        (doc(values=[[1, None], [3, 4]]), "row 1, value for 'accY' is null, not a number"),
        (doc(values=[[1, [2]], [3, 4]]), "row 1, value for 'accY' is a list, not a number"),
        (doc(values=[[1, 10**400]]), "row 1 has a number too large to store"),
        (doc(interval_ms=...), "payload.interval_ms is missing"),
        (doc(interval_ms=-5), "payload.interval_ms must be a number greater than 0, got -5"),
        (doc(interval_ms="10"), "must be a number greater than 0, got a string ('10')"),
        (doc(interval_ms=True), "must be a number greater than 0, got true"),
        (doc(interval_ms=0), "got 0 (0 is only allowed for a single reading; the file has 3)"),
    ],
)
def test_invalid_documents_name_the_problem(document, expected):
    assert expected in error_of(as_json(document))
    assert expected in error_of(cbor2.dumps(document), cbor=True)


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        ([1, "2"], "row 2 must be a number like the rows before it, got a string ('2')"),
        ([1, False], "row 2 must be a number like the rows before it, got false"),
        ([[1], 2, [3]], "row 2 must be a number or a list of 1 number, got 2"),
    ],
)
def test_invalid_single_sensor_values(values, expected):
    document = doc(sensors=[{"name": "a", "units": "x"}], values=values)
    assert expected in error_of(as_json(document))


@pytest.mark.parametrize("bad", [math.nan, math.inf, -math.inf])
def test_non_finite_values_are_rejected_in_cbor(bad):
    document = doc(values=[[1, 2], [3, bad]])
    assert "row 2, value for 'accY'" in error_of(cbor2.dumps(document), cbor=True)
    assert "not a finite number" in error_of(cbor2.dumps(document), cbor=True)


@pytest.mark.parametrize("bad", [math.nan, math.inf])
def test_non_finite_interval_is_rejected_in_cbor(bad):
    message = error_of(cbor2.dumps(doc(interval_ms=bad)), cbor=True)
    assert "payload.interval_ms must be a number greater than 0" in message


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (b'{"payload": {"values": [[NaN]]}}', "NaN, which is not a number allowed in JSON"),
        (b'{"payload": {"values": [[Infinity]]}}', "Infinity, which is not a number allowed"),
        (b'{"payload": {"values": [[-Infinity]]}}', "-Infinity"),
    ],
)
def test_json_nan_and_infinity_literals_are_rejected(text, expected):
    assert expected in error_of(text)


def test_json_number_overflowing_to_infinity_is_rejected():
    text = as_json(doc()).replace(b"5.25", b"1e999")
    assert "row 3, value for 'accX' is inf, not a finite number" in error_of(text)


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"", "not valid JSON: Expecting value (line 1, column 1)"),
        (b'{"payload": {', "not valid JSON"),
        (b'{"a": 1,}', "not valid JSON: Expecting property name"),
        (b"\xff\xfe{\x00", "not UTF-8 text: byte 0xff at position 0"),
        ('{"a": 1}'.encode("utf-16"), "(it is UTF-16 text; save it as UTF-8)"),
        (b'{"payload": "caf\xe9"}', "not UTF-8 text: byte 0xe9 at position 16"),
        (cbor2.dumps(GOOD), "not UTF-8 text"),
        (cbor2.dumps(GOOD), "(it looks like CBOR; name it .cbor)"),
        (b"[" * 100_000, "nested too deeply"),
    ],
)
def test_undecodable_json(data, expected):
    assert expected in error_of(data)


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"", "not valid CBOR: it ends too early (truncated)"),
        (cbor2.dumps(GOOD)[:-7], "not valid CBOR: it ends too early (truncated)"),
        (b"\xff", "not valid CBOR: break code"),
        (as_json(GOOD), "(it looks like JSON text; name it .json)"),
        (b"\x81" * 100_000 + b"\x00", "nested too deeply"),
        (b"\x9b\x00\x00\x00\x10\x00\x00\x00\x00", "truncated"),  # claims 2**36 items
    ],
)
def test_undecodable_cbor(data, expected):
    assert expected in error_of(data, cbor=True)


def test_dispatch_reports_empty_files():
    with pytest.raises(FormatError, match="The file is empty"):
        formats.parse("x.cbor", b"")


# --- writing --------------------------------------------------------------------------------


def test_to_json_is_byte_for_byte_what_the_sdk_downloader_writes():
    sensors = [Sensor("accX", "m/s2"), Sensor("accY", "m/s2")]
    rows = [[1.5, -2.0], [3.25, 4.0]]
    expected = json.dumps(
        dataclasses.asdict(
            DataAcquisition(
                protected=Protected(),
                payload=Payload(
                    device_type="DISCO",
                    sensors=sensors,
                    values=rows,
                    interval_ms=16,
                    device_name="ac:87",
                ),
            )
        )
    )
    assert acquisition.to_json("DISCO", "ac:87", sensors, np.array(rows), 16) == expected
    assert acquisition.to_json("DISCO", "ac:87", sensors, rows, 16) == expected
    assert expected.startswith('{"protected": {"ver": "v1", "alg": "none", "iat": null}, ')
    assert expected.endswith('"interval_ms": 16, "device_name": "ac:87"}, "signature": null}')


def test_to_json_round_trips_through_parse():
    original = formats.parse("wave.0.cbor", (SAMPLES / "wave.0.cbor").read_bytes())
    text = acquisition.to_json(
        original.device_type, None, original.sensors, original.values, original.interval_ms
    )
    again = acquisition.parse(text.encode(), cbor=False)
    assert np.array_equal(again.values, original.values)
    assert again.sensors == original.sensors
    assert again.interval_ms == original.interval_ms
    assert again.device_type == "Edge Impulse dataset"
    assert json.loads(text)["payload"]["values"][1] == [6.05, 1.3, -4.96]


def test_to_json_writes_a_one_dimensional_array_as_one_axis():
    text = acquisition.to_json("X", None, [Sensor("audio", "wav")], np.array([1.0, 40.0]), 0.0625)
    assert json.loads(text)["payload"]["values"] == [[1.0], [40.0]]
    assert acquisition.parse(text.encode(), cbor=False).values.shape == (2, 1)


def test_a_large_array_is_written_exactly_as_its_lists_would_be():
    values = np.arange(300_000, dtype=np.float64).reshape(-1, 2) / 7  # several blocks of rows
    sensors = [Sensor("x", "m/s2"), Sensor("y", "m/s2")]
    as_array = acquisition.to_json("CSV", None, sensors, values, 10.0)
    assert as_array == acquisition.to_json("CSV", None, sensors, values.tolist(), 10.0)
    assert json.loads(as_array)["payload"]["values"][-1] == values[-1].tolist()


@pytest.mark.parametrize(
    "values",
    [
        np.array([[1e-4, -1e-4], [9.99e15, -0.0], [0.1, 123456.789]]),  # edges written alike
        np.array([[1e-5, 2.5e-7], [1e16, -3e20]]),  # exponent forms: json's own way
        np.array([[np.nan, 1.0], [np.inf, -np.inf]]),
        np.array([[0.1, 1.5], [3.3, -7.25]], dtype=np.float32),  # as doubles, like tolist
        np.array([[1, -2], [2**40, 0]], dtype=np.int64),
        np.array([[1, 0], [255, 7]], dtype=np.uint8),
        np.arange(200_000, dtype=np.float64).reshape(-1, 2) * 1.37e-3,  # mixed blocks
    ],
    ids=["edges", "exponents", "non-finite", "float32", "int64", "uint8", "blocks"],
)
def test_any_array_is_written_exactly_as_json_writes_its_lists(values):
    sensors = [Sensor("x", "m/s2"), Sensor("y", "m/s2")]
    expected = acquisition.to_json("CSV", None, sensors, values.tolist(), 10.0)
    assert acquisition.to_json("CSV", None, sensors, values, 10.0) == expected


def test_rows_parsed_from_an_answer_are_written_without_copies():
    """A download over HTTP hands over the answer's rows (lists): the text costs its own size
    and no copy of the rows (those were about 4 times the text).
    """
    import tracemalloc

    rows = [[float(i), 1.5, -2] for i in range(200_000)]  # numbers as the answer had them
    sensors = [Sensor("x", "m/s2"), Sensor("y", "m/s2"), Sensor("z", "m/s2")]
    tracemalloc.start()
    try:
        text = acquisition.to_json("CSV", None, sensors, rows, 10.0)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert text == acquisition.to_json("CSV", None, sensors, [tuple(r) for r in rows], 10.0)
    assert json.loads(text)["payload"]["values"][1] == [1.0, 1.5, -2]
    assert peak < 3 * len(text), peak / len(text)


def test_an_array_of_many_blocks_is_written_holding_its_text_once(monkeypatch):
    """A big time series downloads as one text: while it is written, only the text and one
    block of rows exist beside the array (joining the blocks held the text twice)."""
    import tracemalloc

    monkeypatch.setattr(acquisition, "_ROWS_PER_BLOCK", 4096)  # as many blocks as 100 MB has
    values = np.arange(1_500_000, dtype=np.float64).reshape(-1, 3) / 7
    sensors = [Sensor("x", "m/s2"), Sensor("y", "m/s2"), Sensor("z", "m/s2")]
    tracemalloc.start()
    try:
        text = acquisition.to_json("CSV", None, sensors, values, 10.0)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert json.loads(text)["payload"]["values"][-1] == values[-1].tolist()
    assert peak < 1.3 * len(text), peak / len(text)
