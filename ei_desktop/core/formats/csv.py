"""CSV files in Edge Impulse's default CSV format, contract §6.2.

Rows in error messages are numbered as a spreadsheet shows them: the header is row 1, the
first data row is row 2. Every error message starts with ``Could not parse this CSV file:``.

Small files are read with the standard ``csv`` module (pandas costs about a millisecond per
call); files above :data:`LARGE_FILE_BYTES` go through pandas' C reader first. When that fast
path meets anything unusual, the file is read again the ordinary way, which alone decides what
is accepted and what every error message says, so both paths give the same result.
"""

from __future__ import annotations

import csv
import io
from typing import Optional

import numpy as np

from ei_desktop.core.formats import TABLE, TIMESERIES, FormatError, ParsedSample
from ei_desktop.core.model import Sensor

#: above this size the vectorised reader is tried first
LARGE_FILE_BYTES = 1024 * 1024

PREFIX = "Could not parse this CSV file"
TIMESTAMP = "timestamp"
UNITS = "N/A"


def parse(data: bytes) -> ParsedSample:
    """Validate a CSV file and return its sensors and values.

    A ``timestamp`` column (milliseconds) makes a time series; without one, the file must hold
    exactly one data row, stored as a table.

    Raises:
        FormatError: the message starts with ``Could not parse this CSV file:`` and names the
            row and column of the problem where there is one.
    """
    text = _decode(data)
    header, header_is_simple = _header(text)
    values = None
    if len(data) > LARGE_FILE_BYTES:
        values = _fast_values(data, len(header)) if header_is_simple else None
    if values is None:
        values = _checked_values(text, header)
    return _sample(header, values)


def _fail(problem: str) -> FormatError:
    return FormatError(f"{PREFIX}: {problem}")


def _malformed(error: csv.Error) -> FormatError:
    return _fail(f"the CSV text is malformed ({error}); perhaps a quote is never closed")


def _decode(data: bytes) -> str:
    bom = 3 if data.startswith(b"\xef\xbb\xbf") else 0
    try:
        text = data[bom:].decode("utf-8") if bom else data.decode("utf-8")
    except UnicodeDecodeError as error:
        at = error.start + bom
        if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
            raise _fail("it is not UTF-8 text but UTF-16. Save it with UTF-8 encoding") from None
        raise _fail(
            f"it is not UTF-8 text (byte 0x{data[at]:02x} at position {at} is "
            "not valid UTF-8; it may be Latin-1 or another encoding). Save it with UTF-8 encoding"
        ) from None
    if "\x00" in text:
        raise _fail(
            "it contains NUL characters, so it is not text; it may be UTF-16 or a binary file. "
            "Save it with UTF-8 encoding"
        )
    return text


def _header(text: str) -> tuple[list[str], bool]:
    """Return the column names, and whether the header is one plain line (no quotes)."""
    end = text.find("\n")
    first = text if end < 0 else text[:end]
    if '"' in first or "\r" in first[:-1]:  # quotes or old Mac line ends: let csv decide
        try:
            cells = next(csv.reader(io.StringIO(text, newline="")), [])
        except csv.Error as error:
            raise _malformed(error) from None
        simple = False
    else:
        cells = first.rstrip("\r").split(",")
        simple = True
    if len(cells) <= 1 and not "".join(cells).strip():
        raise _fail("the first line must be a header with the column names, but it is empty")
    names = [cell.strip() for cell in cells]
    seen: set[str] = set()
    for number, name in enumerate(names, start=1):
        if not name:
            raise _fail(f"column {number} of the header has an empty name")
        if name in seen:
            raise _fail(f"the column name '{name}' appears more than once in the header")
        seen.add(name)
    return names, simple


def _rows(text: str) -> list[list[str]]:
    """Read all records after the header, without the blank lines at the end."""
    try:
        rows = list(csv.reader(io.StringIO(text, newline="")))
    except csv.Error as error:
        raise _malformed(error) from None
    del rows[0]
    while rows and not "".join(rows[-1]).strip():  # blank lines (or only commas) at the end
        rows.pop()
    return rows


def _checked_values(text: str, header: list[str]) -> np.ndarray:
    rows = _rows(text)
    if not rows:
        raise _fail("there are no data rows after the header")
    width = len(header)
    for index, row in enumerate(rows):
        if len(row) != width:
            if not row:
                raise _fail(f"row {index + 2} is empty")
            raise _fail(
                f"row {index + 2} has {len(row)} cell{'s' if len(row) != 1 else ''}, expected "
                f"{width} (one per column in the header)"
            )
    try:
        values = np.array(rows, dtype=np.float64)
    except ValueError:
        values = _convert_cells(rows, header)
    finite = np.isfinite(values)
    if not finite.all():
        index, column = (int(i) for i in np.argwhere(~finite)[0])
        raise _fail(
            f"row {index + 2}, column '{header[column]}': '{rows[index][column].strip()}' is "
            "not a finite number"
        )
    return values


