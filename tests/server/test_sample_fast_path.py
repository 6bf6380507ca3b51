"""``GET …/raw-data/{id}`` is answered before routing for well-formed requests: the answers
are those of the route, byte for byte, and whatever it does not take still reaches the route.
"""

from __future__ import annotations

import pytest
import requests
from server_helpers import SAMPLES, csv_series, post_files

from ei_desktop.server import studio


@pytest.fixture
def samples(server):
    files = [
        ("walk.csv", csv_series(40)[0]),
        ("wave.json", (SAMPLES / "wave.01.json").read_bytes()),
        ("boom.wav", (SAMPLES / "hadouken.01.wav").read_bytes()),
        ("cap.png", (SAMPLES / "capacitor.01.png").read_bytes()),
    ]
    entries = post_files(server.base, server.key, files).json()["files"]
    return [entry["sampleId"] for entry in entries]


def test_answers_before_routing_are_the_routes(server, samples):
    """An unknown query parameter (ignored by the route) sends a request past the fast path:
    both answers are the same bytes, with or without a limit, found or not.
    """
    session = requests.Session()
    session.headers["x-api-key"] = server.key
    for sample_id in [*samples, max(samples) + 1000]:
        for limit in [None, 0, 3]:
            params = {} if limit is None else {"limitPayloadValues": limit}
            url = server.v1(f"/raw-data/{sample_id}")
            fast = session.get(url, params=params)
            routed = session.get(url, params={**params, "via": "route"})
            assert fast.status_code == routed.status_code == 200
            assert fast.content == routed.content, (sample_id, limit)
            assert fast.headers["content-type"] == routed.headers["content-type"]
    found = session.get(server.v1(f"/raw-data/{samples[0]}")).json()
    assert found["success"] and len(found["payload"]["values"]) == 40
    assert session.get(server.v1("/raw-data/987654")).json() == {
        "success": False,
        "error": "No sample found with ID 987654",
    }


def test_requests_it_does_not_take_get_the_routes_answers(server, samples):
    headers = {"x-api-key": server.key}
    url = server.v1(f"/raw-data/{samples[0]}")
    bad_limit = requests.get(url, headers=headers, params={"limitPayloadValues": "many"})
    assert bad_limit.status_code == 400 and bad_limit.json()["success"] is False
    too_large = requests.get(url, headers=headers, params={"limitPayloadValues": 2**62 + 1})
    assert too_large.status_code == 400
    other = requests.get(
        f"{server.base}/v1/api/{server.project_id + 1}/raw-data/{samples[0]}", headers=headers
    )
    assert other.status_code == 404 and "not found" in other.json()["error"]
    no_key = requests.get(url)
    assert no_key.status_code == 401 and no_key.json()["error"] == "Invalid API key"
    deleted = requests.delete(url, headers=headers)
    assert deleted.status_code == 200 and deleted.json()["success"] is True
    assert requests.get(url, headers=headers).json()["success"] is False


def test_a_large_sample_goes_on_to_the_route_and_is_streamed(server, samples, monkeypatch):
    monkeypatch.setattr(studio, "AT_ONCE", 0)
    answer = requests.get(server.v1(f"/raw-data/{samples[0]}"), headers={"x-api-key": server.key})
    assert "content-length" not in answer.headers  # streamed: the route's large answer
    assert answer.json()["payload"]["values"] == csv_series(40)[1]
