"""The ingestion body reader: the same parts as python-multipart's parser (the reference
Starlette used) however the body is cut into chunks, large parts in temporary files, and
bodies that are not valid multipart refused.
"""

from __future__ import annotations

import io
import os

import pytest
from requests_toolbelt.multipart.encoder import MultipartEncoder
from urllib3 import encode_multipart_formdata

from ei_desktop.server.errors import RequestError
from ei_desktop.server.limits import Limits
from ei_desktop.server.multipart import (
    SPOOL_BYTES,
    MultipartReader,
    disposition_options,
    reader_for,
)

try:
    from python_multipart.multipart import MultipartParser, parse_options_header
except ImportError:  # python-multipart < 0.0.13
    from multipart.multipart import (  # type: ignore[no-redef]
        MultipartParser,
        parse_options_header,
    )

BOUNDARY = "b0undary-1234"


def reference(body: bytes, boundary: str) -> list[tuple[str, bytes]]:
    """The file parts (name, content) python-multipart finds in ``body``."""
    parts: list[tuple[str, bytes]] = []
    current: dict = {}

    def on_part_begin():
        current.clear()
        current.update(headers=[], data=bytearray(), field=b"", value=b"")

    def on_header_field(data, start, end):
        current["field"] += data[start:end]

    def on_header_value(data, start, end):
        current["value"] += data[start:end]

    def on_header_end():
        current["headers"].append((current["field"].lower(), current["value"]))
        current["field"] = current["value"] = b""

    def on_part_data(data, start, end):
        current["data"] += data[start:end]

    def on_part_end():
        disposition = dict(current["headers"]).get(b"content-disposition", b"")
        if b"filename=" in disposition:
            name = disposition.split(b'filename="', 1)[1].rsplit(b'"', 1)[0].decode()
            parts.append((name, bytes(current["data"])))

    parser = MultipartParser(
        boundary.encode(),
        {
            "on_part_begin": on_part_begin,
            "on_header_field": on_header_field,
            "on_header_value": on_header_value,
            "on_header_end": on_header_end,
            "on_part_data": on_part_data,
            "on_part_end": on_part_end,
        },
    )
    parser.write(body)
    parser.finalize()
    return parts


def read(body: bytes, boundary: str, chunk: int) -> list[tuple[str, bytes]]:
    reader = MultipartReader(boundary.encode(), max_files=1000)
    try:
        for start in range(0, len(body), chunk):
            reader.feed(body[start : start + chunk])
        return [(part.sent_name, part.file.read()) for part in reader.finish()]
    finally:
        reader.close()


def files_body(files: list[tuple[str, bytes]], boundary: str = BOUNDARY) -> bytes:
    fields = [("data", (name, data, "text/csv")) for name, data in files]
    return MultipartEncoder(fields=fields, boundary=boundary).to_string()


#: contents that look like pieces of a boundary, line ends, or nothing at all
TRICKY = [
    b"",
    b"\r\n",
    b"--" + BOUNDARY.encode(),
    b"x\r\n--" + BOUNDARY.encode()[:-1],
    b"\r\n--" + BOUNDARY.encode()[:5] + b"\r\n\r\n",
    b"timestamp,a\n0,1\n10,2\n",
    os.urandom(3000),
    bytes(range(256)) * 40,
]


@pytest.mark.parametrize("chunk", [1, 2, 7, 64, 1000, 1 << 20])
def test_every_chunking_finds_the_parts_the_reference_parser_finds(chunk):
    files = [(f"f{i}.bin", data) for i, data in enumerate(TRICKY)]
    body = files_body(files)
    expected = reference(body, BOUNDARY)
    assert expected == files  # the reference agrees with what was sent
    assert read(body, BOUNDARY, chunk) == files


