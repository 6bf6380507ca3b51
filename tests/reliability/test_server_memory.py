"""A real ``ei-desktop serve`` process under large requests: its peak resident memory
(``VmHWM`` from ``/proc``, measured from the resident size just before each action) stays
under 400 MB whatever one client sends, and does not grow with the number of ids, files or
concurrent requests.

One 99 MB CSV sample costs its bytes and one block of rows at a time, stored or sent (about
160 MB); the server never holds two such samples at once (the slack below is under one).
"""

from __future__ import annotations

import sys
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from ei_desktop.core.backends.studio import StudioBackend
from ei_desktop.server.testing import ProcessMemory, big_csv, free_port, serve_process

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc"),
]

KEY = "memory-test-key-0123456789"
HEADERS = {"x-api-key": KEY}
MB = 1024 * 1024
#: what any one client may make the server hold above idle
BOUND = 400 * MB
#: allowed difference between two peaks: allocator noise, under one more large sample
SLACK = 128 * MB


class Server:
    def __init__(self, base: str, api: str, memory: ProcessMemory) -> None:
        self.base, self.api, self.memory = base, api, memory
        self.idle = memory.rss()

    def upload(self, files: list[tuple[str, bytes]]) -> list[int]:
        response = requests.post(
            f"{self.base}/api/training/files",
            headers=HEADERS,
            files=[("data", (name, data, "text/csv")) for name, data in files],
            timeout=600,
        )
        entries = response.json()["files"]
        assert all(e["success"] for e in entries), entries
        return [e["sampleId"] for e in entries]

    def peak_of(self, action) -> int:
        """Bytes above the resident size before ``action`` at its peak (printed for -s).

        The peak above the server's idle size, once started, stays under :data:`BOUND`
        too: memory kept after earlier requests counts.
        """
        before = self.memory.rss()
        self.memory.reset_peak()
        action()
        peak = self.memory.peak() - before
        print(f"peak {peak / MB:.0f} MB above {before / MB:.0f} MB resident")
        above_idle = self.memory.peak() - self.idle
        assert above_idle < BOUND, f"{above_idle / MB:.0f} MB above idle"
        return peak


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    port = free_port()
    process = serve_process(tmp_path_factory.mktemp("memory") / "project", port, KEY)
    base = f"http://127.0.0.1:{port}"
    try:
        projects = requests.get(f"{base}/v1/api/projects", headers=HEADERS, timeout=30).json()
        api = f"{base}/v1/api/{projects['projects'][0]['id']}"
        yield Server(base, api, ProcessMemory(process.pid))
    finally:
        process.kill()
        process.wait(timeout=30)


@pytest.fixture(scope="module")
def large(server) -> list[int]:
    """Two samples of 99 MB CSV."""
    return [server.upload([(f"large{i}.csv", big_csv(99 * MB, i))])[0] for i in range(2)]


@pytest.fixture(scope="module")
def medium(server) -> list[int]:
    """Six samples of 20 MB CSV."""
    return server.upload([(f"medium{i}.csv", big_csv(20 * MB, 10 + i)) for i in range(6)])


def get_values(server: Server, sample_id: int) -> int:
    response = requests.get(f"{server.api}/raw-data/{sample_id}", headers=HEADERS, timeout=600)
    assert response.status_code == 200
    return len(response.json()["payload"]["values"])


def batch(server: Server, ids: list[int]) -> list[dict]:
    response = requests.post(
        f"{server.api}/raw-data/batch", headers=HEADERS, json={"ids": ids}, timeout=600
    )
    assert response.status_code == 200
    return response.json()["samples"]


def test_a_batch_holds_one_sample_at_a_time_and_answers_each_id_once(server, large, medium):
    one = server.peak_of(lambda: get_values(server, large[0]))
    assert one < BOUND, one / MB
    entries: list[dict] = []
    many = server.peak_of(lambda: entries.extend(batch(server, large * 6)))
    assert [e["id"] for e in entries] == large and all(e["success"] for e in entries)
    assert many < one + SLACK, (many / MB, one / MB)
    assert many < BOUND, many / MB
    entries.clear()
    mediums = server.peak_of(lambda: entries.extend(batch(server, medium * 100)))
    assert [e["id"] for e in entries] == medium
    assert mediums < BOUND, mediums / MB


def test_concurrent_value_requests_share_one_memory_budget(server, large):
    one = server.peak_of(lambda: get_values(server, large[1]))
    assert one < BOUND, one / MB

    def four_at_once():
        with ThreadPoolExecutor(4) as pool:
            counts = list(pool.map(lambda i: get_values(server, i), large * 2))
        assert len(set(counts)) == 1

    four = server.peak_of(four_at_once)
    assert four < one + SLACK, (four / MB, one / MB)
    assert four < BOUND, four / MB


def test_raw_files_stream_from_disk(server, large, medium):
    def raw(sample_id: int) -> int:
        url = f"{server.api}/raw-data/{sample_id}/raw"
        with requests.get(url, headers=HEADERS, stream=True, timeout=600) as response:
            assert response.status_code == 200
            return sum(len(chunk) for chunk in response.iter_content(1 << 20))

    def eight_at_once():
        with ThreadPoolExecutor(8) as pool:
            sizes = list(pool.map(raw, large * 4 + medium))
        assert min(sizes) > 19 * MB

    assert server.peak_of(eight_at_once) < BOUND


def test_the_http_backend_downloading_many_samples_stays_bounded(server, medium):
    client = StudioBackend(KEY, server.base + "/v1", server.base)
    downloaded = []
    peak = server.peak_of(lambda: downloaded.extend(client.download(medium * 3)))
    assert all(getattr(d, "data", None) for d in downloaded)
    assert peak < BOUND, peak / MB


def test_a_request_of_several_large_files_is_stored_one_file_at_a_time(server):
    one_file = [("alone.csv", big_csv(99 * MB, 50))]
    one = server.peak_of(lambda: server.upload(one_file))
    assert one < BOUND, one / MB
    files = [(f"four{i}.csv", big_csv(99 * MB, 60 + i)) for i in range(4)]
    ids: list[int] = []
    four = server.peak_of(lambda: ids.extend(server.upload(files)))
    assert len(set(ids)) == 4
    assert four < one + SLACK, (four / MB, one / MB)
    assert four < BOUND, four / MB
    files.clear()
    mediums = [(f"m{i}.csv", big_csv(20 * MB, 70 + i)) for i in range(5)]
    assert server.peak_of(lambda: server.upload(mediums)) < BOUND


def test_a_huge_json_body_is_refused_with_413_without_reading_it_into_memory(server):
    body = b'{"ids": [' + b"1," * (150 * MB) + b"1]}"
    answers = []

    def send():
        answers.append(
            requests.post(
                f"{server.api}/raw-data/batch",
                headers={**HEADERS, "content-type": "application/json"},
                data=body,
                timeout=600,
            )
        )

    peak = server.peak_of(send)
    assert answers[0].status_code == 413
    assert "too large" in answers[0].json()["error"]
    assert peak < 64 * MB, peak / MB
