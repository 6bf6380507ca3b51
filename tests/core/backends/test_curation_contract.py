"""Curation, one contract for two backends: a local project used directly, and the HTTP
backend talking to ``ei-desktop serve`` (over loopback) in front of a local project. Each test
checks what a user would see afterwards: labels, categories, counts, values.

Where Edge Impulse itself cannot do what a local project can (undo a delete, a crop or a
split), the HTTP backend says so with :class:`CannotUndo` and the test checks that instead.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import numpy as np
import pytest

from ei_desktop.core.backends.base import (
    MetadataFilter,
    SampleQuery,
    UploadItem,
    query_for_ids,
)
from ei_desktop.core.edits import (
    CannotUndo,
    Delete,
    InvalidEditError,
    Move,
    NothingToUndo,
    RelabelBoxes,
    RemoveMetadata,
    Rename,
    SetBoundingBoxes,
    SetEnabled,
    SetLabel,
    SetMetadata,
    SetStructuredLabels,
)
from ei_desktop.core.splitting import SplitOptions


def csv(name: str, seed: int, rows: int = 3, **kwargs) -> UploadItem:
    """A two-axis time series at 100 Hz whose values say which sample and row they are."""
    lines = ["timestamp,x,y"] + [f"{i * 10},{seed * 100 + i},{i * 2}" for i in range(rows)]
    return UploadItem(filename=name, source="\n".join(lines).encode() + b"\n", **kwargs)


def remote(backend) -> bool:
    from ei_desktop.core.backends.studio import StudioBackend

    return isinstance(backend, StudioBackend)


def upload(backend, items, **kwargs) -> list[int]:
    results = backend.upload(items, **kwargs)
    assert all(r.success for r in results), [r.error for r in results]
    return [r.sample_id for r in results]


def seed(backend) -> dict[str, list[int]]:
    """5 'wave' in training, 3 'idle' in testing, 2 'noise' in validation."""
    waves = upload(
        backend, [csv(f"wave.{i}.csv", i, category="training", label="wave") for i in range(5)]
    )
    idles = upload(
        backend,
        [csv(f"idle.{i}.csv", 10 + i, category="testing", label="idle") for i in range(3)],
    )
    noise = upload(
        backend,
        [csv(f"noise.{i}.csv", 20 + i, category="validation", label="noise") for i in range(2)],
    )
    return {"wave": waves, "idle": idles, "noise": noise}


def labels_of(backend, ids) -> list[str]:
    records = backend.get_samples(ids)
    return [records[i].label for i in ids]


def every(backend, **conditions) -> set[int]:
    query = SampleQuery(include_disabled="both", **conditions)
    return {int(i) for i in backend.sample_ids(query)}


# -- labels ----------------------------------------------------------------------------------


def test_label_one_sample_by_id(backend):
    ids = seed(backend)
    target = ids["wave"][0]
    result = backend.edit(query_for_ids([target]), SetLabel("walk"))
    assert (result.matched, result.changed) == (1, 1)
    assert backend.get_sample(target).label == "walk"
    assert labels_of(backend, ids["wave"][1:]) == ["wave"] * 4


def test_label_every_sample_a_filter_selects(backend):
    ids = seed(backend)
    result = backend.edit(SampleQuery(labels=("wave", "idle")), SetLabel("move"))
    assert (result.matched, result.changed) == (8, 8)
    assert backend.count(SampleQuery(labels=("move",))) == 8
    assert labels_of(backend, ids["noise"]) == ["noise", "noise"]
    again = backend.edit(SampleQuery(labels=("move",)), SetLabel("move"))
    assert (again.matched, again.changed) == (8, 0)


def test_an_empty_label_is_refused_and_changes_nothing(backend):
    ids = seed(backend)
    with pytest.raises(InvalidEditError):
        backend.edit(SampleQuery(), SetLabel(""))
    assert labels_of(backend, ids["idle"]) == ["idle"] * 3


def test_a_label_replaces_label_segments(backend):
    segments = [
        {"label": "a", "startIndex": 0, "endIndex": 1},
        {"label": "b", "startIndex": 2, "endIndex": 2},
    ]
    (sample,) = upload(backend, [csv("multi.csv", 1, structured_labels=segments)])
    result = backend.edit(query_for_ids([sample]), SetLabel("a"))
    assert (result.matched, result.changed) == (1, 1)
    record = backend.get_sample(sample)
    assert record.label == "a" and not record.structured_labels


def test_a_label_renamed_project_wide_reaches_every_category_and_disabled_samples(backend):
    from ei_desktop.ops import curate

    ids = seed(backend)
    moved = ids["wave"][:2]
    backend.edit(query_for_ids(moved), Move("testing"))
    backend.edit(query_for_ids([ids["wave"][4]]), SetEnabled(False))
    report = curate.rename_label(backend, "wave", "gesture")
    assert report.ok and report.changed == 5, report.message
    assert labels_of(backend, ids["wave"]) == ["gesture"] * 5
    assert every(backend, labels=("wave",)) == set()
    assert labels_of(backend, ids["idle"]) == ["idle"] * 3
    assert backend.history()[0].samples == 5
    backend.undo()
    assert labels_of(backend, ids["wave"]) == ["wave"] * 5
    assert [backend.get_sample(i).category for i in moved] == ["testing"] * 2


# -- categories and names ----------------------------------------------------------------------


def test_move_one_by_id_and_many_by_filter(backend):
    ids = seed(backend)
    one = backend.edit(query_for_ids([ids["idle"][0]]), Move("training"))
    assert (one.matched, one.changed) == (1, 1)
    assert backend.get_sample(ids["idle"][0]).category == "training"
    many = backend.edit(SampleQuery(category="training"), Move("validation"))
    assert (many.matched, many.changed) == (6, 6)
    assert backend.count(SampleQuery(category="training")) == 0
    assert backend.count(SampleQuery(category="validation")) == 8
    assert backend.count(SampleQuery(category="testing")) == 2


def test_move_to_an_unknown_category_is_refused(backend):
    seed(backend)
    with pytest.raises(InvalidEditError):
        backend.edit(SampleQuery(), Move("split"))
    assert backend.count(SampleQuery(category="training")) == 5


def test_rename_one_sample_and_refuse_many(backend):
    ids = seed(backend)
    result = backend.edit(query_for_ids([ids["noise"][1]]), Rename("renamed"))
    assert (result.matched, result.changed) == (1, 1)
    assert backend.get_sample(ids["noise"][1]).filename == "renamed"
    with pytest.raises(InvalidEditError):
        backend.edit(SampleQuery(labels=("idle",)), Rename("same"))
    assert {backend.get_sample(i).filename for i in ids["idle"]} == {
        "idle.0",
        "idle.1",
        "idle.2",
    }


# -- metadata --------------------------------------------------------------------------------


def test_metadata_replace_add_and_remove(backend):
    ids = upload(
        backend,
        [
            csv("a.csv", 1, metadata={"site": "lab", "day": "1"}),
            csv("b.csv", 2, metadata={"site": "field"}),
            csv("c.csv", 3),
        ],
    )
    a, b, c = ids
    replaced = backend.edit(query_for_ids([a]), SetMetadata({"site": "home"}))
    assert (replaced.matched, replaced.changed) == (1, 1)
    assert backend.get_sample(a).metadata == {"site": "home"}

    added = backend.edit(query_for_ids(ids), SetMetadata({"run": "7", "site": "lab"}, False))
    assert (added.matched, added.changed) == (3, 3)
    records = backend.get_samples(ids)
    assert records[a].metadata == {"site": "lab", "run": "7"}
    assert records[b].metadata == {"site": "lab", "run": "7"}
    assert records[c].metadata == {"run": "7", "site": "lab"}

    by_filter = backend.edit(SampleQuery(ids=(b, c)), SetMetadata({"batch": "x"}))
    assert (by_filter.matched, by_filter.changed) == (2, 2)
    assert backend.get_sample(b).metadata == {"batch": "x"}

    removed = backend.edit(SampleQuery(), RemoveMetadata("run"))
    assert (removed.matched, removed.changed) == (3, 1)
    assert backend.get_sample(a).metadata == {"site": "lab"}

    cleared = backend.edit(query_for_ids([a]), RemoveMetadata())
    assert (cleared.matched, cleared.changed) == (1, 1)
    assert not backend.get_sample(a).metadata
    assert backend.metadata_values() == {"batch": ["x"]}


def test_metadata_values_lists_every_key_and_value(backend):
    upload(
        backend,
        [
            csv("a.csv", 1, metadata={"site": "lab", "day": "2"}),
            csv("b.csv", 2, metadata={"site": "field"}),
            csv("c.csv", 3),
        ],
    )
    assert backend.metadata_values() == {"day": ["2"], "site": ["field", "lab"]}


def test_metadata_filters(backend):
    a, b, c, d = upload(
        backend,
        [
            csv("a.csv", 1, metadata={"site": "lab", "mic": "x"}),
            csv("b.csv", 2, metadata={"site": "field"}),
            csv("c.csv", 3, metadata={"mic": "y"}),
            csv("d.csv", 4),
        ],
    )
    lab = MetadataFilter("site", "eq", ("lab",))
    assert every(backend, metadata=(lab,)) == {a}
    assert every(backend, metadata=(MetadataFilter("site"),)) == {a, b}
    not_lab = MetadataFilter("site", "neq", ("lab",))
    assert a not in every(backend, metadata=(not_lab,))
    assert b in every(backend, metadata=(not_lab,))
    assert every(backend, metadata=(lab,), no_metadata=True) == {a, d}
    either = (lab, MetadataFilter("mic", "eq", ("y",)))
    assert every(backend, metadata=either, metadata_any=True) == {a, c}
    assert backend.count(SampleQuery(metadata=either)) == 0
    result = backend.edit(SampleQuery(metadata=(MetadataFilter("site"),)), SetLabel("sited"))
    assert (result.matched, result.changed) == (2, 2)
    assert labels_of(backend, [a, b, c]) == ["sited", "sited", "c"]


# -- enabled and disabled ----------------------------------------------------------------------


def test_disabled_samples_are_left_out_unless_asked_for(backend):
    ids = seed(backend)
    result = backend.edit(SampleQuery(labels=("idle",)), SetEnabled(False))
    assert (result.matched, result.changed) == (3, 3)
    assert backend.count(SampleQuery()) == 7
    assert backend.count(SampleQuery(include_disabled="both")) == 10
    disabled = backend.list_samples(SampleQuery(include_disabled="disabled"))
    assert sorted(r.id for r in disabled) == sorted(ids["idle"])
    assert all(r.disabled for r in disabled)
    assert not any(r.disabled for r in backend.list_samples(SampleQuery()))
    assert backend.label_counts()[("testing", "idle")] == 3
    # the default selection (enabled samples) no longer holds them
    again = backend.edit(SampleQuery(labels=("idle",)), SetEnabled(False))
    assert (again.matched, again.changed) == (0, 0)

    one = backend.edit(query_for_ids([ids["idle"][0]]), SetEnabled(True))
    assert (one.matched, one.changed) == (1, 1)
    assert backend.count(SampleQuery()) == 8
    rest = backend.edit(SampleQuery(include_disabled="disabled"), SetEnabled(True))
    assert (rest.matched, rest.changed) == (2, 2)
    assert backend.count(SampleQuery()) == 10


def test_an_edit_by_id_reaches_a_disabled_sample(backend):
    ids = seed(backend)
    target = ids["wave"][2]
    backend.edit(query_for_ids([target]), SetEnabled(False))
    result = backend.edit(query_for_ids([target]), SetLabel("off"))
    assert (result.matched, result.changed) == (1, 1)
    record = backend.get_sample(target)
    assert record.label == "off" and record.disabled


# -- boxes and label segments -------------------------------------------------------------------


def test_bounding_boxes_by_id_and_by_filter(backend, samples_dir):
    png = samples_dir / "capacitor.01.png"
    first, second = upload(
        backend,
        [UploadItem("cap.1.png", png, label="cap"), UploadItem("cap.2.png", png, label="cap")],
        allow_duplicates=True,
    )
    box = {"label": "cap", "x": 1, "y": 2, "width": 3, "height": 4}
    one = backend.edit(query_for_ids([first]), SetBoundingBoxes([box]))
    assert (one.matched, one.changed) == (1, 1)
    assert backend.get_sample(first).bounding_boxes == [box]
    other = {**box, "label": "lid", "x": 5}
    both = backend.edit(SampleQuery(labels=("cap",)), SetBoundingBoxes([box, other]))
    assert (both.matched, both.changed) == (2, 2)
    assert all(
        r.bounding_boxes == [box, other] for r in backend.get_samples([first, second]).values()
    )


def test_box_labels_change_or_go_across_a_selection(backend, samples_dir):
    png = samples_dir / "capacitor.01.png"
    cap = {"label": "cap", "x": 1, "y": 2, "width": 3, "height": 4}
    lid = {"label": "lid", "x": 5, "y": 6, "width": 7, "height": 8}
    first, second, third = upload(
        backend,
        [
            UploadItem("a.png", png, label="img", bounding_boxes=[cap, lid]),
            UploadItem("b.png", png, label="img", bounding_boxes=[cap]),
            UploadItem("c.png", png, label="img", bounding_boxes=[lid]),
        ],
        allow_duplicates=True,
    )
    # the images are found under their boxes' labels, not under their own "img"
    assert backend.count(SampleQuery(labels=("img",))) == 0
    selection = SampleQuery(labels=("cap", "lid"))
    result = backend.edit(selection, RelabelBoxes(("cap",), "capacitor"))
    assert (result.matched, result.changed) == (3, 2)
    boxes = {i: r.bounding_boxes for i, r in backend.get_samples([first, second, third]).items()}
    renamed = {**cap, "label": "capacitor"}
    assert boxes == {first: [renamed, lid], second: [renamed], third: [lid]}
    gone = backend.edit(query_for_ids([first]), RelabelBoxes(("lid",), ""))
    assert (gone.matched, gone.changed) == (1, 1)
    assert backend.get_sample(first).bounding_boxes == [renamed]
    backend.undo()
    backend.undo()
    assert backend.get_sample(first).bounding_boxes == [cap, lid]
    assert backend.get_sample(second).bounding_boxes == [cap]


def test_structured_labels_on_one_sample(backend):
    (sample,) = upload(backend, [csv("multi.csv", 1, rows=4, label="x")])
    segments = [
        {"label": "idle", "startIndex": 0, "endIndex": 1},
        {"label": "move", "startIndex": 2, "endIndex": 3},
    ]
    result = backend.edit(query_for_ids([sample]), SetStructuredLabels(segments))
    assert (result.matched, result.changed) == (1, 1)
    record = backend.get_sample(sample)
    assert record.structured_labels == segments and record.label == "idle"


def test_structured_labels_are_set_one_sample_at_a_time(backend):
    seed(backend)
    segments = [{"label": "a", "startIndex": 0, "endIndex": 2}]
    with pytest.raises(InvalidEditError):
        backend.edit(SampleQuery(labels=("idle",)), SetStructuredLabels(segments))
    assert backend.count(SampleQuery(labels=("idle",))) == 3


# -- delete ----------------------------------------------------------------------------------


def test_delete_by_id_and_by_filter(backend):
    ids = seed(backend)
    one = backend.edit(query_for_ids([ids["wave"][0]]), Delete())
    assert (one.matched, one.changed) == (1, 1)
    assert backend.get_sample(ids["wave"][0]) is None
    many = backend.edit(SampleQuery(category="testing"), Delete())
    assert (many.matched, many.changed) == (3, 3)
    assert backend.count(SampleQuery(include_disabled="both")) == 6
    assert backend.edit(SampleQuery(category="testing"), Delete()).matched == 0


def test_a_selection_of_more_ids_than_one_request_carries(backend):
    ids = upload(backend, [csv(f"n{i}.csv", i, rows=2, label="n") for i in range(700)])
    chosen = ids[:650]
    result = backend.edit(query_for_ids(chosen), SetLabel("chosen"))
    assert (result.matched, result.changed) == (650, 650)
    assert backend.count(SampleQuery(labels=("chosen",))) == 650
    assert backend.count(SampleQuery(ids=tuple(chosen))) == 650
    added = backend.edit(query_for_ids(chosen), SetMetadata({"a": "1", "b": "2"}, False))
    assert added.changed == 650
    assert backend.metadata_values() == {"a": ["1"], "b": ["2"]}
    backend.undo()
    backend.undo()
    assert backend.count(SampleQuery(labels=("n",))) == 700
    assert backend.metadata_values() == {}


def test_nothing_selected_changes_nothing(backend):
    seed(backend)
    result = backend.edit(SampleQuery(labels=("absent",)), SetLabel("x"))
    assert (result.matched, result.changed) == (0, 0)
    assert backend.edit(query_for_ids([987654]), Move("testing")).matched == 0


# -- crop and segment ------------------------------------------------------------------------


def test_crop_keeps_exactly_the_slice(backend):
    (sample,) = upload(backend, [csv("long.csv", 3, rows=10, label="long", category="training")])
    before = backend.load_series(sample).values
    result = backend.crop(sample, 2, 7)
    assert (result.matched, result.changed) == (1, 1)
    after = backend.load_series(sample)
    np.testing.assert_array_equal(after.values, before[2:7])
    record = backend.get_sample(sample)
    assert record.values_count == 5 and record.label == "long"
    assert record.category == "training"


def test_crop_outside_the_sample_or_of_an_image_is_refused(backend, samples_dir):
    (sample,) = upload(backend, [csv("short.csv", 1, rows=4)])
    (image,) = upload(backend, [UploadItem("cap.png", samples_dir / "capacitor.01.png")])
    for start, end in ((2, 2), (3, 1), (0, 5), (-1, 2)):
        with pytest.raises(InvalidEditError):
            backend.crop(sample, start, end)
    with pytest.raises(InvalidEditError):
        backend.crop(image, 0, 1)
    assert backend.load_series(sample).values.shape == (4, 2)
    assert backend.crop(987654, 0, 1).matched == 0


def test_segment_splits_into_the_ranges(backend):
    (sample,) = upload(
        backend,
        [csv("take.csv", 4, rows=10, label="take", category="testing", metadata={"k": "v"})],
    )
    values = backend.load_series(sample).values
    result = backend.segment(sample, [(0, 30), (50, 100)])
    assert (result.matched, result.changed) == (1, 1)
    assert len(result.created) == 2
    assert backend.get_sample(sample) is None
    first, second = (backend.get_sample(i) for i in result.created)
    np.testing.assert_array_equal(backend.load_series(first.id).values, values[0:3])
    np.testing.assert_array_equal(backend.load_series(second.id).values, values[5:10])
    for record in (first, second):
        assert (record.label, record.category, record.metadata) == ("take", "testing", {"k": "v"})
    assert [first.filename, second.filename] == ["take.s1", "take.s2"]


def test_segment_outside_the_sample_is_refused(backend):
    (sample,) = upload(backend, [csv("take.csv", 4, rows=10)])
    with pytest.raises(InvalidEditError):
        backend.segment(sample, [(0, 30), (80, 200)])
    with pytest.raises(InvalidEditError):
        backend.segment(sample, [(40, 40)])
    assert backend.get_sample(sample).values_count == 10


# -- summary ---------------------------------------------------------------------------------


def test_summary_counts_disabled_and_durations(backend):
    ids = seed(backend)
    backend.edit(query_for_ids(ids["idle"][:1]), SetEnabled(False))
    summary = backend.summary()
    rows = {(r.category, r.label): (r.count, r.disabled, r.duration_ms) for r in summary.rows}
    # three rows at 10 ms: 30 ms each
    assert rows == {
        ("training", "wave"): (5, 0, 150.0),
        ("testing", "idle"): (3, 1, 60.0),
        ("validation", "noise"): (2, 0, 60.0),
    }
    assert summary.by_category() == {"training": 5, "testing": 2, "validation": 2}
    assert summary.by_label() == {"wave": 5, "idle": 2, "noise": 2}
    assert summary.train_test_ratio == (71, 29)


def test_summary_follows_edits(backend):
    seed(backend)
    backend.edit(SampleQuery(labels=("noise",)), Move("training"))
    backend.edit(SampleQuery(labels=("noise",)), SetLabel("wave"))
    summary = backend.summary()
    assert summary.by_category() == {"training": 7, "testing": 3}
    assert {(r.category, r.label): r.count for r in summary.rows} == {
        ("training", "wave"): 7,
        ("testing", "idle"): 3,
    }


# -- split ---------------------------------------------------------------------------------


def test_a_split_preview_changes_nothing_and_a_split_moves_as_previewed(backend):
    upload(backend, [csv(f"a{i}.csv", i, label="a", category="training") for i in range(5)])
    upload(backend, [csv(f"b{i}.csv", 10 + i, label="b", category="training") for i in range(5)])
    preview = backend.split(SplitOptions(0.8, 0.2), dry_run=True)
    assert preview.moved == 2 and preview.change_id is None
    planned = {(c.stratum, c.category): c.count for c in preview.counts}
    assert planned == {
        ("a", "training"): 4,
        ("a", "testing"): 1,
        ("b", "training"): 4,
        ("b", "testing"): 1,
    }
    assert backend.count(SampleQuery(category="training")) == 10
    done = backend.split(SplitOptions(0.8, 0.2))
    assert done.moved == 2 and done.change_id is not None
    assert {(c.stratum, c.category): c.count for c in done.counts} == planned
    assert backend.summary().by_category() == {"training": 8, "testing": 2}
    assert backend.split(SplitOptions(0.8, 0.2)).moved == 0
    backend.undo()
    assert backend.count(SampleQuery(category="training")) == 10
    backend.redo()
    assert backend.summary().by_category() == {"training": 8, "testing": 2}


# -- other filters ---------------------------------------------------------------------------


def test_id_length_date_and_text_filters_select_for_edits(backend):
    ids = seed(backend)
    (longer,) = upload(backend, [csv("longer.csv", 40, rows=20, label="wave")])
    assert every(backend, min_length_ms=100) == {longer}
    assert every(backend, max_length_ms=100) == set(sum(ids.values(), []))
    assert every(backend, exclude_ids=tuple(sum(ids.values(), []))) == {longer}
    idles = sorted(ids["idle"])
    assert every(backend, min_id=idles[0], max_id=idles[-1] + 1) == set(idles)
    assert every(backend, search="nois") == set(ids["noise"])
    now = datetime.now(timezone.utc)
    assert len(every(backend, min_date=now - timedelta(hours=1))) == 11
    assert every(backend, max_date=now - timedelta(hours=1)) == set()
    result = backend.edit(SampleQuery(labels=("wave",), min_length_ms=100), Move("testing"))
    assert (result.matched, result.changed) == (1, 1)
    assert backend.get_sample(longer).category == "testing"


# -- history, undo and redo ------------------------------------------------------------------


def test_undo_and_redo_a_relabel(backend):
    ids = seed(backend)
    backend.edit(SampleQuery(category="training"), SetLabel("walk"))
    assert backend.count(SampleQuery(labels=("walk",))) == 5
    undone = backend.undo()
    assert undone.undone and undone.samples == 5
    assert labels_of(backend, ids["wave"]) == ["wave"] * 5
    assert backend.history()[0].undone
    redone = backend.redo()
    assert not redone.undone
    assert labels_of(backend, ids["wave"]) == ["walk"] * 5
    assert not backend.history()[0].undone


def test_undo_gives_each_sample_its_own_previous_value(backend):
    ids = seed(backend)
    backend.edit(SampleQuery(), Move("testing"))
    assert backend.count(SampleQuery(category="testing")) == 10
    backend.undo()
    assert backend.count(SampleQuery(category="training")) == 5
    assert backend.count(SampleQuery(category="testing")) == 3
    assert backend.count(SampleQuery(category="validation")) == 2
    records = backend.get_samples(ids["noise"])
    assert {r.category for r in records.values()} == {"validation"}


def test_undo_metadata_and_enabled_changes_in_order(backend):
    a, b = upload(backend, [csv("a.csv", 1, metadata={"site": "lab"}), csv("b.csv", 2)])
    backend.edit(SampleQuery(), SetMetadata({"site": "x", "run": "1"}))
    backend.edit(query_for_ids([a]), SetEnabled(False))
    backend.edit(SampleQuery(include_disabled="both"), RemoveMetadata("run"))
    assert [e.undone for e in backend.history(3)] == [False, False, False]
    backend.undo()
    assert backend.get_sample(b).metadata == {"site": "x", "run": "1"}
    backend.undo()
    assert not backend.get_sample(a).disabled
    backend.undo()
    assert backend.get_sample(a).metadata == {"site": "lab"}
    assert not backend.get_sample(b).metadata
    assert [e.undone for e in backend.history(3)] == [True, True, True]
    backend.redo()
    assert backend.get_sample(a).metadata == {"site": "x", "run": "1"}


def test_undo_restores_each_samples_own_metadata(backend):
    ids = upload(
        backend,
        [
            csv("a.csv", 1, metadata={"n": "1", "site": "lab"}),
            csv("b.csv", 2, metadata={"n": "2", "site": "lab"}),
            csv("c.csv", 3, metadata={"n": "3"}),
            csv("d.csv", 4),
            csv("e.csv", 5, metadata={"n": "5", "site": "field", "day": "mon"}),
        ],
    )
    original = {i: r.metadata for i, r in backend.get_samples(ids).items()}
    for change in (
        SetMetadata({"site": "x"}),
        SetMetadata({"site": "home", "n": "0"}, replace=False),
        RemoveMetadata("n"),
        RemoveMetadata(),
    ):
        backend.edit(SampleQuery(), change)
        backend.undo()
        now = {i: r.metadata for i, r in backend.get_samples(ids).items()}
        assert {i: m or None for i, m in now.items()} == original, change


def test_a_new_change_ends_redo(backend):
    ids = seed(backend)
    backend.edit(query_for_ids(ids["idle"]), SetLabel("one"))
    backend.undo()
    backend.edit(query_for_ids(ids["noise"]), SetLabel("two"))
    with pytest.raises(NothingToUndo):
        backend.redo()
    assert labels_of(backend, ids["idle"]) == ["idle"] * 3


def test_undo_a_rename_and_boxes(backend, samples_dir):
    (image,) = upload(backend, [UploadItem("cap.png", samples_dir / "capacitor.01.png")])
    box = {"label": "cap", "x": 1, "y": 2, "width": 3, "height": 4}
    backend.edit(query_for_ids([image]), Rename("renamed"))
    backend.edit(query_for_ids([image]), SetBoundingBoxes([box]))
    backend.undo()
    assert backend.get_sample(image).bounding_boxes == []
    backend.undo()
    assert backend.get_sample(image).filename == "cap"


def test_a_delete_is_undone_locally_and_final_on_edge_impulse(backend):
    ids = seed(backend)
    backend.edit(SampleQuery(category="testing"), Delete())
    assert "3" in backend.history()[0].what
    if remote(backend):
        with pytest.raises(CannotUndo, match="final"):
            backend.undo()
        assert backend.count(SampleQuery(category="testing")) == 0
        assert not backend.history()[0].undone
    else:
        backend.undo()
        assert set(backend.sample_ids(SampleQuery(category="testing"))) == set(ids["idle"])


def test_an_upload_is_undone_locally_and_kept_on_edge_impulse(backend):
    ids = seed(backend)
    (extra,) = upload(backend, [csv("extra.csv", 99, label="extra")])
    assert backend.history()[0].what == "Upload of 1 sample"
    if remote(backend):
        with pytest.raises(CannotUndo, match="delete the samples"):
            backend.undo()
        assert backend.get_sample(extra).label == "extra"
    else:
        backend.undo()
        assert backend.get_sample(extra) is None
    assert backend.count(SampleQuery()) == len(sum(ids.values(), [])) + remote(backend)


def test_deletes_by_id_are_in_the_history(backend):
    ids = seed(backend)
    assert backend.delete([ids["wave"][0], 987654]) == [True, False]
    assert backend.history()[0].what == "Delete of 1 sample"
    assert backend.delete_all("testing") == 3
    assert backend.history()[0].what == "Delete of 3 samples"


def test_a_crop_is_undone_locally_and_final_on_edge_impulse(backend):
    (sample,) = upload(backend, [csv("long.csv", 3, rows=10)])
    before = backend.load_series(sample).values
    backend.crop(sample, 0, 4)
    if remote(backend):
        with pytest.raises(CannotUndo):
            backend.undo()
        assert backend.get_sample(sample).values_count == 4
    else:
        backend.undo()
        np.testing.assert_array_equal(backend.load_series(sample).values, before)


def test_a_split_is_undone_locally_and_final_on_edge_impulse(backend):
    (sample,) = upload(backend, [csv("take.csv", 4, rows=10)])
    created = backend.segment(sample, [(0, 50), (50, 100)]).created
    if remote(backend):
        with pytest.raises(CannotUndo):
            backend.undo()
        assert backend.get_sample(sample) is None
    else:
        backend.undo()
        assert backend.get_sample(sample).values_count == 10
        assert all(backend.get_sample(i) is None for i in created)


def test_the_history_names_each_change(backend):
    ids = seed(backend)
    backend.edit(SampleQuery(labels=("wave",)), SetLabel("walk"))
    backend.edit(query_for_ids(ids["idle"][:2]), Move("training"))
    latest, earlier = backend.history(2)
    assert latest.id > earlier.id
    assert (latest.samples, earlier.samples) == (2, 5)
    assert "walk" in earlier.what
    assert "training" in latest.what
