"""Curation operations over a real local project: what they change, what they report, and
how they fail.
"""

from __future__ import annotations

import pytest

from ei_desktop.core.backends.base import (
    BackendError,
    MetadataFilter,
    SampleQuery,
    UploadItem,
    query_for_ids,
)
from ei_desktop.core.edits import (
    Move,
    RemoveMetadata,
    Rename,
    SetEnabled,
    SetLabel,
    SetMetadata,
)
from ei_desktop.ops import EditReport, curate

#: file -> category; labels come from the names (wave, idle, hadouken, capacitor)
FILES = {
    "wave.0.cbor": "training",
    "wave.01.json": "training",
    "hadouken.01.wav": "training",
    "idle.0.cbor": "testing",
    "capacitor.01.png": "testing",
}


@pytest.fixture
def project(local, samples_dir):
    """A local project holding the five real sample files."""
    items = [UploadItem(name, samples_dir / name, category=c) for name, c in FILES.items()]
    assert all(r.success for r in local.upload(items))
    return local


def ids(backend) -> dict[str, int]:
    return {r.filename: r.id for r in backend.iter_samples(SampleQuery(include_disabled="both"))}


def labels(backend, **query) -> dict[str, str]:
    return {r.filename: r.label for r in backend.iter_samples(SampleQuery(**query))}


def test_label_by_filter_reports_changed_and_already_labeled(project):
    project.edit(query_for_ids([ids(project)["hadouken.01"]]), SetLabel("wave"))
    report = curate.apply(project, SampleQuery(category="training"), SetLabel("wave"))
    assert report.ok and (report.matched, report.changed) == (3, 0)
    assert report.message == "Nothing changed: the 3 samples were already labeled 'wave'."

    report = curate.apply(project, SampleQuery(category="training"), SetLabel("gesture"))
    assert report.ok and (report.matched, report.changed) == (3, 3)
    assert report.message == "Label set to 'gesture' on 3 samples."
    assert report.change_id is not None
    assert set(labels(project, category="training").values()) == {"gesture"}
    assert labels(project, category="testing") == {"idle.0": "idle", "capacitor.01": "capacitor"}


def test_label_tail_counts_samples_that_already_had_it(project):
    report = curate.apply(project, SampleQuery(labels=("wave", "idle")), SetLabel("idle"))
    assert (report.matched, report.changed) == (3, 2)
    assert report.message == "Label set to 'idle' on 2 samples (1 already labeled 'idle')."


def test_preview_counts_what_would_change_and_changes_nothing(project):
    preview = curate.preview(
        project, SampleQuery(labels=("wave", "idle")), SetLabel("idle"), examples=2
    )
    assert (preview.matched, preview.unchanged, preview.would_change) == (3, 1, 2)
    assert preview.sentence == "Would set label 'idle' on 2 samples (1 already labeled 'idle')."
    assert preview.question == "Set label 'idle' on 2 samples (1 already labeled 'idle')?"
    assert len(preview.examples) == 2
    assert {name for _, name in preview.examples} <= {"wave.0", "wave.01", "idle.0"}
    assert labels(project)["wave.0"] == "wave"
    assert [entry.what for entry in project.history()] == ["Upload of 5 samples"]


def test_preview_of_move_enable_and_metadata_counts_those_already_so(project):
    training = SampleQuery(category="training")
    assert curate.preview(project, training, Move("training")).would_change == 0
    assert curate.preview(project, SampleQuery(), Move("testing")).unchanged == 2
    assert curate.preview(project, training, SetEnabled(True)).would_change == 0
    assert curate.preview(project, training, SetEnabled(False)).would_change == 3
    curate.apply(project, query_for_ids([ids(project)["wave.0"]]), SetMetadata({"rig": "A"}))
    preview = curate.preview(project, training, SetMetadata({"rig": "A"}, replace=False))
    assert (preview.matched, preview.unchanged) == (3, 1)
    nothing = curate.preview(project, SampleQuery(labels=("nope",)), SetLabel("x"))
    assert nothing.matched == 0 and nothing.sentence == "No sample matches; nothing would change."


