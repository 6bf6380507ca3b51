"""A batch full of malformed and awkward files: each bad file fails alone with a message naming
it and its problem, every good file is stored, and the project stays consistent."""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from ei_desktop import data
from ei_desktop.core.backends.local import LocalBackend

CORPUS_BUILDER = Path(__file__).parents[1] / "corpus" / "build_corpus.py"


def build_corpus(directory: Path) -> dict[str, str]:
    spec = importlib.util.spec_from_file_location("ei_desktop_test_corpus", CORPUS_BUILDER)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.build_corpus(directory)


#: reading it fails (EIO at offset 0) for every user, root included
UNREADABLE_FOR_EVERYONE = Path("/proc/self/mem")


def as_nobody():
    """Drop root so that a chmod 000 file is really unreadable (CI runs as root)."""
    os.setgid(65534)
    os.setuid(65534)


def is_root() -> bool:
    return hasattr(os, "geteuid") and os.geteuid() == 0


def nobody_can_run_the_command() -> bool:
    """Whether user nobody can start this interpreter and import this checkout: not when
    either sits under a folder only root may enter (a checkout in /root, say)."""
    try:
        probe = subprocess.run(
            [sys.executable, "-c", "import ei_desktop.cli"],
            preexec_fn=as_nobody,
            cwd="/",
            capture_output=True,
            timeout=120,
        )
    except OSError:  # the interpreter itself cannot be executed by nobody
        return False
    return probe.returncode == 0


def make_unreadable(path: Path, how: str) -> str:
    """Put a sample-named file at ``path`` that the upload cannot read; the expected error."""
    if how == "permissions":
        path.write_text("timestamp,x\n0,1\n10,2\n")
        path.chmod(0o000)
        return "permission denied"
    os.symlink(UNREADABLE_FOR_EVERYONE, path)
    return "input/output error"


@pytest.fixture(params=["permissions", "read-error"])
def corpus(request):
    """The bad-input corpus with one unreadable file, made unreadable by permissions (chmod
    000; as root the upload then runs as nobody) or by a read that fails for everyone.

    Yields ``(root, corpus dir, expected problems, preexec_fn for the upload)``.
    """
    how = request.param
    if how == "permissions" and is_root() and not nobody_can_run_the_command():
        pytest.skip(
            "as root a chmod 000 file stays readable, and user nobody cannot reach this"
            " interpreter or checkout to run the upload; the read-error variant covers it"
        )
    if how == "read-error" and not UNREADABLE_FOR_EVERYONE.exists():
        pytest.skip("needs Linux /proc")
    preexec = as_nobody if how == "permissions" and is_root() else None
    # a world-traversable place, so the upload can also run as an unprivileged user
    root = Path(tempfile.mkdtemp(prefix="ei-corpus-"))
    os.chmod(root, 0o777)
    corpus_dir = root / "corpus"
    expected = build_corpus(corpus_dir)
    big = corpus_dir / "big" / "too-big.csv"
    big.parent.mkdir()
    big.write_text("timestamp,x\n" + "".join(f"{i},{i}\n" for i in range(80_000)))
    expected["big/too-big.csv"] = "too large"
    locked = corpus_dir / "locked" / "unreadable.csv"
    locked.parent.mkdir()
    expected["locked/unreadable.csv"] = make_unreadable(locked, how)
    os.symlink(corpus_dir, corpus_dir / "names" / "loop")  # a folder that contains itself
    for path in [root, *root.rglob("*")]:
        if path.is_dir() and not path.is_symlink():
            path.chmod(0o777)
    yield root, corpus_dir, expected, preexec
    if not locked.is_symlink():
        locked.chmod(0o644)
    shutil.rmtree(root, ignore_errors=True)


def run_upload(args, project: Path, preexec=None):
    env = dict(os.environ, EI_MAX_FILE_MB="0.5")
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "ei_desktop",
            "upload",
            *map(str, args),
            "--allow-duplicates",
            "--project",
            str(project),
            "--create",
        ],
        capture_output=True,
        text=True,
        env=env,
        preexec_fn=preexec,
        timeout=300,
    )


