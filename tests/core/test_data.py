"""The drop-in data functions on the embedded local project."""

from __future__ import annotations

import io
import json
import shutil
from collections import Counter

import numpy as np
import pandas as pd
import pytest

import ei_desktop
from ei_desktop import data
from ei_desktop.core.progress import CancelToken


def test_with_no_key_functions_act_on_the_selected_local_project(tmp_path, samples_dir):
    ei_desktop.use_project(tmp_path / "chosen", create=True)
    response = data.upload_samples(
        data.Sample(data=open(samples_dir / "wave.01.json", "rb"), filename="wave.01.json")
    )
    assert response.success
    assert (tmp_path / "chosen" / "project.sqlite3").exists()
    assert [i.filename for i in data.get_sample_ids()] == ["wave.01"]


def test_upload_every_kind_then_download_gives_back_what_went_in(samples_dir):
    names = ["wave.01.json", "idle.0.cbor", "hadouken.01.wav", "capacitor.01.png"]
    samples = [
        data.Sample(
            data=open(samples_dir / n, "rb"), filename=n, category="training", label=n.split(".")[0]
        )
        for n in names
    ]
    samples.append(
        data.Sample(data="A,B,C\n1,4,2\n", filename="table.csv", category="testing", label="")
    )
    response = data.upload_samples(samples)
    assert response.success, [f.error for f in response.fails]
    ids = [s.sample_id for s in response.successes]
    assert all(s.sample_id == r.sample_id for s, r in zip(samples, response.successes))
    downloaded = data.download_samples_by_ids(ids)
    assert [d.filename for d in downloaded] == [
        "wave.01.json",
        "idle.0.json",
        "hadouken.01.wav",
        "capacitor.01.png",
        "table.json",
    ]
    assert downloaded[2].data.read() == (samples_dir / "hadouken.01.wav").read_bytes()
    assert downloaded[3].data.read() == (samples_dir / "capacitor.01.png").read_bytes()
    original = json.loads((samples_dir / "wave.01.json").read_text())
    wave = json.loads(downloaded[0].data)
    assert wave["payload"]["values"] == original["payload"]["values"]
    assert wave["payload"]["interval_ms"] == original["payload"]["interval_ms"]
    assert [(d.label, d.category) for d in downloaded] == [
        ("wave", "training"),
        ("idle", "training"),
        ("hadouken", "training"),
        ("capacitor", "training"),
        ("", "testing"),
    ]
    assert json.loads(downloaded[4].data)["payload"]["values"] == [[1, 4, 2]]


def test_official_quirks_are_fixed_on_upload(samples_dir):
    boxes = [{"label": "c", "x": 1, "y": 1, "width": 2, "height": 2}]
    anonymous = data.Sample(
        data=(samples_dir / "capacitor.01.png").read_bytes(),
        filename=None,
        category=None,
        bounding_boxes=boxes,
        metadata={},
    )
    response = data.upload_samples([anonymous])
    assert response.success, response.fails[0].error
    assert anonymous.category is None and anonymous.bounding_boxes == boxes  # caller untouched
    (stored,) = data.download_samples_by_ids([anonymous.sample_id])
    assert stored.filename.endswith(".png")
    assert stored.bounding_boxes == boxes and stored.metadata == {}
    assert stored.category in ("training", "testing")


def test_one_failure_does_not_abort_the_batch():
    samples = [
        data.Sample(data="timestamp,a\n0,1\n5,2\n", filename="ok1.csv"),
        data.Sample(data="timestamp,a\n0,x\n", filename="broken.csv"),
        data.Sample(data=12345, filename="number.csv"),
        data.Sample(data="timestamp,a\n0,3\n5,4\n", filename="ok2.csv"),
    ]
    response = data.upload_samples(samples)
    assert len(response.successes) == 2 and len(response.fails) == 2
    errors = sorted(f.error for f in response.fails)
    assert errors[0].startswith("Could not parse this CSV file")
    assert "must be bytes, text, a file object" in errors[1]


