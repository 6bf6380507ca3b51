"""A local project under a hostile user: cleaning, deleting and uploading from several real
processes at once, a lost or garbled database, content changed on disk, a full disk, a
mistyped path. Nothing confirmed may be lost; every problem is one clear line.
"""

from __future__ import annotations

import hashlib
import inspect
import os
import random
import sqlite3
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest
from reliability_helpers import change_content, stored_hashes

from ei_desktop.core.backends.base import (
    DamagedProjectError,
    NotAProjectError,
    SampleQuery,
    UploadItem,
)
from ei_desktop.core.backends.local import LocalBackend
from ei_desktop.core.backends.local_content import inline
from ei_desktop.core.backends.studio import StudioBackend
from ei_desktop.core.progress import CancelToken
from ei_desktop.server.testing import free_port, serve_process

KEY = "local-store-reliability-key-42"
POSIX = pytest.mark.skipif(os.name == "nt", reason="signals, permissions and mounts are POSIX")


def cli(*args, timeout: float = 300, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "ei_desktop", *map(str, args)],
        capture_output=True,
        text=True,
        timeout=timeout,
        env=env,
        stdin=subprocess.DEVNULL,
    )


def csv_bytes(n: int) -> bytes:
    return f"timestamp,x,y\n0,{n},1\n10,{n + 1},2\n20,{n + 2},3\n".encode()


def big_csv_bytes(n: int) -> bytes:
    """A sample too large to be kept inside the database: a content file (about 80 kB)."""
    rows = "".join(f"{t * 10},{n},{t % 97}\n" for t in range(7000))
    return f"timestamp,x,y\n{rows}".encode()


def write_files(folder: Path, count: int, stem: str = "s") -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for n in range(count):
        path = folder / f"{stem}.{n:05d}.csv"
        path.write_bytes(csv_bytes(n))
        paths.append(path)
    return paths


def make_project(path: Path, count: int, *, files: bool = False) -> list[str]:
    """A project of ``count`` samples; returns their content hashes in id order. Small
    contents are kept inside the database; with ``files``, contents large enough to be files.
    """
    content = big_csv_bytes if files else csv_bytes
    with LocalBackend(path, create=True) as project:
        results = project.upload(
            [UploadItem(f"s.{n}.csv", content(n), category="training") for n in range(count)]
        )
        assert all(r.success for r in results)
        ids = [r.sample_id for r in results]
        return [project.get_sample(i).sha256 for i in ids]


def blob_files(project: Path) -> set[str]:
    return {p.name for p in (project / "blobs").glob("??/*") if p.is_file() and len(p.name) == 64}


def rows_without_content(database: Path) -> list[str]:
    """Hashes of committed rows whose content is missing (from the database and the files),
    seen under the write lock (so no process can be between deleting a row and removing its
    content while we look).
    """
    conn = sqlite3.connect(database, timeout=60, isolation_level=None)
    try:
        conn.execute("BEGIN IMMEDIATE")
        hashes = [row[0] for row in conn.execute("SELECT DISTINCT sha256 FROM contents")]
        inside = {row[0] for row in conn.execute("SELECT sha256 FROM stored_content")}
        blobs = database.parent / "blobs"
        missing = [
            sha for sha in hashes if sha not in inside and not (blobs / sha[:2] / sha).is_file()
        ]
        conn.execute("ROLLBACK")
        return missing
    finally:
        conn.close()


def one_line_error(result: subprocess.CompletedProcess) -> str:
    assert result.returncode in (1, 2), (result.stdout, result.stderr)
    assert "Traceback" not in result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    return lines[0]


# -- 1. clean in one process while another confirms the same content --------------------------


#: what ``check --clean`` does (``LocalBackend.clean``), pass after pass; one line a pass with
#: how many files it removed
CLEANER = """
import sys, time
from ei_desktop.core.backends.local import LocalBackend
with LocalBackend(sys.argv[1]) as project:
    print("ready", flush=True)
    while True:
        print(project.clean(), flush=True)
        time.sleep(0.02)  # let the writers have the lock between passes
"""


