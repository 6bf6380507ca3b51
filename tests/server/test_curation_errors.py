"""Curation requests that cannot be applied: an unknown sample is Edge Impulse's 200
``success: false``, a malformed or impossible request is a 4xx JSON error, a wrong key is a
401, and in every case nothing in the project changes.
"""

from __future__ import annotations

import edgeimpulse_api as api
import pytest
import requests
from edgeimpulse_api.exceptions import ApiException, UnauthorizedException
from server_helpers import csv_series

from ei_desktop.core.backends.base import SampleQuery, UploadItem

EVERY = SampleQuery(include_disabled="both", sort="id", descending=False)


@pytest.fixture
def sample(server) -> int:
    """One time series of 10 values, 10 ms apart, with metadata; its id."""
    data, _ = csv_series(rows=10, interval=10)
    item = UploadItem("walk.01.csv", data, "training", metadata={"site": "lab"})
    (result,) = server.backend.upload([item])
    assert result.success, result.error
    return result.sample_id


def state(server) -> list[tuple]:
    """Everything a change could touch, for every sample."""
    return [
        (
            r.id,
            r.filename,
            r.category,
            r.label,
            r.metadata,
            r.disabled,
            r.bounding_boxes,
            r.structured_labels,
            r.values_count,
        )
        for r in server.backend.iter_samples(EVERY)
    ]


def post(server, path: str, body=None, key=None, **params) -> requests.Response:
    return requests.post(
        server.v1(path),
        headers={"x-api-key": key or server.key},
        json=body,
        params=params,
        timeout=30,
    )


def assert_refused(response: requests.Response, status: int, words: str) -> None:
    assert response.status_code == status, response.text
    body = response.json()
    assert body["success"] is False and words in body["error"], body


# -- unknown samples ---------------------------------------------------------------------------

PER_SAMPLE = [
    ("edit-label", {"label": "run"}),
    ("move", {"newCategory": "testing"}),
    ("rename", {"name": "other"}),
    ("metadata", {"metadata": {"a": "b"}}),
    ("disable", None),
    ("enable", None),
    ("crop", {"cropStart": 0, "cropEnd": 2}),
    ("segment", {"segments": [{"startMs": 0, "endMs": 20}]}),
    ("bounding-boxes", {"boundingBoxes": []}),
    ("structured-labels", {"structuredLabels": [{"startIndex": 0, "endIndex": 9, "label": "a"}]}),
]


@pytest.mark.parametrize(("action", "body"), PER_SAMPLE, ids=[a for a, _ in PER_SAMPLE])
def test_an_unknown_sample_is_200_success_false(server, sample, action, body):
    before = state(server)
    missing = sample + 1000
    response = post(server, f"/raw-data/{missing}/{action}", body)
    assert response.status_code == 200, response.text
    assert response.json() == {"success": False, "error": f"No sample found with ID {missing}"}
    assert state(server) == before


def test_the_client_raises_the_not_found_message(raw, server, sample):
    with pytest.raises(Exception, match=f"No sample found with ID {sample + 1}"):
        raw.disable_sample(server.project_id, sample + 1)


# -- malformed or impossible requests ----------------------------------------------------------

