"""The unmodified official SDK (edgeimpulse 1.0.20) against a live ``ei-desktop serve``:
every data function, and what comes back is what went in.
"""

from __future__ import annotations

import io
import json
import shutil

import cbor2
import edgeimpulse as ei
import numpy as np
import pandas as pd
import pytest
from edgeimpulse.data.sample_type import Sample, Sensor
from edgeimpulse.experimental.data import stream_samples_by_ids
from edgeimpulse_api.exceptions import UnauthorizedException
from server_helpers import SAMPLES, csv_series, tiny_avi, tiny_mp4

DUPLICATE = "An item with this hash already exists"
CATEGORIES = ("training", "testing", "validation", "post-processing")


@pytest.fixture
def sdk(server, monkeypatch):
    """The official SDK pointed at the server (module variables restored afterwards)."""
    monkeypatch.setattr(ei, "API_KEY", server.key)
    monkeypatch.setattr(ei, "API_ENDPOINT", server.base + "/v1")
    monkeypatch.setattr(ei, "INGESTION_ENDPOINT", server.base)
    return server


def upload(samples, **kwargs):
    """``upload_samples`` that must fully succeed; returns the ids in input order."""
    response = ei.data.upload_samples(samples, **kwargs)
    assert response.success, [f.error for f in response.fails]
    assert len(response.successes) == len(samples)
    by_name = {s.sample.filename: s.sample_id for s in response.successes}
    return [by_name[s.filename] for s in samples]


def series_of(downloaded: Sample) -> tuple[list, float, dict]:
    """Values, interval and payload of a downloaded time-series sample (JSON text)."""
    assert isinstance(downloaded.data, str)
    doc = json.loads(downloaded.data)
    return doc["payload"]["values"], doc["payload"]["interval_ms"], doc["payload"]


# -- every file kind ---------------------------------------------------------------------------


def _every_kind() -> dict[str, tuple[bytes, object]]:
    """name → (bytes, expected: raw bytes for media, (values, interval) for time series)."""
    files: dict[str, tuple[bytes, object]] = {}
    for name in ("wave.01.json", "wave.0.cbor", "idle.0.cbor"):
        data = (SAMPLES / name).read_bytes()
        doc = cbor2.loads(data) if name.endswith(".cbor") else json.loads(data)
        files[name] = (data, (doc["payload"]["values"], doc["payload"]["interval_ms"]))
    for name in ("hadouken.01.wav", "capacitor.01.png"):
        data = (SAMPLES / name).read_bytes()
        files[name] = (data, data)
    csv, values = csv_series(rows=5, seed=3, interval=20)
    files["series.01.csv"] = (csv, (values, 20))
    txt, values = csv_series(rows=3, seed=7, interval=5)
    files["series.02.txt"] = (txt, (values, 5))
    files["clip.01.avi"] = (tiny_avi(), tiny_avi())
    files["clip.02.mp4"] = (tiny_mp4(), tiny_mp4())
    return files


def test_upload_and_download_every_file_kind(sdk):
    files = _every_kind()
    names = list(files)
    samples = [
        Sample(filename=name, data=io.BytesIO(files[name][0]), category=CATEGORIES[i % 4])
        for i, name in enumerate(names)
    ]
    ids = upload(samples)
    assert len(set(ids)) == len(ids) and None not in ids
    assert sdk.count() == len(names)

    missing = max(ids) + 1000
    downloaded = ei.data.download_samples_by_ids([*ids, missing])
    assert [d.sample_id for d in downloaded] == ids  # not-found dropped, input order kept
    for i, (name, got) in enumerate(zip(names, downloaded)):
        data, expected = files[name]
        assert got.category == CATEGORIES[i % 4]
        assert got.label == name.split(".")[0]
        assert got.metadata is None
        assert got.bounding_boxes == []
        assert got.structured_labels is None
        if isinstance(expected, bytes):
            assert got.filename == name
            assert got.data.read() == expected
        else:
            values, interval = expected
            assert got.filename == name.rsplit(".", 1)[0] + ".json"
            got_values, got_interval, payload = series_of(got)
            np.testing.assert_allclose(np.array(got_values, dtype=float), np.array(values, float))
            assert got_interval == pytest.approx(interval)
            assert "device_name" in payload


