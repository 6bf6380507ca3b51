"""CSV files in Edge Impulse's default CSV format, contract §6.2.

Rows in error messages are numbered as a spreadsheet shows them: the header is row 1, the
first data row is row 2. Every error message starts with ``Could not parse this CSV file:``.

Files are read a block of rows at a time, so validating a file never holds more than its bytes
and one block, and reading its values adds only the values array. Small files are read with the
standard ``csv`` module (pandas costs about a millisecond per call); files above
:data:`LARGE_FILE_BYTES` go through pandas' C reader first. When that fast path meets anything
unusual, the file is read again the careful way, which alone decides what is accepted and what
every error message says, so both paths give the same result.
"""

from __future__ import annotations

import codecs
import csv
import io
from collections.abc import Callable, Iterator
from itertools import islice
from typing import Any, Optional

import numpy as np

from ei_desktop.core.formats import TABLE, TIMESERIES, FormatError, ParsedSample
from ei_desktop.core.model import Sensor

#: above this size the vectorised reader is tried first, and values are read only when asked
LARGE_FILE_BYTES = 1024 * 1024
#: numbers in one block of rows read at once (4 MB of float64)
BLOCK_NUMBERS = 1 << 19
#: numbers in one block of the careful reader (its cells are Python strings, ~60 bytes each)
CAREFUL_NUMBERS = 1 << 16
#: bytes of text checked at once for UTF-8
TEXT_PIECE = 1 << 20
#: files up to this size are first tried with the quick reader (plain ASCII rows)
QUICK_BYTES = 64 * 1024

PREFIX = "Could not parse this CSV file"
TIMESTAMP = "timestamp"
UNITS = "N/A"


def parse(data: bytes, *, with_values: bool = False) -> ParsedSample:
    """Validate a CSV file and return its sensors and, when asked, its values.

    A ``timestamp`` column (milliseconds) makes a time series; without one, the file must hold
    exactly one data row, stored as a table.

    Args:
        data: the file's content.
        with_values: read the values (rows × sensors, float64) into ``values`` now. Without
            it a large file is only validated, a block of rows at a time, and its values are
            read from ``data`` if ``values`` is ever used.

    Raises:
        FormatError: the message starts with ``Could not parse this CSV file:`` and names the
            row and column of the problem where there is one.
    """
    header, simple = _layout(data)
    keep = with_values or len(data) <= LARGE_FILE_BYTES
    gathered = _quick(data, header) if simple and len(data) <= QUICK_BYTES else None
    if gathered is None:
        gathered = _read(data, header, simple, keep)
    fields = _sample_fields(header, gathered)
    if keep:
        return ParsedSample(values=gathered.values, **fields)
    return _LazySample(lambda: parse(data, with_values=True).values, **fields)


def iter_values(data: bytes, rows: Optional[int] = None) -> Iterator[np.ndarray]:
    """The values of a CSV file :func:`parse` accepts, a block of rows at a time.

    Each block is float64, rows × sensors, without the timestamp column: the blocks stacked
    are ``parse(data, with_values=True).values``. Only one block is in memory at a time.

    Args:
        data: the file's content.
        rows: at most this many rows per block (default: about 4 MB of values).

    Raises:
        FormatError: ``data`` is not a file :func:`parse` accepts (possibly after some blocks;
            the checks on timestamps and on the number of rows are :func:`parse`'s alone).
    """
    header, simple = _layout(data)
    width = len(header)
    size = max(1, int(rows)) if rows else _block_rows(width)
    columns = _sensor_columns(header)
    sent = 0
    fast_rows = _fast_rows(data) if simple and len(data) > LARGE_FILE_BYTES else None
    if fast_rows is not None:
        try:
            for block in _fast_blocks(data, width, fast_rows, size):
                yield _take(block, columns)
                sent += len(block)
            return
        except _Unusual:
            pass  # the careful reader takes over after the rows already sent
    careful = min(size, _block_rows(width, CAREFUL_NUMBERS))
    for block in _careful_blocks(data, header, _shape(data, header), careful):
        if sent >= len(block):
            sent -= len(block)
            continue
        yield _take(block[sent:], columns)
        sent = 0


