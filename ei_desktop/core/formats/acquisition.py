"""The Edge Impulse data acquisition format (JSON or CBOR), contract §6.1.

Rows and sensors in error messages are counted from 1, the way a person counts them. Keys may
come in any order and extra keys are ignored; a missing ``protected`` header or ``signature``
only means the sample is unsigned. ``payload.metadata`` (a map), when present, is kept in
``ParsedSample.extra["metadata"]``.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterator
from itertools import chain
from typing import Any, Optional

import cbor2
import numpy as np
import orjson

from ei_desktop.core.formats import TIMESERIES, FormatError, ParsedSample
from ei_desktop.core.model import Protected, Sensor

_NUMBER_TYPES = frozenset((int, float))


def parse(data: bytes, cbor: bool) -> ParsedSample:
    """Validate a data acquisition file and return its sensors and values.

    Args:
        data: the whole file.
        cbor: decode as CBOR (``.cbor``) rather than JSON text (``.json``).

    Raises:
        FormatError: the file cannot be decoded or does not follow the format; the message
            names the field and the problem.
    """
    document = _decode_cbor(data) if cbor else _decode_json(data)
    if not isinstance(document, dict):
        raise FormatError(
            "The top level of the file must be a map with 'protected', 'payload' and "
            f"'signature', got {_describe(document)}"
        )
    protected = document.get("protected")
    if protected is not None and not isinstance(protected, dict):
        raise FormatError(f"'protected' must be a map, got {_describe(protected)}")
    payload = document.get("payload")
    if payload is None:
        raise FormatError("The file has no 'payload'")
    if not isinstance(payload, dict):
        raise FormatError(f"'payload' must be a map, got {_describe(payload)}")

    device_type = payload.get("device_type")
    if device_type is None:
        raise FormatError("payload.device_type is missing")
    if not isinstance(device_type, str):
        raise FormatError(f"payload.device_type must be a string, got {_describe(device_type)}")
    device_name = payload.get("device_name")
    if device_name is not None and not isinstance(device_name, str):
        raise FormatError(
            f"payload.device_name must be a string or null, got {_describe(device_name)}"
        )

    sensors = _sensors(payload.get("sensors"))
    values = _values(payload.get("values"), sensors)
    interval_ms = _interval(payload, len(values))

    signature = document.get("signature")
    signed = (
        isinstance(protected, dict)
        and protected.get("alg") == "HS256"
        and isinstance(signature, str)
        and signature.strip("0") != ""
    )
    extra: dict[str, Any] = {}
    if isinstance(payload.get("metadata"), dict):
        extra["metadata"] = payload["metadata"]
    return ParsedSample(
        kind=TIMESERIES,
        sensors=sensors,
        values=values,
        interval_ms=interval_ms,
        values_count=len(values),
        device_type=device_type,
        device_name=device_name,
        signed=signed,
        extra=extra,
    )


def to_json(
    device_type: str,
    device_name: Optional[str],
    sensors: list[Sensor],
    values: Any,
    interval_ms: float,
) -> str:
    """Write a sample in the data acquisition format, exactly as the official SDK's downloader.

    The text is ``json.dumps(dataclasses.asdict(DataAcquisition(...)))`` with an unsigned
    :class:`Protected` header, so keys come in the SDK's order and ``signature`` is ``null``.

    Args:
        device_type: the device type stored with the sample.
        device_name: the device name stored with the sample, or ``None``.
        sensors: one per axis (:class:`Sensor`, or ``{"name", "units"}`` maps).
        values: rows × axes, a numpy array or a list of rows; a one-dimensional array is
            written as one axis (one single-number row per reading).
        interval_ms: milliseconds between rows.
    """
    sensor_objects = [
        s if isinstance(s, Sensor) else Sensor(name=s["name"], units=s["units"]) for s in sensors
    ]
    if isinstance(values, np.ndarray):
        rows = _RowsText(values.reshape(-1, 1) if values.ndim == 1 else values)
    elif isinstance(values, list) and all(type(row) is list for row in values):
        rows = values  # as parsed from an API answer: written as they are, not copied
    else:
        rows = [
            row.tolist()
            if isinstance(row, np.ndarray)
            else list(row)
            if isinstance(row, (list, tuple))
            else [row]
            for row in values
        ]
    protected = Protected()
    # The dict dataclasses.asdict would build, written directly: asdict deep-copies every
    # value, which made this the slowest step of a download.
    document = {
        "protected": {"ver": protected.ver, "alg": protected.alg, "iat": protected.iat},
        "payload": {
            "device_type": device_type,
            "sensors": [{"name": s.name, "units": s.units} for s in sensor_objects],
            "values": rows,
            "interval_ms": interval_ms,
            "device_name": device_name,
        },
        "signature": None,
    }
    if not isinstance(rows, _RowsText):
        return json.dumps(document)
    # A large array as Python lists costs ~10x its size: write its rows a block at a time
    # into the text json.dumps would give, in place of a marker. The text grows by ``+=``,
    # which CPython does in place while nothing else refers to it: the text exists once,
    # where joining blocks held every block and the text (twice the text at its peak).
    document["payload"]["values"] = _VALUES_MARKER
    head, tail = json.dumps(document).split(json.dumps(_VALUES_MARKER), 1)
    text = head + "["
    for number, block in enumerate(rows.blocks()):
        if number:
            text += ", "
        text += block
    text += "]"
    text += tail
    return text


_VALUES_MARKER = "\x00values\x00"
_ROWS_PER_BLOCK = 65536


class _RowsText:
    """Rows of a numpy array written as ``json.dumps`` writes nested lists, block by block."""

    def __init__(self, values: np.ndarray) -> None:
        self.values = values

    def blocks(self) -> Iterator[str]:
        """The rows' text a block of rows at a time, without the outer brackets."""
        for start in range(0, len(self.values), _ROWS_PER_BLOCK):
            yield _rows_json(self.values[start : start + _ROWS_PER_BLOCK])[1:-1]


