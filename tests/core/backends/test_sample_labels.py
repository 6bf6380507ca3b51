"""A sample counts under each of its labels: the labels of its label segments, else those of
its bounding boxes, else its own label (``core.labels.sample_labels``). A local project keeps
the per-label counts and the label filter to that rule through every edit, undo and redo,
and fills them in once when it opens a project made before.
"""

from __future__ import annotations

import io
import json
import sqlite3

import pytest
from PIL import Image

from ei_desktop.core.backends import local_schema
from ei_desktop.core.backends.base import BackendError, SampleQuery, UploadItem, query_for_ids
from ei_desktop.core.backends.local import DATABASE, LocalBackend
from ei_desktop.core.edits import (
    Delete,
    Move,
    RelabelBoxes,
    SetBoundingBoxes,
    SetLabel,
    SetStructuredLabels,
)
from ei_desktop.core.labels import sample_labels

SEGMENTS = [
    {"label": "idle", "startIndex": 0, "endIndex": 2},
    {"label": "wave", "startIndex": 3, "endIndex": 4},
    {"label": "idle", "startIndex": 5, "endIndex": 5},
]


def box(label: str, x: int = 0) -> dict:
    return {"label": label, "x": x, "y": 0, "width": 2, "height": 2}


def csv(name: str, seed: int, **kwargs) -> UploadItem:
    lines = ["timestamp,x"] + [f"{i * 10},{seed * 100 + i}" for i in range(6)]
    return UploadItem(filename=name, source="\n".join(lines).encode() + b"\n", **kwargs)


def png(name: str, seed: int, **kwargs) -> UploadItem:
    data = io.BytesIO()
    Image.new("RGB", (8, 8), (seed, 0, 0)).save(data, "PNG")
    return UploadItem(filename=name, source=data.getvalue(), **kwargs)


@pytest.fixture
def project(tmp_path):
    backend = LocalBackend(tmp_path / "project", create=True)
    yield backend
    backend.close()


def seed(backend) -> dict[str, int]:
    """A multi-label time series, a plain one, two object-detection images (one whose file
    name says "1", with boxes) and an image whose list of boxes is empty.
    """
    items = {
        "multi": csv("multi.csv", 1, category="training", structured_labels=SEGMENTS),
        "walk": csv("walk.1.csv", 2, category="training", label="walk"),
        "objects": png(
            "1.png", 1, category="training", label="1", bounding_boxes=[box("cat"), box("dog", 3)]
        ),
        "cats": png("51.png", 2, category="testing", label="51", bounding_boxes=[box("cat")]),
        "empty": png("7.png", 3, category="testing", label="7", bounding_boxes=[]),
    }
    results = backend.upload(list(items.values()))
    assert all(r.success for r in results), [r.error for r in results]
    return dict(zip(items, (r.sample_id for r in results)))


def matching(backend, *labels, **query) -> set[int]:
    """Ids listed by the label filter; the count, the id list and the pages agree."""
    q = SampleQuery(labels=labels, include_disabled="both", **query)
    listed = {r.id for r in backend.list_samples(q, limit=1000)}
    assert set(backend.sample_ids(q).tolist()) == listed
    assert backend.count(q) == len(listed)
    assert {i.sample_id for i in backend.sample_infos(q)} == listed
    return listed


def true_counts(backend) -> dict[tuple[str, str], int]:
    """The counts the rule gives, sample by sample."""
    counts: dict[tuple[str, str], int] = {}
    for r in backend.iter_samples(SampleQuery(include_disabled="both")):
        for label in sample_labels(r.label, r.structured_labels, r.bounding_boxes):
            counts[(r.category, label)] = counts.get((r.category, label), 0) + 1
    return counts


def assert_consistent(backend) -> None:
    """The kept counts are those of the rule, the category totals count each sample once,
    and every label of the counts finds exactly the samples counted under it.
    """
    counts = backend.label_counts()
    assert counts == true_counts(backend)
    everything = SampleQuery(include_disabled="both")
    per_category: dict[str, int] = {}
    for r in backend.iter_samples(everything):
        per_category[r.category] = per_category.get(r.category, 0) + 1
    assert backend.category_counts() == per_category
    for category, label in counts:
        assert len(matching(backend, label, category=category)) == counts[(category, label)]