def test_duplicates_follow_allow_duplicates():
    sample = lambda: data.Sample(data="timestamp,a\n0,1\n5,2\n", filename="dup.csv")  # noqa: E731
    assert data.upload_samples(sample()).success
    refused = data.upload_samples(sample())
    assert refused.fails[0].error.startswith("An item with this hash already exists")
    assert data.upload_samples(sample(), allow_duplicates=True).success
    assert len(data.get_sample_ids(filename="dup")) == 2


def test_get_sample_ids_filters(tmp_path):
    frames_ = [
        ("wave.01.csv", "training", "wave"),
        ("wave.02.csv", "testing", "wave"),
        ("idle.01.csv", "training", "idle"),
        ("other.csv", "anomaly", "odd"),
    ]
    for i, (name, category, label) in enumerate(frames_):
        data.upload_samples(
            data.Sample(
                data=f"timestamp,a\n0,{i}\n5,2\n", filename=name, category=category, label=label
            )
        )
    everything = data.get_sample_ids()
    assert len(everything) == 4
    assert {i.filename for i in data.get_sample_ids(category="training")} == {"wave.01", "idle.01"}
    assert {i.filename for i in data.get_sample_ids(labels="wave")} == {"wave.01", "wave.02"}
    assert {i.filename for i in data.get_sample_ids(labels=["wave", "odd"], category="all")} == {
        "wave.01",
        "wave.02",
        "other",
    }
    assert [i.filename for i in data.get_sample_ids(filename="WAVE.02")] == ["wave.02"]
    assert [i.category for i in data.get_sample_ids(category="anomaly")] == ["anomaly"]
    with pytest.raises(ValueError, match="Invalid category"):
        data.get_sample_ids(category="split")
    info = data.get_sample_ids(filename="idle")[0]
    assert data.get_filename_by_id(info.sample_id) == "idle.01"
    assert data.get_filename_by_id(99999) is None


def test_deletes():
    for i, name in enumerate(["wave.1", "wave.10", "wave.11", "idle.1"]):
        data.upload_samples(
            data.Sample(
                data=f"timestamp,a\n0,{i}\n5,2\n",
                filename=f"{name}.csv",
                category="training" if i % 2 else "testing",
            )
        )
    deleted = data.delete_samples_by_filename("wave.1")
    assert len(deleted) == 1 and deleted[0].success
    assert sorted(i.filename for i in data.get_sample_ids()) == ["idle.1", "wave.10", "wave.11"]
    some = data.get_sample_ids(filename="idle.1")[0].sample_id
    assert data.delete_sample_by_id(some).success
    assert data.delete_sample_by_id(some) is None
    assert data.delete_all_samples(category="testing").success
    assert [i.category for i in data.get_sample_ids()] == ["training"]
    assert data.delete_all_samples().success
    assert data.get_sample_ids() == []
    assert data.delete_samples_by_filename("nothing") == ()


def test_download_keeps_input_order_and_skips_unknown_ids():
    ids = [
        data.upload_samples(data.Sample(data=f"timestamp,a\n0,{i}\n5,2\n", filename=f"f{i}.csv"))
        .successes[0]
        .sample_id
        for i in range(3)
    ]
    got = data.download_samples_by_ids([ids[2], 777, ids[0]])
    assert [s.sample_id for s in got] == [ids[2], ids[0]]
    assert [s.sample_id for s in data.download_samples_by_ids(ids[1])] == [ids[1]]
    with pytest.raises(TypeError):
        data.download_samples_by_ids(["1"])
    streamed = list(data.stream_samples_by_ids([ids[0], 9999, ids[1]], chunk_size=1))
    assert [s.sample_id for s in streamed] == [ids[0], ids[1]]


