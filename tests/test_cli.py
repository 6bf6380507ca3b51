"""The ``ei-desktop`` terminal commands, run as a user runs them (a real process)."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys

import pytest

import ei_desktop


def run(*args, input=None, env=None):
    return subprocess.run(
        [sys.executable, "-m", "ei_desktop", *map(str, args)],
        capture_output=True,
        text=True,
        input=input,
        env=env,
        timeout=120,
    )


@pytest.fixture
def folder(tmp_path, samples_dir):
    root = tmp_path / "data"
    (root / "training").mkdir(parents=True)
    (root / "testing").mkdir()
    shutil.copy(samples_dir / "wave.0.cbor", root / "training" / "wave.0.cbor")
    shutil.copy(samples_dir / "idle.0.cbor", root / "testing" / "idle.0.cbor")
    shutil.copy(samples_dir / "capacitor.01.png", root / "cap.01.png")
    (root / "broken.1.csv").write_text("timestamp,x\n0,1\n10,oops\n")
    return root


def test_version():
    result = run("--version")
    assert result.returncode == 0
    assert result.stdout.strip() == f"ei-desktop {ei_desktop.__version__}"


def test_upload_infers_labels_and_categories_and_reports_failures(folder, tmp_path):
    project = tmp_path / "p"
    result = run("upload", folder, "--project", project, "--create", "--metadata", "rig=A")
    assert result.returncode == 1
    assert "Uploaded 3 samples" in result.stdout
    assert "1 file failed:" in result.stderr
    assert "broken.1.csv: Could not parse this CSV file" in result.stderr
    assert "'oops' is not a number" in result.stderr or "oops" in result.stderr

    listed = json.loads(run("ls", "--project", project, "--json").stdout)
    by_name = {s["filename"]: s for s in listed}
    assert set(by_name) == {"wave.0", "idle.0", "cap.01"}
    assert (by_name["wave.0"]["label"], by_name["wave.0"]["category"]) == ("wave", "training")
    assert (by_name["idle.0"]["label"], by_name["idle.0"]["category"]) == ("idle", "testing")
    assert by_name["cap.01"]["category"] in ("training", "testing")
    assert by_name["cap.01"]["metadata"] == {"rig": "A"}

    again = run("upload", folder / "training", "--project", project, "--create")
    # content already in the project is reported, and is not a failure: the files are there
    assert again.returncode == 0 and "Uploaded 0 samples" in again.stdout
    assert "1 file already in the project" in again.stderr
    assert "wave.0.cbor: Same content as ID " in again.stderr
    assert (
        run("upload", folder / "training", "--project", project, "--allow-duplicates").returncode
        == 0
    )


def test_files_that_are_not_samples_are_named_on_one_line(tmp_path, samples_dir):
    root = tmp_path / "notes"
    root.mkdir()
    shutil.copy(samples_dir / "wave.0.cbor", root / "wave.0.cbor")
    (root / "README.md").write_text("about these recordings")
    one = run("upload", root, "--project", tmp_path / "p", "--create")
    assert one.returncode == 0 and "Uploaded 1 sample (" in one.stdout
    assert "Skipped 1 file (not a sample): README.md" in one.stderr
    (root / "setup.docx").write_text("x")
    two = run("upload", root, "--project", tmp_path / "p")
    assert "Skipped 2 files (not samples): " in two.stderr


def test_upload_with_label_and_category_overrides(folder, tmp_path):
    project = tmp_path / "p"
    result = run(
        "upload",
        folder / "training",
        folder / "cap.01.png",
        "--project",
        project,
        "--create",
        "--label",
        "mine",
        "--category",
        "validation",
    )
    assert result.returncode == 0, result.stderr
    listed = json.loads(run("ls", "--project", project, "--json").stdout)
    assert {(s["label"], s["category"]) for s in listed} == {("mine", "validation")}


def test_ls_filters_and_table(folder, tmp_path):
    project = tmp_path / "p"
    run("upload", folder, "--project", project, "--create")
    table = run("ls", "--project", project, "--category", "training")
    assert table.returncode == 0
    lines = table.stdout.strip().splitlines()
    assert lines[0].split()[:3] == ["ID", "NAME", "LABEL"]
    assert any("wave.0" in line for line in lines[1:])
    assert all("idle.0" not in line for line in lines)
    by_label = json.loads(run("ls", "--project", project, "--label", "idle", "--json").stdout)
    assert [s["filename"] for s in by_label] == ["idle.0"]
    by_name = json.loads(run("ls", "--project", project, "--filename", "CAP", "--json").stdout)
    assert [s["filename"] for s in by_name] == ["cap.01"]
    bad = run("ls", "--project", project, "--category", "nowhere")
    assert bad.returncode == 1 and "Unknown category" in bad.stderr


def test_download_writes_files_and_reports_missing_ids(folder, tmp_path, samples_dir):
    project = tmp_path / "p"
    run("upload", folder, "--project", project, "--create")
    listed = {
        s["filename"]: s["id"] for s in json.loads(run("ls", "--project", project, "--json").stdout)
    }
    out = tmp_path / "out"
    result = run(
        "download", listed["cap.01"], listed["wave.0"], 4242, "-o", out, "--project", project
    )
    assert result.returncode == 1
    assert "No sample found with ID 4242" in result.stderr
    assert (out / "cap.01.png").read_bytes() == (samples_dir / "capacitor.01.png").read_bytes()
    wave = json.loads((out / "wave.0.json").read_text())
    assert len(wave["payload"]["sensors"]) == 3


def test_rm_by_id_name_and_all(folder, tmp_path):
    project = tmp_path / "p"
    run("upload", folder, "--project", project, "--create")
    listed = {
        s["filename"]: s["id"] for s in json.loads(run("ls", "--project", project, "--json").stdout)
    }
    result = run("rm", listed["cap.01"], 999, "--project", project)
    assert (
        result.returncode == 1 and "Deleted 1 sample." in result.stdout and "999" in result.stderr
    )
    assert run("rm", "--filename", "wave.0", "--project", project).returncode == 0
    refused = run("rm", "--all", "--project", project)
    assert refused.returncode == 1 and "Refusing without --yes" in refused.stderr
    assert len(json.loads(run("ls", "--project", project, "--json").stdout)) == 1
    done = run("rm", "--all", "--yes", "--project", project)
    assert done.returncode == 0 and "Deleted 1 sample." in done.stdout
    assert json.loads(run("ls", "--project", project, "--json").stdout) == []


def test_check_reports_a_consistent_project(folder, tmp_path):
    project = tmp_path / "p"
    run("upload", folder, "--project", project, "--create")
    result = run("check", "--project", project)
    assert result.returncode == 0
    assert "3 samples" in result.stdout and "database: ok" in result.stdout
    assert "every sample has its content" in result.stdout
    assert "every content file matches its checksum" in result.stdout


def test_check_help_says_what_it_verifies():
    text = " ".join(run("check", "--help").stdout.split())
    for fact in (
        "integrity check of the database",
        "content is present",
        "SHA-256 checksum",
        "--quick skips this",
        "contents no sample refers to",
        "Exit status 0 only when everything is intact",
        "--migrate moves the small content files",
    ):
        assert fact in text, fact


def test_nothing_to_upload_is_an_error(tmp_path):
    (tmp_path / "empty").mkdir()
    result = run("upload", tmp_path / "empty", "--project", tmp_path / "p", "--create")
    assert result.returncode == 1 and "Nothing to upload" in result.stderr


def test_with_an_api_key_the_commands_talk_to_a_server(folder, tmp_path):
    import os

    from ei_desktop.server.testing import running_server

    with running_server(tmp_path / "served", api_key="cli-key") as (base, key):
        env = dict(os.environ, EI_API_ENDPOINT=f"{base}/v1", EI_INGESTION_ENDPOINT=base)
        uploaded = run("upload", folder / "training", "--api-key", key, env=env)
        assert uploaded.returncode == 0, uploaded.stderr
        assert "Uploaded 1 sample (training 1)." in uploaded.stdout
        listed = json.loads(run("ls", "--json", "--api-key", key, env=env).stdout)
        assert [s["filename"] for s in listed] == ["wave.0"]
        env_key = dict(env, EI_API_KEY=key)
        assert json.loads(run("ls", "--json", env=env_key).stdout)[0]["label"] == "wave"
        out = tmp_path / "out"
        assert run("download", listed[0]["id"], "-o", out, env=env_key).returncode == 0
        assert (out / "wave.0.json").exists()
        assert run("rm", listed[0]["id"], env=env_key).returncode == 0
        wrong = run("ls", "--api-key", "wrong", env=env)
        assert wrong.returncode == 1 and "Invalid API key" in wrong.stderr