def test_urllib3_bodies_with_fields_preamble_and_epilogue():
    body, content_type = encode_multipart_formdata(
        [
            ("note", "a field that is not a file"),
            ("data", ("a.csv", b"timestamp,a\n0,1\n", "text/csv")),
            ("other", ("b.json", b'{"x": 1}', "application/json")),
        ],
        boundary=BOUNDARY,
    )
    body = b"a preamble line\r\n" + body + b"an epilogue"
    assert read(body, BOUNDARY, 5) == [("a.csv", b"timestamp,a\n0,1\n"), ("b.json", b'{"x": 1}')]


def test_a_large_part_goes_to_a_temporary_file_whole():
    big = os.urandom(3 * SPOOL_BYTES + 17)
    body = files_body([("small.csv", b"1,2\n"), ("big.bin", big)])
    reader = MultipartReader(BOUNDARY.encode(), max_files=10)
    for start in range(0, len(body), 65536):
        reader.feed(body[start : start + 65536])
    small, large = reader.finish()
    try:
        assert small.size == 4 and isinstance(small.file, io.BytesIO)
        assert large.size == len(big) and large.file.fileno() >= 0  # a real file
        assert large.file.read() == big
    finally:
        reader.close()
    assert large.file.closed


def test_names_are_decoded_and_quotes_restored():
    body = (
        b'--XX\r\nContent-Disposition: form-data; name="data";'
        b' filename="caf\xc3\xa9 %22q%22.csv"\r\n'
        b"Content-Type: text/csv\r\n\r\n1,2\n\r\n--XX--\r\n"
    )
    assert read(body, "XX", 3) == [('café "q".csv', b"1,2\n")]


@pytest.mark.parametrize(
    "body, words",
    [
        (b'--XX\r\nContent-Disposition: form-data; name="data"; filename="a"\r\n\r\n1', "closing"),
        (b"garbage", "closing boundary"),
        (b'--XX\r\nContent-Disposition: form-data; filename="a"\r\n\r\n1\r\n--XX--', '"name"'),
        (b"--XX\r\nno colon here\r\n\r\n1\r\n--XX--", "header"),
        (b"--XXjunk\r\n\r\n1\r\n--XX--", "after a boundary"),
    ],
)
def test_malformed_bodies_are_refused(body, words):
    with pytest.raises(RequestError) as caught:
        read(body, "XX", 4)
    assert caught.value.status == 400 and words in caught.value.message


def test_too_many_files_is_413_before_the_rest_is_read():
    body = files_body([(f"{i}.csv", b"1") for i in range(5)])
    reader = MultipartReader(BOUNDARY.encode(), max_files=3)
    with pytest.raises(RequestError) as caught:
        reader.feed(body)
    reader.close()
    assert caught.value.status == 413 and "too many files" in caught.value.message


@pytest.mark.parametrize(
    "content_type, status, words",
    [
        ("application/json", 400, "multipart/form-data"),
        ("multipart/form-data", 400, "boundary"),
    ],
)
def test_content_types_without_a_boundary_are_refused(content_type, status, words):
    with pytest.raises(RequestError) as caught:
        reader_for(content_type, Limits())
    assert caught.value.status == status and words in caught.value.message


@pytest.mark.parametrize(
    "value",
    [
        b'form-data; name="data"; filename="walk.000001.csv"',
        b'FORM-DATA;name="data";filename=""',
        b'form-data; name="data"; filename="caf\xc3\xa9 (1).csv"  ',
        b'form-data; name="data"; filename="a;b.csv"',
        b'form-data; name="data"; filename="say \\"hi\\".csv"',
        b'form-data; name="data"; filename="C:\\dir\\x.csv"',
        b'form-data; filename="x.csv"; name="data"',
        b'form-data; NAME="data"; filename="x.csv"',
        b"form-data; name=data; filename=x.csv",
        b'form-data; name="data"',
        b"form-data",
        b"",
    ],
)
def test_dispositions_read_as_python_multipart_reads_them(value):
    assert disposition_options(value) == parse_options_header(value)[1]