def test_multi_label_and_boxed_samples_count_under_each_label(project):
    ids = seed(project)
    assert project.label_counts() == {
        ("training", "idle"): 1,
        ("training", "wave"): 1,
        ("training", "walk"): 1,
        ("training", "cat"): 1,
        ("training", "dog"): 1,
        ("testing", "cat"): 1,
        ("testing", "7"): 1,  # an image with an empty list of boxes keeps its own label
    }
    assert project.category_counts() == {"training": 3, "testing": 2}
    assert project.count(SampleQuery(category="training")) == 3
    assert matching(project, "idle") == matching(project, "wave") == {ids["multi"]}
    assert matching(project, "cat") == {ids["objects"], ids["cats"]}
    assert matching(project, "dog") == {ids["objects"]}
    assert matching(project, "cat", category="testing") == {ids["cats"]}
    assert matching(project, "idle", "cat", "walk") == {
        ids["multi"],
        ids["objects"],
        ids["cats"],
        ids["walk"],
    }
    # the labels the images' file names gave them are no longer theirs to count or find
    assert matching(project, "1") == matching(project, "51") == set()
    assert matching(project, "7") == {ids["empty"]}
    assert_consistent(project)


def test_counts_and_filter_stay_right_through_edits_undo_and_redo(project):
    ids = seed(project)

    def only(name: str) -> SampleQuery:
        return query_for_ids([ids[name]])

    edits = [
        (only("objects"), SetLabel("bird")),  # own label of a boxed image: still its boxes
        (only("objects"), Move("testing")),
        (only("objects"), SetBoundingBoxes([box("fox"), box("fox", 4)])),
        (only("objects"), RelabelBoxes(("fox",), "owl")),
        (only("objects"), SetBoundingBoxes([])),  # no boxes: back to its own label
        (only("cats"), SetBoundingBoxes([box("cat"), box("51")])),  # own label among boxes
        (only("multi"), SetStructuredLabels([{"label": "run", "startIndex": 0, "endIndex": 5}])),
        (only("multi"), SetStructuredLabels(SEGMENTS)),
        (only("multi"), Move("validation")),
        (only("multi"), SetLabel("walk")),  # a single label again
        (only("walk"), SetStructuredLabels(SEGMENTS)),
        (SampleQuery(labels=("cat",), include_disabled="both"), Move("training")),
        (SampleQuery(labels=("idle",), include_disabled="both"), Delete()),
    ]
    states = [true_counts(project)]
    for selection, change in edits:
        result = project.edit(selection, change)
        assert result.changed, change
        assert_consistent(project)
        states.append(true_counts(project))
    assert project.label_counts() != states[0]
    for state in reversed(states[:-1]):
        project.undo()
        assert_consistent(project)
        assert project.label_counts() == state
    for state in states[1:]:
        project.redo()
        assert_consistent(project)
        assert project.label_counts() == state


def test_crop_and_segment_keep_the_counts(project):
    ids = seed(project)
    project.crop(ids["multi"], 3, 5)  # only the "wave" segment is left
    assert_consistent(project)
    assert matching(project, "wave") == {ids["multi"]} and matching(project, "idle") == set()
    project.segment(ids["walk"], [(0, 20), (20, 50)])
    assert_consistent(project)
    project.undo()
    project.undo()
    assert_consistent(project)
    assert matching(project, "idle") == {ids["multi"]}


