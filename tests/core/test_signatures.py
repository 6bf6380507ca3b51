"""ei_desktop.data is a drop-in for edgeimpulse.data 1.0.20: same names, parameters, order,
defaults; our extras are keyword-only."""

from __future__ import annotations

import dataclasses
import inspect

import edgeimpulse.data as official
import edgeimpulse.experimental.data as official_experimental
import pytest

import ei_desktop.data as ours

FUNCTIONS = [
    name
    for name in sorted(set(official.__all__) | set(official_experimental.__all__))
    if inspect.isfunction(getattr(official, name, None) or getattr(official_experimental, name))
]


def official_function(name):
    return getattr(official, name, None) or getattr(official_experimental, name)


def test_every_official_function_is_here():
    assert "stream_samples_by_ids" in FUNCTIONS
    assert "infer_category_and_label_from_filename" in FUNCTIONS
    assert len(FUNCTIONS) == 20
    missing = [name for name in FUNCTIONS if not callable(getattr(ours, name, None))]
    assert missing == []


@pytest.mark.parametrize("name", FUNCTIONS)
def test_same_parameters_order_and_defaults(name):
    theirs = list(inspect.signature(official_function(name)).parameters.values())
    mine = list(inspect.signature(getattr(ours, name)).parameters.values())
    assert [(p.name, p.kind, p.default) for p in mine[: len(theirs)]] == [
        (p.name, p.kind, p.default) for p in theirs
    ]
    extras = mine[len(theirs) :]
    assert all(p.kind is inspect.Parameter.KEYWORD_ONLY for p in extras), extras


@pytest.mark.parametrize(
    "name",
    ["Sample", "Sensor", "Payload", "Protected", "DataAcquisition", "SampleInfo"],
)
def test_dataclasses_have_the_same_fields_and_defaults(name):
    import edgeimpulse.data.sample_type as types

    theirs = [(f.name, f.default) for f in dataclasses.fields(getattr(types, name))]
    mine = [(f.name, f.default) for f in dataclasses.fields(getattr(ours, name))]
    assert mine == theirs


@pytest.mark.parametrize("name", ["SampleIngestionResponse", "UploadSamplesResponse"])
def test_response_classes_take_the_same_constructor_arguments(name):
    import edgeimpulse.data.sample_type as types

    theirs = list(inspect.signature(getattr(types, name)).parameters)
    mine = list(inspect.signature(getattr(ours, name)).parameters)
    assert mine[: len(theirs)] == theirs


def test_response_objects_expose_the_same_attributes():
    import edgeimpulse.data.sample_type as types

    response = {"success": True, "sampleId": 3, "projectId": 9, "fileName": "a.csv"}
    theirs = types.SampleIngestionResponse(types.Sample(data=b""), response)
    mine = ours.SampleIngestionResponse(ours.Sample(data=b""), response)
    for attribute in ("success", "error", "sample_id", "project_id", "filename"):
        assert getattr(mine, attribute) == getattr(theirs, attribute)
    both = ours.UploadSamplesResponse([mine], [])
    assert both.success and both.successes == [mine] and both.fails == []
