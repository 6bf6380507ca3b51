"""Many clients at once: every sample stored once, under the right id, with unique ids."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import requests
from server_helpers import csv_series, post_files

from ei_desktop.core.backends.base import SampleQuery

THREADS = 8
PER_THREAD = 50


def test_8_threads_x_50_uploads(server):
    def client(thread: int) -> list[tuple[str, int]]:
        done = []
        with requests.Session() as session:
            for i in range(PER_THREAD):
                name = f"t{thread}.{i:02d}.csv"
                body = csv_series(seed=thread * 1000 + i)[0]
                entry = post_files(
                    server.base,
                    server.key,
                    [(name, body)],
                    headers={"x-disallow-duplicates": "1"},
                    session=session,
                ).json()["files"][0]
                assert entry["success"], entry
                done.append((name, entry["sampleId"]))
        return done

    with ThreadPoolExecutor(THREADS) as pool:
        uploaded = [pair for result in pool.map(client, range(THREADS)) for pair in result]

    ids = [sample_id for _, sample_id in uploaded]
    assert len(uploaded) == THREADS * PER_THREAD and len(set(ids)) == len(ids)
    records = {r.id: r for r in server.backend.list_samples(SampleQuery(), limit=10_000)}
    assert len(records) == THREADS * PER_THREAD
    for name, sample_id in uploaded:  # each answer names the sample that was stored for it
        assert records[sample_id].upload_name == name


def test_concurrent_duplicates_are_stored_once(server):
    contents = [csv_series(seed=500 + i)[0] for i in range(20)]

    def client(thread: int) -> list[bool]:
        with requests.Session() as session:
            return [
                post_files(
                    server.base,
                    server.key,
                    [(f"dup{thread}.{i}.csv", body)],
                    headers={"x-disallow-duplicates": "1"},
                    session=session,
                ).json()["files"][0]["success"]
                for i, body in enumerate(contents)
            ]

    with ThreadPoolExecutor(THREADS) as pool:
        outcomes = list(pool.map(client, range(THREADS)))
    assert [sum(column) for column in zip(*outcomes)] == [1] * len(contents)
    hashes = [r.sha256 for r in server.backend.list_samples(SampleQuery(), limit=1000)]
    assert len(hashes) == len(contents) == len(set(hashes))


def test_concurrent_batches_keep_their_parts_together_and_in_order(server):
    def client(thread: int) -> list[int]:
        files = [
            (f"b{thread}.{i}.csv", csv_series(seed=9000 + thread * 10 + i)[0]) for i in range(5)
        ]
        with requests.Session() as session:
            ids = []
            for round_ in range(4):
                headers = {} if round_ % 2 else {"x-disallow-duplicates": "1"}
                entries = post_files(
                    server.base, server.key, files, headers=headers, session=session
                ).json()["files"]
                if round_ == 0 or round_ % 2:
                    assert all(e["success"] for e in entries)
                    batch = [e["sampleId"] for e in entries]
                    assert batch == list(range(batch[0], batch[0] + 5))  # one commit, in order
                    ids += batch
                else:
                    assert not any(e["success"] for e in entries)
            return ids

    with ThreadPoolExecutor(THREADS) as pool:
        ids = [i for result in pool.map(client, range(THREADS)) for i in result]
    assert len(ids) == len(set(ids)) == THREADS * 5 * 3
    assert server.count() == len(ids)
