"""ei-desktop's additions to the Studio API: several samples per request, listings of chosen
fields, and listing pages that follow the last id seen. All are optional for clients and
invisible to the official SDK."""

from __future__ import annotations

import pytest
import requests

from ei_desktop.core.backends.base import UploadItem
from ei_desktop.server import studio


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


@pytest.mark.parametrize("at_once", [None, 45, 0], ids=["small-together", "pairs", "streamed"])
def test_batch_answers_like_single_gets_in_order(server, monkeypatch, at_once):
    """Runs of small samples are encoded together (up to ``AT_ONCE`` bytes of files), others
    one at a time: the same entries either way."""
    if at_once is not None:
        monkeypatch.setattr(studio, "AT_ONCE", at_once)
    ids = seed(server)
    headers = {"x-api-key": server.key}
    asked = [ids[2], 999999, ids[-1], ids[0], ids[1], ids[3], ids[4]]
    body = requests.post(server.v1("/raw-data/batch"), json={"ids": asked}, headers=headers).json()
    assert body["success"] is True
    entries = body["samples"]
    assert [e["id"] for e in entries] == asked
    assert entries[1] == {"id": 999999, "success": False, "error": "No sample found with ID 999999"}
    assert all(e["success"] for e in entries[2:])
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


def test_pages_after_an_id_follow_the_listing_order(server):
    items = [
        UploadItem(f"s{i}.csv", f"timestamp,x\n0,{i}\n10,{i}\n".encode(), category=category)
        for i, category in enumerate(["training", "testing", "training"] * 7)
    ]
    server.backend.upload(items)
    headers = {"x-api-key": server.key}
    for params in (
        {"category": "training"},
        {"category": "all", "sortBy": "id-asc"},
        {"category": "all", "fields": "id,filename,category,label", "maxId": 10_000},
    ):
        whole = requests.get(server.v1("/raw-data"), params=params, headers=headers).json()
        pages, after = [], None
        while True:
            paged = {**params, "limit": 4, **({"afterId": after} if after else {})}
            body = requests.get(server.v1("/raw-data"), params=paged, headers=headers).json()
            assert body["pagingAfterId"] is True
            assert body.get("totalCount") == (None if after else whole["totalCount"])
            pages.extend(body["samples"])
            if len(body["samples"]) < 4:
                break
            after = body["samples"][-1]["id"]
        assert [s["id"] for s in pages] == [s["id"] for s in whole["samples"]], params
    by_name = {"sortBy": "filename-asc", "afterId": 1}
    refused = requests.get(server.v1("/raw-data"), params=by_name, headers=headers)
    assert refused.status_code == 400 and "sorted by id" in refused.json()["error"]


def test_columns_list_the_same_samples_as_sample_objects(server):
    """``columns=true`` with the info fields: one array per field, the same samples in the
    same order as the ``samples`` of the same page, for every filter, order and page."""
    items = [
        UploadItem(f"s{i}.csv", f"timestamp,x\n0,{i}\n10,{i}\n".encode(), category=category)
        for i, category in enumerate(["training", "testing", "training"] * 5)
    ]
    items.append(UploadItem('ünïcode "quoted".csv', b"timestamp,x\n0,1\n10,2\n"))
    ids = sorted(r.sample_id for r in server.backend.upload(items))
    headers = {"x-api-key": server.key}
    fields = {"fields": "id,filename,category,label"}
    for params, count in (
        ({"category": "all"}, 16),
        ({"category": "training", "sortBy": "id-asc", "limit": 4, "offset": 2}, 4),
        ({"category": "all", "limit": 5, "afterId": ids[8]}, 5),
        ({"category": "all", "sortBy": "id-asc", "afterId": ids[8]}, 7),
        ({"category": "testing", "labels": '["s1"]'}, 1),
        ({"category": "all", "offset": 1000}, 0),
    ):
        rows = requests.get(
            server.v1("/raw-data"), params={**params, **fields}, headers=headers
        ).json()
        cols = requests.get(
            server.v1("/raw-data"), params={**params, **fields, "columns": "true"}, headers=headers
        ).json()
        assert cols["success"] is True and cols["pagingAfterId"] is True
        assert "samples" not in cols and cols.get("totalCount") == rows.get("totalCount")
        as_rows = [
            dict(zip(("id", "filename", "category", "label"), values))
            for values in zip(
                *(cols["columns"][key] for key in ("id", "filename", "category", "label"))
            )
        ]
        assert as_rows == rows["samples"] and len(as_rows) == count, params
    unicode = requests.get(
        server.v1("/raw-data"),
        params={"filename": "quoted", "columns": "true", **fields},
        headers=headers,
    ).json()
    assert unicode["columns"]["filename"] == ['ünïcode "quoted"']
    plain = requests.get(server.v1("/raw-data"), params={"columns": "true"}, headers=headers)
    assert "columns" not in plain.json() and len(plain.json()["samples"]) == 16


class QueryRecorder:
    """ASGI middleware keeping the query string of every listing request."""

    def __init__(self, app, *, drop: tuple[str, ...] = ()) -> None:
        self.app = app
        self.listings: list[dict] = []
        self.drop = drop  # parameters taken out, as a server without them ignores them

    async def __call__(self, scope, receive, send):
        if scope["type"] == "http" and scope["path"].endswith("/raw-data"):
            from urllib.parse import parse_qs, parse_qsl, urlencode

            self.listings.append(parse_qs(scope["query_string"].decode()))
            pairs = parse_qsl(scope["query_string"].decode())
            kept = urlencode([(k, v) for k, v in pairs if k not in self.drop])
            scope = {**scope, "query_string": kept.encode()}
        await self.app(scope, receive, send)


@pytest.mark.parametrize(
    "extensions, drop",
    [(True, ()), (True, ("columns",)), (False, ())],
    ids=["after-id", "after-id-without-columns", "standard"],
)
def test_the_http_backend_lists_by_last_seen_id_where_offered(
    server, monkeypatch, extensions, drop
):
    from ei_desktop.core.backends import studio
    from ei_desktop.core.backends.base import SampleQuery
    from ei_desktop.server.app import create_app
    from ei_desktop.server.testing import running_app

    monkeypatch.setattr(studio, "PAGE", 4)
    monkeypatch.setattr(studio, "AFTER_ID_PAGE", 5)
    items = [UploadItem(f"s{i}.csv", f"timestamp,x\n0,{i}\n10,1\n".encode()) for i in range(23)]
    server.backend.upload(items)
    expected = server.backend.sample_infos(SampleQuery())
    assert len(expected) == 23
    recorder = QueryRecorder(create_app(server.backend, server.key), drop=drop)
    with running_app(recorder) as base:
        client = studio.StudioBackend(server.key, base + "/v1", base, extensions=extensions)
        try:
            assert client.sample_infos(SampleQuery()) == expected
            ids = client.sample_ids(SampleQuery(sort="id", descending=False))
        finally:
            client.close()
    assert ids.tolist() == sorted(i.sample_id for i in expected)
    pages = recorder.listings
    if extensions:  # a first page, then each after the last id seen: 4 + 5 * 4 >= 23
        each_listing = [False] + [True] * 4
        assert [p.get("afterId") is not None for p in pages] == each_listing * 2
        assert all(p.get("offset") == ["0"] for p in pages)
        # sample_infos asks for its pages as columns (a server without them sends samples)
        assert [p.get("columns") for p in pages] == [["true"]] * 5 + [None] * 5
    else:
        assert not any("afterId" in p for p in pages)
        assert max(int(p["offset"][0]) for p in pages) == 20