def write_plain_folder(root, samples_dir):
    (root / "training").mkdir(parents=True)
    (root / "testing_runs").mkdir()
    shutil.copy(samples_dir / "wave.0.cbor", root / "training" / "wave.0.cbor")
    shutil.copy(samples_dir / "capacitor.01.png", root / "training" / "CAP.01.PNG")
    (root / "testing_runs" / "idle.1.txt").write_text("timestamp,a\n0,1\n10,2\n")
    (root / "training" / "bounding_boxes.labels").write_text(
        json.dumps(
            {
                "version": 1,
                "type": "bounding-box-labels",
                "boundingBoxes": {
                    "CAP.01.PNG": [{"label": "cap", "x": 2, "y": 3, "width": 4, "height": 5}]
                },
            }
        )
    )
    (root / "training" / "notes.md").write_text("ignored")
    (root / ".hidden.csv").write_text("ignored")


def test_upload_plain_directory(tmp_path, samples_dir):
    root = tmp_path / "plain"
    write_plain_folder(root, samples_dir)
    response = data.upload_directory(str(root), label=None)
    assert response.success, [f.error for f in response.fails]
    assert len(response.successes) == 3
    records = {i.filename: i for i in data.get_sample_ids()}
    assert set(records) == {"wave.0", "CAP.01", "idle.1"}
    (cap,) = data.download_samples_by_ids(records["CAP.01"].sample_id)
    assert cap.bounding_boxes == [{"label": "cap", "x": 2, "y": 3, "width": 4, "height": 5}]
    assert cap.label == "CAP"


def test_infer_from_filename_uses_whole_folder_names(tmp_path, samples_dir):
    root = tmp_path / "plain"
    write_plain_folder(root, samples_dir)
    response = data.upload_directory(
        str(root), category="split", transform=data.infer_from_filename
    )
    by_name = {r.sample.filename: r for r in response.successes}
    assert by_name["wave.0.cbor"].sample.category == "training"
    assert by_name["idle.1.txt"].sample.category == "split"  # "testing_runs" is not "testing"
    assert by_name["wave.0.cbor"].sample.label == "wave"


def test_empty_directory_returns_an_empty_response(tmp_path):
    (tmp_path / "empty").mkdir()
    response = data.upload_plain_directory(str(tmp_path / "empty"))
    assert response is not None and response.success and response.successes == []
    with pytest.raises(FileNotFoundError):
        data.upload_directory(str(tmp_path / "missing"))


def write_exported(root, samples_dir, ndjson=False):
    (root / "training").mkdir(parents=True)
    (root / "testing").mkdir()
    shutil.copy(
        samples_dir / "capacitor.01.png", root / "testing" / "cap.01.png.3hf7.ingestion-x.png"
    )
    shutil.copy(
        samples_dir / "wave.01.json", root / "training" / "wave.01.json.4g9r.ingestion-y.json"
    )
    shutil.copy(
        samples_dir / "idle.0.cbor", root / "training" / "idle.0.cbor.aaaa.ingestion-z.cbor"
    )
    files = [
        {
            "path": "testing/cap.01.png.3hf7.ingestion-x.png",
            "name": "cap.01",
            "category": "testing",
            "label": {"type": "label", "label": "capacitor"},
            "metadata": {"site": "lab"},
            "boundingBoxes": [{"label": "c", "x": 0, "y": 0, "width": 5, "height": 5}],
        },
        {
            "path": "training/wave.01.json.4g9r.ingestion-y.json",
            "name": "wave.01",
            "category": "training",
            "label": {
                "type": "multi-label",
                "labels": [
                    {"label": "idle", "startIndex": 0, "endIndex": 1},
                    {"label": "wave", "startIndex": 2, "endIndex": 3},
                ],
            },
        },
        {
            "path": "training/idle.0.cbor.aaaa.ingestion-z.cbor",
            "category": "training",
            "label": {"type": "unlabeled"},
        },
        {
            "path": "training/missing.json",
            "category": "training",
            "label": {"type": "label", "label": "x"},
        },
    ]
    if ndjson:
        lines = ['{"__ndjson":true,"version":1}'] + [
            json.dumps({"__key": "files", "__item": f}) for f in files
        ]
        (root / "info.labels").write_text("\n".join(lines))
    else:
        (root / "info.labels").write_text(json.dumps({"version": 1, "files": files}))