def test_undo_and_redo_a_relabel(project):
    curate.apply(project, SampleQuery(labels=("wave",)), SetLabel("gesture"))
    undone = curate.undo(project)
    assert undone.ok and undone.message == "Undone: Label 'gesture' on 2 samples."
    assert labels(project)["wave.0"] == "wave"
    redone = curate.redo(project)
    assert redone.ok and redone.message == "Redone: Label 'gesture' on 2 samples."
    assert labels(project)["wave.0"] == labels(project)["wave.01"] == "gesture"
    latest = curate.history(project)[0]
    assert (latest.what, latest.samples, latest.undone) == (
        "Label 'gesture' on 2 samples",
        2,
        False,
    )


def test_nothing_to_undo_or_redo_is_a_message_not_an_exception(local):
    report = curate.undo(local)
    assert not report.ok and report.error == "Nothing to undo." == report.problem
    assert curate.redo(local).error == "Nothing to redo."


def test_move_by_ids_names_the_ids_that_do_not_exist(project):
    wave = ids(project)["wave.0"]
    report = curate.apply(project, query_for_ids([wave, 4242]), Move("testing"))
    assert (report.matched, report.changed, report.missing) == (1, 1, [4242])
    assert not report.ok and report.problem == "No sample found with ID 4242"
    assert report.message == "Moved 1 sample to testing."
    assert project.get_sample(wave).category == "testing"


def test_rename_one_sample(project):
    wave = ids(project)["wave.0"]
    report = curate.apply(project, query_for_ids([wave]), Rename("gesture.0"))
    assert report.ok and report.message == f"Renamed wave.0 (ID {wave}) to 'gesture.0'."
    assert project.get_sample(wave).filename == "gesture.0"


def test_metadata_set_merge_replace_remove_and_clear(project):
    wave = query_for_ids([ids(project)["wave.0"]])
    sample_id = wave.ids[0]
    curate.apply(project, wave, SetMetadata({"rig": "A", "site": "lab"}, replace=False))
    report = curate.apply(project, wave, SetMetadata({"rig": "B"}, replace=False))
    assert report.message == "Metadata rig=B set on 1 sample."
    assert project.get_sample(sample_id).metadata == {"rig": "B", "site": "lab"}
    report = curate.apply(project, wave, RemoveMetadata("rig"))
    assert report.message == "Metadata 'rig' removed from 1 sample."
    assert project.get_sample(sample_id).metadata == {"site": "lab"}
    curate.apply(project, wave, SetMetadata({"x": "1"}))
    assert project.get_sample(sample_id).metadata == {"x": "1"}
    report = curate.apply(project, wave, RemoveMetadata())
    assert report.message == "Metadata cleared on 1 sample."
    assert not project.get_sample(sample_id).metadata
    by_meta = SampleQuery(metadata=(MetadataFilter("x", "eq", ("1",)),))
    assert project.count(by_meta) == 0


def test_disable_leaves_samples_out_of_the_default_listing(project):
    report = curate.apply(project, SampleQuery(labels=("wave",)), SetEnabled(False))
    assert report.message == "Disabled 2 samples."
    assert project.count(SampleQuery()) == 3
    assert project.count(SampleQuery(include_disabled="disabled")) == 2
    again = curate.apply(
        project, SampleQuery(labels=("wave",), include_disabled="both"), SetEnabled(False)
    )
    assert again.message == "Nothing changed: the 2 samples were already disabled."
    enabled = curate.apply(project, SampleQuery(include_disabled="disabled"), SetEnabled(True))
    assert enabled.message == "Enabled 2 samples." and project.count(SampleQuery()) == 5


def test_rename_label_reaches_every_category_and_disabled_samples(project):
    curate.apply(project, query_for_ids([ids(project)["wave.0"]]), SetEnabled(False))
    curate.apply(project, query_for_ids([ids(project)["wave.01"]]), Move("testing"))
    report = curate.rename_label(project, "wave", "gesture")
    assert report.ok and report.message == "Label 'wave' renamed to 'gesture' on 2 samples."
    every = labels(project, include_disabled="both")
    assert every["wave.0"] == every["wave.01"] == "gesture"
    missing = curate.rename_label(project, "nope", "x")
    assert not missing.ok and missing.error == "No sample is labeled 'nope'."


def test_a_label_that_cannot_be_stored_is_refused_with_its_reason(project):
    report = curate.apply(project, SampleQuery(labels=("wave",)), SetLabel("a\tb"))
    assert not report.ok and "TAB" in report.error and "\n" not in report.error
    assert labels(project)["wave.0"] == "wave"


