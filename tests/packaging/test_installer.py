"""The Linux installers, built by ``packaging/build`` and run the way field staff run them:
unpacked from the .deb and the tarball, with no development environment anywhere near.

Builds once per session (1.5–2 minutes). Needs dpkg-deb; validates the desktop file and
the AppStream metadata when desktop-file-validate and appstreamcli are installed.
"""

from __future__ import annotations

import configparser
import json
import os
import shutil
import subprocess
import sys
import tarfile
import time
from pathlib import Path

import pytest

import ei_desktop

pytestmark = [
    pytest.mark.slow,
    pytest.mark.timeout(1800),  # the first test also waits for the build
    pytest.mark.skipif(not sys.platform.startswith("linux"), reason="Linux installers"),
]

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = ROOT / "tests" / "data" / "ei-samples"
SIZES = (16, 32, 48, 64, 128, 256, 512)
APP = "ei-desktop"
METAINFO = "io.github.eidesktop.EiDesktop.metainfo.xml"


def minimal_env(home: Path) -> dict[str, str]:
    """What a desktop session gives a program, minus everything of this checkout: no venv on
    PATH, no PYTHONPATH, no VIRTUAL_ENV, a home of its own.
    """
    home.mkdir(parents=True, exist_ok=True)
    return {
        "PATH": "/usr/bin:/bin",
        "HOME": str(home),
        "LANG": "C.UTF-8",
        "QT_QPA_PLATFORM": "offscreen",
    }


def run(command, env, timeout=180, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(part) for part in command],
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        cwd=env["HOME"],
        **kwargs,
    )


@pytest.fixture(scope="session")
def artifacts() -> tuple[Path, Path]:
    """(tarball, .deb) from one run of ``packaging/build``."""
    if not shutil.which("dpkg-deb"):
        pytest.skip("dpkg-deb is needed to build and unpack the .deb")
    result = subprocess.run(
        [sys.executable, str(ROOT / "packaging" / "build")],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=1800,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-6000:]
    *_, tarball_line, deb_line = result.stdout.strip().splitlines()
    tarball, deb = Path(tarball_line), Path(deb_line)
    assert deb.name == f"{APP}_{ei_desktop.__version__}_{deb_architecture()}.deb"
    assert tarball.name.startswith(f"{APP}-{ei_desktop.__version__}-linux-")
    assert tarball.name.endswith(".tar.gz")
    assert deb.is_file() and tarball.is_file()
    return tarball, deb


def deb_architecture() -> str:
    return subprocess.run(
        ["dpkg", "--print-architecture"], capture_output=True, text=True, check=True
    ).stdout.strip()


@pytest.fixture(scope="session")
def deb_root(artifacts, tmp_path_factory) -> Path:
    """The .deb's files, unpacked with dpkg-deb -x."""
    root = tmp_path_factory.mktemp("deb-root")
    subprocess.run(["dpkg-deb", "-x", str(artifacts[1]), str(root)], check=True)
    return root


@pytest.fixture(scope="session")
def tar_root(artifacts, tmp_path_factory) -> Path:
    """The tarball's single folder, unpacked."""
    into = tmp_path_factory.mktemp("tarball")
    with tarfile.open(artifacts[0]) as archive:
        names = archive.getnames()
        # the "tar" filter keeps modes and symlinks (Python without extraction filters: all)
        archive.extractall(into, **({"filter": "tar"} if hasattr(tarfile, "tar_filter") else {}))
    assert {name.split("/")[0] for name in names} == {f"{APP}-{ei_desktop.__version__}"}
    return into / f"{APP}-{ei_desktop.__version__}"


@pytest.fixture
def installed(deb_root) -> Path:
    """The installed CLI, /opt/ei-desktop/ei-desktop, as unpacked from the .deb."""
    return deb_root / "opt" / APP / APP


# -- the .deb as a package ---------------------------------------------------------------------


def test_control_fields(artifacts):
    fields = run(["dpkg-deb", "-f", artifacts[1]], env={"PATH": "/usr/bin:/bin", "HOME": "/"})
    control = dict(
        line.split(": ", 1) for line in fields.stdout.splitlines() if not line.startswith(" ")
    )
    assert control["Package"] == APP
    assert control["Version"] == ei_desktop.__version__
    assert control["Architecture"] == deb_architecture()
    assert "<" in control["Maintainer"] and control["Maintainer"].endswith(">")
    assert int(control["Installed-Size"]) > 50_000  # KiB
    assert control["Section"] and control["Priority"] == "optional"
    assert control["Description"].strip()
    depends = [item.strip() for item in control["Depends"].split(",")]
    assert depends[0].startswith("libc6 (>= 2.")
    # what Qt needs from the system (the bundle leaves the desktop stack to it)
    for package in ("libgl1", "libegl1", "libfontconfig1", "libxkbcommon0", "libglib2.0-0"):
        assert package in depends
    assert "libxcb-cursor0" in depends  # Qt 6.5+ xcb plugin; missing by default on many systems


