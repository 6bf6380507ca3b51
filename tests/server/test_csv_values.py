"""A CSV sample's values are sent a block of rows at a time: the same numbers as the whole
array, whatever the block size, the limit, or the reader that decides.
"""

from __future__ import annotations

from datetime import datetime, timezone

import numpy as np
import orjson
import pytest
import requests
from server_helpers import post_files

from ei_desktop.core import formats
from ei_desktop.core.formats import csv as csv_format
from ei_desktop.server import studio
from ei_desktop.server.content import CsvValues, json_pieces


def csv_file(rows: int, quirk: bool = False) -> bytes:
    lines = ["timestamp,accX,accY"] + [f"{i * 10},{i * 0.5},{-i / 3!r}" for i in range(rows)]
    if quirk:  # valid, but only the careful reader accepts it
        lines[-3] = f"{(rows - 3) * 10},1_5,2"
    return ("\n".join(lines) + "\n").encode()


@pytest.fixture
def small_blocks(monkeypatch):
    """Blocks of 50 rows, so that every file here spans several."""
    monkeypatch.setattr(csv_format, "BLOCK_NUMBERS", 150)
    monkeypatch.setattr(csv_format, "CAREFUL_NUMBERS", 150)


@pytest.mark.parametrize("at_once", [True, False], ids=["at-once", "in-pieces"])
@pytest.mark.parametrize("quirk", [False, True], ids=["fast", "careful"])
def test_values_over_http_are_the_parsed_values(server, small_blocks, monkeypatch, quirk, at_once):
    monkeypatch.setattr(csv_format, "LARGE_FILE_BYTES", 1000)  # the fast reader goes first
    if not at_once:  # every file is then "large": read and sent a block at a time
        monkeypatch.setattr(studio, "AT_ONCE", 0)
    data = csv_file(523, quirk)
    expected = formats.parse("s.csv", data, with_values=True).values.tolist()
    response = post_files(server.base, server.key, [("s.csv", data)])
    (entry,) = response.json()["files"]
    headers = {"x-api-key": server.key}
    url = server.v1(f"/raw-data/{entry['sampleId']}")
    assert requests.get(url, headers=headers).json()["payload"]["values"] == expected
    for limit in [0, 1, 50, 51, 523, 10_000]:
        answer = requests.get(url, headers=headers, params={"limitPayloadValues": limit}).json()
        assert answer["payload"]["values"] == expected[:limit], limit
        assert answer["totalPayloadLength"] == 523
    batch = requests.post(
        server.v1("/raw-data/batch"), headers=headers, json={"ids": [entry["sampleId"]]}
    ).json()
    assert batch["samples"][0]["payload"]["values"] == expected


def test_a_small_sample_is_answered_as_a_large_one_is(server, monkeypatch):
    """Small samples are read and encoded in one go, large ones in pieces: same document."""
    data = csv_file(300)
    (entry,) = post_files(server.base, server.key, [("s.csv", data)]).json()["files"]
    headers = {"x-api-key": server.key}
    url = server.v1(f"/raw-data/{entry['sampleId']}")
    for params in [{}, {"limitPayloadValues": 7}]:
        at_once = requests.get(url, headers=headers, params=params)
        monkeypatch.setattr(studio, "AT_ONCE", 0)
        large = requests.get(url, headers=headers, params=params)
        monkeypatch.undo()
        assert at_once.headers["content-length"] == str(len(at_once.content))
        if not params:  # a large sample's whole values are streamed (a few read at once)
            assert "content-length" not in large.headers
        assert at_once.content == large.content
        assert len(at_once.json()["payload"]["values"]) == params.get("limitPayloadValues", 300)


def test_a_table_is_sent_as_one_row(small_blocks):
    document = {"payload": {"values": CsvValues(b"A,B,C\n1,4,2\n")}, "after": 1}
    assert orjson.loads(b"".join(json_pieces(document))) == {
        "payload": {"values": [[1, 4, 2]]},
        "after": 1,
    }


def test_csv_values_slice_like_the_array(small_blocks):
    data = csv_file(120)
    whole = formats.parse("s.csv", data, with_values=True).values
    values = CsvValues(data)
    for stop in [0, 1, 49, 50, 51, 119, 120, 500]:
        blocks = list(values[:stop].blocks())
        got = np.concatenate(blocks) if blocks else np.zeros((0, 2))
        assert np.array_equal(got, whole[:stop]), stop
    assert np.array_equal(np.concatenate(list(values[:80][:60].blocks())), whole[:60])
    with pytest.raises(TypeError):
        values[5:]


def test_content_that_is_not_the_uploaded_csv_is_sent_from_the_backends_series():
    """A backend may keep a CSV sample as converted JSON: its own values are sent then."""
    from ei_desktop.core.backends.base import SampleRecord, Series
    from ei_desktop.server.content import load_series

    class Converted:
        def __init__(self, content: bytes) -> None:
            self.content = content

        def load_bytes(self, sample_id):
            return self.content

        def load_series(self, sample_id):
            return Series([], np.array([[7.0]]), 1.0)

    record = SampleRecord(
        id=1,
        filename="s",
        category="training",
        label="s",
        kind=formats.TIMESERIES,
        sensors=[],
        interval_ms=10.0,
        values_count=3,
        size=100,
        added=datetime.now(timezone.utc),
        upload_name="s.csv",
    )
    as_json = Converted(b'{\n  "protected": {"ver": "v1"},\n  "payload": {}\n}\n')
    assert load_series(as_json, record).values.tolist() == [[7.0]]
    as_uploaded = load_series(Converted(csv_file(3)), record)
    assert isinstance(as_uploaded.values, CsvValues)
    # a small sample's answer, encoded at once, is the backend's own series too
    as_json.get_sample = lambda sample_id: record
    _, body = studio.small_answer(as_json, 1, 5, None)
    assert orjson.loads(body)["payload"]["values"] == [[7.0]]
    uploaded = Converted(csv_file(3))
    uploaded.get_sample = lambda sample_id: record
    _, body = studio.small_answer(uploaded, 1, 5, None)
    assert orjson.loads(body)["payload"]["values"] == [[0.0, 0.0], [0.5, -1 / 3], [1.0, -2 / 3]]