def _convert_cells(rows: list[list[str]], header: list[str]) -> np.ndarray:
    """Convert cell by cell, naming the first cell that is not a number."""
    converted = []
    for index, row in enumerate(rows):
        numbers = []
        for column, cell in enumerate(row):
            try:
                numbers.append(float(cell))
            except ValueError:
                where = f"row {index + 2}, column '{header[column]}'"
                if not cell.strip():
                    raise _fail(f"{where} is empty") from None
                shown = cell if len(cell) <= 40 else cell[:40] + "…"
                raise _fail(f"{where}: '{shown}' is not a number") from None
        converted.append(numbers)
    return np.array(converted, dtype=np.float64)


def _fast_values(data: bytes, width: int) -> Optional[np.ndarray]:
    """Read a large file's rows with pandas; ``None`` when the careful reader must decide.

    ``data`` is valid UTF-8 whose header line holds no quote or carriage return inside it.
    """
    import pandas as pd

    header_end = data.find(b"\n")
    end = _end_of_data(data)
    if header_end < 0 or end <= header_end:
        return None
    rows = data.count(b"\n", header_end + 1, end) + 1
    try:
        frame = pd.read_csv(
            io.BytesIO(data),
            header=None,
            skiprows=1,
            nrows=rows,
            dtype=np.float64,
            na_filter=False,
            skip_blank_lines=False,
            engine="c",
            encoding="utf-8",
        )
    except Exception:  # anything unusual: the careful reader decides and explains
        return None
    values = frame.to_numpy(dtype=np.float64)
    if values.shape != (rows, width) or not np.isfinite(values).all():
        return None
    return values


def _end_of_data(data: bytes) -> int:
    """Return where the rows end: before blank (or only-comma) lines at the end of ``data``."""
    end = len(data)
    while end:
        while end and data[end - 1] in b"\r\n":
            end -= 1
        start = data.rfind(b"\n", 0, end) + 1
        if data[start:end].strip(b" \t,"):
            break
        end = start
    return end


def _sample(header: list[str], values: np.ndarray) -> ParsedSample:
    if TIMESTAMP not in header:
        if len(values) > 1:
            near = [name for name in header if name.lower() == TIMESTAMP]
            hint = f" (the column '{near[0]}' must be named exactly '{TIMESTAMP}')" if near else ""
            raise _fail(
                f"it has {len(values)} data rows but no '{TIMESTAMP}' column{hint}; a file "
                f"without timestamps may hold only one row"
            )
        return ParsedSample(
            kind=TABLE,
            sensors=[Sensor(name=name, units=UNITS) for name in header],
            values=values,
            interval_ms=1.0,
            values_count=1,
        )
    column = header.index(TIMESTAMP)
    if len(header) == 1:
        raise _fail(f"it has a '{TIMESTAMP}' column but no sensor columns")
    timestamps = values[:, column]
    if len(values) == 1:
        raise _fail(
            "it has a single data row, so no sampling interval can be computed from its "
            f"timestamp (remove the '{TIMESTAMP}' column to upload one row as a table)"
        )
    steps = np.diff(timestamps)
    if (steps < 0).any():
        index = int(np.argmax(steps < 0)) + 1
        raise _fail(
            f"row {index + 2}: timestamp {_number(timestamps[index])} is smaller than the one "
            f"before it ({_number(timestamps[index - 1])}); timestamps must not decrease"
        )
    interval = float(timestamps[-1] - timestamps[0]) / (len(values) - 1)
    if not interval > 0:
        raise _fail(
            f"all timestamps are {_number(timestamps[0])}, so no sampling interval can be "
            "computed; timestamps are milliseconds and must increase"
        )
    keep = [i for i in range(len(header)) if i != column]
    return ParsedSample(
        kind=TIMESERIES,
        sensors=[Sensor(name=header[i], units=UNITS) for i in keep],
        values=np.ascontiguousarray(values[:, keep]),
        interval_ms=interval,
        values_count=len(values),
    )


def _number(value: float) -> str:
    value = float(value)
    return str(int(value)) if value.is_integer() and abs(value) < 1e16 else repr(value)
