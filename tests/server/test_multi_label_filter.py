"""Through ``ei-desktop serve``, Edge Impulse's list and count endpoints filter by labels the
way the local project counts them: a sample with label segments under each segment's label,
an object-detection image under its boxes' labels (``core.labels.sample_labels``); the
project's summary counts each sample once.
"""

from __future__ import annotations

import json

import edgeimpulse_api as api
import requests
from server_helpers import SAMPLES, csv_series

from ei_desktop.core.backends.base import SampleQuery, UploadItem
from ei_desktop.core.edits import SetStructuredLabels


def add(server, name: str, data: bytes, **fields) -> int:
    (result,) = server.backend.upload([UploadItem(name, data, "training", **fields)])
    assert result.success, result.error
    return result.sample_id


def listed(raw, server, *labels: str) -> set[int]:
    """Ids listed with the ``labels`` filter; the count endpoint says as many."""
    project, text = server.project_id, json.dumps(list(labels))
    answer = raw.list_samples(project, "training", labels=text, limit=100)
    ids = {s.id for s in answer.samples}
    assert answer.total_count == len(ids)
    assert raw.count_samples(project, "training", labels=text).count == len(ids)
    local = server.backend.sample_ids(SampleQuery(category="training", labels=labels))
    assert set(local.tolist()) == ids
    return ids


def test_list_and_count_by_segment_and_box_labels(raw, server):
    project = server.project_id
    series, _ = csv_series(rows=10, seed=1)
    multi = add(server, "walk.01.csv", series, label="walk")
    plain, _ = csv_series(rows=4, seed=2)
    walk = add(server, "walk.02.csv", plain, label="walk")
    image = add(server, "1.png", (SAMPLES / "capacitor.01.png").read_bytes(), label="1")
    segments = [
        {"startIndex": 0, "endIndex": 3, "label": "idle"},
        {"startIndex": 4, "endIndex": 9, "label": "wave"},
    ]
    request = api.SetSampleStructuredLabelsRequest(
        structuredLabels=[api.StructuredLabel(**s) for s in segments]
    )
    assert raw.set_sample_structured_labels(project, multi, request).success
    boxes = [
        {"label": "capacitor", "x": 1, "y": 2, "width": 3, "height": 4},
        {"label": "led", "x": 5, "y": 6, "width": 3, "height": 4},
    ]
    request = api.SampleBoundingBoxesRequest(boundingBoxes=[api.BoundingBox(**b) for b in boxes])
    assert raw.set_sample_bounding_boxes(project, image, request).success

    assert listed(raw, server, "idle") == listed(raw, server, "wave") == {multi}
    assert listed(raw, server, "walk") == {walk}  # the segments replaced its own label
    assert listed(raw, server, "capacitor") == listed(raw, server, "led") == {image}
    assert listed(raw, server, "1") == set()  # the label its file name gave it
    assert listed(raw, server, "idle", "led", "walk") == {multi, image, walk}
    assert raw.count_samples(project, "training").count == 3

    info = requests.get(server.v1(""), headers={"x-api-key": server.key}).json()
    assert info["dataSummary"]["dataCount"] == 3  # each sample once
    assert info["dataSummaryPerCategory"]["training"]["dataCount"] == 3
    assert set(info["dataSummary"]["labels"]) == {"idle", "wave", "walk", "capacitor", "led"}


def test_the_http_backend_counts_each_label_as_the_local_project_does(server):
    """The tree of a window connected to serve shows segment and box labels (the
    label-counts extension); against the standard API only, the dataset summary's own labels.
    """
    from ei_desktop.core.backends.studio import StudioBackend

    series, _ = csv_series(rows=10, seed=3)
    multi = add(server, "walk.01.csv", series, label="walk")
    server.backend.edit(
        SampleQuery(ids=(multi,)),
        SetStructuredLabels(
            [
                {"startIndex": 0, "endIndex": 3, "label": "idle"},
                {"startIndex": 4, "endIndex": 9, "label": "wave"},
            ]
        ),
    )
    plain, _ = csv_series(rows=4, seed=4)
    add(server, "walk.02.csv", plain, label="walk")
    expected = {("training", "idle"): 1, ("training", "wave"): 1, ("training", "walk"): 1}
    assert server.backend.label_counts() == expected

    with_extension = StudioBackend(server.key, server.base + "/v1", server.base)
    standard_only = StudioBackend(server.key, server.base + "/v1", server.base, extensions=False)
    try:
        assert with_extension.label_counts() == expected
        assert with_extension.category_counts() == {"training": 2}
        # Edge Impulse's summary: each sample once, under its own label
        own = standard_only.label_counts()
        assert own != expected and sum(own.values()) == 2
        assert standard_only.category_counts() == {"training": 2}
    finally:
        with_extension.close()
        standard_only.close()
