"""Requests the server must refuse: a 4xx with a clear JSON error, and nothing changes."""

from __future__ import annotations

import json

import pytest
import requests
from server_helpers import SAMPLES, csv_series, post_files, structured_labels_part

from ei_desktop.core.backends.base import SampleQuery
from ei_desktop.core.backends.local import LocalBackend
from ei_desktop.server.app import create_app
from ei_desktop.server.limits import Limits
from ei_desktop.server.testing import running_app

INVALID_KEY = {"success": False, "error": "Invalid API key"}


@pytest.fixture
def seeded(server):
    """The server with one sample in it, so 'nothing changed' is a real check."""
    response = post_files(server.base, server.key, [("seed.csv", csv_series(seed=99)[0])])
    assert response.json()["files"][0]["success"]
    assert server.count() == 1
    yield server
    assert server.count() == 1, "a refused request changed the project"


def refused(response: requests.Response, status: int, *words: str) -> str:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json")
    body = response.json()
    assert body["success"] is False and isinstance(body["error"], str) and body["error"]
    for word in words:
        assert word.lower() in body["error"].lower(), body["error"]
    assert "retry-after" not in response.headers
    return body["error"]


# -- keys ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("key", [None, "", "wrong", "ei_" + "0" * 64])
def test_a_missing_or_wrong_key_is_401_on_both_services(seeded, key):
    headers = {} if key is None else {"x-api-key": key}
    upload = requests.post(
        f"{seeded.base}/api/training/files",
        headers=headers,
        files=[("data", ("k.csv", csv_series(seed=1)[0]))],
        timeout=10,
    )
    assert upload.status_code == 401 and upload.json() == INVALID_KEY
    for method, path in [
        ("GET", "/v1/api/projects"),
        ("GET", f"/v1/api/{seeded.project_id}/raw-data?category=training"),
        ("GET", f"/v1/api/{seeded.project_id}/raw-data/1"),
        ("DELETE", f"/v1/api/{seeded.project_id}/raw-data/1"),
        ("POST", f"/v1/api/{seeded.project_id}/raw-data/delete-all"),
        ("GET", "/no/such/path"),
    ]:
        response = requests.request(method, seeded.base + path, headers=headers, timeout=10)
        assert response.status_code == 401 and response.json() == INVALID_KEY


def test_the_openapi_schema_needs_no_key(server):
    response = requests.get(f"{server.base}/openapi.json", timeout=10)
    assert response.status_code == 200 and "/api/{category}/files" in response.json()["paths"]


# -- ingestion requests --------------------------------------------------------------------------


def test_unknown_category(seeded):
    response = post_files(seeded.base, seeded.key, [("a.csv", csv_series()[0])], category="bogus")
    refused(response, 400, "category", "bogus")


@pytest.mark.parametrize(
    "content_type, body, words",
    [
        ("multipart/form-data; boundary=XX", b"garbage", ["multipart"]),
        ("multipart/form-data", b"--XX\r\n", ["boundary"]),
        ("application/json", b'{"data": 1}', ["multipart/form-data"]),
        (None, b"", ["multipart/form-data"]),
        (
            "multipart/form-data; boundary=XX",
            b'--XX\r\nContent-Disposition: form-data; name="data"; filename="a.csv"\r\n\r\n'
            b"timestamp,a\n0,1\n10,2\n",
            ["closing boundary"],
        ),
        (
            "multipart/form-data; boundary=XX",
            b'--XX\r\nContent-Disposition: form-data; name="data"; filename="a.csv"\r\n\r\n'
            b"timestamp,a\n0,1\n10,2\n\r\n--XX\r\nContent-Disposition: form-data; name="
            b'"data"; filename="b.csv"\r\n\r\ntimestamp,a\n0,',
            ["closing boundary"],
        ),
        ("multipart/form-data; boundary=XX", b"--XX--\r\n", ["no data files"]),
        (
            "multipart/form-data; boundary=XX",
            b'--XX\r\nContent-Disposition: form-data; name="data"\r\n\r\nnot a file\r\n--XX--\r\n',
            ["no data files"],
        ),
    ],
)
def test_malformed_multipart(seeded, content_type, body, words):
    headers = {"x-api-key": seeded.key}
    if content_type:
        headers["content-type"] = content_type
    response = requests.post(
        f"{seeded.base}/api/training/files", data=body, headers=headers, timeout=10
    )
    refused(response, 400, *words)


