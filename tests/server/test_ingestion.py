"""The ingestion API through plain HTTP: batches, companions, headers, the legacy endpoint."""

from __future__ import annotations

import io
import json
from urllib.parse import quote

import numpy as np
import requests
from PIL import Image
from server_helpers import (
    SAMPLES,
    bounding_boxes_part,
    csv_series,
    post_files,
    structured_labels_part,
    tiny_mp4,
)

from ei_desktop.core.backends.base import SampleQuery


def stored(server) -> dict[int, object]:
    return {r.id: r for r in server.backend.list_samples(SampleQuery(), limit=1000)}


def test_a_batch_answers_one_entry_per_data_part_in_order(server):
    good_a, _ = csv_series(seed=1)
    good_b, _ = csv_series(seed=2)
    response = post_files(
        server.base,
        server.key,
        [
            ("a.01.csv", good_a),
            ("broken.csv", b"a,b\n1,2\n3,4\n"),
            structured_labels_part({"b.01.csv": [{"label": "x", "startIndex": 0, "endIndex": 3}]}),
            ("notes.wrong", b"hello"),
            ("b.01.csv", good_b),
            ("clip.mp4", tiny_mp4()),
        ],
        headers={"x-label": "batch"},
    )
    assert response.status_code == 200
    body = response.json()
    files = body["files"]
    assert [f["success"] for f in files] == [True, False, False, True, True]
    assert files[1]["error"].startswith("Could not parse this CSV file")
    assert files[2]["error"].startswith("Unsupported file type '.wrong'")
    assert body["success"] is False and body["error"] == files[1]["error"]
    assert [f.get("fileName") for f in files] == [
        "a.01.csv",
        "broken.csv",
        "notes.wrong",
        "b.01.csv",
        "clip.mp4",
    ]
    ids = [f["sampleId"] for f in files if f["success"]]
    assert ids == sorted(ids)  # one commit, in part order
    records = stored(server)
    assert set(records) == set(ids)
    b = records[files[3]["sampleId"]]
    assert b.label == "batch" and b.structured_labels == [
        {"label": "x", "startIndex": 0, "endIndex": 3}
    ]
    assert records[files[0]["sampleId"]].structured_labels is None
    assert all(f["projectId"] == server.project_id for f in files if f["success"])


def test_bounding_boxes_companion_applies_to_the_file_it_names(server):
    png = (SAMPLES / "capacitor.01.png").read_bytes()
    boxes = [{"label": "cap", "x": 3, "y": 4, "width": 5, "height": 6}]
    response = post_files(
        server.base,
        server.key,
        [
            bounding_boxes_part({"one.png": boxes, "two.png": []}),
            ("one.png", png, "image/png"),
            ("two.png", png + b"\0", "image/png"),
        ],
        headers={"x-metadata": "{}", "x-no-label": "1", "x-label": ""},
    )
    files = response.json()["files"]
    assert len(files) == 2 and all(f["success"] for f in files)
    one, two = (server.backend.get_sample(f["sampleId"]) for f in files)
    assert one.bounding_boxes == boxes and two.bounding_boxes == []
    assert one.label == "" and two.label == ""  # x-no-label: unlabeled, not inferred
    assert one.metadata is None  # "{}" from the CLI means no metadata


def test_header_boxes_apply_to_every_file_and_metadata_is_stored(server):
    png = (SAMPLES / "capacitor.01.png").read_bytes()
    boxes = [{"label": "a", "x": 0, "y": 0, "width": 1, "height": 1}]
    response = post_files(
        server.base,
        server.key,
        [("x.png", png), ("y.png", png + b"1")],
        headers={"x-bounding-boxes": json.dumps(boxes), "x-metadata": '{"k": "v", "n": 3}'},
    )
    for entry in response.json()["files"]:
        record = server.backend.get_sample(entry["sampleId"])
        assert record.bounding_boxes == boxes and record.metadata == {"k": "v", "n": "3"}


def test_labels_are_percent_decoded_like_the_cli_sends_them(server):
    label = "caffè latte 100%"
    for i, header in enumerate([quote(label, safe=""), "raw label", "50%2", "a%ZZb"]):
        response = post_files(
            server.base,
            server.key,
            [(f"s{i}.csv", csv_series(seed=i)[0])],
            headers={"x-label": header},
        )
        sample_id = response.json()["files"][0]["sampleId"]
        expected = {0: label, 1: "raw label", 2: "50%2", 3: "a%ZZb"}[i]
        assert server.backend.get_sample(sample_id).label == expected


def test_latin1_labels_from_the_sdk_are_kept(server):
    body = csv_series(seed=4)[0]
    response = requests.post(
        f"{server.base}/api/training/files",
        headers={"x-api-key": server.key, "x-label": "café".encode("latin-1")},
        files=[("data", ("c.csv", body))],
        timeout=10,
    )
    sample_id = response.json()["files"][0]["sampleId"]
    assert server.backend.get_sample(sample_id).label == "café"


def test_the_label_is_inferred_from_the_file_name_when_none_is_sent(server):
    response = post_files(server.base, server.key, [("idle.01.csv", csv_series()[0])])
    sample_id = response.json()["files"][0]["sampleId"]
    assert server.backend.get_sample(sample_id).label == "idle"


