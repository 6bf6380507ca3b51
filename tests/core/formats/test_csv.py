from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest

from ei_desktop.core import formats
from ei_desktop.core.formats import FormatError
from ei_desktop.core.formats import csv as csv_format
from ei_desktop.core.model import Sensor

HEADER = "timestamp,accX,accY,accZ"
PREFIX = "Could not parse this CSV file: "

#: rows of good data before a defect: a few (the csv-module path) or enough to pass 1 MB
#: (the vectorised path)
SMALL, LARGE = 3, 40_000


def good_rows(count: int, start: int = 0) -> list[str]:
    return [f"{(start + i) * 10},{i * 0.5},{-i / 3!r},{i % 7}" for i in range(count)]


def body(rows: list[str], newline: str = "\n", header: str = HEADER) -> bytes:
    return (newline.join([header, *rows]) + newline).encode()


def error_of(data: bytes) -> str:
    with pytest.raises(FormatError) as caught:
        formats.parse("sample.csv", data)
    message = str(caught.value)
    assert message.startswith(PREFIX)
    return message


# --- what the SDK and users upload ----------------------------------------------------------


def test_time_series_with_timestamps():
    sample = formats.parse("s.csv", b"timestamp,accX,accY\n0,1,2\n16,3,4.5\n32,-5,6e-3\n")
    assert sample.kind == formats.TIMESERIES
    assert sample.sensors == [Sensor("accX", "N/A"), Sensor("accY", "N/A")]
    assert sample.values.dtype == np.float64
    assert sample.values.tolist() == [[1, 2], [3, 4.5], [-5, 0.006]]
    assert sample.interval_ms == 16
    assert sample.values_count == 3
    assert sample.device_type == "EDGE_IMPULSE_UPLOADER"


def test_interval_is_the_mean_step_of_irregular_absolute_timestamps():
    data = b"timestamp,value\n1557190800000,25.0\n1557194400000,26\n1557280800000,27\n"
    sample = formats.parse("FR04014.csv", data)
    assert sample.interval_ms == (1557280800000 - 1557190800000) / 2
    assert sample.values[:, 0].tolist() == [25, 26, 27]


def test_timestamp_column_need_not_be_first_and_numeric_headers_are_names():
    sample = formats.parse("s.csv", b"0,timestamp,1\n7,0,8\n9,100,10\n")
    assert [s.name for s in sample.sensors] == ["0", "1"]
    assert sample.values.tolist() == [[7, 8], [9, 10]]
    assert sample.interval_ms == 100


def test_one_row_without_timestamp_is_a_table():
    sample = formats.parse("row.csv", b"A,B,C\n1,4,2")
    assert sample.kind == formats.TABLE
    assert sample.sensors == [Sensor("A", "N/A"), Sensor("B", "N/A"), Sensor("C", "N/A")]
    assert sample.values.tolist() == [[1, 4, 2]]
    assert sample.interval_ms == 1
    assert sample.values_count == 1


def test_crlf_bom_no_final_newline_and_blank_final_lines_are_accepted():
    expected = formats.parse("a.csv", b"timestamp,x\n0,1\n5,2\n")
    for data in [
        b"timestamp,x\r\n0,1\r\n5,2\r\n",
        b"\xef\xbb\xbftimestamp,x\n0,1\n5,2\n",
        b"timestamp,x\n0,1\n5,2",
        b"timestamp,x\n0,1\n5,2\n\n\r\n\n",
        b"timestamp,x\n0,1\n5,2\n,\n",
        b" timestamp , x \n0,1\n5, 2 \n",
        b'"timestamp","x"\n"0","1"\n5,2\n',
    ]:
        sample = formats.parse("a.txt", data)
        assert sample.sensors == expected.sensors, data
        assert sample.values.tolist() == [[1], [2]], data
        assert sample.interval_ms == 5, data


def test_decreasing_is_an_error_but_equal_neighbouring_timestamps_are_fine():
    sample = formats.parse("a.csv", b"timestamp,x\n0,1\n0,2\n10,3\n")
    assert sample.interval_ms == 5


# --- bad files: same message on the small and the large (vectorised) path -------------------