@pytest.mark.parametrize("name", ["..", "../..", "/", "C:\\", "dir/"])
def test_part_names_with_nothing_left_after_the_path(seeded, name):
    response = post_files(
        seeded.base, seeded.key, [("ok.csv", csv_series(seed=5)[0]), (name, b"x")]
    )
    refused(response, 400, "file name")


def test_a_path_to_a_name_without_extension_is_a_per_file_failure(seeded):
    response = post_files(seeded.base, seeded.key, [("../../x", csv_series(seed=6)[0])])
    assert response.status_code == 200
    (entry,) = response.json()["files"]
    assert entry == {"success": False, "error": entry["error"], "fileName": "x"}
    assert entry["error"].startswith("Unsupported file type")


@pytest.mark.parametrize(
    "header, value, words",
    [
        ("x-metadata", "{not json", ["metadata", "json"]),
        ("x-metadata", '["a", "b"]', ["metadata"]),
        ("x-bounding-boxes", "[{", ["bounding boxes", "json"]),
        ("x-bounding-boxes", '{"label": "a"}', ["bounding boxes"]),
        (
            "x-bounding-boxes",
            '[{"label": "a", "x": 1, "y": 1, "width": 0, "height": 1}]',
            ["width"],
        ),
        ("x-bounding-boxes", '[{"label": "a", "x": 1}]', ["missing"]),
    ],
)
def test_invalid_metadata_or_box_headers(seeded, header, value, words):
    png = (SAMPLES / "capacitor.01.png").read_bytes()
    response = post_files(seeded.base, seeded.key, [("p.png", png)], headers={header: value})
    refused(response, 400, *words)


def test_labels_parts_only(seeded):
    part = structured_labels_part({"a.csv": [{"label": "x", "startIndex": 0, "endIndex": 0}]})
    refused(post_files(seeded.base, seeded.key, [part]), 400, "no data files", ".labels")


@pytest.mark.parametrize(
    "body, words",
    [
        (b"{broken", ["not valid json"]),
        (b'{"version": 2, "type": "structured-labels", "structuredLabels": {}}', ["version"]),
        (b'{"version": 1, "type": "structured-labels", "structuredLabels": []}', ["file names"]),
    ],
)
def test_a_broken_companion_refuses_the_request(seeded, body, words):
    response = post_files(
        seeded.base,
        seeded.key,
        [("a.csv", csv_series(seed=7)[0]), ("structured_labels.labels", body)],
    )
    refused(response, 400, *words)


# -- size limits ---------------------------------------------------------------------------------

SMALL = Limits(max_files=3, max_file_bytes=1_000, max_request_bytes=20_000)


@pytest.fixture(scope="module")
def small(tmp_path_factory):
    """A server with small limits: 3 files, 1000 bytes per file, 20 kB per request."""
    backend = LocalBackend(tmp_path_factory.mktemp("small") / "project", create=True)
    try:
        with running_app(create_app(backend, "small-key", limits=SMALL)) as base:
            yield base, backend
    finally:
        backend.close()


def test_a_body_over_the_limit_is_413(small):
    base, backend = small
    for size in (25_000, 2_000_000):  # a little and a lot over; Content-Length is checked first
        response = post_files(base, "small-key", [("big.csv", b"1" * size)])
        refused(response, 413, "too large")
    assert backend.count(SampleQuery()) == 0