#: (own label, structured labels, bounding boxes) as stored, malformed ones too
STORED = [
    ("a", None, None),
    ("", None, None),
    ("a", SEGMENTS, None),
    ("idle", SEGMENTS, [box("cat")]),  # segments win over boxes
    ("a", None, [box("cat"), box("dog"), box("cat")]),
    ("a", None, []),
    ("a", [], [box("cat")]),
    ("a", None, [{"label": ""}, {"label": 5}, "cat", None, {"x": 1}]),  # none usable
    ("a", None, [{"label": ""}, {"label": "ok"}]),
    ("a", [{"label": ""}], [box("cat")]),  # no usable segment label: the boxes count
    ("a", {"label": "not a list"}, None),
    ("a", "not JSON", "[not JSON either"),
]


def test_the_project_keeps_the_rule_of_core(project):
    """Whatever is stored, even malformed, the project's SQL gives the answer of
    ``core.labels.sample_labels`` (and storing it does not fail).
    """
    for n, (label, structured, boxes) in enumerate(STORED):
        project.delete_all()
        (result,) = project.upload([csv(f"x{n}.csv", n, label=label, category="training")])
        stored = [
            v if isinstance(v, str) or v is None else json.dumps(v) for v in (structured, boxes)
        ]
        conn = project._writer
        conn.execute("BEGIN IMMEDIATE")
        conn.execute(
            "UPDATE samples SET structured_labels = ? WHERE id = ?", (stored[0], result.sample_id)
        )
        conn.execute(
            "UPDATE contents SET bounding_boxes = ? WHERE id = ?", (stored[1], result.sample_id)
        )
        conn.execute("COMMIT")
        expected = sample_labels(label, *(_parsed(text) for text in stored))
        assert project.label_counts() == {("training", lab): 1 for lab in expected}, n
        for lab in expected:  # (a record with malformed JSON cannot be read whole: ids only)
            query = SampleQuery(labels=(lab,), include_disabled="both")
            assert project.sample_ids(query).tolist() == [result.sample_id], n
            assert project.count(query) == 1, n


def _parsed(text):
    """Stored JSON text as a reader of the record gets it (malformed text stays text)."""
    try:
        return None if text is None else json.loads(text)
    except ValueError:
        return text


def _as_made_before(path) -> None:
    """Take the tables and triggers of several labels out of a project's database: what the
    schema before them left (the samples, contents and counts are the same).
    """
    conn = sqlite3.connect(path / DATABASE)
    names = [
        row[0]
        for row in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'trigger' AND (name LIKE '%labels_after%')"
        )
    ]
    assert len(names) == 7
    for name in names:
        conn.execute(f"DROP TRIGGER {name}")
    conn.execute("DROP TABLE sample_labels")
    conn.execute("DROP TABLE label_extra")
    conn.commit()
    conn.close()


def test_a_project_made_before_gets_its_labels_once_when_opened(tmp_path):
    path = tmp_path / "project"
    with LocalBackend(path, create=True) as backend:
        ids = seed(backend)
        expected = backend.label_counts()
    _as_made_before(path)
    with LocalBackend(path) as backend:
        assert backend.label_counts() == expected
        assert matching(backend, "cat") == {ids["objects"], ids["cats"]}
        assert_consistent(backend)
        backend.edit(query_for_ids([ids["cats"]]), SetBoundingBoxes([box("owl")]))
        assert_consistent(backend)
    with LocalBackend(path) as backend:  # opened again: nothing to fill, the same counts
        assert backend.label_counts() == true_counts(backend)


def test_a_failed_fill_leaves_the_project_as_it_was(tmp_path, monkeypatch):
    from ei_desktop.core.backends import local

    path = tmp_path / "project"
    with LocalBackend(path, create=True) as backend:
        seed(backend)
    _as_made_before(path)
    monkeypatch.setattr(
        local, "FILL_SAMPLE_LABELS", [*local_schema.FILL_SAMPLE_LABELS, "SELECT no_such()"]
    )
    with pytest.raises(BackendError):
        LocalBackend(path)
    conn = sqlite3.connect(path / DATABASE)
    tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master")}
    assert "sample_labels" not in tables and "label_extra" not in tables
    assert conn.execute("SELECT count(*) FROM samples").fetchone()[0] == 5
    conn.close()
    monkeypatch.undo()
    with LocalBackend(path) as backend:
        assert_consistent(backend)
