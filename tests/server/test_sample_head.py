"""A sample's record and first values from a real ``ei-desktop serve`` process cost what
they send, not the whole file parsed: ``limitPayloadValues`` reads CSV and WAV files from
their start, and the HTTP backend's ``get_sample`` (so ``get_filename_by_id``) reads no
content at all from a server with the batch extension. Peak memory comes from ``/proc``.
"""

from __future__ import annotations

import io
import sys

import numpy as np
import orjson
import pytest
import requests
import soundfile as sf

from ei_desktop.core.backends.studio import StudioBackend
from ei_desktop.server.testing import ProcessMemory, big_csv, free_port, serve_process

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")

KEY = "head-test-key-0123456789"
HEADERS = {"x-api-key": KEY}
MB = 1024 * 1024
#: what reading a few values may cost at most (parsing any of these files whole costs
#: 100 to 250 MB)
FEW_VALUES = 40 * MB


class Server:
    def __init__(self, base: str, api: str, memory: ProcessMemory) -> None:
        self.base, self.api, self.memory = base, api, memory

    def upload(self, name: str, data: bytes) -> int:
        response = requests.post(
            f"{self.base}/api/training/files",
            headers=HEADERS,
            files=[("data", (name, data, "application/octet-stream"))],
            timeout=600,
        )
        (entry,) = response.json()["files"]
        assert entry["success"], entry
        return entry["sampleId"]

    def peak_of(self, action):
        """``action()`` and the bytes above the resident size before it, at its peak."""
        before = self.memory.rss()
        self.memory.reset_peak()
        result = action()
        return result, self.memory.peak() - before

    def limited(self, sample_id: int, limit: int) -> dict:
        response = requests.get(
            f"{self.api}/raw-data/{sample_id}",
            headers=HEADERS,
            params={"limitPayloadValues": limit},
            timeout=600,
        )
        assert response.status_code == 200
        return response.json()


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    port = free_port()
    process = serve_process(tmp_path_factory.mktemp("head") / "project", port, KEY)
    base = f"http://127.0.0.1:{port}"
    try:
        projects = requests.get(f"{base}/v1/api/projects", headers=HEADERS, timeout=30).json()
        api = f"{base}/v1/api/{projects['projects'][0]['id']}"
        yield Server(base, api, ProcessMemory(process.pid))
    finally:
        process.kill()
        process.wait(timeout=30)


def wav(frames: int) -> tuple[bytes, np.ndarray]:
    """A 16-bit stereo WAV file and its values (frames × 2, -1..1)."""
    pcm = np.random.default_rng(3).integers(-32768, 32767, size=(frames, 2), dtype=np.int16)
    out = io.BytesIO()
    sf.write(out, pcm, 16000, subtype="PCM_16", format="WAV")
    return out.getvalue(), pcm / 32768.0


def big_json(rows: int) -> bytes:
    values = np.arange(rows * 3, dtype=np.int64).reshape(rows, 3)
    doc = {
        "protected": {"ver": "v1", "alg": "none"},
        "signature": "0" * 64,
        "payload": {
            "device_type": "TEST",
            "interval_ms": 10,
            "sensors": [{"name": n, "units": "m/s2"} for n in ("accX", "accY", "accZ")],
            "values": values,
        },
    }
    return orjson.dumps(doc, option=orjson.OPT_SERIALIZE_NUMPY)


def test_a_few_values_of_a_large_csv_read_only_its_start(server):
    data = big_csv(60 * MB, 4)
    first = [[float(v) for v in line.split(b",")[1:]] for line in data.split(b"\n")[1:4]]
    sample_id = server.upload("large.csv", data)
    del data
    answer, peak = server.peak_of(lambda: server.limited(sample_id, 3))
    assert answer["sample"]["filename"] == "large"
    assert answer["payload"]["values"] == first
    assert answer["totalPayloadLength"] > 1_000_000
    assert peak < FEW_VALUES, peak / MB
    none, peak = server.peak_of(lambda: server.limited(sample_id, 0))
    assert none["payload"]["values"] == [] and peak < FEW_VALUES


def test_a_few_values_of_a_large_wav_read_only_its_start(server):
    data, values = wav(10_000_000)  # 40 MB
    sample_id = server.upload("large.wav", data)
    del data
    answer, peak = server.peak_of(lambda: server.limited(sample_id, 5))
    assert answer["sample"]["filename"] == "large"
    assert answer["payload"]["values"] == values[:5].tolist()
    assert answer["totalPayloadLength"] == 10_000_000
    assert peak < FEW_VALUES, peak / MB


def test_get_sample_over_http_reads_no_content(server):
    sample_id = server.upload("large.json", big_json(1_000_000))  # 20 MB
    client = StudioBackend(KEY, server.base + "/v1", server.base)
    try:
        record, peak = server.peak_of(lambda: client.get_sample(sample_id))
        assert record is not None and record.filename == "large"
        assert record.values_count == 1_000_000
        assert peak < FEW_VALUES, peak / MB
        assert client.get_sample(sample_id + 1000) is None
    finally:
        client.close()
