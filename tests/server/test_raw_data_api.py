"""Edge Impulse's generated client (``edgeimpulse_api.RawDataApi``), unchanged, against a live
``ei-desktop serve``: every curation endpoint, each change checked in the project behind the
server and, once per kind of change, through the official SDK.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

import edgeimpulse as ei
import edgeimpulse_api as api
import numpy as np
import pytest
from edgeimpulse_api.models.generic_api_response import GenericApiResponse
from edgeimpulse_api.models.project_dataset_metadata_classes_category import (
    ProjectDatasetMetadataClassesCategory,
)
from edgeimpulse_api.models.project_dataset_metadata_ratio_classes import (
    ProjectDatasetMetadataRatioClasses,
)
from server_helpers import SAMPLES, csv_series

from ei_desktop.core.backends.base import SampleQuery, UploadItem, query_for_ids
from ei_desktop.core.edits import SetEnabled

EVERY = SampleQuery(include_disabled="both")


@pytest.fixture
def sdk(server, monkeypatch):
    """The official SDK pointed at the server."""
    monkeypatch.setattr(ei, "API_KEY", server.key)
    monkeypatch.setattr(ei, "API_ENDPOINT", server.base + "/v1")
    monkeypatch.setattr(ei, "INGESTION_ENDPOINT", server.base)
    return server


def add(server, name: str, data: bytes, category: str = "training", **fields) -> int:
    """Store one sample in the served project; returns its id."""
    item = UploadItem(name, data, category, **fields)
    (result,) = server.backend.upload([item], allow_duplicates=True)
    assert result.success, result.error
    return result.sample_id


def add_series(server, name: str, rows: int = 10, interval: int = 10, seed: int = 0, **fields):
    """A two-axis time series of ``rows`` values; returns its id and values."""
    data, values = csv_series(rows=rows, seed=seed, interval=interval)
    return add(server, name, data, **fields), values


def record(server, sample_id: int):
    found = server.backend.get_sample(sample_id)
    assert found is not None, sample_id
    return found


def downloaded(sample_id: int):
    """The sample as the official SDK downloads it."""
    (sample,) = ei.data.download_samples_by_ids([sample_id])
    return sample


def sdk_ids(**filters) -> set[int]:
    return {info.sample_id for info in ei.data.get_sample_ids(**filters)}


def values_of(sample) -> list:
    return json.loads(sample.data)["payload"]["values"]


# -- one sample --------------------------------------------------------------------------------


def test_edit_label(raw, server, sdk):
    sample_id, _ = add_series(server, "walk.01.csv")
    answer = raw.edit_label(server.project_id, sample_id, api.EditSampleLabelRequest(label="run"))
    assert answer.success
    assert record(server, sample_id).label == "run"
    assert downloaded(sample_id).label == "run"


def test_move(raw, server, sdk):
    sample_id, _ = add_series(server, "walk.01.csv")
    request = api.MoveRawDataRequest(newCategory="testing")
    assert raw.move_sample(server.project_id, sample_id, request).success
    assert record(server, sample_id).category == "testing"
    assert sdk_ids(category="testing") == {sample_id}
    assert sdk_ids(category="training") == set()


def test_rename(raw, server, sdk):
    sample_id, _ = add_series(server, "walk.01.csv")
    request = api.RenameSampleRequest(name="morning walk")
    assert raw.rename_sample(server.project_id, sample_id, request).success
    assert record(server, sample_id).filename == "morning walk"
    assert sdk_ids(filename="morning walk") == {sample_id}


def test_set_metadata_replaces_it(raw, server, sdk):
    sample_id, _ = add_series(server, "walk.01.csv", metadata={"old": "1", "site": "lab"})
    request = api.SetSampleMetadataRequest(metadata={"site": "home", "person": "ann"})
    assert raw.set_sample_metadata(server.project_id, sample_id, request).success
    assert record(server, sample_id).metadata == {"site": "home", "person": "ann"}
    assert downloaded(sample_id).metadata == {"site": "home", "person": "ann"}


def test_disable_and_enable(raw, server, sdk):
    sample_id, _ = add_series(server, "walk.01.csv")
    other, _ = add_series(server, "walk.02.csv", seed=1)
    assert raw.disable_sample(server.project_id, sample_id).success
    assert record(server, sample_id).disabled
    assert sdk_ids() == {other}  # the SDK lists enabled samples only
    listed = raw.list_samples(server.project_id, "all", include_disabled="both").samples
    assert {s.id: s.is_disabled for s in listed} == {sample_id: True, other: False}

    assert raw.enable_sample(server.project_id, sample_id).success
    assert not record(server, sample_id).disabled
    assert sdk_ids() == {sample_id, other}


def test_crop_keeps_start_up_to_end(raw, server, sdk):
    sample_id, values = add_series(server, "walk.01.csv", rows=10)
    answer = raw.crop_sample(
        server.project_id, sample_id, api.CropSampleRequest(cropStart=2, cropEnd=7)
    )
    assert answer.success and answer.requires_processing is False
    assert record(server, sample_id).values_count == 5
    np.testing.assert_allclose(values_of(downloaded(sample_id)), values[2:7])


def test_segment_replaces_the_sample_by_its_ranges(raw, server, sdk):
    sample_id, values = add_series(
        server, "walk.01.csv", rows=10, interval=10, metadata={"site": "lab"}
    )
    segments = [
        api.SegmentSampleRequestSegmentsInner(startMs=0, endMs=30),
        api.SegmentSampleRequestSegmentsInner(startMs=50, endMs=100),
    ]
    request = api.SegmentSampleRequest(segments=segments)
    assert raw.segment_sample(server.project_id, sample_id, request).success
    assert server.backend.get_sample(sample_id) is None
    made = server.backend.list_samples(SampleQuery(sort="id", descending=False))
    assert [r.values_count for r in made] == [3, 5]
    assert all(r.label == "walk" and r.metadata == {"site": "lab"} for r in made)
    first, second = (downloaded(r.id) for r in made)
    np.testing.assert_allclose(values_of(first), values[0:3])
    np.testing.assert_allclose(values_of(second), values[5:10])


def test_bounding_boxes(raw, server, sdk):
    sample_id = add(server, "capacitor.01.png", (SAMPLES / "capacitor.01.png").read_bytes())
    boxes = [{"label": "cap", "x": 1, "y": 2, "width": 3, "height": 4}]
    request = api.SampleBoundingBoxesRequest(boundingBoxes=[api.BoundingBox(**b) for b in boxes])
    assert raw.set_sample_bounding_boxes(server.project_id, sample_id, request).success
    assert record(server, sample_id).bounding_boxes == boxes
    assert downloaded(sample_id).bounding_boxes == boxes


def test_structured_labels(raw, server, sdk):
    sample_id, _ = add_series(server, "walk.01.csv", rows=10)
    segments = [
        {"startIndex": 0, "endIndex": 3, "label": "idle"},
        {"startIndex": 4, "endIndex": 9, "label": "walk"},
    ]
    request = api.SetSampleStructuredLabelsRequest(
        structuredLabels=[api.StructuredLabel(**s) for s in segments]
    )
    assert raw.set_sample_structured_labels(server.project_id, sample_id, request).success
    assert record(server, sample_id).structured_labels == segments
    assert downloaded(sample_id).structured_labels == segments
    (listed,) = raw.list_samples(server.project_id, "training").samples
    assert [s.to_dict() for s in listed.structured_labels] == segments
    assert listed.structured_labels_list == ["idle", "walk"]


def bursts_csv(starts_ms: list[int], length_ms: int = 300, total_ms: int = 5000) -> bytes:
    """A quiet 100 Hz recording with a strong wiggle of ``length_ms`` at each start."""
    lines = ["timestamp,accX,accY"]
    for t in range(0, total_ms, 10):
        active = any(s <= t < s + length_ms for s in starts_ms)
        wiggle = 8.0 * ((t // 10) % 2 * 2 - 1) if active else 0.01 * ((t // 10) % 3)
        lines.append(f"{t},{wiggle:g},{9.81 + wiggle / 2:g}")
    return ("\n".join(lines) + "\n").encode()


def test_find_segments_finds_the_events_then_segment_splits_there(raw, server):
    sample_id = add(server, "gesture.01.csv", bursts_csv([500, 2000, 3700]))
    request = api.FindSegmentSampleRequest(shiftSegments=False, segmentLengthMs=400)
    found = raw.find_segments_in_sample(server.project_id, sample_id, request)
    ranges = [(s.start_ms, s.end_ms) for s in found.segments]
    assert len(ranges) == 3 and all(end - start == 400 for start, end in ranges)
    for (start, end), burst in zip(ranges, [500, 2000, 3700]):
        assert start <= burst and burst + 300 <= end  # each window holds its whole event
    segments = [api.SegmentSampleRequestSegmentsInner(startMs=a, endMs=b) for a, b in ranges]
    raw.segment_sample(server.project_id, sample_id, api.SegmentSampleRequest(segments=segments))
    pieces = server.backend.list_samples(SampleQuery(labels=("gesture",)))
    assert sorted(p.filename for p in pieces) == ["gesture.01.s1", "gesture.01.s2", "gesture.01.s3"]


def test_find_segments_in_an_image_is_a_clear_error(raw, server):
    image = add(server, "cap.01.png", (SAMPLES / "capacitor.01.png").read_bytes())
    request = api.FindSegmentSampleRequest(shiftSegments=False, segmentLengthMs=400)
    with pytest.raises(api.exceptions.ApiException) as refused:
        raw.find_segments_in_sample(server.project_id, image, request)
    assert refused.value.status == 400 and "no values" in refused.value.body


# -- batches -----------------------------------------------------------------------------------


def three(server) -> tuple[int, int, int]:
    """Two walks (one in testing) and an idle sample."""
    a, _ = add_series(server, "walk.01.csv", metadata={"site": "lab", "person": "ann"})
    b, _ = add_series(server, "walk.02.csv", seed=1, category="testing", metadata={"site": "x"})
    c, _ = add_series(server, "idle.01.csv", seed=2)
    return a, b, c


def job_answer(answer) -> GenericApiResponse:
    """The anyOf a batch answers, resolved by the client to a finished, successful change."""
    assert isinstance(answer, api.RebalanceDatasetV2200Response)
    assert isinstance(answer.actual_instance, GenericApiResponse)
    assert answer.actual_instance.success
    return answer.actual_instance


def test_batch_edit_labels(raw, server, sdk):
    a, b, c = three(server)
    request = api.EditSampleLabelRequest(label="move")
    job_answer(raw.batch_edit_labels(server.project_id, "all", request, labels='["walk"]'))
    assert [record(server, i).label for i in (a, b, c)] == ["move", "move", "idle"]
    assert sdk_ids(labels="move") == {a, b}


def test_batch_move(raw, server, sdk):
    a, b, c = three(server)
    request = api.MoveRawDataRequest(newCategory="validation")
    job_answer(raw.batch_move(server.project_id, "training", request))
    assert [record(server, i).category for i in (a, b, c)] == [
        "validation",
        "testing",
        "validation",
    ]
    assert sdk_ids(category="validation") == {a, c}


def test_batch_add_metadata_keeps_other_keys(raw, server, sdk):
    a, b, c = three(server)
    request = api.BatchAddMetadataRequest(metadataKey="site", metadataValue="home")
    job_answer(raw.batch_add_metadata(server.project_id, "all", request, ids=json.dumps([a, c])))
    assert record(server, a).metadata == {"site": "home", "person": "ann"}
    assert record(server, b).metadata == {"site": "x"}
    assert record(server, c).metadata == {"site": "home"}
    assert downloaded(c).metadata == {"site": "home"}


def test_batch_clear_metadata(raw, server, sdk):
    a, b, c = three(server)
    answer = raw.batch_clear_metadata(server.project_id, "training")
    assert isinstance(answer, GenericApiResponse) and answer.success
    assert not record(server, a).metadata
    assert not downloaded(a).metadata
    assert record(server, b).metadata == {"site": "x"}
    assert downloaded(b).metadata == {"site": "x"}


def test_batch_clear_metadata_by_key(raw, server, sdk):
    a, b, c = three(server)
    request = api.BatchClearMetadataByKeyRequest(metadataKey="site")
    job_answer(raw.batch_clear_metadata_by_key(server.project_id, "all", request))
    assert record(server, a).metadata == {"person": "ann"}
    assert downloaded(a).metadata == {"person": "ann"}
    assert not record(server, b).metadata
    assert not downloaded(b).metadata


def test_batch_disable_and_enable(raw, server, sdk):
    a, b, c = three(server)
    job_answer(raw.batch_disable(server.project_id, "all", exclude_ids=json.dumps([c])))
    assert [record(server, i).disabled for i in (a, b, c)] == [True, True, False]
    assert sdk_ids() == {c}
    # enabling selects among disabled samples too, unless told otherwise
    job_answer(raw.batch_enable(server.project_id, "all", include_disabled="enabled"))
    assert sdk_ids() == {c}
    job_answer(raw.batch_enable(server.project_id, "testing"))
    assert sdk_ids() == {b, c}
    job_answer(raw.batch_enable(server.project_id, "all", include_disabled="disabled"))
    assert sdk_ids() == {a, b, c}


def test_batch_delete(raw, server, sdk):
    a, b, c = three(server)
    job_answer(raw.batch_delete(server.project_id, "all", filename="walk"))
    assert server.backend.get_samples([a, b, c]).keys() == {c}
    assert sdk_ids() == {c}


def test_batch_edit_bounding_boxes(raw, server, sdk):
    png = (SAMPLES / "capacitor.01.png").read_bytes()
    cap = {"label": "cap", "x": 1, "y": 2, "width": 3, "height": 4}
    led = {"label": "led", "x": 5, "y": 6, "width": 7, "height": 8}
    first = add(server, "board.01.png", png, bounding_boxes=[cap, led])
    second = add(server, "board.02.png", png, bounding_boxes=[led])
    request = api.BatchEditBoundingBoxesRequest(oldLabels=["cap"], newLabel="capacitor")
    job_answer(raw.batch_edit_bounding_boxes(server.project_id, "all", request))
    assert record(server, first).bounding_boxes == [{**cap, "label": "capacitor"}, led]
    assert downloaded(first).bounding_boxes == [{**cap, "label": "capacitor"}, led]
    assert record(server, second).bounding_boxes == [led]

    remove = api.BatchEditBoundingBoxesRequest(oldLabels=["led"], newLabel="")
    job_answer(raw.batch_edit_bounding_boxes(server.project_id, "all", remove))
    assert record(server, first).bounding_boxes == [{**cap, "label": "capacitor"}]
    assert record(server, second).bounding_boxes == []


# -- the list filter, on listing, counting and a batch change ----------------------------------


@pytest.fixture
def varied(server):
    """Samples that differ in every filtered property; name → id. ``walk.f`` is disabled."""
    png = (SAMPLES / "capacitor.01.png").read_bytes()
    wav = (SAMPLES / "hadouken.01.wav").read_bytes()
    ids = {
        "walk.a": add_series(
            server, "walk.a.csv", rows=10, interval=10, metadata={"site": "lab", "person": "ann"}
        )[0],
        "walk.b": add_series(
            server, "walk.b.csv", rows=50, interval=20, seed=1, metadata={"site": "home"}
        )[0],
        "idle.c": add_series(server, "idle.c.csv", rows=5, interval=10, seed=2, category="testing")[
            0
        ],
        "capacitor.d": add(server, "capacitor.d.png", png, metadata={"site": "lab"}),
        "hadouken.e": add(server, "hadouken.e.wav", wav, category="testing"),
        "walk.f": add_series(server, "walk.f.csv", rows=10, seed=3)[0],
    }
    server.backend.edit(query_for_ids([ids["walk.f"]]), SetEnabled(False))
    return ids


def _meta(*items) -> str:
    return json.dumps(list(items))


ENABLED = {"walk.a", "walk.b", "idle.c", "capacitor.d", "hadouken.e"}
FILTERS = [
    ({}, ENABLED),
    ({"labels": '["walk"]'}, {"walk.a", "walk.b"}),
    ({"labels": '["walk", "idle"]'}, {"walk.a", "walk.b", "idle.c"}),
    ({"filename": "walk"}, {"walk.a", "walk.b"}),
    ({"min_length": 100, "max_length": 1000}, {"walk.a"}),
    ({"min_length": 100}, None),  # computed: length >= 100 ms
    ({"min_frequency": 60, "max_frequency": 150}, {"walk.a", "idle.c"}),
    ({"include_disabled": "disabled"}, {"walk.f"}),
    ({"include_disabled": "both"}, ENABLED | {"walk.f"}),
    ({"include_disabled": "enabled"}, ENABLED),
    ({"search": "idle"}, {"idle.c"}),
    ({"search": "CAPACITOR"}, {"capacitor.d"}),
    ({"data_type": "image"}, {"capacitor.d"}),
    ({"data_type": "audio"}, {"hadouken.e"}),
    ({"signature_validity": "both", "min_label": 0.0, "max_label": 9.0}, ENABLED),
    (
        {"metadata": _meta({"key": "site", "op": "eq", "values": ["lab"]})},
        {"walk.a", "capacitor.d"},
    ),
    ({"metadata": _meta({"key": "person", "op": "eq"})}, {"walk.a"}),
    (
        {"metadata": _meta({"key": "site", "op": "eq", "values": ["home"]}, {"no_metadata": True})},
        {"walk.b", "idle.c", "hadouken.e"},
    ),
    (
        {
            "metadata": _meta(
                {"key": "site", "op": "eq", "values": ["home"]},
                {"key": "person", "op": "eq", "values": ["ann"]},
                {"filters_combinator": "or"},
            )
        },
        {"walk.a", "walk.b"},
    ),
]


def _ids_by_name(varied, names):
    return {varied[n] for n in names}


@pytest.mark.parametrize(
    ("filters", "expected"), FILTERS, ids=[",".join(f) or "none" for f, _ in FILTERS]
)
def test_the_list_filter(raw, server, varied, filters, expected):
    if expected is None:
        expected = {
            name
            for name, i in varied.items()
            if name != "walk.f" and record(server, i).length_ms >= 100
        }
    want = _ids_by_name(varied, expected)
    project = server.project_id

    listed = raw.list_samples(project, "all", limit=100, **filters)
    assert {s.id for s in listed.samples} == want
    assert listed.total_count == len(want)
    assert raw.count_samples(project, "all", **filters).count == len(want)

    request = api.BatchAddMetadataRequest(metadataKey="hit", metadataValue="1")
    answer = job_answer(raw.batch_add_metadata(project, "all", request, **filters))
    hit = {r.id for r in server.backend.iter_samples(EVERY) if (r.metadata or {}).get("hit")}
    assert hit == want
    assert answer.to_dict() == {"success": True}


def test_category_ids_dates_and_id_bounds(raw, server, varied):
    project = server.project_id
    ordered = sorted(varied.values())
    middle = ordered[2]
    testing = _ids_by_name(varied, {"idle.c", "hadouken.e"})
    assert raw.count_samples(project, "testing").count == 2
    assert {s.id for s in raw.list_samples(project, "testing").samples} == testing

    enabled = _ids_by_name(varied, ENABLED)
    below = {i for i in enabled if i < middle}
    assert {s.id for s in raw.list_samples(project, "all", max_id=middle).samples} == below
    assert raw.count_samples(project, "all", min_id=middle).count == len(enabled - below)

    now = datetime.now(timezone.utc)
    assert raw.count_samples(project, "all", min_date=now - timedelta(hours=1)).count == 5
    assert raw.count_samples(project, "all", max_date=now - timedelta(hours=1)).count == 0
    assert raw.count_samples(project, "all", min_date=now + timedelta(hours=1)).count == 0
    assert raw.count_samples(project, "all", max_date=now + timedelta(hours=1)).count == 5

    request = api.BatchAddMetadataRequest(metadataKey="hit", metadataValue="1")
    chosen = [varied["walk.a"], varied["idle.c"], varied["walk.f"]]
    raw.batch_add_metadata(
        project,
        "all",
        request,
        ids=json.dumps(chosen),
        exclude_ids=json.dumps([varied["idle.c"]]),
        include_disabled="both",
    )
    hit = {r.id for r in server.backend.iter_samples(EVERY) if (r.metadata or {}).get("hit")}
    assert hit == {varied["walk.a"], varied["walk.f"]}


def test_listing_shows_disabled_metadata_and_boxes_as_the_client_reads_them(raw, server, varied):
    listed = raw.list_samples(server.project_id, "all", include_disabled="both").samples
    by_id = {s.id: s for s in listed}
    assert by_id[varied["walk.f"]].is_disabled is True
    assert by_id[varied["walk.a"]].is_disabled is False
    assert by_id[varied["walk.a"]].metadata == {"site": "lab", "person": "ann"}
    assert by_id[varied["idle.c"]].metadata is None
    assert by_id[varied["capacitor.d"]].bounding_boxes == []
    assert by_id[varied["walk.a"]].structured_labels is None


# -- dataset summaries -------------------------------------------------------------------------


def test_ratio(raw, server, varied):
    ratio = raw.get_dataset_ratio(server.project_id).ratio
    assert (ratio.training, ratio.testing, ratio.validation) == (3, 2, 0)


def test_sample_metadata_lists_the_samples_that_have_some(raw, server, varied):
    listed = raw.get_sample_metadata(server.project_id, "all").metadata
    assert {m.id: m.metadata for m in listed} == {
        varied["walk.a"]: {"site": "lab", "person": "ann"},
        varied["walk.b"]: {"site": "home"},
        varied["capacitor.d"]: {"site": "lab"},
    }
    assert raw.get_sample_metadata(server.project_id, "testing").metadata == []


def test_metadata_filter_options(raw, server, varied):
    options = raw.get_sample_metadata_filter_options(server.project_id, "all")
    assert (options.total_count, options.count) == (2, 2)
    assert {o.key: o.options for o in options.options_list} == {
        "person": ["ann"],
        "site": ["home", "lab"],
    }
    page = raw.get_sample_metadata_filter_options(server.project_id, "all", limit=1, offset=1)
    assert (page.total_count, page.count, [o.key for o in page.options_list]) == (2, 1, ["site"])
    testing = raw.get_sample_metadata_filter_options(server.project_id, "testing")
    assert testing.total_count == 0 and testing.options_list == []


def test_project_metadata(raw, server, varied):
    # The client's typed call cannot parse any non-null ``metadata`` (its oneOf class is
    # missing from the package), so the body is read raw through the same client.
    response = raw.get_raw_data_project_metadata(server.project_id, _preload_content=False)
    body = json.loads(response.data)
    assert body["success"] is True
    metadata = body["metadata"]
    assert metadata["type"] == "classes" and metadata["totalItemCount"] == 6
    for key in ("training", "testing", "validation", "postProcessing", "all"):
        ProjectDatasetMetadataClassesCategory.parse_obj(metadata[key])
    ProjectDatasetMetadataRatioClasses.parse_obj(metadata["ratio"])
    training = metadata["training"]
    assert training["itemCount"] == 4
    assert {r["label"]: r["dataCount"] for r in training["labels"]} == {"walk": 3, "capacitor": 1}
    assert training["isTimeseries"] and training["maxLengthMs"] == 1000
    assert training["metadataKeys"] == ["person", "site"]
    assert metadata["ratio"]["count"] == {"training": 4, "testing": 2, "validation": 0}

    enabled = raw.get_raw_data_project_metadata(
        server.project_id, include_disabled="enabled", _preload_content=False
    )
    assert json.loads(enabled.data)["metadata"]["training"]["itemCount"] == 3