def test_quotes_escaped_by_urllib3_come_back(server):
    name = 'naïve "q".csv'
    response = post_files(
        server.base,
        server.key,
        [
            (name, csv_series(rows=2)[0]),
            structured_labels_part({name: [{"label": "q", "startIndex": 0, "endIndex": 1}]}),
        ],
    )
    entry = response.json()["files"][0]
    assert entry["fileName"] == name
    record = server.backend.get_sample(entry["sampleId"])
    assert record.filename == 'naïve "q"' and record.label == "q"


def test_paths_in_part_names_are_reduced_to_the_base_name(server, tmp_path):
    before = set(p.name for p in tmp_path.parent.iterdir())
    response = post_files(
        server.base,
        server.key,
        [
            ("../../escape.01.csv", csv_series(seed=1)[0]),
            ("/etc/abs.01.csv", csv_series(seed=2)[0]),
            ("C:\\Users\\me\\win.01.csv", csv_series(seed=3)[0]),
        ],
    )
    files = response.json()["files"]
    assert [f["fileName"] for f in files] == ["escape.01.csv", "abs.01.csv", "win.01.csv"]
    names = {server.backend.get_sample(f["sampleId"]).filename for f in files}
    assert names == {"escape.01", "abs.01", "win.01"}
    assert set(p.name for p in tmp_path.parent.iterdir()) == before


def test_duplicates_only_when_asked(server):
    body = csv_series(seed=9)[0]
    first = post_files(server.base, server.key, [("d.csv", body)]).json()["files"][0]
    again = post_files(server.base, server.key, [("d.csv", body)]).json()["files"][0]
    assert again["success"] and again["sampleId"] != first["sampleId"]
    refused = post_files(
        server.base, server.key, [("d.csv", body)], headers={"x-disallow-duplicates": "1"}
    ).json()["files"][0]
    assert not refused["success"]
    assert refused["error"].startswith("An item with this hash already exists")
    assert str(first["sampleId"]) in refused["error"]
    in_one_request = post_files(
        server.base,
        server.key,
        [("e.csv", csv_series(seed=10)[0]), ("e2.csv", csv_series(seed=10)[0])],
        headers={"x-disallow-duplicates": "1"},
    ).json()["files"]
    assert [f["success"] for f in in_one_request] == [True, False]


def test_add_date_id_makes_stored_names_unique(server):
    names = set()
    for seed in (1, 2):
        response = post_files(
            server.base,
            server.key,
            [("same.csv", csv_series(seed=seed)[0])],
            headers={"x-add-date-id": "1"},
        )
        entry = response.json()["files"][0]
        assert entry["fileName"].startswith("same.") and entry["fileName"].endswith(".csv")
        names.add(server.backend.get_sample(entry["sampleId"]).filename)
    assert len(names) == 2 and all(n.startswith("same.") for n in names)


def test_split_resolves_to_training_or_testing(server):
    response = post_files(
        server.base,
        server.key,
        [(f"s{i}.csv", csv_series(seed=i)[0]) for i in range(20)],
        category="split",
    )
    categories = {f["category"] for f in response.json()["files"]}
    assert categories <= {"training", "testing"} and categories


def test_legacy_data_endpoint(server):
    doc = (SAMPLES / "wave.01.json").read_bytes()
    headers = {"x-api-key": server.key, "x-file-name": quote("wäve legacy.json"), "x-label": "w"}
    response = requests.post(
        f"{server.base}/api/testing/data",
        data=doc,
        headers={**headers, "content-type": "application/json"},
        timeout=10,
    )
    assert response.status_code == 200 and response.text == "wäve legacy.json"
    (record,) = server.backend.list_samples(SampleQuery())
    assert (record.filename, record.category, record.label) == ("wäve legacy", "testing", "w")
    duplicate = requests.post(
        f"{server.base}/api/testing/data",
        data=doc,
        headers={**headers, "x-disallow-duplicates": "1"},
        timeout=10,
    )
    assert duplicate.status_code == 400
    assert duplicate.text.startswith("An item with this hash already exists")
    missing = requests.post(
        f"{server.base}/api/testing/data", data=doc, headers={"x-api-key": server.key}, timeout=10
    )
    assert missing.status_code == 421
    assert server.count() == 1


def test_files_larger_than_the_in_memory_spool_round_trip(server):
    rng = np.random.default_rng(1)
    image = Image.fromarray(rng.integers(0, 255, (1100, 1100, 3), dtype=np.uint8))
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    png = buffer.getvalue()
    assert len(png) > 2 * 1024 * 1024
    small = (SAMPLES / "capacitor.01.png").read_bytes()
    response = post_files(server.base, server.key, [("noise.png", png), ("small.png", small)])
    big_id, small_id = (f["sampleId"] for f in response.json()["files"])
    headers = {"x-api-key": server.key}
    assert requests.get(server.v1(f"/raw-data/{big_id}/image"), headers=headers).content == png
    assert requests.get(server.v1(f"/raw-data/{small_id}/image"), headers=headers).content == small
    record = server.backend.get_sample(big_id)
    assert (record.width, record.height) == (1100, 1100)