def test_labels_metadata_boxes_and_structured_labels_round_trip(sdk):
    boxes = [
        {"label": "cap", "x": 1, "y": 2, "width": 30, "height": 40},
        {"label": "led", "x": 50, "y": 5, "width": 3, "height": 4},
    ]
    segments = [
        {"label": "idle", "startIndex": 0, "endIndex": 2},
        {"label": "wave", "startIndex": 3, "endIndex": 5},
    ]
    csv, values = csv_series(rows=6, seed=11)
    image = Sample(
        filename="capacitor.01.png",
        data=open(SAMPLES / "capacitor.01.png", "rb"),
        category="training",
        label="capacitor",
        metadata={"site": "lab", "camera": "front 1"},
        bounding_boxes=list(boxes),
    )
    multi = Sample(
        filename="multi.01.csv",
        data=io.BytesIO(csv),
        category="testing",
        structured_labels=[dict(s) for s in segments],
        metadata={"source": "sdk"},
    )
    ids = upload([image, multi])
    image.data.close()
    got_image, got_multi = ei.data.download_samples_by_ids(ids)

    assert got_image.bounding_boxes == boxes
    assert got_image.metadata == {"site": "lab", "camera": "front 1"}
    assert got_image.label == "capacitor"
    assert got_image.data.read() == (SAMPLES / "capacitor.01.png").read_bytes()

    assert got_multi.structured_labels == segments
    assert got_multi.metadata == {"source": "sdk"}
    assert got_multi.label == "idle"  # summary label: the first segment's
    assert got_multi.category == "testing"
    np.testing.assert_allclose(series_of(got_multi)[0], values)


def test_stream_samples_by_ids(sdk):
    csv_a, values_a = csv_series(seed=1)
    csv_b, values_b = csv_series(seed=2)
    png = (SAMPLES / "capacitor.01.png").read_bytes()
    ids = upload(
        [
            Sample(filename="a.01.csv", data=io.BytesIO(csv_a), category="training"),
            Sample(filename="b.01.csv", data=io.BytesIO(csv_b), category="testing"),
            Sample(filename="capacitor.01.png", data=io.BytesIO(png), category="training"),
        ]
    )
    results = list(stream_samples_by_ids([*ids, max(ids) + 99]))
    assert results.count(None) == 1  # the unknown id
    streamed = {s.sample_id: s for s in results if s is not None}
    assert set(streamed) == set(ids)
    np.testing.assert_allclose(series_of(streamed[ids[0]])[0], values_a)
    np.testing.assert_allclose(series_of(streamed[ids[1]])[0], values_b)
    assert streamed[ids[2]].data.read() == png


# -- duplicates and keys -------------------------------------------------------------------------


def test_duplicates_are_refused_unless_allowed(sdk):
    png = (SAMPLES / "capacitor.01.png").read_bytes()

    def sample():
        return Sample(filename="capacitor.01.png", data=io.BytesIO(png), category="training")

    upload([sample()])
    refused = ei.data.upload_samples([sample()])
    assert not refused.success and len(refused.fails) == 1
    assert refused.fails[0].error.startswith(DUPLICATE)
    assert sdk.count() == 1

    upload([sample()], allow_duplicates=True)
    hits = ei.data.get_sample_ids(filename="capacitor.01")
    assert len(hits) == 2 and {h.filename for h in hits} == {"capacitor.01"}


def test_a_bad_key_is_refused_everywhere(sdk, monkeypatch):
    png = (SAMPLES / "capacitor.01.png").read_bytes()
    (sample_id,) = upload([Sample(filename="c.png", data=io.BytesIO(png), category="training")])
    monkeypatch.setattr(ei, "API_KEY", "some_invalid_key")

    for call in (
        lambda: ei.data.get_sample_ids(category="training"),
        lambda: ei.data.get_filename_by_id(sample_id),
        lambda: ei.data.download_samples_by_ids([sample_id]),
        lambda: ei.data.delete_sample_by_id(sample_id),
        lambda: ei.data.delete_all_samples(),
        lambda: ei.data.delete_all_samples(category="training"),
    ):
        with pytest.raises(UnauthorizedException):
            call()

    response = ei.data.upload_samples(
        Sample(filename="d.png", data=io.BytesIO(png + b"x"), category="training")
    )
    assert not response.success and response.fails[0].error == "Invalid API key"
    assert sdk.count() == 1

    # an explicit api_key argument wins over the module's bad key
    assert ei.data.get_filename_by_id(sample_id, api_key=sdk.key) == "c"
    explicit = ei.data.upload_samples(
        Sample(filename="e.png", data=io.BytesIO(png + b"y"), category="training"),
        api_key=sdk.key,
    )
    assert explicit.success and sdk.count() == 2