BAD_TAILS = [
    (["{t},abc,1,2"], "row {r}, column 'accX': 'abc' is not a number"),
    (["{t},1,,2"], "row {r}, column 'accY' is empty"),
    (["{t},1, ,2"], "row {r}, column 'accY' is empty"),
    (["{t},1,2,NA"], "row {r}, column 'accZ': 'NA' is not a number"),
    (["{t},1,2,0x10"], "row {r}, column 'accZ': '0x10' is not a number"),
    (["{t},1,2,true"], "row {r}, column 'accZ': 'true' is not a number"),
    (["{t},1,2,nan"], "row {r}, column 'accZ': 'nan' is not a finite number"),
    (["{t},NaN,2,3"], "row {r}, column 'accX': 'NaN' is not a finite number"),
    (["{t},1,inf,3"], "row {r}, column 'accY': 'inf' is not a finite number"),
    (["{t},1,-Infinity,3"], "row {r}, column 'accY': '-Infinity' is not a finite number"),
    (["{t},1,1e999,3"], "row {r}, column 'accY': '1e999' is not a finite number"),
    (["{t},1,2"], "row {r} has 3 cells, expected 4 (one per column in the header)"),
    (["{t},1,2,3,4"], "row {r} has 5 cells, expected 4 (one per column in the header)"),
    (["{t}"], "row {r} has 1 cell, expected 4"),
    (["", "{t},1,2,3"], "row {r} is empty"),
    (["-5,1,2,3"], "row {r}: timestamp -5 is smaller than the one before it"),
    (["abc,1,2,3"], "row {r}, column 'timestamp': 'abc' is not a number"),
    (['{t},"1\n2",3,4'], "row {r}, column 'accX': '1\n2' is not a number"),
]


@pytest.mark.parametrize("padding", [SMALL, LARGE], ids=["small", "large"])
@pytest.mark.parametrize(("tail", "expected"), BAD_TAILS)
def test_bad_rows_are_named_on_both_paths(padding, tail, expected):
    rows = good_rows(padding) + [line.format(t=padding * 10) for line in tail]
    data = body(rows, newline="\r\n")
    assert (len(data) > csv_format.LARGE_FILE_BYTES) == (padding == LARGE)
    assert PREFIX + expected.format(r=padding + 2) in error_of(data)


@pytest.mark.parametrize("padding", [SMALL, LARGE], ids=["small", "large"])
def test_latin1_bytes_are_reported_as_an_encoding_problem_on_both_paths(padding):
    data = body(good_rows(padding)) + "999999,1,2,3\ncaf\xe9,1,2,3\n".encode("latin-1")
    message = error_of(data)
    assert "it is not UTF-8 text (byte 0xe9 at position" in message
    assert "Latin-1" in message


@pytest.mark.parametrize("padding", [SMALL, LARGE], ids=["small", "large"])
def test_rows_without_timestamp_column_on_both_paths(padding):
    data = body([row.split(",", 1)[1] for row in good_rows(padding)], header="accX,accY,accZ")
    expected = f"it has {padding} data rows but no 'timestamp' column; a file without timestamps"
    assert PREFIX + expected in error_of(data)


@pytest.mark.parametrize("padding", [SMALL, LARGE], ids=["small", "large"])
def test_constant_timestamps_on_both_paths(padding):
    rows = [f"7,{i},1,2" for i in range(padding)]
    assert PREFIX + "all timestamps are 7, so no sampling interval" in error_of(body(rows))


@pytest.mark.parametrize("padding", [SMALL, LARGE], ids=["small", "large"])
def test_valid_values_are_identical_on_both_paths(padding):
    rng = np.random.default_rng(padding)
    values = rng.standard_normal((padding, 3)) * 10.0 ** rng.integers(-6, 6, (padding, 3))
    lines = [f"{i * 16},{a!r},{b!r},{c!r}" for i, (a, b, c) in enumerate(values.tolist())]
    # awkward but valid: quoted cells, spaces, CRLF, blank and comma-only final lines
    lines[1] = '16,"{!r}", {!r} ,{!r}'.format(*values[1].tolist())
    data = ("\ufefftimestamp,accX,accY,accZ\r\n" + "\r\n".join(lines) + "\r\n,,,\r\n\r\n").encode()
    sample = formats.parse("big.csv", data)
    assert np.array_equal(sample.values, values)
    if padding == LARGE:  # the vectorised reader itself accepted this file
        fast = csv_format._fast_values(data, 4)
        assert fast is not None
        assert np.array_equal(fast[:, 1:], values)
    assert sample.interval_ms == 16
    assert [s.name for s in sample.sensors] == ["accX", "accY", "accZ"]


