"""The SDK drop-in ``ei_desktop.data`` against a live ``ei-desktop serve``, over HTTP."""

from __future__ import annotations

import io

import pytest
from server_helpers import SAMPLES, csv_series

import ei_desktop
from ei_desktop import data as eid
from ei_desktop.core.model import Sample


@pytest.fixture
def drop_in(server, monkeypatch):
    """``ei_desktop.data`` pointed at the server (module variables restored afterwards)."""
    monkeypatch.setattr(ei_desktop, "API_KEY", server.key)
    monkeypatch.setattr(ei_desktop, "API_ENDPOINT", server.base + "/v1")
    monkeypatch.setattr(ei_desktop, "INGESTION_ENDPOINT", server.base)
    return server


def stored(server, sample_id: int) -> bytes:
    """The content the project holds for ``sample_id``."""
    return server.backend.load_bytes(sample_id)


def test_open_files_and_bytes_io_upload_over_http(drop_in, tmp_path):
    csv, _ = csv_series(rows=6, seed=2)
    path = tmp_path / "series.csv"
    path.write_bytes(b"ignored head" + csv)
    wav = (SAMPLES / "hadouken.01.wav").read_bytes()
    with open(path, "rb") as handle:
        handle.seek(len(b"ignored head"))  # sent from where the file stands
        response = eid.upload_samples(
            [
                Sample(data=handle, filename="series.csv", category="training", label="a"),
                Sample(data=io.BytesIO(wav), filename="clip.wav", category="testing", label="b"),
            ]
        )
    assert response.success, [f.error for f in response.fails]
    ids = {s.sample.filename: s.sample_id for s in response.successes}
    assert stored(drop_in, ids["series.csv"]).decode().splitlines()[0] == "timestamp,accX,accY"
    assert stored(drop_in, ids["clip.wav"]) == wav


def test_downloaded_samples_upload_again(drop_in):
    wav = (SAMPLES / "hadouken.01.wav").read_bytes()
    png = (SAMPLES / "capacitor.01.png").read_bytes()
    first = eid.upload_samples(
        [
            Sample(data=wav, filename="clip.wav", category="training", label="a"),
            Sample(data=png, filename="image.png", category="training", label="b"),
        ]
    )
    assert first.success, [f.error for f in first.fails]
    downloaded = eid.download_samples_by_ids([s.sample_id for s in first.successes])
    assert {type(s.data) for s in downloaded} == {io.BytesIO}
    again = eid.upload_samples(downloaded, allow_duplicates=True)
    assert again.success, [f.error for f in again.fails]
    contents = sorted(stored(drop_in, s.sample_id) for s in again.successes)
    assert contents == sorted([wav, png])


def test_a_time_series_downloads_as_the_official_sdk_writes_it(drop_in, monkeypatch):
    import edgeimpulse as ei

    monkeypatch.setattr(ei, "API_KEY", drop_in.key)
    monkeypatch.setattr(ei, "API_ENDPOINT", drop_in.base + "/v1")
    monkeypatch.setattr(ei, "INGESTION_ENDPOINT", drop_in.base)
    wave = (SAMPLES / "wave.01.json").read_bytes()
    csv, _ = csv_series(rows=50, seed=4)
    response = eid.upload_samples(
        [Sample(data=wave, filename="wave.01.json"), Sample(data=csv, filename="s.01.csv")]
    )
    assert response.success, [f.error for f in response.fails]
    ids = sorted(s.sample_id for s in response.successes)
    ours = eid.download_samples_by_ids(ids)
    theirs = ei.data.download_samples_by_ids(ids)
    assert [s.data for s in ours] == [s.data for s in theirs]