@POSIX
@pytest.mark.slow
@pytest.mark.parametrize(
    ("kept", "count", "content"),
    [("in the database", 3000, csv_bytes), ("as files", 600, big_csv_bytes)],
)
def test_check_clean_never_removes_content_that_serve_has_just_confirmed(
    tmp_path, kept, count, content, record_property
):
    project = tmp_path / "project"
    source = tmp_path / "source"
    source.mkdir()
    files = []
    for n in range(count):
        files.append(source / f"s.{n:05d}.csv")
        files[-1].write_bytes(content(n))
    LocalBackend(project, create=True).close()
    # A crashed batch left every file's content behind with no row: orphans.
    with LocalBackend(project) as local:
        for path in files:
            data = path.read_bytes()
            local.blobs.write(hashlib.sha256(data).hexdigest(), data)
    assert len(blob_files(project)) == count

    port = free_port()
    server = serve_process(project, port, KEY)
    passes: list[int] = []
    try:
        url = f"http://127.0.0.1:{port}"
        remote = StudioBackend(KEY, f"{url}/v1", url)
        items = [UploadItem(p.name, str(p), category="training") for p in files]
        # ``check --clean`` in a loop in its own process, without paying the command's start-up
        # on every pass, so that it cleans all the time the uploads run
        cleaner = subprocess.Popen(
            [sys.executable, "-c", CLEANER, str(project)], stdout=subprocess.PIPE, text=True
        )
        try:
            assert cleaner.stdout.readline().strip() == "ready"
            results = []
            for start in range(0, len(items), 50):  # many batches, so cleaning interleaves
                results += remote.upload(items[start : start + 50])
        finally:
            cleaner.terminate()
            output, _ = cleaner.communicate(timeout=60)
            passes = [int(line) for line in output.split()]
        remote.close()
    finally:
        server.terminate()
        server.wait(timeout=30)

    confirmed = [r.sample_id for r in results if r.success]
    assert len(confirmed) == count, [r.error for r in results if not r.success][:3]
    assert len(passes) >= 10  # the cleaner ran all along …
    assert sum(passes) > 0  # … and removed orphans while the same content came in
    record_property("removed", sum(passes))
    print(f"\n{kept}: {len(passes)} cleaning passes removed {sum(passes)} (orphans: {count})")
    with LocalBackend(project) as local:
        report = local.check()
        assert report.samples == count
        assert report.missing_blobs == [] and report.corrupt_blobs == []
        downloaded = local.download(confirmed)
        assert all(item is not None and hasattr(item, "data") for item in downloaded)
    if kept == "as files":
        assert len(blob_files(project)) == count
        # more removals than orphans: the cleaner also removed content files of uploads not
        # yet committed, which their writer had to write again before committing their rows
        assert sum(passes) > count


def test_check_clean_from_the_command_removes_only_unreferenced_content(tmp_path):
    project = tmp_path / "project"
    hashes = make_project(project, 5)
    with LocalBackend(project) as local:
        orphans = [csv_bytes(n) for n in range(100, 103)]
        for data in orphans:
            local.blobs.write(hashlib.sha256(data).hexdigest(), data)
    assert len(stored_hashes(project)) == 8

    done = cli("check", "--quick", "--clean", "--project", project)
    assert done.returncode == 0, done.stderr
    assert "unreferenced files: 3 (remove with --clean)" in done.stdout
    assert "Removed 3 unreferenced files." in done.stdout
    assert stored_hashes(project) == set(hashes)
    with LocalBackend(project) as local:
        assert local.check().ok


# -- 2. rm in one process while another uploads the same content --------------------------------


#: distinct contents the uploader below picks from at random: a content often comes back after
#: more changes than the history keeps, so ``rm`` removes contents while the same come in again
CYCLE = 250


def race_content(n: int, rows: int) -> bytes:
    """The ``n``th of the contents the uploader below sends again and again."""
    return ("timestamp,x\n" + "".join(f"{t * 10},{n + t % 7}\n" for t in range(rows))).encode()