#: numbers orjson writes exactly as ``json.dumps`` does (outside it, the exponent forms
#: differ: ``1e-05`` / ``1e-5``, ``1e+16`` / ``1e16``)
_SAME_TEXT = (1e-4, 1e16)


def _rows_json(rows: np.ndarray) -> str:
    """``json.dumps(rows.tolist())``, written by orjson straight from the array where the
    text is the same (about ten times faster, no Python number per value).
    """
    if rows.dtype.kind in "iu":
        same = True
    elif rows.dtype.kind == "f":
        rows = rows.astype(np.float64, copy=False)  # tolist writes float32 as doubles
        magnitude = np.abs(rows)
        same = bool(
            np.all((magnitude == 0) | ((magnitude >= _SAME_TEXT[0]) & (magnitude < _SAME_TEXT[1])))
        )
    else:
        same = False
    if not same:
        return json.dumps(rows.tolist())
    text = orjson.dumps(np.ascontiguousarray(rows), option=orjson.OPT_SERIALIZE_NUMPY)
    return text.replace(b",", b", ").decode("ascii")


def _decode_cbor(data: bytes) -> Any:
    try:
        return cbor2.loads(data)
    except RecursionError:
        raise FormatError("The file is nested too deeply to read") from None
    except MemoryError:
        raise
    except Exception as error:  # cbor2 raises several kinds on damaged input
        message = str(error)
        if "nesting depth" in message:
            raise FormatError("The file is nested too deeply to read") from None
        if data.lstrip()[:1] == b"{":
            raise FormatError(
                "The file is not valid CBOR (it looks like JSON text; name it .json)"
            ) from None
        if isinstance(error, cbor2.CBORDecodeEOF):
            message = "it ends too early (truncated)"
        raise FormatError(f"The file is not valid CBOR: {message}") from None


def _reject_constant(name: str) -> Any:
    raise FormatError(f"The file contains {name}, which is not a number allowed in JSON")


def _decode_json(data: bytes) -> Any:
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        hint = ""
        if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
            hint = " (it is UTF-16 text; save it as UTF-8)"
        elif 0xA0 <= data[0] <= 0xBF:
            hint = " (it looks like CBOR; name it .cbor)"
        raise FormatError(
            f"The file is not UTF-8 text: byte 0x{data[error.start]:02x} at position "
            f"{error.start} cannot be decoded{hint}"
        ) from None
    try:
        return json.loads(text, parse_constant=_reject_constant)
    except RecursionError:
        raise FormatError("The file is nested too deeply to read") from None
    except FormatError:  # from _reject_constant
        raise
    except json.JSONDecodeError as error:
        raise FormatError(
            f"The file is not valid JSON: {error.msg} (line {error.lineno}, column {error.colno})"
        ) from None
    except ValueError as error:  # e.g. an integer with too many digits
        raise FormatError(f"The file is not valid JSON: {error}") from None


def _sensors(raw: Any) -> list[Sensor]:
    if raw is None:
        raise FormatError("payload.sensors is missing")
    if not isinstance(raw, list):
        raise FormatError(f"payload.sensors must be a list, got {_describe(raw)}")
    if not raw:
        raise FormatError("payload.sensors is empty; there must be one sensor per axis")
    sensors = []
    for number, item in enumerate(raw, start=1):
        where = f"payload.sensors item {number}"
        if not isinstance(item, dict):
            raise FormatError(
                f"{where} must be a map with 'name' and 'units', got {_describe(item)}"
            )
        name, units = item.get("name"), item.get("units")
        if not isinstance(name, str):
            got = "it has none" if name is None else f"got {_describe(name)}"
            raise FormatError(f"{where} must have a 'name' string, {got}")
        if not name.strip():
            raise FormatError(f"{where} has an empty name")
        if not isinstance(units, str):
            got = "it has none" if units is None else f"got {_describe(units)}"
            raise FormatError(f"{where} ('{name}') must have a 'units' string, {got}")
        sensors.append(Sensor(name=name, units=units))
    return sensors