class _LazySample(ParsedSample):
    """A parsed sample whose values are read from its file when first used."""

    def __init__(self, read_values: Callable[[], np.ndarray], **fields: Any) -> None:
        self._read_values: Optional[Callable[[], np.ndarray]] = read_values
        super().__init__(**fields)

    @property  # type: ignore[override]
    def values(self) -> Optional[np.ndarray]:
        if self._values is None and self._read_values is not None:
            self._values, self._read_values = self._read_values(), None
        return self._values

    @values.setter
    def values(self, values: Optional[np.ndarray]) -> None:
        self._values = values
        if values is not None:
            self._read_values = None

    def __repr__(self) -> str:
        read = "read on first use" if self._read_values is not None else "read"
        return f"ParsedSample(kind={self.kind!r}, values_count={self.values_count}, values {read})"


class _Unusual(Exception):
    """The fast reader met something only the careful reader may judge."""


def _fail(problem: str) -> FormatError:
    return FormatError(f"{PREFIX}: {problem}")


def _malformed(error: csv.Error) -> FormatError:
    return _fail(f"the CSV text is malformed ({error}); perhaps a quote is never closed")


def _bom(data: bytes) -> int:
    return 3 if data.startswith(b"\xef\xbb\xbf") else 0


def _decode(data: bytes) -> str:
    bom = _bom(data)
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
        raise _nul()
    return text


def _nul() -> FormatError:
    return _fail(
        "it contains NUL characters, so it is not text; it may be UTF-16 or a binary file. "
        "Save it with UTF-8 encoding"
    )


def _check_text(data: bytes) -> None:
    """Raise what :func:`_decode` would, without holding the decoded text."""
    if not data.isascii():
        decoder = codecs.getincrementaldecoder("utf-8")()
        view = memoryview(data)
        try:
            for start in range(0, len(data), TEXT_PIECE):
                decoder.decode(view[start : start + TEXT_PIECE], start + TEXT_PIECE >= len(data))
        except UnicodeDecodeError:
            _decode(data)  # names the first byte that is not UTF-8
            raise
    if b"\x00" in data:  # in UTF-8 a zero byte is always the NUL character
        raise _nul()


def _records(data: bytes) -> Iterator[list[str]]:
    """The CSV records of valid UTF-8 ``data``, header first, decoded as they are read."""
    text = io.TextIOWrapper(io.BytesIO(data), encoding="utf-8-sig", newline="")
    return csv.reader(text)


def _layout(data: bytes) -> tuple[list[str], bool]:
    """Check the text and the header; return the column names, and whether the header is one
    plain line (no quotes), which the fast reader may skip.
    """
    _check_text(data)
    end = data.find(b"\n")
    first = data[_bom(data) : len(data) if end < 0 else end].decode("utf-8")
    if '"' in first or "\r" in first[:-1]:  # quotes or old Mac line ends: let csv decide
        try:
            cells = next(_records(data), [])
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