def test_maintainer_scripts_refresh_the_menu_and_icon_caches(artifacts, tmp_path):
    subprocess.run(["dpkg-deb", "-e", str(artifacts[1]), str(tmp_path / "DEBIAN")], check=True)
    for name in ("postinst", "postrm"):
        script = tmp_path / "DEBIAN" / name
        assert os.access(script, os.X_OK)
        text = script.read_text()
        assert "update-desktop-database" in text and "gtk-update-icon-cache" in text
        assert "command -v" in text  # only when the tools exist
        subprocess.run(["sh", "-n", str(script)], check=True)


def test_layout(deb_root):
    opt = deb_root / "opt" / APP
    assert os.access(opt / APP, os.X_OK)
    assert (opt / "_internal").is_dir()
    assert os.readlink(opt / f"{APP}-gui") == APP
    for name in (APP, f"{APP}-gui"):
        assert os.readlink(deb_root / "usr" / "bin" / name) == f"/opt/{APP}/{name}"
    share = deb_root / "usr" / "share"
    assert (share / "applications" / f"{APP}.desktop").is_file()
    assert (share / "metainfo" / METAINFO).is_file()
    assert "MIT" in (share / "doc" / APP / "copyright").read_text()
    # the app's own icons ship inside the bundle too (for its window icon)
    assert (opt / "_internal" / "resources" / "icons" / f"{APP}-256.png").is_file()


def test_icons_at_every_size(deb_root):
    from PIL import Image

    hicolor = deb_root / "usr" / "share" / "icons" / "hicolor"
    for size in SIZES:
        png = hicolor / f"{size}x{size}" / "apps" / f"{APP}.png"
        assert png.is_file(), png
        with Image.open(png) as image:
            assert image.size == (size, size)


def test_desktop_entry_starts_the_app(deb_root):
    share = deb_root / "usr" / "share"
    entry = configparser.ConfigParser(interpolation=None)
    entry.optionxform = str
    entry.read(share / "applications" / f"{APP}.desktop")
    desktop = entry["Desktop Entry"]
    assert desktop["Type"] == "Application"
    assert desktop["GenericName"] == "Dataset manager"
    command = desktop["Exec"].split()[0]
    assert (deb_root / "usr" / "bin" / command).is_symlink()
    assert desktop["Icon"] == APP
    assert (share / "icons" / "hicolor" / "48x48" / "apps" / f"{APP}.png").is_file()
    assert set(desktop["Categories"].strip(";").split(";")) >= {"Development", "Science"}
    # the GUI names itself after the desktop file (setDesktopFileName, Wayland app id) and
    # Qt's X11 window class is its application name
    assert desktop["StartupWMClass"] == APP
    assert desktop["Terminal"] == "false"