# -- listing, names and deleting -----------------------------------------------------------------


def _populate() -> dict[int, tuple[str, str, str]]:
    """A small project: id → (stored name, category, label)."""
    plan = [
        ("wave.01.csv", "training", "wave"),
        ("wave.02.csv", "testing", "wave"),
        ("wave.10.csv", "validation", "wave"),
        ("idle.01.csv", "training", "idle"),
        ("idle.02.csv", "post-processing", "idle"),
        ("noise.01.csv", "training", "noise"),
    ]
    samples = [
        Sample(filename=name, data=io.BytesIO(csv_series(seed=i)[0]), category=cat, label=lab)
        for i, (name, cat, lab) in enumerate(plan)
    ]
    ids = upload(samples)
    return {i: (name[: -len(".csv")], cat, lab) for i, (name, cat, lab) in zip(ids, plan)}


def _infos(result) -> set[tuple[int, str, str, str]]:
    return {(s.sample_id, s.filename, s.category, s.label) for s in result}


def test_get_sample_ids_with_each_filter(sdk):
    stored = _populate()
    everything = {(i, *info) for i, info in stored.items()}

    assert _infos(ei.data.get_sample_ids()) == everything
    for category in CATEGORIES:
        assert _infos(ei.data.get_sample_ids(category=category)) == {
            row for row in everything if row[2] == category
        }
    assert _infos(ei.data.get_sample_ids(labels="wave")) == {
        row for row in everything if row[3] == "wave"
    }
    assert _infos(ei.data.get_sample_ids(labels=["idle", "noise"])) == {
        row for row in everything if row[3] in ("idle", "noise")
    }
    assert _infos(ei.data.get_sample_ids(filename="wave.0")) == {
        row for row in everything if "wave.0" in row[1]
    }
    assert _infos(ei.data.get_sample_ids(category="training", labels="idle")) == {
        row for row in everything if row[2] == "training" and row[3] == "idle"
    }
    assert ei.data.get_sample_ids(labels="nothing-has-this") == []


def test_get_filename_by_id(sdk):
    stored = _populate()
    some_id = next(iter(stored))
    assert ei.data.get_filename_by_id(some_id) == stored[some_id][0]
    assert ei.data.get_filename_by_id(max(stored) + 1000) is None


def test_delete_by_id_and_by_filename(sdk):
    stored = _populate()
    some_id = next(iter(stored))
    assert ei.data.delete_sample_by_id(some_id).success is True
    assert ei.data.delete_sample_by_id(some_id) is None
    assert ei.data.get_filename_by_id(some_id) is None

    remaining_waves = [i for i, info in stored.items() if info[2] == "wave" and i != some_id]
    responses = ei.data.delete_samples_by_filename("wave")
    assert len(responses) == len([i for i, info in stored.items() if "wave" in info[0]]) - 1
    assert all(r.success for r in responses)
    left = _infos(ei.data.get_sample_ids())
    assert not any("wave" in row[1] for row in left) and not set(remaining_waves) & {
        row[0] for row in left
    }
    assert len(left) == len(stored) - 3


def test_delete_all_samples_per_category_and_all(sdk):
    def samples(count):
        return [
            Sample(filename=f"{c}.01.csv", data=io.BytesIO(csv_series(seed=i)[0]), category=c)
            for i, c in enumerate((CATEGORIES * 2)[:count])
        ]

    upload(samples(8), allow_duplicates=True)
    for index, category in enumerate(CATEGORIES):
        assert ei.data.delete_all_samples(category=category).success
        assert sdk.count(category=category) == 0
        for other in CATEGORIES[index + 1 :]:
            assert sdk.count(category=other) == 2
    upload(samples(3), allow_duplicates=True)
    assert sdk.count() == 3
    assert ei.data.delete_all_samples().success
    assert sdk.count() == 0
    assert ei.data.get_sample_ids() == []