@pytest.mark.parametrize("ndjson", [False, True])
def test_upload_exported_dataset_keeps_labels_boxes_metadata_and_names(
    tmp_path, samples_dir, ndjson
):
    root = tmp_path / "export"
    write_exported(root, samples_dir, ndjson)
    wave_rows = len(json.loads((samples_dir / "wave.01.json").read_text())["payload"]["values"])
    assert wave_rows == 4
    response = data.upload_directory(str(root))
    assert len(response.successes) == 3
    assert [f.error for f in response.fails] == ["Listed in info.labels but not found"]
    infos = {i.filename: i for i in data.get_sample_ids()}
    assert set(infos) == {"cap.01", "wave.01", "idle.0.cbor.aaaa.ingestion-z"}
    cap, wave, idle = data.download_samples_by_ids(
        [
            infos["cap.01"].sample_id,
            infos["wave.01"].sample_id,
            infos["idle.0.cbor.aaaa.ingestion-z"].sample_id,
        ]
    )
    assert (cap.label, cap.category, cap.metadata) == ("capacitor", "testing", {"site": "lab"})
    assert cap.bounding_boxes == [{"label": "c", "x": 0, "y": 0, "width": 5, "height": 5}]
    assert wave.structured_labels[1] == {"label": "wave", "startIndex": 2, "endIndex": 3}
    assert wave.label == "idle"
    assert idle.label == ""


def test_numpy_upload_round_trips():
    values = np.array([[[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]], [[7.0, 8.0], [9.0, 1.0], [2.0, 3.0]]])
    sensors = [data.Sensor("accX", "m/s2"), data.Sensor("accY", "m/s2")]
    response = data.upload_numpy(
        values, ["up", "down"], sensors, 10, metadata={"rig": 1}, category="training"
    )
    assert response.success, [f.error for f in response.fails]
    got = data.download_samples_by_ids([s.sample_id for s in response.successes])
    assert [g.label for g in got] == ["up", "down"]
    assert json.loads(got[0].data)["payload"]["values"] == values[0].tolist()
    assert got[0].metadata == {"rig": "1"}
    again = data.upload_numpy(values, ["up", "down"], sensors, 10, category="training")
    assert len(again.fails) == 2  # the official default refuses duplicates
    assert data.upload_numpy(
        values, ["up", "down"], sensors, 10, category="training", allow_duplicates=True
    ).success


def test_pandas_layouts_upload_and_leave_the_frame_alone():
    df = pd.DataFrame({"accX": [1.0, 2.0, 3.0], "accY": [4.0, 5.0, 6.0]})
    before = df.copy()
    response = data.upload_pandas_sample(df, label="move", sample_rate_ms=20, filename="move1")
    assert response.success and df.equals(before) and df.index.equals(before.index)
    (got,) = data.download_samples_by_ids(response.successes[0].sample_id)
    payload = json.loads(got.data)["payload"]
    assert payload["interval_ms"] == 20 and payload["values"] == [[1, 4], [2, 5], [3, 6]]

    rows = pd.DataFrame({"loc": ["desk", "field"], "label": ["a", "b"], "x": [1, 2], "y": [3, 4]})
    assert (
        len(
            data.upload_pandas_dataframe(
                rows, ["x", "y"], label_col="label", metadata_cols=["loc"]
            ).successes
        )
        == 2
    )

    wide = pd.DataFrame(
        [[1, "idle", 0.1, 0.2, 0.3], [2, "move", 0.4, 0.5, 0.6]],
        columns=["id", "label", "0", "1", "2"],
    )
    assert data.upload_pandas_dataframe_wide(
        wide, 100, label_col="label", metadata_cols=["id"]
    ).success

    grouped = pd.DataFrame(
        {
            "sample": ["s1"] * 3 + ["s2"] * 3,
            "t": [0, 0.01, 0.02] * 2,
            "v": [1, 2, 3, 4, 5, 6],
            "label": ["a"] * 3 + ["b"] * 3,
            "rig": [7] * 6,
        }
    )
    snapshot = grouped.copy()
    result = data.upload_pandas_dataframe_with_group(
        grouped, "t", "sample", ["v"], label_col="label", metadata_cols=["rig"]
    )
    assert result.success, [f.error for f in result.fails]
    assert grouped.equals(snapshot)
    assert {i.filename for i in data.get_sample_ids(labels=["a", "b"])} >= {"s1", "s2"}