BAD = [
    ("batch/delete", None, {"category": "all", "ids": "[1,"}, 400, "ids is not valid JSON"),
    ("batch/delete", None, {"category": "all", "ids": '["a"]'}, 400, "JSON array of sample ids"),
    ("batch/delete", None, {"category": "all", "excludeIds": "{}"}, 400, "excludeIds"),
    ("batch/delete", None, {"category": "all", "ids": "[true]"}, 400, "sample ids"),
    ("batch/delete", None, {"category": "all", "metadata": "[1]"}, 400, "metadata"),
    ("batch/delete", None, {"category": "all", "metadata": '[{"key":"a","op":"gt"}]'}, 400, "op"),
    ("batch/delete", None, {"category": "all", "includeDisabled": "some"}, 400, "includeDisabled"),
    ("batch/delete", None, {"category": "all", "minLength": "long"}, 400, "minLength"),
    ("batch/delete", None, {"category": "all", "minDate": "yesterday"}, 400, "minDate"),
    ("batch/delete", None, {"category": "everything"}, 400, "category"),
    ("batch/delete", None, {}, 400, "category"),
    ("batch/moveSamples", {"newCategory": "bin"}, {"category": "all"}, 400, "newCategory"),
    ("batch/edit-labels", {"label": ""}, {"category": "all"}, 400, "label cannot be empty"),
    ("batch/edit-labels", {"label": "  "}, {"category": "all"}, 400, "label cannot be empty"),
    ("batch/add-metadata", {"metadataKey": "a"}, {"category": "all"}, 400, "metadataValue"),
    ("{id}/edit-label", {"label": ""}, {}, 400, "label cannot be empty"),
    ("{id}/edit-label", {}, {}, 400, "label is required"),
    ("{id}/move", {"newCategory": "bin"}, {}, 400, "newCategory"),
    ("{id}/rename", {"name": ""}, {}, 400, "name cannot be empty"),
    ("{id}/metadata", {"metadata": {"a": 1}}, {}, 400, "metadata"),
    ("{id}/metadata", {"metadata": {" ": "x"}}, {}, 400, "metadata key cannot be empty"),
    (
        "batch/add-metadata",
        {"metadataKey": "", "metadataValue": "x"},
        {"category": "all"},
        400,
        "metadata key cannot be empty",
    ),
    ("{id}/crop", {"cropStart": 0, "cropEnd": 11}, {}, 400, "it has 10 values"),
    ("{id}/crop", {"cropStart": 5, "cropEnd": 5}, {}, 400, "it has 10 values"),
    ("{id}/crop", {"cropStart": -1, "cropEnd": 5}, {}, 400, "cropStart"),
    ("{id}/segment", {"segments": [{"startMs": 50, "endMs": 500}]}, {}, 400, "outside sample"),
    (
        "{id}/structured-labels",
        {"structuredLabels": [{"startIndex": 0, "endIndex": 10, "label": "a"}]},
        {},
        400,
        "past the last row",
    ),
    ("{id}/segment", {"segments": []}, {}, 400, "segments cannot be empty"),
    ("{id}/bounding-boxes", {"boundingBoxes": [{"label": "a"}]}, {}, 400, "boundingBoxes"),
]


@pytest.mark.parametrize(
    ("path", "body", "params", "status", "words"),
    BAD,
    ids=[f"{p} {sorted(q.items()) or b}"[:70] for p, b, q, _, _ in BAD],
)
def test_a_bad_request_is_refused_and_changes_nothing(
    server, sample, path, body, params, status, words
):
    before = state(server)
    response = post(server, "/raw-data/" + path.replace("{id}", str(sample)), body, **params)
    assert_refused(response, status, words)
    assert state(server) == before


def test_the_client_gets_a_400_for_a_crop_outside_the_sample(raw, server, sample):
    before = state(server)
    with pytest.raises(ApiException) as raised:
        raw.crop_sample(server.project_id, sample, api.CropSampleRequest(cropStart=3, cropEnd=99))
    assert raised.value.status == 400
    assert state(server) == before


def test_a_filter_on_a_listing_is_checked_too(server, sample):
    headers = {"x-api-key": server.key}
    for params in ({"metadata": "{"}, {"includeDisabled": "x"}, {"maxId": "-1"}):
        response = requests.get(server.v1("/raw-data"), headers=headers, params=params)
        assert response.status_code == 400, response.text
        response = requests.get(server.v1("/raw-data/count"), headers=headers, params=params)
        assert response.status_code == 400, response.text


def test_another_project_is_404(server, sample):
    before = state(server)
    url = f"{server.base}/v1/api/{server.project_id + 1}/raw-data/{sample}/disable"
    response = requests.post(url, headers={"x-api-key": server.key}, timeout=30)
    assert_refused(response, 404, "not found")
    assert state(server) == before


# -- keys --------------------------------------------------------------------------------------


def test_a_wrong_key_is_401_and_changes_nothing(server, sample):
    before = state(server)
    for path, params in (
        (f"/raw-data/{sample}/disable", {}),
        ("/raw-data/batch/delete", {"category": "all"}),
    ):
        assert_refused(post(server, path, key="ei_wrong", **params), 401, "Invalid API key")
    response = requests.get(server.v1("/raw-data/ratio"), headers={"x-api-key": "ei_wrong"})
    assert response.status_code == 401
    assert state(server) == before


def test_the_client_raises_unauthorized_for_a_wrong_key(server, sample):
    config = api.Configuration(host=f"{server.base}/v1", api_key={"ApiKeyAuthentication": "nope"})
    with api.ApiClient(config) as client, pytest.raises(UnauthorizedException):
        api.RawDataApi(client).batch_delete(server.project_id, "all")
    assert server.count() == 1