# -- numpy and pandas ----------------------------------------------------------------------------


def test_upload_numpy(sdk):
    data = np.array(
        [
            [[8.81, 0.03, 1.21], [9.83, 1.04, 1.27], [9.12, 0.03, 1.23], [9.14, 2.01, 1.25]],
            [[1.0, 2.0, 3.0], [4.0, 5.0, 6.0], [7.0, 8.0, 9.0], [1.5, 2.5, 3.5]],
        ]
    )
    sensors = [Sensor("accX", "m/s2"), Sensor("accY", "m/s2"), Sensor("accZ", "m/s2")]
    response = ei.data.upload_numpy(
        data, ["up", "down"], sensors, sample_rate_ms=10, metadata={"source": "numpy"}
    )
    assert response.success and len(response.successes) == 2
    by_label = {s.sample.label: s.sample_id for s in response.successes}
    up, down = ei.data.download_samples_by_ids([by_label["up"], by_label["down"]])
    for got, expected, label in ((up, data[0], "up"), (down, data[1], "down")):
        values, interval, payload = series_of(got)
        np.testing.assert_allclose(values, expected)
        assert interval == 10
        assert got.label == label and got.metadata == {"source": "numpy"}
        assert got.category in ("training", "testing")  # split
        assert payload["device_type"] == "EDGE_IMPULSE_PYTHON_SDK"
        assert [s["name"] for s in payload["sensors"]] == ["accX", "accY", "accZ"]
        assert payload["sensors"][0]["units"] == "m/s2"


def test_upload_pandas_sample(sdk):
    df = pd.DataFrame({"accX": [40.0, 2.0, 3.0, 2.5], "accY": [1.0, -1.0, 0.5, 0.25]})
    response = ei.data.upload_pandas_sample(
        df, label="wave", sample_rate_ms=100, filename="pandas_series", category="training"
    )
    assert response.success
    (got,) = ei.data.download_samples_by_ids([response.successes[0].sample_id])
    values, interval, _ = series_of(got)
    np.testing.assert_allclose(values, df[["accX", "accY"]].to_numpy())
    assert interval == 100 and got.label == "wave" and got.filename == "pandas_series.json"
    assert got.metadata is None


def test_upload_pandas_dataframe_one_row_per_sample(sdk):
    df = pd.DataFrame(
        [["desk", "training", "one", -9.81, 0.03], ["field", "testing", "two", -9.56, 5.34]],
        columns=["location", "category", "label", "accX", "accY"],
    )
    response = ei.data.upload_pandas_dataframe(
        df, ["accX", "accY"], label_col="label", category_col="category", metadata_cols=["location"]
    )
    assert response.success and len(response.successes) == 2
    got = ei.data.download_samples_by_ids([s.sample_id for s in response.successes])
    by_label = {g.label: g for g in got}
    for _, row in df.iterrows():
        sample = by_label[row["label"]]
        values, interval, _ = series_of(sample)  # a one-row table still downloads (interval > 0)
        assert values == [[row["accX"], row["accY"]]] and interval > 0
        assert sample.category == row["category"]
        assert sample.metadata == {"location": row["location"]}


def test_upload_pandas_dataframe_wide(sdk):
    df = pd.DataFrame(
        [[1, "idle", "training", 0.8, 0.7, 0.8, 0.9], [2, "motion", "testing", 0.3, 0.9, 0.4, 0.6]],
        columns=["id", "label", "category", "v0", "v1", "v2", "v3"],
    )
    response = ei.data.upload_pandas_dataframe_wide(
        df,
        sample_rate_ms=50,
        data_col_start=3,
        label_col="label",
        category_col="category",
        metadata_cols=["id"],
    )
    assert response.success and len(response.successes) == 2
    got = ei.data.download_samples_by_ids([s.sample_id for s in response.successes])
    by_label = {g.label: g for g in got}
    for _, row in df.iterrows():
        sample = by_label[row["label"]]
        values, interval, _ = series_of(sample)
        np.testing.assert_allclose(np.array(values)[:, 0], row[["v0", "v1", "v2", "v3"]].tolist())
        assert interval == 50
        assert sample.category == row["category"]
        assert sample.metadata == {"id": str(row["id"])}