UPLOADER = (
    inspect.getsource(race_content)
    + """
import random, sys, time
from ei_desktop.core.backends.base import UploadItem
from ei_desktop.core.backends.local import LocalBackend
cycle = int(sys.argv[4])
rng = random.Random(8)
data = [race_content(n, int(sys.argv[3])) for n in range(cycle)]
end = time.monotonic() + float(sys.argv[2])
rounds = 0
with LocalBackend(sys.argv[1]) as project:
    while time.monotonic() < end:
        picked = rng.sample(range(cycle), 5)
        items = [UploadItem(f"d.{n}.csv", data[n], category="training") for n in picked]
        assert all(r.success for r in project.upload(items, allow_duplicates=True))
        rounds += 1
print(rounds)
"""
)

#: what ``rm --all`` does (``delete_all``), again and again for as long as the uploads run;
#: before each, it looks for rows without content (it is the one process removing rows, so
#: none can slip by unseen). Prints how many it deleted, then each hash it found missing.
DELETER = (
    "import sqlite3\nfrom pathlib import Path\n"
    + inspect.getsource(rows_without_content)
    + """
import sys, time
from ei_desktop.core.backends.local import LocalBackend
end = time.monotonic() + float(sys.argv[2])
deleted = 0
missing = []
with LocalBackend(sys.argv[1]) as project:
    while time.monotonic() < end:
        missing += rows_without_content(Path(sys.argv[1]) / "project.sqlite3")
        deleted += project.delete_all(None)
        time.sleep(0.005)
print(deleted, *missing)
"""
)


@POSIX
@pytest.mark.slow
@pytest.mark.parametrize(("kept", "rows"), [("in the database", 2), ("as files", 10_000)])
def test_rm_in_one_process_while_another_uploads_the_same_content(tmp_path, kept, rows):
    assert inline(len(race_content(19, rows))) == (kept == "in the database")
    project = tmp_path / "project"
    LocalBackend(project, create=True).close()
    database = project / "project.sqlite3"
    seconds = "20"
    uploader = subprocess.Popen(
        [sys.executable, "-c", UPLOADER, str(project), seconds, str(rows), str(CYCLE)],
        stdout=subprocess.PIPE,
        text=True,
    )
    deleter = subprocess.Popen(
        [sys.executable, "-c", DELETER, str(project), seconds], stdout=subprocess.PIPE, text=True
    )
    seen_missing: list[str] = []
    looks = 0
    stored: set[str] = set()
    removed: set[str] = set()  # contents seen stored, then gone: rm removed them
    deadline = time.monotonic() + 240
    while (uploader.poll() is None or deleter.poll() is None) and time.monotonic() < deadline:
        seen_missing += rows_without_content(database)
        now = stored_hashes(project)
        removed |= stored - now
        stored = now
        looks += 1
        time.sleep(0.01)
    rounds, _ = uploader.communicate(timeout=60)
    deleted, *missing_before_rm = deleter.communicate(timeout=60)[0].split()
    assert uploader.returncode == 0 and deleter.returncode == 0
    assert int(rounds) > 10 and int(deleted) > 0  # both really ran
    print(f"\n{kept}: {rounds.strip()} upload rounds, {deleted} deleted, {len(removed)} removed")
    assert looks > 10 and removed  # and contents were removed while they came in again
    assert seen_missing == [] and missing_before_rm == []
    assert rows_without_content(database) == []
    done = cli("rm", "--all", "--yes", "--project", project)  # and the command itself
    assert done.returncode == 0 and rows_without_content(database) == []


# -- 3. a folder with content but no database ---------------------------------------------------