def test_a_chunked_body_over_the_limit_is_413(small):
    base, backend = small

    def body():
        yield b'--XX\r\nContent-Disposition: form-data; name="data"; filename="a.csv"\r\n\r\n'
        for _ in range(30):
            yield b"y" * 1000
        yield b"\r\n--XX--\r\n"

    response = requests.post(
        f"{base}/api/training/files",
        data=body(),
        headers={"x-api-key": "small-key", "content-type": "multipart/form-data; boundary=XX"},
        timeout=10,
    )
    refused(response, 413, "too large")
    # the connection's next request is served normally
    assert requests.get(f"{base}/v1/api/projects", headers={"x-api-key": "small-key"}).ok


def test_too_many_files_is_413_and_a_too_large_file_a_per_file_failure(small):
    base, _ = small
    files = [(f"f{i}.csv", csv_series(seed=i)[0]) for i in range(4)]
    refused(post_files(base, "small-key", files), 413, "4 files")
    response = post_files(
        base, "small-key", [("ok.csv", csv_series()[0]), ("big.csv", b"9" * 1500)]
    )
    ok, big = response.json()["files"]
    assert ok["success"] and not big["success"] and "too large" in big["error"]


# -- Studio requests -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "method, path, words",
    [
        ("GET", "/v1/api/abc/raw-data?category=training", ["project_id"]),
        ("GET", "/v1/api/{p}/raw-data/abc", ["sample_id"]),
        ("GET", "/v1/api/{p}/raw-data/1.5", ["sample_id"]),
        ("GET", "/v1/api/{p}/raw-data/-1", ["sample_id"]),
        ("GET", "/v1/api/{p}/raw-data/99999999999999999999", ["sample_id"]),
        ("DELETE", "/v1/api/{p}/raw-data/abc", ["sample_id"]),
        ("GET", "/v1/api/{p}/raw-data/abc/image", ["sample_id"]),
        ("GET", "/v1/api/{p}/raw-data/abc/wav?axisIx=0", ["sample_id"]),
        ("GET", "/v1/api/{p}/raw-data?category=bogus", ["category"]),
        ("GET", "/v1/api/{p}/raw-data?category=training&limit=ten", ["limit"]),
        ("GET", "/v1/api/{p}/raw-data?category=training&offset=-1", ["offset"]),
        ("GET", "/v1/api/{p}/raw-data/count?category=training&labels=5", ["labels"]),
        ("GET", "/v1/api/{p}/raw-data?labels=" + "[" * 3000, ["labels"]),
        ("GET", '/v1/api/{p}/raw-data?labels=["a", 1]', ["labels"]),
        ("POST", "/v1/api/{p}/raw-data/delete-all/bogus", ["category"]),
    ],
)
def test_invalid_studio_parameters_are_400(seeded, method, path, words):
    url = seeded.base + path.replace("{p}", str(seeded.project_id))
    response = requests.request(method, url, headers={"x-api-key": seeded.key}, timeout=10)
    refused(response, 400, *words)


def test_other_projects_unknown_paths_and_methods(seeded):
    headers = {"x-api-key": seeded.key}
    other = seeded.project_id + 1
    refused(
        requests.post(f"{seeded.base}/v1/api/{other}/raw-data/delete-all", headers=headers),
        404,
        "project",
    )
    refused(requests.get(f"{seeded.base}/v1/api/{seeded.project_id}/nothing", headers=headers), 404)
    refused(requests.put(f"{seeded.base}/v1/api/projects", headers=headers), 405)


def test_media_of_missing_or_other_kinds(seeded):
    headers = {"x-api-key": seeded.key}
    csv_id = seeded.backend.list_samples(SampleQuery())[0].id
    refused(
        requests.get(seeded.v1(f"/raw-data/{csv_id}/image"), headers=headers), 400, "not an image"
    )
    refused(
        requests.get(seeded.v1(f"/raw-data/{csv_id + 999}/video"), headers=headers),
        404,
        "no sample",
    )
    data = requests.get(seeded.v1(f"/raw-data/{csv_id}/raw"), headers=headers)
    assert data.status_code == 200 and data.content == csv_series(seed=99)[0]
    assert json.loads(
        requests.get(seeded.v1(f"/raw-data/{csv_id + 999}"), headers=headers).text
    ) == {
        "success": False,
        "error": f"No sample found with ID {csv_id + 999}",
    }