def assert_consistent(project: Path, stored: int) -> None:
    with LocalBackend(project, create=True) as backend:
        report = backend.check()
        assert report.integrity == "ok"
        assert report.missing_blobs == []
        assert report.samples == stored
        backend.clean(min_age_seconds=0)
        cleaned = backend.check()
        assert cleaned.orphan_blobs == [] and cleaned.temporary_files == 0


def failures_by_path(stderr: str) -> dict[str, str]:
    failed = {}
    for line in stderr.splitlines():
        if line.startswith("  ") and ": " in line:
            path, _, error = line.strip().partition(": ")
            failed[path] = error
    return failed


@pytest.mark.skipif(os.name == "nt", reason="permissions and symlinks are POSIX here")
def test_a_folder_of_bad_files_uploads_the_good_ones_and_names_each_problem(corpus):
    root, corpus_dir, expected, preexec = corpus
    project = root / "project"
    result = run_upload([corpus_dir], project, preexec)
    assert result.returncode == 1
    failed = failures_by_path(result.stderr)

    walked = {
        rel: problem
        for rel, problem in expected.items()
        if not Path(rel).name.startswith(".") and "unsupported" not in problem
    }
    for rel, problem in walked.items():
        path = str(corpus_dir / rel)
        if problem:
            assert path in failed, f"{rel} should have failed with {problem!r}"
            assert problem in failed[path].lower(), (rel, failed[path])
        else:
            assert path not in failed, (rel, failed.get(path))
    loop = [p for p in failed if p.endswith("loop")]
    assert loop and "loops back" in failed[loop[0]]
    assert "Skipped" in result.stderr and "not samples" in result.stderr

    good = sum(1 for problem in walked.values() if not problem)
    assert f"Uploaded {good} samples" in result.stdout
    assert_consistent(project, good)


@pytest.mark.skipif(os.name == "nt", reason="permissions are POSIX here")
def test_named_files_of_any_type_each_get_an_answer(corpus):
    root, corpus_dir, expected, preexec = corpus
    project = root / "project-explicit"
    files = [corpus_dir / rel for rel in sorted(expected)]
    result = run_upload(files, project, preexec)
    failed = failures_by_path(result.stderr)
    for rel, problem in expected.items():
        path = str(corpus_dir / rel)
        if problem:
            assert problem in failed.get(path, "").lower(), (rel, failed.get(path))
        else:
            assert path not in failed
    good = sum(1 for problem in expected.values() if not problem)
    assert f"Uploaded {good} samples" in result.stdout
    assert_consistent(project, good)


@pytest.mark.parametrize(
    "label",
    [
        "a/b",
        "../../etc/passwd",
        'say "hi"',
        "it's",
        "🚀 rocket",
        "naïve ü",
        "  padded  ",
        "x" * 300,
    ],
)
def test_awkward_labels_round_trip_exactly(project_dir, label, tmp_path):
    LocalBackend(project_dir, create=True).close()
    sample = data.Sample(data="timestamp,a\n0,1\n10,2\n", filename="s.csv", label=label)
    response = data.upload_samples(sample, project=project_dir)
    assert response.success
    (back,) = data.download_samples_by_ids(sample.sample_id, project=project_dir)
    assert back.label == label
    assert [i.label for i in data.get_sample_ids(labels=label, project=project_dir)] == [label]
    listed = subprocess.run(
        [sys.executable, "-m", "ei_desktop", "ls", "--json", "--project", str(project_dir)],
        capture_output=True,
        text=True,
        check=True,
    )
    assert json.loads(listed.stdout)[0]["label"] == label
    out = tmp_path / "out"
    downloaded = subprocess.run(
        [
            sys.executable,
            "-m",
            "ei_desktop",
            "download",
            str(sample.sample_id),
            "-o",
            str(out),
            "--project",
            str(project_dir),
        ],
        capture_output=True,
        text=True,
    )
    assert downloaded.returncode == 0
    assert [p.name for p in out.iterdir()] == ["s.json"]