@pytest.mark.skipif(not shutil.which("desktop-file-validate"), reason="no desktop-file-utils")
def test_desktop_file_validates(deb_root):
    result = run(
        ["desktop-file-validate", deb_root / "usr" / "share" / "applications" / f"{APP}.desktop"],
        env=minimal_env(deb_root.parent / "validate-home"),
    )
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.skipif(not shutil.which("appstreamcli"), reason="no appstream")
def test_metainfo_validates(deb_root):
    result = run(
        [
            "appstreamcli",
            "validate",
            "--no-net",
            deb_root / "usr" / "share" / "metainfo" / METAINFO,
        ],
        env=minimal_env(deb_root.parent / "validate-home"),
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert (
        f'<release version="{ei_desktop.__version__}"'
        in (deb_root / "usr" / "share" / "metainfo" / METAINFO).read_text()
    )


def test_no_library_is_looked_up_on_the_build_machine(deb_root):
    # RUNPATHs pointing outside the bundle would load the build machine's libraries, if any
    files = [
        path
        for path in (deb_root / "opt").rglob("*")
        if path.is_file() and not path.is_symlink() and path.read_bytes()[:4] == b"\x7fELF"
    ]
    output = run(
        ["objdump", "-p", *files], env={"PATH": "/usr/bin:/bin", "HOME": str(deb_root)}
    ).stdout
    paths = [line.split()[-1] for line in output.splitlines() if "RPATH" in line]
    outside = [p for p in paths if any(part.startswith("/") for part in p.split(":"))]
    assert not outside


# -- the installed app, run with nothing of the development environment ------------------------


def test_version(installed, tmp_path):
    result = run([installed, "--version"], env=minimal_env(tmp_path / "home"))
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == f"{APP} {ei_desktop.__version__}"


def test_self_test(installed, tmp_path):
    result = run([installed, "--self-test"], env=minimal_env(tmp_path / "home"))
    assert result.returncode == 0, result.stdout + result.stderr
    # the bundle's own Python, not the build machine's
    assert str(installed) in result.stdout


def test_cli_uploads_and_lists(installed, tmp_path):
    env = minimal_env(tmp_path / "home")
    project = tmp_path / "project"
    files = [SAMPLES / "wave.0.cbor", SAMPLES / "capacitor.01.png", SAMPLES / "hadouken.01.wav"]
    upload = run([installed, "upload", *files, "--project", project, "--create"], env=env)
    assert upload.returncode == 0, upload.stdout + upload.stderr
    listing = run([installed, "ls", "--json", "--project", project], env=env)
    assert listing.returncode == 0, listing.stderr
    samples = json.loads(listing.stdout)
    assert {s["filename"] for s in samples} == {"wave.0", "capacitor.01", "hadouken.01"}
    assert {s["label"] for s in samples} == {"wave", "capacitor", "hadouken"}
    assert {s["kind"] for s in samples} == {"timeseries", "image", "audio"}


def test_server_serves_the_cli(installed, tmp_path):
    env = minimal_env(tmp_path / "home")
    project = tmp_path / "project"
    upload = run(
        [installed, "upload", SAMPLES / "idle.0.cbor", "--project", project, "--create"], env=env
    )
    assert upload.returncode == 0, upload.stdout + upload.stderr
    server = subprocess.Popen(
        [str(installed), "serve", "--project", str(project), "--port", "0"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        settings = {}
        for line in server.stdout:
            if line.startswith("  EI_") and "=" in line:
                name, value = line.strip().split("=", 1)
                settings[name] = value.split()[0]
            if "Ctrl+C" in line:
                break
        assert set(settings) == {"EI_API_ENDPOINT", "EI_INGESTION_ENDPOINT", "EI_API_KEY"}
        listing = run([installed, "ls", "--json"], env={**env, **settings})
        assert listing.returncode == 0, listing.stderr
        assert [s["filename"] for s in json.loads(listing.stdout)] == ["idle.0"]
    finally:
        server.terminate()
        server.wait(timeout=30)


def test_app_opens_on_the_default_project(deb_root, tmp_path):
    home = tmp_path / "home"
    app = subprocess.Popen(
        [str(deb_root / "opt" / APP / f"{APP}-gui")],
        env=minimal_env(home),
        cwd=home,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    database = home / ".local" / "share" / APP / "projects" / "default" / "project.sqlite3"
    try:
        deadline = time.monotonic() + 60
        while not database.exists() and app.poll() is None and time.monotonic() < deadline:
            time.sleep(0.2)
        time.sleep(1)
        assert app.poll() is None, app.communicate()[0]
        assert database.exists()
    finally:
        app.terminate()
        app.wait(timeout=30)


# -- the portable tarball ----------------------------------------------------------------------


def test_tarball_layout(tar_root):
    assert os.access(tar_root / APP, os.X_OK)
    assert os.readlink(tar_root / f"{APP}-gui") == APP
    assert (tar_root / "share" / "applications" / f"{APP}.desktop").is_file()
    assert (tar_root / "share" / "metainfo" / METAINFO).is_file()
    for size in SIZES:
        assert (
            tar_root / "share" / "icons" / "hicolor" / f"{size}x{size}" / "apps" / f"{APP}.png"
        ).is_file()
    assert os.access(tar_root / "install-desktop-entry.sh", os.X_OK)
    assert "install-desktop-entry.sh" in (tar_root / "README.txt").read_text()


def test_tarball_runs(tar_root, tmp_path):
    env = minimal_env(tmp_path / "home")
    result = run([tar_root / APP, "--version"], env=env)
    assert result.stdout.strip() == f"{APP} {ei_desktop.__version__}"
    project = tmp_path / "project"
    upload = run(
        [tar_root / APP, "upload", SAMPLES / "idle.0.cbor", "--project", project, "--create"],
        env=env,
    )
    assert upload.returncode == 0, upload.stdout + upload.stderr


def test_tarball_menu_entry_for_one_user(tar_root, tmp_path):
    home = tmp_path / "home"
    env = minimal_env(home)
    installed = run([tar_root / "install-desktop-entry.sh"], env=env)
    assert installed.returncode == 0, installed.stdout + installed.stderr
    entry = home / ".local" / "share" / "applications" / f"{APP}.desktop"
    text = entry.read_text()
    assert f'Exec="{tar_root}/{APP}-gui"' in text
    assert f"TryExec={tar_root}/{APP}-gui" in text
    icons = home / ".local" / "share" / "icons" / "hicolor"
    assert all((icons / f"{s}x{s}" / "apps" / f"{APP}.png").is_file() for s in SIZES)
    assert os.readlink(home / ".local" / "bin" / APP) == str(tar_root / APP)
    if shutil.which("desktop-file-validate"):
        result = run(["desktop-file-validate", entry], env=env)
        assert result.returncode == 0, result.stdout + result.stderr

    removed = run([tar_root / "install-desktop-entry.sh", "--uninstall"], env=env)
    assert removed.returncode == 0, removed.stdout + removed.stderr
    assert not entry.exists()
    assert not (icons / "48x48" / "apps" / f"{APP}.png").exists()
    assert not (home / ".local" / "bin" / APP).exists()
