"""Datasets through ``ei-desktop serve``: Parquet files through the ingestion API, and our
Edge Impulse export uploaded by the unmodified official SDK's ``upload_exported_dataset``.
"""

from __future__ import annotations

import io
import sys
from pathlib import Path

import edgeimpulse as ei
import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from server_helpers import post_files

sys.path.insert(0, str(Path(__file__).parents[1] / "core" / "formats" / "datasets"))
from dataset_helpers import annotation_set, write_images  # noqa: E402

from ei_desktop.core.backends.base import SampleQuery  # noqa: E402
from ei_desktop.core.backends.local import LocalBackend  # noqa: E402
from ei_desktop.ops import UploadOptions, plan_upload, upload  # noqa: E402
from ei_desktop.ops.dataset_export import export_as  # noqa: E402


@pytest.fixture
def sdk(server, monkeypatch):
    """The official SDK pointed at the server (module variables restored afterwards)."""
    monkeypatch.setattr(ei, "API_KEY", server.key)
    monkeypatch.setattr(ei, "API_ENDPOINT", server.base + "/v1")
    monkeypatch.setattr(ei, "INGESTION_ENDPOINT", server.base)
    return server


def parquet_bytes(table: pa.Table) -> bytes:
    sink = io.BytesIO()
    pq.write_table(table, sink)
    return sink.getvalue()


def test_parquet_files_through_the_ingestion_api(server):
    good = parquet_bytes(pa.table({"timestamp": [0, 5, 10], "x": [1.0, 2.0, 3.0]}))
    bad = parquet_bytes(pa.table({"x": ["a", "b"]}))
    response = post_files(server.base, server.key, [("walk.01.parquet", good), ("b.parquet", bad)])
    files = response.json()["files"]
    assert [f["success"] for f in files] == [True, False]
    assert "holds string, not numbers" in files[1]["error"]
    (record,) = server.backend.iter_samples(SampleQuery())
    assert (record.label, record.kind, record.interval_ms) == ("walk", "timeseries", 5)
    series = server.backend.load_series(record.id)
    np.testing.assert_array_equal(np.asarray(series.values), [[1.0], [2.0], [3.0]])


def boxes_of(records) -> dict:
    return {
        r.upload_name: (r.category, sorted(r.bounding_boxes or [], key=lambda b: b["x"]))
        for r in records
    }


def test_official_sdk_uploads_our_ei_export(sdk, tmp_path):
    write_images(tmp_path / "coco" / "train")
    annotation_set().save_coco(tmp_path / "coco" / "train" / "instances.json", auto_ids=True)
    local = LocalBackend(tmp_path / "project", create=True)
    upload(local, plan_upload([tmp_path / "coco"], UploadOptions(metadata={"site": "lab"})))
    ids = [int(i) for i in local.sample_ids(SampleQuery())]
    assert export_as(local, ids, tmp_path / "export", "ei").ok
    response = ei.data.upload_exported_dataset(str(tmp_path / "export"))
    assert response.success and len(response.successes) == 3
    served = list(sdk.backend.iter_samples(SampleQuery()))
    assert boxes_of(served) == boxes_of(local.iter_samples(SampleQuery()))
    assert {r.metadata["site"] for r in served} == {"lab"}
    local.close()
