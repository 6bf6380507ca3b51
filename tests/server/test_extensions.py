"""ei-desktop's additions to the Studio API: several samples per request, and listings of
chosen fields. Both are optional for clients and invisible to the official SDK."""

from __future__ import annotations

import requests

from ei_desktop.core.backends.base import UploadItem


def seed(server, count: int = 5) -> list[int]:
    items = [
        UploadItem(f"s{i}.csv", f"timestamp,x\n0,{i}\n10,{i + 1}\n".encode(), category="training")
        for i in range(count)
    ]
    items.append(UploadItem("pic.png", (server_samples() / "capacitor.01.png").read_bytes()))
    return [r.sample_id for r in server.backend.upload(items)]


def server_samples():
    from pathlib import Path

    return Path(__file__).parents[1] / "data" / "ei-samples"


def test_batch_answers_like_single_gets_in_order(server):
    ids = seed(server)
    headers = {"x-api-key": server.key}
    asked = [ids[2], 999999, ids[-1], ids[0]]
    body = requests.post(server.v1("/raw-data/batch"), json={"ids": asked}, headers=headers).json()
    assert body["success"] is True
    entries = body["samples"]
    assert [e["id"] for e in entries] == asked
    assert entries[1] == {"id": 999999, "success": False, "error": "No sample found with ID 999999"}
    for entry, sample_id in zip(entries, asked):
        if not entry["success"]:
            continue
        single = requests.get(server.v1(f"/raw-data/{sample_id}"), headers=headers).json()
        assert entry["sample"] == single["sample"]
        assert entry["payload"] == single["payload"]
    lean = requests.post(
        server.v1("/raw-data/batch"), json={"ids": ids[:2], "payload": False}, headers=headers
    ).json()
    assert all("payload" not in e and e["sample"]["id"] in ids for e in lean["samples"])


def test_batch_refuses_bad_bodies_and_keys(server):
    url = server.v1("/raw-data/batch")
    headers = {"x-api-key": server.key}
    assert requests.post(url, json={"ids": ["x"]}, headers=headers).status_code == 400
    assert requests.post(url, json={"ids": list(range(1001))}, headers=headers).status_code == 400
    assert requests.post(url, data=b"{", headers=headers).status_code == 400
    assert requests.post(url, json={"ids": [1]}, headers={"x-api-key": "no"}).status_code == 401


def test_fields_lists_only_what_was_asked(server):
    seed(server)
    headers = {"x-api-key": server.key}
    params = {"category": "all", "limit": 3, "offset": 1, "fields": "id,filename,category,label"}
    lean = requests.get(server.v1("/raw-data"), params=params, headers=headers).json()
    assert lean["totalCount"] == 6
    assert [set(s) for s in lean["samples"]] == [{"id", "filename", "category", "label"}] * 3
    del params["fields"]
    full = requests.get(server.v1("/raw-data"), params=params, headers=headers).json()
    assert [s["id"] for s in full["samples"]] == [s["id"] for s in lean["samples"]]
    assert "coldstorageFilename" in full["samples"][0]
    params["fields"] = "id,sha256Hash"  # not a field set we serve lean: whole samples
    other = requests.get(server.v1("/raw-data"), params=params, headers=headers).json()
    assert "coldstorageFilename" in other["samples"][0]