# --- bad files, whatever their size ---------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"timestamp,accX\n", "there are no data rows after the header"),
        (b"timestamp,accX", "there are no data rows after the header"),
        (b"1234567890", "there are no data rows after the header"),
        (b"timestamp,accX\n\n\n", "there are no data rows after the header"),
        (b"\n0,1\n", "the first line must be a header with the column names, but it is empty"),
        (b"\xef\xbb\xbf", "the first line must be a header"),
        (b"a,b\n1,2\n3,4\n", "it has 2 data rows but no 'timestamp' column"),
        (b"Timestamp,a\n0,1\n1,2\n", "(the column 'Timestamp' must be named exactly 'timestamp')"),
        (b"timestamp\n0\n10\n", "it has a 'timestamp' column but no sensor columns"),
        (b"a,,b\n1,2,3\n", "column 2 of the header has an empty name"),
        (b"a,b,\n1,2,\n", "column 3 of the header has an empty name"),
        (b"a,b,a\n1,2,3\n", "the column name 'a' appears more than once in the header"),
        (b"a, b,b \n1,2,3\n", "the column name 'b' appears more than once"),
        (b"timestamp,a\n5,1\n", "a single data row, so no sampling interval can be computed"),
        (
            b"timestamp,a\n0,1\n10,2\n5,3\n",
            "row 4: timestamp 5 is smaller than the one before it (10)",
        ),
        (
            b"timestamp,a\n0.5,1\n0.25,2\n",
            "row 3: timestamp 0.25 is smaller than the one before it",
        ),
        (b"A,B,C\n1,x,2", "row 2, column 'B': 'x' is not a number"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "it is not UTF-8 text (byte 0x89 at position 0"),
        (b"t\xe9mp,a\n1,2\n", "it is not UTF-8 text (byte 0xe9 at position 1"),
        ("timestamp,a\n0,1\n".encode("utf-16"), "it is not UTF-8 text but UTF-16"),
        (b'"timestamp,a\n' + b"0,1\n" * 70_000, "malformed (field larger than field limit"),
        (b'timestamp,a\n0,"1\n' + b"2,3\n" * 70_000, "perhaps a quote is never closed"),
        ("timestamp,a\n0,1\n".encode("utf-16-be"), "it contains NUL characters, so it is not text"),
        (b"\xef\xbb\xbfa,b\n1,\xe9\n", "it is not UTF-8 text (byte 0xe9 at position 9"),
    ],
)
def test_bad_files_name_the_problem(data, expected):
    assert expected in error_of(data)


def test_txt_is_read_as_csv():
    assert formats.parse("good.02.txt", b"timestamp,a\n0,1\n100,2").interval_ms == 100


# --- large files: a block of rows at a time -------------------------------------------------


@pytest.mark.parametrize("padding", [SMALL, LARGE], ids=["small", "large"])
def test_values_read_a_block_at_a_time_are_the_parsed_values(padding):
    rows = good_rows(padding)
    rows[-2] = rows[-2].rsplit(",", 1)[0] + ",1_0"  # valid for Python, not for pandas
    data = body(rows, newline="\r\n") + b",,,\r\n\r\n"
    whole = formats.parse("a.csv", data, with_values=True).values
    assert whole[-2, 2] == 10
    for size in [None, 1, 2] if padding == SMALL else [None, 997]:
        blocks = list(csv_format.iter_values(data, rows=size))
        assert all(b.dtype == np.float64 and b.shape[1] == 3 for b in blocks)
        assert size is None or max(len(b) for b in blocks) <= size
        assert np.array_equal(np.concatenate(blocks), whole)


def test_values_of_a_table_read_a_block_at_a_time():
    assert [b.tolist() for b in csv_format.iter_values(b"A,B\n1,2\n")] == [[[1, 2]]]


def test_a_large_file_is_validated_without_its_values_until_they_are_used():
    data = body(good_rows(LARGE))
    checked = formats.parse("a.csv", data)
    assert "read on first use" in repr(checked)
    assert checked.values_count == LARGE
    assert np.array_equal(checked.values, formats.parse("a.csv", data, with_values=True).values)


MEMORY_CHILD = r"""
import os
import sys
import numpy as np
import pandas  # imported before measuring, as in a running program
from ei_desktop.core import formats
from ei_desktop.server.testing import ProcessMemory

size, mode = int(sys.argv[1]), sys.argv[2]
rng = np.random.default_rng(0)
block = "".join(f"@,{a},{b},{c}\n" for a, b, c in rng.integers(-99999, 99999, (20000, 3)).tolist())
parts, total, step = [b"timestamp,accX,accY,accZ\n"], 0, 0
while total < size:
    parts.append(block.replace("@", str(step * 10)).encode())
    total += len(parts[-1])
    step += 1
if mode == "careful":  # a bad cell at the very end: the fast reader gives way to the careful one
    parts.append(f"{step * 10},x,1,2\n".encode())
data = b"".join(parts)
del parts
memory = ProcessMemory(os.getpid())
memory.reset_peak()
before = memory.peak()
try:
    sample = formats.parse("big.csv", data, with_values=mode == "values")
    values = sample.values.nbytes if mode == "values" else 0
except formats.FormatError:
    values = 0
print(len(data), memory.peak() - before, values)
"""


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
@pytest.mark.parametrize(
    ("mode", "size"),
    [("validate", 64 << 20), ("values", 64 << 20), ("careful", 8 << 20)],
)
def test_reading_a_large_file_holds_one_block_beyond_the_bytes_and_values(mode, size):
    """Peak memory above the file's bytes: validating adds well under the file's size (the
    bytes plus this stay under twice the size), reading values adds the values array and
    about one block, and the careful reader's fallback is as bounded as the fast reader.
    """
    child = subprocess.run(
        [sys.executable, "-c", MEMORY_CHILD, str(size), mode],
        capture_output=True,
        text=True,
        timeout=600,
        check=True,
    )
    nbytes, peak, values = (int(word) for word in child.stdout.split())
    assert peak < values + max(nbytes // 2, 48 << 20), (mode, nbytes >> 20, peak >> 20)