def _values(raw: Any, sensors: list[Sensor]) -> np.ndarray:
    axes = len(sensors)
    if raw is None:
        raise FormatError("payload.values is missing")
    if not isinstance(raw, list):
        raise FormatError(f"payload.values must be a list of rows, got {_describe(raw)}")
    if not raw:
        raise FormatError("payload.values is empty; the file has no readings")
    top_types = set(map(type, raw))
    if top_types <= _NUMBER_TYPES:
        if axes != 1:
            raise FormatError(
                f"payload.values is a flat list of numbers, but there are {axes} sensors; "
                f"expected one row of {axes} numbers per reading"
            )
        array = _to_float_array(raw, lambda index: f"payload.values row {index + 1}")
        _check_finite(array.reshape(-1, 1), sensors)
        return array.reshape(-1, 1)
    if top_types != {list}:
        _raise_row_shape(raw, axes)
    lengths = set(map(len, raw))
    if lengths != {axes}:
        _raise_row_shape(raw, axes)
    if not set(map(type, chain.from_iterable(raw))) <= _NUMBER_TYPES:
        for index, row in enumerate(raw):
            for axis, value in enumerate(row):
                if type(value) not in _NUMBER_TYPES:
                    raise FormatError(
                        f"payload.values row {index + 1}, value for '{sensors[axis].name}' is "
                        f"{_describe(value)}, not a number"
                    )
    array = _to_float_array(raw, lambda index: f"payload.values row {index + 1}")
    _check_finite(array, sensors)
    return array


def _raise_row_shape(raw: list, axes: int) -> None:
    if axes == 1 and type(raw[0]) in _NUMBER_TYPES:  # a flat list with something else in it
        for index, value in enumerate(raw):
            if type(value) not in _NUMBER_TYPES:
                raise FormatError(
                    f"payload.values row {index + 1} must be a number like the rows before it, "
                    f"got {_describe(value)}"
                )
    for index, row in enumerate(raw):
        if not isinstance(row, list):
            expected = "a number or " if axes == 1 else ""
            raise FormatError(
                f"payload.values row {index + 1} must be {expected}a list of {axes} "
                f"number{'s' if axes != 1 else ''}, got {_describe(row)}"
            )
        if len(row) != axes:
            raise FormatError(
                f"payload.values row {index + 1} has {len(row)} value"
                f"{'s' if len(row) != 1 else ''}, expected {axes} (one per sensor)"
            )


def _to_float_array(raw: list, where: Any) -> np.ndarray:
    try:
        return np.array(raw, dtype=np.float64)
    except OverflowError:  # an integer beyond float64
        for index, row in enumerate(raw):
            for value in row if isinstance(row, list) else [row]:
                try:
                    float(value)
                except OverflowError:
                    raise FormatError(
                        f"{where(index)} has a number too large to store: {str(value)[:20]}…"
                    ) from None
        raise


def _check_finite(array: np.ndarray, sensors: list[Sensor]) -> None:
    finite = np.isfinite(array)
    if finite.all():
        return
    row, axis = (int(i) for i in np.argwhere(~finite)[0])
    raise FormatError(
        f"payload.values row {row + 1}, value for '{sensors[axis].name}' is "
        f"{float(array[row, axis])!r}, not a finite number"
    )


def _interval(payload: dict, rows: int) -> float:
    if "interval_ms" not in payload:
        raise FormatError("payload.interval_ms is missing")
    raw = payload["interval_ms"]
    if type(raw) not in _NUMBER_TYPES:
        raise FormatError(
            f"payload.interval_ms must be a number greater than 0, got {_describe(raw)}"
        )
    try:
        interval = float(raw)
    except OverflowError:
        interval = math.inf
    if not math.isfinite(interval) or interval < 0:
        raise FormatError(f"payload.interval_ms must be a number greater than 0, got {raw!r}")
    if interval == 0 and rows != 1:
        raise FormatError(
            f"payload.interval_ms must be a number greater than 0, got {raw!r} "
            f"(0 is only allowed for a single reading; the file has {rows})"
        )
    return interval


def _describe(value: Any) -> str:
    """Describe a decoded value in a few words, for error messages."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value) if len(repr(value)) <= 30 else "a very long number"
    if isinstance(value, str):
        shown = value if len(value) <= 30 else value[:30] + "…"
        return f"a string ({shown!r})"
    if isinstance(value, dict):
        return "a map"
    if isinstance(value, (list, tuple)):
        return "a list"
    if isinstance(value, (bytes, bytearray)):
        return "a byte string"
    return f"a value of type {type(value).__name__}"