def test_progress_and_cancel_hooks():
    seen = []
    token = CancelToken()

    def progress(update):
        seen.append((update.done, update.total))
        if update.done >= 2:
            token.cancel()

    samples = [
        data.Sample(data=f"timestamp,a\n0,{i}\n5,2\n", filename=f"p{i}.csv") for i in range(1000)
    ]
    response = data.upload_samples(samples, progress=progress, cancel=token)
    assert response.cancelled
    assert 2 <= len(response.successes) < 1000
    assert seen[0] == (1, 1000)


def test_text_file_objects_and_bytes_io_are_accepted():
    text = io.StringIO("timestamp,a\n0,1\n5,2\n")
    binary = io.BytesIO(b"timestamp,a\n0,9\n5,8\n")
    response = data.upload_samples(
        [data.Sample(data=text, filename="t.csv"), data.Sample(data=binary, filename="b.csv")]
    )
    assert response.success


def test_directory_progress_counts_across_batches(tmp_path):
    for i in range(5):
        (tmp_path / f"a{i}.csv").write_text(f"timestamp,x\n0,{i}\n10,1\n")
    seen = []
    response = data.upload_directory(
        str(tmp_path), batch_size=2, progress=lambda p: seen.append((p.done, p.total))
    )
    assert len(response.successes) == 5
    assert seen == [(1, 5), (2, 5), (3, 5), (4, 5), (5, 5)]


def test_disabled_samples_are_left_out_of_listings_unless_asked_for(tmp_path):
    from ei_desktop.core.backends.base import query_for_ids
    from ei_desktop.core.backends.local import LocalBackend
    from ei_desktop.core.edits import SetEnabled

    project = tmp_path / "p"
    LocalBackend(project, create=True).close()
    samples = [
        data.Sample(filename=f"idle.{n}.csv", data=f"timestamp,x\n0,{n}\n10,1\n") for n in range(3)
    ]
    ids = [r.sample_id for r in data.upload_samples(samples, project=project).successes]
    with LocalBackend(project) as backend:
        backend.edit(query_for_ids(ids[:1]), SetEnabled(False))
    assert {s.sample_id for s in data.get_sample_ids(project=project)} == set(ids[1:])
    listed = data.get_sample_ids(project=project, include_disabled="disabled")
    assert [s.sample_id for s in listed] == ids[:1]
    assert len(data.get_sample_ids(project=project, include_disabled="both")) == 3
    # asked for by id, a disabled sample is still there
    assert data.download_samples_by_ids(ids[0], project=project)[0].sample_id == ids[0]


def test_upload_directory_without_category_splits_like_the_sdk_even_from_a_training_folder(
    tmp_path,
):
    """The SDK's semantics stay at the edge: ``category=None`` is an 80/20 split, while the
    app and the CLI (ops' default options) take the category from the ``training`` folder."""
    from ei_desktop import ops

    folder = tmp_path / "drop" / "training"
    folder.mkdir(parents=True)
    for n in range(30):
        (folder / f"wave.{n:02d}.csv").write_text(f"timestamp,x\n0,{n}\n10,{n * 3}\n")
    response = data.upload_directory(str(tmp_path / "drop"))
    assert len(response.successes) == 30
    split = Counter(info.category for info in data.get_sample_ids())
    assert set(split) == {"training", "testing"} and 1 <= split["testing"] <= 15
    assert ops.plan_upload([tmp_path / "drop"], ops.UploadOptions()).categories() == {
        "training": 30
    }