@pytest.mark.parametrize("how", ["missing", "empty"])
def test_content_without_a_database_is_refused_never_cleaned_and_recovered(tmp_path, how):
    project = tmp_path / "project"
    hashes = make_project(project, 25, files=True)  # content inside the database goes with it
    for suffix in ("", "-wal", "-shm"):
        Path(f"{project / 'project.sqlite3'}{suffix}").unlink(missing_ok=True)
    if how == "empty":
        (project / "project.sqlite3").write_bytes(b"")

    for args in (["ls"], ["check"], ["check", "--clean"], ["upload", str(tmp_path)]):
        line = one_line_error(cli(*args, "--project", project))
        assert "is damaged" in line and "check --recover" in line, line
    # even the explicit --create and the default project refuse to start afresh over it
    one_line_error(cli("ls", "--project", project, "--create"))
    one_line_error(cli("ls", env={**os.environ, "EI_PROJECT": str(project)}))
    assert blob_files(project) == set(hashes)
    assert not (project / "project.sqlite3").exists() or how == "empty"

    recovered = cli("check", "--recover", "--project", project)
    assert recovered.returncode == 0, recovered.stderr
    assert "Recovered 25 more samples" in recovered.stdout
    with LocalBackend(project) as local:
        records = list(local.iter_samples(SampleQuery()))
        assert sorted(r.sha256 for r in records) == sorted(hashes)
        assert {r.label for r in records} == {"recovered"}
        assert local.check().ok


# -- 4. garbage inside the database -------------------------------------------------------------


def garble(database: Path, seed: int = 7) -> None:
    """Overwrite every page but the first (the header and the schema) with random bytes."""
    page = 4096
    size = database.stat().st_size
    rng = random.Random(seed)
    with open(database, "r+b") as handle:
        handle.seek(page)
        handle.write(bytes(rng.getrandbits(8) for _ in range(size - page)))


def test_garbage_inside_the_database_is_one_clear_line_and_recover_keeps_the_content(tmp_path):
    project = tmp_path / "project"
    hashes = make_project(project, 300, files=True)
    garble(project / "project.sqlite3")

    for args in (["ls"], ["check"], ["check", "--clean"], ["download", "1", "-o", tmp_path]):
        line = one_line_error(cli(*args, "--project", project))
        assert "is damaged" in line, line
    assert blob_files(project) == set(hashes)  # --clean removed nothing

    recovered = cli("check", "--recover", "--project", project)
    assert recovered.returncode == 0, recovered.stderr
    assert "Moved the damaged database to" in recovered.stdout
    assert list(project.glob("project.sqlite3.damaged-*"))
    with LocalBackend(project) as local:
        assert sorted(r.sha256 for r in local.iter_samples(SampleQuery())) == sorted(hashes)
        assert local.check().ok


def test_recover_brings_back_the_contents_kept_inside_a_damaged_database(tmp_path):
    project = tmp_path / "project"
    hashes = make_project(project, 200)
    database = project / "project.sqlite3"
    conn = sqlite3.connect(database)
    size = conn.execute("PRAGMA page_size").fetchone()[0]
    rows = "SELECT pageno FROM dbstat WHERE name IN ('samples', 'contents')"
    pages = [n for (n,) in conn.execute(rows)]
    conn.close()
    assert not Path(f"{database}-wal").exists() or not Path(f"{database}-wal").stat().st_size
    rng = random.Random(3)
    with open(database, "r+b") as handle:  # the sample rows are garbage, the contents are not
        for page in pages:
            handle.seek((page - 1) * size)
            handle.write(bytes(rng.getrandbits(8) for _ in range(size)))

    recovered = cli("check", "--recover", "--project", project)
    assert recovered.returncode == 0, recovered.stderr
    with LocalBackend(project) as local:
        records = list(local.iter_samples(SampleQuery()))
        assert sorted(r.sha256 for r in records) == sorted(hashes)
        assert local.check().ok


