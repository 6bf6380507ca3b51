"""Edge Impulse's generated client, unchanged, splitting and rebalancing a dataset through a
live ``ei-desktop serve``; the result checked in the project and through the official SDK."""

from __future__ import annotations

from collections import Counter

import edgeimpulse as ei
import edgeimpulse_api as api
import pytest
from edgeimpulse_api.models.generic_api_response import GenericApiResponse

from ei_desktop.core.backends.base import SampleQuery, UploadItem


@pytest.fixture
def forty(server):
    """20 idle and 20 wave samples, all in training; half of them recorded by each person."""
    items = [
        UploadItem(
            f"{label}.{n}.csv",
            f"timestamp,x\n0,{n}\n10,{k}\n".encode(),
            category="training",
            metadata={"person": f"p{n % 4}"},
        )
        for k, label in enumerate(["idle", "wave"])
        for n in range(20)
    ]
    assert all(r.success for r in server.backend.upload(items))
    return server


def categories(server) -> Counter:
    return Counter((s.label, s.category) for s in server.backend.iter_samples(SampleQuery()))


def options(**fields) -> api.DatasetSplitOptions:
    return api.DatasetSplitOptions(
        **{"trainingSplitRatio": 0.75, "testingSplitRatio": 0.25, **fields}
    )


def test_split_preview_says_what_a_split_would_do_and_changes_nothing(raw, forty):
    answer = raw.split_dataset_preview(forty.project_id, options()).actual_instance
    assert isinstance(answer, api.DatasetSplitPreviewResponse) and answer.success
    rows = {
        (r.strat_value, r.split_category): r.sample_count
        for r in answer.data.assignment_preview.rows
    }
    assert rows == {
        ("idle", "training"): 15,
        ("idle", "testing"): 5,
        ("wave", "training"): 15,
        ("wave", "testing"): 5,
    }
    assert categories(forty) == {("idle", "training"): 20, ("wave", "training"): 20}
    latest = raw.get_split_preview_results(forty.project_id)
    assert latest.data.assignment_preview.rows == answer.data.assignment_preview.rows


def test_split_moves_samples_per_label_and_the_sdk_sees_it(raw, forty, monkeypatch):
    answer = raw.split_dataset(forty.project_id, options())
    assert isinstance(answer.actual_instance, GenericApiResponse) and answer.actual_instance.success
    assert categories(forty) == {
        ("idle", "training"): 15,
        ("idle", "testing"): 5,
        ("wave", "training"): 15,
        ("wave", "testing"): 5,
    }
    monkeypatch.setattr(ei, "API_KEY", forty.key)
    monkeypatch.setattr(ei, "API_ENDPOINT", forty.base + "/v1")
    assert len(ei.data.get_sample_ids(category="testing")) == 10
    assert forty.backend.history(limit=1)[0].who == "serve"


def test_split_keeps_a_metadata_key_together(raw, forty):
    raw.split_dataset(forty.project_id, options(keepTogetherMetadataKeys=["person"]))
    where = {}
    for s in forty.backend.iter_samples(SampleQuery()):
        where.setdefault(s.metadata["person"], set()).add(s.category)
    assert all(len(found) == 1 for found in where.values())
    assert {c for found in where.values() for c in found} == {"training", "testing"}


def test_rebalance_answers_the_new_counts(raw, forty, monkeypatch):
    answer = raw.rebalance_dataset(forty.project_id)
    assert answer.success and (answer.ratio.training, answer.ratio.testing) == (32, 8)
    assert categories(forty) == {
        ("idle", "training"): 16,
        ("idle", "testing"): 4,
        ("wave", "training"): 16,
        ("wave", "testing"): 4,
    }
    monkeypatch.setattr(ei, "API_KEY", forty.key)
    monkeypatch.setattr(ei, "API_ENDPOINT", forty.base + "/v1")
    assert len(ei.data.get_sample_ids(category="testing")) == 8
    assert raw.rebalance_dataset_v2(forty.project_id).actual_instance.success


def test_shares_that_do_not_add_up_are_a_400_and_change_nothing(raw, forty):
    with pytest.raises(api.exceptions.ApiException) as refused:
        raw.split_dataset(forty.project_id, options(testingSplitRatio=0.5))
    assert refused.value.status == 400 and "add up to 1" in refused.value.body
    assert categories(forty) == {("idle", "training"): 20, ("wave", "training"): 20}