def test_upload_pandas_dataframe_with_group(sdk):
    rows = [
        ["desk", "sample 1", "training", "idle", 0.00, -9.81, 0.03],
        ["desk", "sample 1", "training", "idle", 0.01, -9.83, 0.04],
        ["desk", "sample 1", "training", "idle", 0.02, -9.12, 0.03],
        ["field", "sample 2", "testing", "wave", 0.00, -9.56, 5.34],
        ["field", "sample 2", "testing", "wave", 0.01, -9.43, 1.37],
        ["field", "sample 2", "testing", "wave", 0.02, -9.22, -4.03],
    ]
    df = pd.DataFrame(rows, columns=["location", "group", "category", "label", "t", "accX", "accY"])
    response = ei.data.upload_pandas_dataframe_with_group(
        df.copy(),
        timestamp_col="t",
        group_by="group",
        feature_cols=["accX", "accY"],
        label_col="label",
        category_col="category",
        metadata_cols=["location"],
    )
    assert response.success and len(response.successes) == 2
    got = ei.data.download_samples_by_ids([s.sample_id for s in response.successes])
    by_name = {g.filename: g for g in got}
    assert set(by_name) == {"sample 1.json", "sample 2.json"}
    for group, location, label, category in (
        ("sample 1", "desk", "idle", "training"),
        ("sample 2", "field", "wave", "testing"),
    ):
        sample = by_name[f"{group}.json"]
        values, interval, _ = series_of(sample)
        expected = df[df["group"] == group][["accX", "accY"]].to_numpy()
        np.testing.assert_allclose(values, expected)
        assert interval == pytest.approx(10)
        assert (sample.label, sample.category) == (label, category)
        assert sample.metadata == {"location": location}


# -- directories ---------------------------------------------------------------------------------


def _plain_directory(root):
    (root / "training").mkdir(parents=True)
    (root / "testing").mkdir()
    (root / "training" / "wave.01.csv").write_bytes(csv_series(seed=1)[0])
    shutil.copy(SAMPLES / "capacitor.01.png", root / "testing" / "capacitor.01.png")
    shutil.copy(SAMPLES / "idle.0.cbor", root / "idle.0.cbor")
    return {"wave.01", "capacitor.01", "idle.0"}


@pytest.mark.parametrize("function", ["upload_plain_directory", "upload_directory"])
def test_upload_plain_directory(sdk, tmp_path, function):
    names = _plain_directory(tmp_path)
    response = getattr(ei.data, function)(
        str(tmp_path), category="validation", label="common", metadata={"batch": "7"}
    )
    assert response.success and len(response.successes) == len(names)
    stored = _infos(ei.data.get_sample_ids())
    assert {row[1] for row in stored} == names
    assert {(row[2], row[3]) for row in stored} == {("validation", "common")}
    got = ei.data.download_samples_by_ids([row[0] for row in stored])
    assert all(g.metadata == {"batch": "7"} for g in got)


def test_plain_directory_with_a_nested_info_labels_gets_a_per_file_error(sdk, tmp_path):
    names = _plain_directory(tmp_path)
    (tmp_path / "testing" / "info.labels").write_text(json.dumps({"version": 1, "files": []}))
    response = ei.data.upload_plain_directory(str(tmp_path), category="training")
    assert len(response.successes) == len(names)
    assert len(response.fails) == 1 and "info.labels" in response.fails[0].error
    assert sdk.count() == len(names)