def test_recover_keeps_every_row_that_still_reads(tmp_path):
    project = tmp_path / "project"
    make_project(project, 10, files=True)
    with LocalBackend(project) as local:
        junk = hashlib.sha256(b"not a sample at all").hexdigest()
        local.blobs.write(junk, b"not a sample at all")  # an orphan that is no sample
    (project / "project.sqlite3").write_bytes(b"")  # lost; then recover the content alone
    result = cli("check", "--recover", "--project", project)
    assert result.returncode == 1  # one file could not become a sample …
    assert junk[:12] in result.stderr and "kept on disk" in result.stderr
    assert junk in blob_files(project)  # … and is kept
    with LocalBackend(project) as local:
        assert local.count(SampleQuery()) == 10

    # now a database that is fine: recovering it keeps ids, names and labels
    other = tmp_path / "other"
    make_project(other, 10)
    with LocalBackend(other) as local:
        local_id = local.project_id()
        before = [
            (r.id, r.filename, r.label, r.category) for r in local.iter_samples(SampleQuery())
        ]
    result = cli("check", "--recover", "--project", other)
    assert result.returncode == 0 and "Restored 10 samples" in result.stdout
    with LocalBackend(other) as local:
        assert local.project_id() == local_id
        after = [(r.id, r.filename, r.label, r.category) for r in local.iter_samples(SampleQuery())]
    assert after == before


# -- 5. content changed on disk, same size ------------------------------------------------------


@pytest.mark.parametrize("kept", ["in the database", "as a file"])
def test_content_changed_on_disk_fails_check_and_that_download_only(tmp_path, kept):
    project = tmp_path / "project"
    make_project(project, 5, files=kept == "as a file")
    with LocalBackend(project) as local:
        victim = local.get_sample(3)
        data = bytearray(local.load_bytes(3))
    data[-3] = ord("9") if data[-3] != ord("9") else ord("8")  # same size, other bytes
    change_content(project, victim.sha256, bytes(data))

    checked = cli("check", "--project", project)
    assert checked.returncode == 1
    assert "samples whose content changed on disk: 1 (ids 3)" in checked.stdout

    out = tmp_path / "out"
    downloaded = cli("download", "1", "2", "3", "4", "5", "-o", out, "--project", project)
    assert downloaded.returncode == 1
    assert "ID 3" in downloaded.stderr and "damaged" in downloaded.stderr
    assert len(list(out.iterdir())) == 4  # the other four were written
    with LocalBackend(project) as local, pytest.raises(Exception, match="damaged"):
        local.load_bytes(3)


def test_check_reads_every_content_file_with_progress_and_can_be_stopped(tmp_path):
    project = tmp_path / "project"
    make_project(project, 40)
    with LocalBackend(project) as local:
        updates = []
        report = local.check(progress=updates.append)
        assert report.content_verified and report.ok
        assert [u.done for u in updates] == list(range(1, 41))
        assert {u.total for u in updates} == {40}

        token = CancelToken()

        def stop_after_ten(update):
            if update.done == 10:
                token.cancel()

        stopped = local.check(progress=stop_after_ten, cancel=token)
        assert not stopped.content_verified  # says it did not read everything

    quick = cli("check", "--quick", "--project", project)
    assert quick.returncode == 0 and "content checksums not verified (--quick)" in quick.stdout


# -- 6. a full disk -----------------------------------------------------------------------------


@pytest.fixture
def small_disk(tmp_path):
    """An 8 MB tmpfs (root only: where mounting is not allowed, the test is skipped)."""
    mount = tmp_path / "small-disk"
    mount.mkdir()
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=8m", "tmpfs", str(mount)], capture_output=True
    )
    if done.returncode != 0:
        pytest.skip(f"cannot mount a small file system here: {done.stderr.decode().strip()}")
    yield mount
    subprocess.run(["umount", "-l", str(mount)], check=False)


