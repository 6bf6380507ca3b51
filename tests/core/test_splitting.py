"""Dataset splits: each label gets the asked shares, groups that must stay together do, the
same project always splits the same way, and a local project's split undoes in one step."""

from __future__ import annotations

from collections import Counter, defaultdict

import pytest

from ei_desktop.core.backends.base import SampleQuery, UploadItem
from ei_desktop.core.backends.local import LocalBackend
from ei_desktop.core.edits import InvalidEditError
from ei_desktop.core.splitting import SplitOptions, SplitSample, plan_split


def samples(per_label: dict[str, int], people: int = 0) -> list[SplitSample]:
    out = []
    for label, count in per_label.items():
        for n in range(count):
            metadata = {"person": f"p{n % people}"} if people else None
            out.append(SplitSample(len(out) + 1, label, "training", 1000.0, metadata))
    return out


def shares(assignment: dict[int, str], rows: list[SplitSample], label: str) -> Counter:
    return Counter(assignment[s.id] for s in rows if s.label == label)


def test_every_label_gets_the_asked_shares():
    rows = samples({"idle": 100, "walk": 37, "rare": 5})
    assignment = plan_split(rows, SplitOptions(training=0.6, testing=0.3, validation=0.1))
    assert shares(assignment, rows, "idle") == {"training": 60, "testing": 30, "validation": 10}
    walk = shares(assignment, rows, "walk")
    assert abs(walk["training"] - 0.6 * 37) <= 1 and abs(walk["testing"] - 0.3 * 37) <= 1
    assert shares(assignment, rows, "rare")["testing"] >= 1  # a rare label is tested too


def test_samples_that_share_a_key_stay_in_one_category():
    rows = samples({"idle": 60, "walk": 60}, people=10)
    assignment = plan_split(rows, SplitOptions(keep_together=("person",)))
    where = defaultdict(set)
    for s in rows:
        where[s.metadata["person"]].add(assignment[s.id])
    assert all(len(categories) == 1 for categories in where.values())
    assert {c for categories in where.values() for c in categories} == {"training", "testing"}


def test_the_same_project_splits_the_same_way():
    rows = samples({"idle": 50, "walk": 50})
    options = SplitOptions()
    assert plan_split(rows, options) == plan_split(list(reversed(rows)), options)


def test_only_training_testing_and_validation_take_part():
    rows = samples({"idle": 10}) + [SplitSample(99, "idle", "anomaly")]
    assert 99 not in plan_split(rows, SplitOptions())


@pytest.mark.parametrize("shares_given", [(0.5, 0.2, 0.0), (1.2, -0.2, 0.0), (0.7, 0.2, 0.2)])
def test_shares_that_do_not_add_up_are_refused(shares_given):
    training, testing, validation = shares_given
    with pytest.raises(InvalidEditError, match="add up to 1|between 0 and 1"):
        SplitOptions(training=training, testing=testing, validation=validation)


def test_a_local_split_moves_samples_as_one_undoable_step(tmp_path):
    backend = LocalBackend(tmp_path / "p", create=True)
    try:
        items = [
            UploadItem(
                f"{label}.{n}.csv", f"timestamp,x\n0,{n}\n10,{k}\n".encode(), category="training"
            )
            for k, label in enumerate(["idle", "walk"])
            for n in range(40)
        ]
        assert all(r.success for r in backend.upload(items))
        options = SplitOptions(training=0.75, testing=0.25)
        preview = backend.split(options, dry_run=True)
        assert preview.moved == 20 and backend.summary().by_category() == {"training": 80}
        result = backend.split(options)
        assert result.moved == 20 and result.change_id is not None
        assert backend.summary().by_category() == {"training": 60, "testing": 20}
        per_label = Counter((s.label, s.category) for s in backend.iter_samples(SampleQuery()))
        assert per_label[("idle", "testing")] == per_label[("walk", "testing")] == 10
        assert backend.split(options).moved == 0  # already split so
        backend.undo()
        assert backend.summary().by_category() == {"training": 80}
    finally:
        backend.close()
