"""The Studio API (v1) through plain HTTP: shapes checked with the official generated models,
ordering and paging, filters, media, slashes.
"""

from __future__ import annotations

import json
import re

import pytest
import requests
from edgeimpulse_api.models.count_samples_response import CountSamplesResponse
from edgeimpulse_api.models.generic_api_response import GenericApiResponse
from edgeimpulse_api.models.get_sample_response import GetSampleResponse
from edgeimpulse_api.models.list_projects_response import ListProjectsResponse
from edgeimpulse_api.models.list_samples_response import ListSamplesResponse
from server_helpers import SAMPLES, csv_series, post_files, tiny_avi

COLD_STORAGE = r"^.+/{name}\.[a-z0-9]{{8}}\.[A-Za-z0-9_-]+\.{ext}$"


@pytest.fixture
def api(server):
    """GET/POST/DELETE helpers with the key, returning parsed JSON."""

    class Api:
        headers = {"x-api-key": server.key, "accept": "application/json"}

        def get(self, path, **params):
            response = requests.get(server.v1(path), headers=self.headers, params=params)
            assert response.status_code == 200, response.text
            return response.json()

        def raw(self, path):
            return requests.get(server.v1(path), headers=self.headers)

    return Api()


def upload_kinds(server) -> dict[str, int]:
    """One sample of each kind; returns name → id."""
    files = {
        "wave.01.json": (SAMPLES / "wave.01.json").read_bytes(),
        "hadouken.01.wav": (SAMPLES / "hadouken.01.wav").read_bytes(),
        "capacitor.01.png": (SAMPLES / "capacitor.01.png").read_bytes(),
        "clip.01.avi": tiny_avi(),
        "row.01.csv": b"A,B,C\n1,4,2\n",
    }
    response = post_files(
        server.base, server.key, list(files.items()), headers={"x-metadata": '{"m": "1"}'}
    )
    entries = response.json()["files"]
    assert all(e["success"] for e in entries), entries
    return {name: e["sampleId"] for name, e in zip(files, entries)}


def test_projects(server):
    body = requests.get(f"{server.base}/v1/api/projects", headers={"x-api-key": server.key}).json()
    parsed = ListProjectsResponse.parse_obj(body)  # strict: every required field, right types
    assert parsed.success and [p.id for p in parsed.projects] == [server.project_id]
    assert body["projects"][0]["whitelabelId"] is None


def test_project_info_and_hmac_key(api, server):
    upload_kinds(server)
    info = api.get("")
    assert info["success"] and info["project"]["id"] == server.project_id
    assert info["csvImportConfig"] is None and info["dataSummary"]["dataCount"] == 5
    assert isinstance(api.get("/devkeys/hmac")["hmacKey"], str)


def test_every_kind_validates_against_the_official_models(api, server):
    ids = upload_kinds(server)
    listing = api.get("/raw-data", category="training", limit=100, offset=0, labels="null")
    ListSamplesResponse.parse_obj(listing)
    listing_all = api.get("/raw-data", category="all", limit=100)
    assert listing_all["totalCount"] == 5
    ListSamplesResponse.parse_obj(listing_all)
    CountSamplesResponse.parse_obj(api.get("/raw-data/count", category="testing", labels="null"))

    first_sensor = {
        "wave.01.json": ("accX", None),
        "hadouken.01.wav": ("audio", "wav"),
        "capacitor.01.png": ("image", "rgba"),
        "clip.01.avi": ("video", "rgba"),
        "row.01.csv": ("A", None),
    }
    for name, sample_id in ids.items():
        body = api.get(f"/raw-data/{sample_id}")
        GetSampleResponse.parse_obj(body)
        sample, payload = body["sample"], body["payload"]
        stem, ext = name.rsplit(".", 1)
        assert sample["filename"] == stem
        assert sample["metadata"] == {"m": "1"}
        assert sample["boundingBoxes"] == [] and "structuredLabels" not in sample
        assert "device_name" in payload
        stored_ext = "json" if ext in ("json", "csv") else ext
        assert re.match(
            COLD_STORAGE.format(name=re.escape(name), ext=stored_ext), sample["coldstorageFilename"]
        )
        sensor_name, units = first_sensor[name]
        assert payload["sensors"][0]["name"] == sensor_name
        if units:
            assert payload["sensors"][0]["units"] == units
        if ext not in ("png", "avi"):
            assert sample["originalIntervalMs"] > 0 and payload["intervalMs"] > 0
    table = api.get(f"/raw-data/{ids['row.01.csv']}")
    assert table["payload"]["values"] == [[1, 4, 2]] and table["sample"]["chartType"] == "table"
    wave_doc = json.loads((SAMPLES / "wave.01.json").read_text())
    series = api.get(f"/raw-data/{ids['wave.01.json']}")
    assert series["payload"]["values"] == wave_doc["payload"]["values"]
    assert series["totalPayloadLength"] == len(wave_doc["payload"]["values"])
    limited = api.get(f"/raw-data/{ids['wave.01.json']}", limitPayloadValues=3)
    assert limited["payload"]["values"] == wave_doc["payload"]["values"][:3]


def test_metadata_is_omitted_when_none_was_given(api, server):
    response = post_files(server.base, server.key, [("plain.csv", csv_series()[0])])
    sample_id = response.json()["files"][0]["sampleId"]
    assert "metadata" not in api.get(f"/raw-data/{sample_id}")["sample"]
    (listed,) = api.get("/raw-data", category="training")["samples"]
    assert "metadata" not in listed and listed["boundingBoxes"] == []