@POSIX
def test_a_full_disk_says_so_and_leaves_nothing_behind(tmp_path, small_disk):
    project = small_disk / "project"
    source = tmp_path / "big"
    source.mkdir()
    for n in range(24):  # 24 × 400 kB of distinct content on an 8 MB disk
        rows = "\n".join(f"{t * 10},{n},{t % 97}" for t in range(40_000))
        (source / f"big.{n:02d}.csv").write_text(f"timestamp,a,b\n{rows}\n")
    result = cli("upload", source, "--project", project, "--create")
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    failed = [line for line in result.stderr.splitlines() if line.startswith("  ")]
    assert failed and all("The disk is full" in line for line in failed), result.stderr
    assert list((project / "blobs" / "tmp").iterdir()) == []  # no partial files
    with LocalBackend(project) as local:
        report = local.check()
        assert report.ok and report.orphan_blobs == []  # failed files left no content behind
        stored = report.samples

    # a disk that is full before the project is opened: reading and checking say why
    filler = small_disk / "filler"
    try:
        with open(filler, "wb") as handle:
            while True:
                handle.write(b"\0" * 65536)
                handle.flush()
    except OSError:
        pass
    for args in (["ls"], ["check"]):
        line = one_line_error(cli(*args, "--project", project))
        assert "The disk is full" in line, line
    filler.unlink()
    with LocalBackend(project) as local:
        report = local.check()
        assert report.ok and report.samples == stored


# -- 7. a mistyped project path -----------------------------------------------------------------


def test_a_mistyped_project_path_creates_nothing(tmp_path):
    typo = tmp_path / "projcet"
    for args in (["ls"], ["upload", tmp_path], ["rm", "--all", "--yes"], ["check"]):
        line = one_line_error(cli(*args, "--project", typo))
        assert str(typo) in line and ("No project at" in line or "not an ei-desktop" in line)
    assert not typo.exists()

    empty = tmp_path / "empty"
    empty.mkdir()
    line = one_line_error(cli("ls", "--project", empty))
    assert "not an ei-desktop project" in line and "--create" in line
    assert list(empty.iterdir()) == []

    with pytest.raises(NotAProjectError):
        LocalBackend(typo)
    assert cli("ls", "--project", typo, "--create").returncode == 0
    assert (typo / "project.sqlite3").is_file()


def test_a_damaged_project_is_refused_by_the_python_api_too(tmp_path):
    project = tmp_path / "project"
    make_project(project, 3)  # its contents were inside the database: the folder remains
    (project / "project.sqlite3").unlink()
    with pytest.raises(DamagedProjectError, match="check --recover"):
        LocalBackend(project, create=True)


# -- 11 (files). project files are the owner's only ---------------------------------------------


@POSIX
def test_project_files_are_owner_only(tmp_path):
    project = tmp_path / "project"
    make_project(project, 2)
    assert stat.S_IMODE(project.stat().st_mode) == 0o700
    assert stat.S_IMODE((project / "project.sqlite3").stat().st_mode) == 0o600
    for blob in (project / "blobs").glob("??/*"):
        assert stat.S_IMODE(blob.stat().st_mode) == 0o600
    # an older project with a world-readable database is tightened when opened, and the
    # write-ahead log beside it (which holds the keys' latest writes) is the owner's only too
    (project / "project.sqlite3").chmod(0o644)
    with LocalBackend(project) as local:
        local.set_setting("note", "written through the log")
        for name in ("project.sqlite3", "project.sqlite3-wal", "project.sqlite3-shm"):
            assert stat.S_IMODE((project / name).stat().st_mode) == 0o600, name
    assert stat.S_IMODE((project / "project.sqlite3").stat().st_mode) == 0o600


# -- a pipe named like a sample -------------------------------------------------------------------


@POSIX
def test_a_fifo_named_like_a_sample_fails_alone_instead_of_hanging(tmp_path):
    folder = tmp_path / "files"
    write_files(folder, 3)
    os.mkfifo(folder / "stuck.01.csv")
    project = tmp_path / "project"
    for paths in ([folder], [folder / "stuck.01.csv", folder / "s.00000.csv"]):
        result = cli("upload", *paths, "--project", project, "--create", timeout=120)
        assert result.returncode == 1
        assert "stuck.01.csv: Not a regular file" in result.stderr
    with LocalBackend(project) as local:
        assert local.count(SampleQuery()) == 3