def test_crop_keeps_the_range_and_undo_restores_it(project):
    wave = ids(project)["wave.0"]
    report = curate.crop(project, wave, 10, 110)
    assert report.ok
    assert report.message == f"Cropped wave.0 (ID {wave}) to values 10 up to 110 (100 of 622 kept)."
    assert project.get_sample(wave).values_count == 100
    curate.undo(project)
    assert project.get_sample(wave).values_count == 622


def test_crop_outside_the_sample_or_of_an_unknown_id_fails_in_one_line(project):
    wave = ids(project)["wave.0"]
    outside = curate.crop(project, wave, 600, 700)
    assert not outside.ok and outside.error and "\n" not in outside.error
    assert project.get_sample(wave).values_count == 622
    unknown = curate.crop(project, 4242, 0, 10)
    assert not unknown.ok and unknown.problem == "No sample found with ID 4242"
    image = curate.crop(project, ids(project)["capacitor.01"], 0, 1)
    assert not image.ok and image.error


def test_split_makes_one_sample_per_range_and_removes_the_original(project):
    wave = ids(project)["wave.0"]
    report = curate.split(project, wave, [(0, 1600), (1600, 4800)])
    assert report.ok and len(report.created) == 2
    first, second = report.created
    assert report.message == (
        f"Split wave.0 (ID {wave}) into 2 samples: wave.0.s1 (ID {first}), wave.0.s2 (ID {second})."
    )
    assert project.get_sample(wave) is None
    made = project.get_samples(report.created)
    assert made[first].values_count == 100 and made[second].values_count == 200
    assert made[first].label == "wave" and made[first].category == "training"
    curate.undo(project)
    assert project.get_sample(wave) is not None and project.get_sample(first) is None


def test_summary_counts_categories_labels_durations_and_ratio(project):
    curate.apply(project, query_for_ids([ids(project)["wave.01"]]), SetEnabled(False))
    summary = curate.summary(project)
    assert summary.by_category() == {"training": 2, "testing": 2}
    assert summary.by_label() == {"wave": 1, "hadouken": 1, "idle": 1, "capacitor": 1}
    assert summary.train_test_ratio == (50, 50)
    durations = summary.duration_by_label()
    assert durations["wave"] == pytest.approx(622 * 16.0)
    assert durations["hadouken"] == pytest.approx(1000.0)
    assert sum(row.disabled for row in summary.rows) == 1


class _Unreachable:
    """A backend whose server went away in the middle of things."""

    def __getattr__(self, name):
        def fail(*args, **kwargs):
            raise BackendError("Cannot reach http://127.0.0.1:9: connection refused")

        return fail


@pytest.mark.parametrize(
    "operation",
    [
        lambda b: curate.apply(b, SampleQuery(labels=("wave",)), SetLabel("x")),
        lambda b: curate.apply(b, query_for_ids([1]), Rename("x")),
        lambda b: curate.crop(b, 1, 0, 10),
        lambda b: curate.split(b, 1, [(0, 10)]),
        curate.undo,
        curate.redo,
    ],
)
def test_a_backend_error_becomes_the_report_error(operation):
    report = operation(_Unreachable())
    assert isinstance(report, EditReport)
    assert report.error == "Cannot reach http://127.0.0.1:9: connection refused"
    assert not report.ok and report.changed == 0


def test_over_http_undo_reverts_a_relabel_and_says_a_delete_is_final(project):
    from ei_desktop.core.backends.studio import StudioBackend
    from ei_desktop.core.edits import Delete
    from ei_desktop.server.testing import running_server

    with running_server(project, api_key="ops-undo-key") as (base, key):
        remote = StudioBackend(key, f"{base}/v1", base)
        try:
            curate.apply(remote, SampleQuery(labels=("wave",)), SetLabel("gesture"))
            assert labels(project)["wave.0"] == "gesture"
            undone = curate.undo(remote)
            assert undone.ok and undone.message == "Undone: Label 'gesture' on 2 samples."
            assert labels(project)["wave.0"] == labels(project)["wave.01"] == "wave"

            deleted = curate.apply(remote, SampleQuery(category="testing"), Delete())
            assert deleted.ok and deleted.changed == 2
            refused = curate.undo(remote)
            assert not refused.ok
            assert refused.error == (
                "Cannot undo this change: Delete of 2 samples on Edge Impulse is final: "
                "it cannot be undone"
            )
            assert project.count(SampleQuery(category="testing")) == 0
            assert not curate.history(remote)[0].undone
        finally:
            remote.close()
