"""A real ``ei-desktop serve`` process meeting missing content and damaged projects: JSON
errors without paths or tracebacks, connections that stay usable, and batches that fail only
the affected sample.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import requests
from reliability_helpers import change_content, remove_content

from ei_desktop.server.testing import free_port, serve_process

KEY = "reliability-key-0123456789"
HEADERS = {"x-api-key": KEY}


def csv(seed: int, rows: int = 50) -> bytes:
    lines = ["timestamp,accX,accY"] + [f"{i * 10},{seed + i},{-i}" for i in range(rows)]
    return ("\n".join(lines) + "\n").encode()


#: rows of the samples: small ones are kept inside the project database, large ones as files
SIZES = {"in the database": 50, "as files": 6000}


@pytest.fixture(params=list(SIZES))
def served(tmp_path, request):
    """A serve process over a project with three samples (kept in the database, or as
    files); yields (api, project dir, samples, rows per sample)."""
    rows = SIZES[request.param]
    project = tmp_path / "project"
    port = free_port()
    process = serve_process(project, port, KEY)
    base = f"http://127.0.0.1:{port}"
    try:
        response = requests.post(
            f"{base}/api/training/files",
            headers=HEADERS,
            files=[("data", (f"s{i}.csv", csv(i, rows), "text/csv")) for i in range(3)],
            timeout=60,
        )
        ids = [entry["sampleId"] for entry in response.json()["files"]]
        project_id = requests.get(f"{base}/v1/api/projects", headers=HEADERS, timeout=30).json()[
            "projects"
        ][0]["id"]
        api = f"{base}/v1/api/{project_id}"
        samples = [
            requests.get(f"{api}/raw-data/{i}", headers=HEADERS, timeout=30).json()["sample"]
            for i in ids
        ]
        as_files = [any(project.glob(f"blobs/??/{s['sha256Hash']}")) for s in samples]
        assert as_files == [request.param == "as files"] * 3
        yield api, project, samples, rows
    finally:
        process.kill()
        process.wait(timeout=30)


def assert_clean_error(response: requests.Response, project: Path) -> dict:
    body = response.json()
    assert body["success"] is False and body["error"]
    for leak in (str(project), "blobs/", "Traceback", "FileNotFoundError", "Errno"):
        assert leak not in response.text
    return body


def test_a_missing_blob_is_a_json_error_and_the_connection_stays_usable(served):
    api, project, samples, rows = served
    broken, fine = samples[0], samples[1]
    remove_content(project, broken["sha256Hash"])
    with requests.Session() as session:
        for path in (f"/raw-data/{broken['id']}/raw", f"/raw-data/{broken['id']}"):
            response = session.get(api + path, headers=HEADERS, timeout=30)
            assert response.status_code == 500
            body = assert_clean_error(response, project)
            assert f"sample {broken['id']}" in body["error"] and "missing" in body["error"]
        after = session.get(f"{api}/raw-data/{fine['id']}/raw", headers=HEADERS, timeout=30)
        assert after.status_code == 200 and after.content == csv(1, rows)
        pools = session.get_adapter(api).poolmanager.pools
        opened = sum(pools[key].num_connections for key in list(pools.keys()))  # noqa: SIM118 - not a dict
        assert opened == 1  # the same connection served every request


def test_a_missing_blob_fails_only_its_entry_of_a_batch(served):
    api, project, samples, rows = served
    remove_content(project, samples[1]["sha256Hash"])
    ids = [s["id"] for s in samples]
    response = requests.post(
        f"{api}/raw-data/batch", headers=HEADERS, json={"ids": ids + ids}, timeout=30
    )
    assert response.status_code == 200
    entries = response.json()["samples"]
    assert [e["id"] for e in entries] == ids  # each id answered once
    assert [e["success"] for e in entries] == [True, False, True]
    assert "missing" in entries[1]["error"]
    assert str(project) not in response.text and "blobs/" not in response.text
    assert len(entries[0]["payload"]["values"]) == rows


def test_a_changed_blob_fails_only_its_entry(served):
    api, project, samples, rows = served
    change_content(project, samples[2]["sha256Hash"], csv(99, rows))
    ids = [s["id"] for s in samples]
    response = requests.post(
        f"{api}/raw-data/batch", headers=HEADERS, json={"ids": ids}, timeout=30
    )
    entries = response.json()["samples"]
    assert [e["success"] for e in entries] == [True, True, False]
    assert str(project) not in response.text
    raw = requests.get(f"{api}/raw-data/{ids[2]}/raw", headers=HEADERS, timeout=30)
    assert raw.status_code == 500
    assert_clean_error(raw, project)


def run_serve(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "ei_desktop", "serve", "--port", "0", "--api-key", KEY, *args],
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_serving_a_project_with_a_garbage_database_is_one_line_and_exit_1(tmp_path):
    project = tmp_path / "project"
    project.mkdir()
    (project / "project.sqlite3").write_bytes(b"this is not a database\n" * 500)
    (project / "blobs").mkdir()
    done = run_serve("--project", str(project))
    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1
    assert "damaged" in done.stderr.lower()


def test_serving_a_folder_that_is_not_a_project_is_one_line_and_exit_1(tmp_path):
    folder = tmp_path / "photos"
    folder.mkdir()
    (folder / "holiday.jpg").write_bytes(b"\xff\xd8\xff")
    done = run_serve("--project", str(folder))
    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1
    assert "not an ei-desktop project" in done.stderr


def test_a_database_damaged_while_serving_is_a_json_error(served):
    api, project, samples, rows = served
    for name in ("project.sqlite3", "project.sqlite3-wal"):
        damaged = project / name
        with open(damaged, "r+b") as handle:  # in place: the server's open files see it
            handle.write(b"garbage!" * (damaged.stat().st_size // 8))
    # pages never read before (the file-name index) come from the damaged file
    response = requests.get(f"{api}/raw-data?filename=xyz&limit=10", headers=HEADERS, timeout=30)
    assert response.status_code == 500
    body = assert_clean_error(response, project)
    assert "damaged" in body["error"].lower()