def _block_rows(width: int, numbers: int = BLOCK_NUMBERS) -> int:
    return max(1, numbers // max(1, width))


def _sensor_columns(header: list[str]) -> Optional[list[int]]:
    """The columns that are not the timestamp (``None``: every column)."""
    if TIMESTAMP not in header:
        return None
    return [i for i, name in enumerate(header) if name != TIMESTAMP]


def _take(block: np.ndarray, columns: Optional[list[int]]) -> np.ndarray:
    return np.ascontiguousarray(block if columns is None else block[:, columns])


# -- the careful reader ------------------------------------------------------------------------


def _shape(data: bytes, header: list[str]) -> int:
    """Count the data rows (without the blank lines at the end), raising the careful reader's
    error about the file's shape: malformed text, no rows, a row of the wrong width.
    """
    width = len(header)
    count = 0
    error: Optional[tuple[int, list[str]]] = None
    blank_error: Optional[tuple[int, list[str]]] = None  # in the current run of blank lines
    records = _records(data)
    try:
        next(records, None)  # the header
        for index, row in enumerate(records):
            if not "".join(row).strip():  # blank (or only commas): dropped if nothing follows
                if blank_error is None and len(row) != width:
                    blank_error = (index, row)
                continue
            if error is None:
                error = blank_error or ((index, row) if len(row) != width else None)
            blank_error = None
            count = index + 1
    except csv.Error as malformed:  # wherever it is, this error comes first
        raise _malformed(malformed) from None
    if not count:
        raise _fail("there are no data rows after the header")
    if error is not None:
        index, row = error
        if not row:
            raise _fail(f"row {index + 2} is empty")
        raise _fail(
            f"row {index + 2} has {len(row)} cell{'s' if len(row) != 1 else ''}, expected "
            f"{width} (one per column in the header)"
        )
    return count


def _careful_blocks(data: bytes, header: list[str], count: int, size: int) -> Iterator[np.ndarray]:
    """The ``count`` data rows (all of :func:`_shape`'s width) as float64 blocks of ``size``
    rows, every column; raises at the first cell that is not a number, and after the last
    block at the first number that is not finite.
    """
    records = _records(data)
    next(records, None)
    not_finite: Optional[tuple[int, int, str]] = None
    done = 0
    while done < count:
        rows = list(islice(records, min(size, count - done)))
        try:
            block = np.array(rows, dtype=np.float64)
        except ValueError:
            block = _convert_cells(rows, header, done)
        if not_finite is None:
            finite = np.isfinite(block)
            if not finite.all():
                index, column = (int(i) for i in np.argwhere(~finite)[0])
                not_finite = (done + index, column, rows[index][column].strip())
        yield block
        done += len(rows)
    if not_finite is not None:
        index, column, cell = not_finite
        raise _fail(f"row {index + 2}, column '{header[column]}': '{cell}' is not a finite number")


def _convert_cells(rows: list[list[str]], header: list[str], first: int = 0) -> np.ndarray:
    """Convert cell by cell, naming the first cell that is not a number (``rows`` start at
    data row ``first``).
    """
    converted = []
    for index, row in enumerate(rows, start=first):
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


# -- the quick reader for small files ----------------------------------------------------------


def _quick(data: bytes, header: list[str]) -> Optional[_Gathered]:
    """The rows of a small plain file (ASCII, no quotes, Unix line ends, every row of the
    header's width and a number in every cell), read without the csv module: an ingest of
    many small files spends most of its time here. ``None`` for anything else: the careful
    reader then decides and explains, so answers and messages are the same either way.
    """
    width = len(header)
    if width < 2 or not data.isascii() or b'"' in data or b"\r" in data:
        return None
    lines = data.decode("ascii").split("\n")
    del lines[0]
    while lines and not lines[-1].replace(",", "").strip():
        lines.pop()
    if not lines:
        return None
    commas = width - 1
    for line in lines:
        if line.count(",") != commas:
            return None
    try:
        values = np.array(",".join(lines).split(","), dtype=np.float64)
    except ValueError:
        return None
    if not np.isfinite(values).all():
        return None
    block = values.reshape(len(lines), width)
    gathered = _Gathered(header, len(lines), False)
    if gathered.column is not None:
        times = block[:, gathered.column]
        if (times[1:] < times[:-1]).any():
            return None
        gathered.first, gathered.last = float(times[0]), float(times[-1])
    gathered.values = block[:, gathered.columns]
    gathered.count = len(lines)
    return gathered


# -- the fast reader ---------------------------------------------------------------------------


def _fast_rows(data: bytes) -> Optional[int]:
    """The number of data lines before any blank lines at the end (``None``: none)."""
    header_end = data.find(b"\n")
    end = _end_of_data(data)
    if header_end < 0 or end <= header_end:
        return None
    return data.count(b"\n", header_end + 1, end) + 1


def _fast_blocks(data: bytes, width: int, rows: int, size: int) -> Iterator[np.ndarray]:
    """The ``rows`` data lines read with pandas as float64 blocks of ``size`` rows, every
    column, each of the right width and finite; raises :class:`_Unusual` when the careful
    reader must decide.

    ``data`` is valid UTF-8 whose header line holds no quote or carriage return inside it.
    """
    import pandas as pd

    read = 0
    try:
        with pd.read_csv(
            io.BytesIO(data),
            header=None,
            skiprows=1,
            nrows=rows,
            chunksize=size,
            dtype=np.float64,
            na_filter=False,
            skip_blank_lines=False,
            engine="c",
            encoding="utf-8",
        ) as reader:
            for frame in reader:
                block = frame.to_numpy(dtype=np.float64)
                if block.shape[1:] != (width,) or not np.isfinite(block).all():
                    raise _Unusual
                read += len(block)
                yield block
    except _Unusual:
        raise
    except Exception:  # anything unusual: the careful reader decides and explains
        raise _Unusual from None
    if read != rows:
        raise _Unusual


def _fast_values(data: bytes, width: int) -> Optional[np.ndarray]:
    """A large file's rows, every column, read with pandas; ``None`` when the careful reader
    must decide.
    """
    rows = _fast_rows(data)
    if rows is None:
        return None
    values = np.empty((rows, width))
    done = 0
    try:
        for block in _fast_blocks(data, width, rows, _block_rows(width)):
            values[done : done + len(block)] = block
            done += len(block)
    except _Unusual:
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


# -- what the rows say -------------------------------------------------------------------------


class _Gathered:
    """What the checks after reading need, taken a block at a time, and the values when kept
    (rows × sensors, written in place: no copy of the whole array is ever made).
    """

    def __init__(self, header: list[str], rows: int, keep: bool) -> None:
        self.column = header.index(TIMESTAMP) if TIMESTAMP in header else None
        self.columns = _sensor_columns(header) or list(range(len(header)))
        self.values = np.empty((rows, len(self.columns))) if keep else None
        self.count = 0
        self.first = self.last = 0.0
        #: the first row whose timestamp is smaller than the one before: (index, it, before)
        self.decrease: Optional[tuple[int, float, float]] = None

    def add(self, block: np.ndarray) -> None:
        if not len(block):
            return
        if self.column is not None:
            times = block[:, self.column]
            if not self.count:
                self.first = self.last = float(times[0])
            if self.decrease is None:
                with np.errstate(invalid="ignore"):  # a block that is not finite fails anyway
                    steps = np.diff(times, prepend=self.last)
                if (steps < 0).any():
                    index = int(np.argmax(steps < 0))
                    before = float(times[index - 1]) if index else self.last
                    self.decrease = (self.count + index, float(times[index]), before)
            self.last = float(times[-1])
        if self.values is not None:
            rows = self.values[self.count : self.count + len(block)]
            for into, column in enumerate(self.columns):
                rows[:, into] = block[:, column]
        self.count += len(block)


def _read(data: bytes, header: list[str], simple: bool, keep: bool) -> _Gathered:
    width = len(header)
    size = _block_rows(width)
    rows = _fast_rows(data) if simple and len(data) > LARGE_FILE_BYTES else None
    if rows is not None:
        gathered: Optional[_Gathered] = _Gathered(header, rows, keep)
        try:
            for block in _fast_blocks(data, width, rows, size):
                gathered.add(block)
            return gathered
        except _Unusual:
            gathered = None  # its values go before the careful reader's are made
    count = _shape(data, header)
    gathered = _Gathered(header, count, keep)
    for block in _careful_blocks(data, header, count, _block_rows(width, CAREFUL_NUMBERS)):
        gathered.add(block)
    return gathered


def _sample_fields(header: list[str], gathered: _Gathered) -> dict[str, Any]:
    count = gathered.count
    if gathered.column is None:
        if count > 1:
            near = [name for name in header if name.lower() == TIMESTAMP]
            hint = f" (the column '{near[0]}' must be named exactly '{TIMESTAMP}')" if near else ""
            raise _fail(
                f"it has {count} data rows but no '{TIMESTAMP}' column{hint}; a file "
                f"without timestamps may hold only one row"
            )
        return dict(
            kind=TABLE,
            sensors=[Sensor(name=name, units=UNITS) for name in header],
            interval_ms=1.0,
            values_count=1,
        )
    if len(header) == 1:
        raise _fail(f"it has a '{TIMESTAMP}' column but no sensor columns")
    if count == 1:
        raise _fail(
            "it has a single data row, so no sampling interval can be computed from its "
            f"timestamp (remove the '{TIMESTAMP}' column to upload one row as a table)"
        )
    if gathered.decrease is not None:
        index, value, before = gathered.decrease
        raise _fail(
            f"row {index + 2}: timestamp {_number(value)} is smaller than the one "
            f"before it ({_number(before)}); timestamps must not decrease"
        )
    interval = (gathered.last - gathered.first) / (count - 1)
    if not interval > 0:
        raise _fail(
            f"all timestamps are {_number(gathered.first)}, so no sampling interval can be "
            "computed; timestamps are milliseconds and must increase"
        )
    return dict(
        kind=TIMESERIES,
        sensors=[Sensor(name=header[i], units=UNITS) for i in gathered.columns],
        interval_ms=interval,
        values_count=count,
    )


def _number(value: float) -> str:
    value = float(value)
    return str(int(value)) if value.is_integer() and abs(value) < 1e16 else repr(value)