def test_media_endpoints_return_the_uploaded_bytes(api, server):
    ids = upload_kinds(server)
    png = api.raw(f"/raw-data/{ids['capacitor.01.png']}/image")
    assert png.status_code == 200 and png.headers["content-type"] == "image/png"
    assert png.content == (SAMPLES / "capacitor.01.png").read_bytes()
    wav = api.raw(f"/raw-data/{ids['hadouken.01.wav']}/wav?axisIx=0")
    assert wav.content == (SAMPLES / "hadouken.01.wav").read_bytes()
    assert wav.content[:4] == b"RIFF" and wav.content[8:12] == b"WAVE"
    video = api.raw(f"/raw-data/{ids['clip.01.avi']}/video")
    assert video.content == tiny_avi() and video.headers["content-type"] == "video/x-msvideo"
    # the SDK's downloader builds media URLs with an absolute /v1 path
    absolute = requests.get(
        f"{server.base}/v1/api/{server.project_id}/raw-data/{ids['clip.01.avi']}/raw",
        headers={"x-api-key": server.key},
    )
    assert absolute.content == tiny_avi()


def _upload_many(server, count: int) -> list[int]:
    files = [
        (f"{'wave' if i % 3 else 'idle'}.{i:02d}.csv", csv_series(seed=i)[0]) for i in range(count)
    ]
    response = post_files(server.base, server.key, files)
    return [e["sampleId"] for e in response.json()["files"]]


def test_listing_is_id_descending_and_pages_after_filtering(api, server):
    ids = _upload_many(server, 12)
    newest_first = sorted(ids, reverse=True)
    listed = api.get("/raw-data", category="training", limit=100)
    assert [s["id"] for s in listed["samples"]] == newest_first and listed["totalCount"] == 12
    pages = [
        [s["id"] for s in api.get("/raw-data", category="training", limit=5, offset=o)["samples"]]
        for o in (0, 5, 10, 15)
    ]
    assert pages[0] + pages[1] + pages[2] == newest_first and pages[3] == []

    waves = [i for i, n in zip(ids, range(12)) if n % 3]
    filtered = api.get("/raw-data", category="training", limit=3, offset=2, labels='["wave"]')
    assert [s["id"] for s in filtered["samples"]] == sorted(waves, reverse=True)[2:5]
    assert filtered["totalCount"] == len(waves)
    for no_filter in ("null", "[]"):
        assert api.get("/raw-data/count", category="training", labels=no_filter)["count"] == 12
    both = api.get("/raw-data/count", category="training", labels='["wave", "idle"]')
    assert both["count"] == 12
    assert api.get("/raw-data/count", category="testing", labels="null")["count"] == 0


def test_filename_filter_is_a_substring_match(api, server):
    _upload_many(server, 12)
    names = lambda **q: sorted(  # noqa: E731
        s["filename"] for s in api.get("/raw-data", category="training", **q)["samples"]
    )
    assert names(filename="wave.1") == ["wave.10", "wave.11"]
    assert names(filename="e.0") == ["idle.00", "idle.03", "idle.06", "idle.09"] + [
        f"wave.{i:02d}" for i in (1, 2, 4, 5, 7, 8)
    ]
    assert names(filename="nothing") == []


def test_sort_by(api, server):
    ids = _upload_many(server, 6)
    ascending = api.get("/raw-data", category="training", sortBy="id-asc")["samples"]
    assert [s["id"] for s in ascending] == sorted(ids)
    by_name = api.get("/raw-data", category="training", sortBy="filename-asc")["samples"]
    assert [s["filename"] for s in by_name] == sorted(s["filename"] for s in by_name)
    unknown = api.get("/raw-data", category="training", sortBy="whatever")["samples"]
    assert [s["id"] for s in unknown] == sorted(ids, reverse=True)


def test_repeated_slashes_are_collapsed(server):
    ids = _upload_many(server, 1)
    headers = {"x-api-key": server.key}
    for url in (
        f"{server.base}/v1//api/projects",
        f"{server.base}//v1///api/{server.project_id}//raw-data/{ids[0]}",
        f"{server.base}/v1//api/{server.project_id}/raw-data/count?category=training",
    ):
        response = requests.get(url, headers=headers)
        assert response.status_code == 200 and response.json()["success"], url
    upload = requests.post(
        f"{server.base}//api//training/files",
        headers=headers,
        files=[("data", ("s.csv", csv_series(seed=50)[0]))],
    )
    assert upload.json()["files"][0]["success"]


def test_deletes_are_visible_when_the_answer_arrives(api, server):
    ids = _upload_many(server, 4)
    response = requests.delete(server.v1(f"/raw-data/{ids[0]}"), headers=api.headers)
    GenericApiResponse.parse_obj(response.json())
    assert response.json() == {"success": True}
    again = requests.delete(server.v1(f"/raw-data/{ids[0]}"), headers=api.headers).json()
    assert again == {"success": False, "error": f"No sample found with ID {ids[0]}"}
    assert api.get(f"/raw-data/{ids[0]}")["success"] is False
    assert api.get("/raw-data/count", category="training")["count"] == 3
    post = requests.post(server.v1("/raw-data/delete-all/training"), headers=api.headers)
    assert post.json() == {"success": True}
    assert api.get("/raw-data/count", category="training")["count"] == 0
    _upload_many(server, 2)
    assert requests.post(server.v1("/raw-data/delete-all"), headers=api.headers).json()["success"]
    assert server.count() == 0
    # ids are never reused
    assert min(_upload_many(server, 1)) > max(ids)