def _exported_dataset(root):
    """An exported dataset: single label + boxes + metadata, multi-label, unlabeled."""
    (root / "training").mkdir(parents=True)
    (root / "testing").mkdir()
    image = "training/capacitor.capacitor.01.png.4f262n1b.ingestion-5f7d8.png"
    shutil.copy(SAMPLES / "capacitor.01.png", root / image)
    series = "testing/coffee.coffee_1.csv.4g9rugge.ingestion-dd784.json"
    acquisition = json.loads((SAMPLES / "wave.01.json").read_text())
    rows = len(acquisition["payload"]["values"])
    (root / series).write_text(json.dumps(acquisition))
    unlabeled = "training/idle.0.cbor.2kq9x1ab.ingestion-dd784.cbor"
    shutil.copy(SAMPLES / "idle.0.cbor", root / unlabeled)
    boxes = [{"label": "cap", "x": 10, "y": 12, "width": 20, "height": 22}]
    segments = [
        {"label": "idle", "startIndex": 0, "endIndex": rows // 2},
        {"label": "grind", "startIndex": rows // 2 + 1, "endIndex": rows - 1},
    ]
    files = [
        {
            "path": image,
            "name": "capacitor.01.png.4f262n1b",
            "category": "training",
            "label": {"type": "label", "label": "capacitor"},
            "metadata": {"site": "lab"},
            "boundingBoxes": boxes,
        },
        {
            "path": series,
            "name": "coffee_1",
            "category": "testing",
            "label": {"type": "multi-label", "labels": segments},
            "boundingBoxes": [],
        },
        {
            "path": unlabeled,
            "name": "idle.0",
            "category": "training",
            "label": {"type": "unlabeled"},
            "boundingBoxes": [],
        },
    ]
    (root / "info.labels").write_text(json.dumps({"version": 1, "files": files}))
    return boxes, segments


@pytest.mark.parametrize("function", ["upload_exported_dataset", "upload_directory"])
def test_upload_exported_dataset(sdk, tmp_path, function):
    boxes, segments = _exported_dataset(tmp_path)
    response = getattr(ei.data, function)(str(tmp_path))
    assert response.success and len(response.successes) == 3
    ids = [s.sample_id for s in response.successes]
    got = {g.filename.split(".")[0]: g for g in ei.data.download_samples_by_ids(ids)}

    image = got["capacitor"]
    assert (image.label, image.category) == ("capacitor", "training")
    assert image.bounding_boxes == boxes and image.metadata == {"site": "lab"}
    assert image.data.read() == (SAMPLES / "capacitor.01.png").read_bytes()

    coffee = got["coffee"]
    assert coffee.category == "testing" and coffee.structured_labels == segments
    assert coffee.bounding_boxes == [] and coffee.metadata is None

    idle = got["idle"]
    assert idle.label == "idle" and idle.structured_labels is None  # inferred from the name


def test_sample_builders_and_filename_inference(sdk, tmp_path):
    """``numpy_timeseries_to_sample``, ``pandas_dataframe_to_sample``, ``infer_from_filename``
    (and the experimental ``infer_category_and_label_from_filename``) build what uploads."""
    from edgeimpulse.experimental.data import infer_category_and_label_from_filename

    values = np.array([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]])
    from_numpy = ei.data.numpy_timeseries_to_sample(
        values.tolist(), [Sensor("a", "m/s2"), Sensor("b", "m/s2")], sample_rate_ms=4
    )
    from_numpy.filename = "np.json"
    from_numpy.category = "validation"
    from_pandas = ei.data.pandas_dataframe_to_sample(
        pd.DataFrame({"x": [1.0, 2.0, 3.0]}), sample_rate_ms=8, label="pd", filename="pd"
    )
    path = tmp_path / "testing" / "tap.07.csv"
    path.parent.mkdir()
    path.write_bytes(csv_series(seed=21)[0])
    inferred = Sample(filename=path.name, data=open(path, "rb"))
    ei.data.infer_from_filename(inferred, str(path))
    inferred_experimental = Sample(filename="knock.3.csv", data=io.BytesIO(csv_series(seed=22)[0]))
    infer_category_and_label_from_filename(inferred_experimental, "/x/training/knock.3.csv")

    ids = upload([from_numpy, from_pandas, inferred, inferred_experimental])
    inferred.data.close()
    got = ei.data.download_samples_by_ids(ids)
    np.testing.assert_allclose(series_of(got[0])[0], values)
    assert series_of(got[0])[1] == 4 and got[0].category == "validation"
    np.testing.assert_allclose(series_of(got[1])[0], [[1.0], [2.0], [3.0]])
    assert series_of(got[1])[1] == 8 and got[1].label == "pd"
    assert (got[2].label, got[2].category) == ("tap", "testing")
    assert (got[3].label, got[3].category) == ("knock", "training")
