"""Downloading with structure: files as uploaded in category folders, and the Edge Impulse
export layout that uploads back into the same samples.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ei_desktop import ops
from ei_desktop.core.backends.base import BackendError, SampleQuery, UploadItem
from ei_desktop.core.backends.local import LocalBackend
from ei_desktop.core.backends.studio import StudioBackend
from ei_desktop.ops import UploadOptions, export, plan_upload
from ei_desktop.server.testing import running_server

KEY = "ei_" + "0123456789abcdef" * 4


def csv_series(rows: int, seed: int = 0) -> bytes:
    lines = ["timestamp,accX,accY"] + [f"{i * 10},{seed + i},{seed - i}" for i in range(rows)]
    return ("\n".join(lines) + "\n").encode()


def seed(backend, samples_dir: Path) -> None:
    """Labels, metadata, boxes, multi-label segments, an unlabeled sample, two categories."""
    box = {"label": "cap", "x": 1, "y": 2, "width": 10, "height": 12}
    segments = [
        {"label": "idle", "startIndex": 0, "endIndex": 3},
        {"label": "wave", "startIndex": 4, "endIndex": 9},
    ]
    items = [
        UploadItem(
            "capacitor.01.png",
            samples_dir / "capacitor.01.png",
            category="training",
            metadata={"site": "lab", "camera": "2"},
            bounding_boxes=[box],
        ),
        UploadItem("wave.01.json", samples_dir / "wave.01.json", category="training"),
        UploadItem("hadouken.01.wav", samples_dir / "hadouken.01.wav", category="testing"),
        UploadItem("idle.0.cbor", samples_dir / "idle.0.cbor", category="testing", label=""),
        UploadItem(
            "mixed.csv",
            csv_series(10),
            category="training",
            structured_labels=segments,
            metadata={"subject": "7"},
        ),
        UploadItem("other.csv", csv_series(6, seed=3), category="testing", label="run"),
    ]
    results = backend.upload(items)
    assert all(r.success for r in results), [r.error for r in results]


def described(record) -> tuple:
    return (
        record.filename,
        record.category,
        record.label,
        record.metadata or {},
        record.bounding_boxes or [],
        record.structured_labels,
        record.kind,
        record.sha256,
    )


def by_name(backend) -> dict[str, tuple]:
    return {r.filename: described(r) for r in backend.iter_samples(SampleQuery())}


def all_ids(backend) -> list[int]:
    return [int(i) for i in backend.sample_ids(SampleQuery())]


@pytest.fixture
def project(local, samples_dir):
    seed(local, samples_dir)
    return local


def upload_folder(target, folder: Path) -> ops.Report:
    plan = plan_upload([folder], UploadOptions())
    return ops.upload(target, plan)


def test_export_uploads_back_into_the_same_samples(project, tmp_path):
    out = tmp_path / "export"
    events = []
    report = export.export_dataset(project, all_ids(project), out, progress=events.append)
    assert report.ok and report.done_count == 6
    assert [e.done for e in events] == list(range(1, 7))
    info = json.loads((out / "info.labels").read_text())
    assert info["version"] == 1 and info["type"] == "exported" and len(info["files"]) == 6
    assert {p.name for p in out.iterdir()} == {"training", "testing", "info.labels"}
    for entry in info["files"]:
        assert (out / entry["path"]).is_file()
        assert entry["path"].startswith(entry["category"] + "/")

    copy = LocalBackend(tmp_path / "copy", create=True)
    try:
        uploaded = upload_folder(copy, out)
        assert uploaded.ok and uploaded.done_count == 6, uploaded.summary()
        assert by_name(copy) == by_name(project)
        for record in copy.iter_samples(SampleQuery()):
            original = project.sample_ids(SampleQuery(filename=record.filename))
            assert copy.load_bytes(record.id) == project.load_bytes(int(original[0]))
    finally:
        copy.close()


def test_export_adds_to_an_existing_export(project, tmp_path):
    out = tmp_path / "export"
    ids = all_ids(project)
    export.export_dataset(project, ids[:2], out)
    report = export.export_dataset(project, ids, out)
    assert report.done_count == 6
    info = json.loads((out / "info.labels").read_text())
    paths = [entry["path"] for entry in info["files"]]
    assert len(paths) == 8 == len(set(paths))


def test_as_uploaded_writes_the_bytes_in_category_folders_with_suffixes(project, tmp_path):
    out = tmp_path / "out"
    (out / "training").mkdir(parents=True)
    (out / "training" / "wave.01.json").write_bytes(b"mine")
    ids = all_ids(project)
    report = export.download_as_uploaded(project, ids + ids[:1], out)
    assert report.ok and report.done_count == 7
    assert (out / "training" / "wave.01.json").read_bytes() == b"mine"
    assert (out / "training" / "wave.01 (2).json").is_file()
    assert (out / "testing" / "idle.0.cbor").is_file()
    for item in report.done:
        assert Path(item.name).read_bytes() == project.load_bytes(item.sample_id)
    first = Path(report.done[0].name)
    repeat = Path(report.done[-1].name)
    assert repeat != first and repeat.stem.endswith("(2)")
    assert not (out / "info.labels").exists()


def test_a_failing_sample_does_not_stop_the_rest(project, tmp_path, monkeypatch):
    ids = all_ids(project)
    broken = ids[1]
    opened = project.open_content

    def open_content(sample_id):
        if sample_id == broken:
            raise BackendError("the content is missing")
        return opened(sample_id)

    monkeypatch.setattr(project, "open_content", open_content)
    out = tmp_path / "out"
    report = export.export_dataset(project, [*ids, 999999], out)
    assert report.done_count == len(ids) - 1
    failed = {item.sample_id or item.name: item.reason for item in report.failed}
    assert "the content is missing" in failed[broken]
    assert any("999999" in reason for reason in failed.values())
    info = json.loads((out / "info.labels").read_text())
    assert len(info["files"]) == len(ids) - 1


def test_cancel_stops_before_the_next_sample(project, tmp_path):
    from ei_desktop.core.progress import CancelToken

    cancel = CancelToken()
    report = export.download_as_uploaded(
        project,
        all_ids(project),
        tmp_path / "out",
        progress=lambda p: cancel.cancel(),
        cancel=cancel,
    )
    assert len(report.items) == 1 and report.cancelled and report.not_attempted == 5


def test_layouts_dispatch(project, tmp_path):
    ids = all_ids(project)
    sdk = export.download_in_layout(project, ids, tmp_path / "sdk", "sdk")
    assert sdk.done_count == 6 and not (tmp_path / "sdk" / "training").exists()
    exported = export.download_in_layout(project, ids, tmp_path / "ex", export.Layout.EXPORT)
    assert exported.done_count == 6 and (tmp_path / "ex" / "info.labels").is_file()
    with pytest.raises(ValueError):
        export.download_in_layout(project, ids, tmp_path / "x", "flat")


def test_export_through_a_server_uploads_back_through_it(tmp_path, samples_dir):
    served = LocalBackend(tmp_path / "served", create=True)
    try:
        seed(served, samples_dir)
        with running_server(served, api_key=KEY) as (base, key):
            remote = StudioBackend(key, f"{base}/v1", base)
            ids = all_ids(remote)
            out = tmp_path / "export"
            report = export.export_dataset(remote, ids, out)
            assert report.ok and report.done_count == 6
            as_uploaded = export.download_as_uploaded(remote, ids, tmp_path / "files")
            for item in as_uploaded.done:
                assert Path(item.name).read_bytes() == served.load_bytes(item.sample_id)
            before = by_name(served)
            served.delete_all()
            uploaded = upload_folder(remote, out)
            assert uploaded.ok and uploaded.done_count == 6, uploaded.summary()
            assert by_name(served) == before
    finally:
        served.close()
