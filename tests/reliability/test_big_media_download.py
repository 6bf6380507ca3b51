"""Downloading a big sample over HTTP costs a few times its size, on both sides: the values
of a media sample are never decoded into JSON on the way (a 100 MB WAV once cost 9 GB in the
client and 6 GB in the server, and a minute), nor those of a big time series.
"""

from __future__ import annotations

import io
import os
import sys
import wave

import numpy as np
import pytest

from ei_desktop.core.backends.base import SampleQuery, UploadItem
from ei_desktop.core.backends.local import LocalBackend
from ei_desktop.core.backends.studio import StudioBackend
from ei_desktop.server.testing import ProcessMemory, big_csv, free_port, serve_process

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")

KEY = "big-media-test-key-0123456789"
MB = 1024 * 1024
#: peak bytes above the resident size before the download, per byte of the file
PER_BYTE = 3
#: the same for a time series (measured: 5.9 for 30 MB, 4.9 for 95 MB): its values, their
#: text and the file (the values as JSON numbers cost 13 bytes per byte)
BIG_SERIES_PER_BYTE = 8


def wav_bytes(seconds: int) -> bytes:
    rng = np.random.default_rng(7)
    out = io.BytesIO()
    with wave.open(out, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(16000)
        w.writeframes((rng.standard_normal(16000 * seconds) * 3000).astype("<i2").tobytes())
    return out.getvalue()


@pytest.mark.parametrize(
    ("extensions", "listed_first"),
    [(True, False), (True, True), (False, True)],
    ids=["by-id", "listed-first", "standard-api-listed-first"],
)
def test_a_big_wav_downloads_in_about_its_size_on_both_sides(tmp_path, extensions, listed_first):
    """By id alone through the standard API only (Edge Impulse itself), the client cannot
    know the sample is audio before asking for its values, so that case is left out."""
    content = wav_bytes(1250)  # 40 MB, 20 million values
    with LocalBackend(tmp_path / "remote", create=True) as project:
        (result,) = project.upload([UploadItem("long.wav", content, "training", "speech")])
        assert result.success, result.error
    sample_id = result.sample_id
    port = free_port()
    server = serve_process(tmp_path / "remote", port, KEY)
    try:
        remote = StudioBackend(
            KEY, f"http://127.0.0.1:{port}/v1", f"http://127.0.0.1:{port}", extensions=extensions
        )
        if listed_first:  # as the app does: the listing tells the client it is audio
            assert [r.id for r in remote.iter_samples(SampleQuery())] == [sample_id]
        client, served = ProcessMemory(os.getpid()), ProcessMemory(server.pid)
        before = (client.rss(), served.rss())
        client.reset_peak()
        served.reset_peak()
        (downloaded,) = remote.download([sample_id])
        growth = (client.peak() - before[0], served.peak() - before[1])
    finally:
        server.terminate()
        server.wait(30)
    assert downloaded.data == content
    print(f"client +{growth[0] / MB:.0f} MB, server +{growth[1] / MB:.0f} MB")
    assert growth[0] < PER_BYTE * len(content), f"client +{growth[0] / MB:.0f} MB"
    assert growth[1] < PER_BYTE * len(content), f"server +{growth[1] / MB:.0f} MB"


def test_a_big_time_series_downloads_as_its_file_and_reads_as_locally(tmp_path):
    """From a server with the batch extension, a big time series comes as its file (its
    values as JSON numbers cost ten times its size in the client) and is written out exactly
    as the local project writes it.
    """
    content = big_csv(30_000_000)
    with LocalBackend(tmp_path / "remote", create=True) as project:
        (result,) = project.upload([UploadItem("walk.csv", content, "training", "walk")])
        assert result.success, result.error
        (local,) = project.download([result.sample_id])
    port = free_port()
    server = serve_process(tmp_path / "remote", port, KEY)
    try:
        remote = StudioBackend(KEY, f"http://127.0.0.1:{port}/v1", f"http://127.0.0.1:{port}")
        client = ProcessMemory(os.getpid())
        before = client.rss()
        client.reset_peak()
        (downloaded,) = remote.download([result.sample_id])
        growth = client.peak() - before
    finally:
        server.terminate()
        server.wait(30)
    assert downloaded.filename == local.filename == "walk.json"
    assert downloaded.data == local.data
    print(f"client +{growth / MB:.0f} MB for {len(content) / MB:.0f} MB")
    assert growth < BIG_SERIES_PER_BYTE * len(content), f"client +{growth / MB:.0f} MB"
