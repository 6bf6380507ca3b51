"""Linux packages of the one-folder bundle: a .deb (dpkg-deb) and a portable .tar.gz.

The .deb installs the bundle under /opt/ei-desktop with /usr/bin links, the desktop file, the
hicolor icons and the AppStream metadata; it depends on the system libraries the bundle
leaves to the system (see linux_libs.py), read from the bundle's ELF files. The tarball holds
the same bundle with the desktop file and icons in share/ and ``install-desktop-entry.sh``
for a menu entry without administrator rights.
"""

from __future__ import annotations

import os
import platform
import shutil
import stat
import subprocess
import tarfile
from pathlib import Path

import linux_libs

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
APP = "ei-desktop"
DESKTOP = ROOT / "resources" / "linux" / f"{APP}.desktop"
METAINFO = ROOT / "resources" / "linux" / "io.github.eidesktop.EiDesktop.metainfo.xml"
SVG = ROOT / "resources" / "icons" / f"{APP}.svg"
MAINTAINER = os.environ.get(
    "EI_PKG_MAINTAINER", "ei-desktop developers <ei-desktop@users.noreply.github.com>"
)
SUMMARY = "dataset manager for Edge Impulse projects"
DESCRIPTION = """\
Upload, browse, preview, download and delete the samples of Edge Impulse
projects, or of local projects on this computer that need no account and no
network. Sensor data (JSON, CBOR, CSV), images and audio.
.
Includes the ei-desktop command line and a local server that speaks the Edge
Impulse ingestion and data API, so the official SDK and CLI work against a
local project."""


class PackageError(Exception):
    """The bundle cannot be packaged as it is; the message says why."""


# -- what the bundle needs from the system -----------------------------------------------------


def _elf_files(bundle: Path) -> list[Path]:
    files = []
    for path in sorted(bundle.rglob("*")):
        if path.is_file() and not path.is_symlink():
            with path.open("rb") as handle:
                if handle.read(4) == b"\x7fELF":
                    files.append(path)
    return files


def system_dependencies(bundle: Path) -> tuple[list[str], list[str]]:
    """The Debian ``Depends`` and ``Recommends`` of the bundle.

    Every library an ELF file of the bundle needs and the bundle does not hold must be known
    to linux_libs (else :class:`PackageError`); glibc's version comes from the newest
    ``GLIBC_*`` symbol version any file requires.
    """
    bundle = bundle.resolve()
    present = {path.name for path in bundle.rglob("*")}
    depends: set[str] = set()
    recommends: set[str] = set()
    unknown: dict[str, list[str]] = {}
    glibc = (2, 17)
    for path, (needed, versions) in linux_libs.elf_dependencies(_elf_files(bundle)).items():
        relative = path.relative_to(bundle).as_posix()
        optional = bool(linux_libs.OPTIONAL_PLUGIN.search(relative))
        for tag in versions:
            glibc = max(glibc, tuple(int(n) for n in tag.removeprefix("GLIBC_").split(".")))
        for soname in sorted(needed - present):
            if soname in linux_libs.GLIBC:
                continue
            package = linux_libs.SYSTEM.get(soname) or (optional and linux_libs.GTK.get(soname))
            if not package:
                unknown.setdefault(soname, []).append(relative)
            elif optional:
                recommends.add(package)
            else:
                depends.add(package)
    if unknown:
        listing = "; ".join(
            f"{name} (needed by {', '.join(by[:3])})" for name, by in unknown.items()
        )
        raise PackageError(
            "the bundle needs system libraries packaging/linux_libs.py does not know: "
            f"{listing}. Add them to SYSTEM with their Debian package."
        )
    libc = f"libc6 (>= {'.'.join(map(str, glibc))})"
    return [libc, *sorted(depends)], sorted(recommends - depends)


# -- shared layout -----------------------------------------------------------------------------


def _normalize_modes(root: Path) -> None:
    """Directories and executables 0755, other files 0644 (whatever the build umask was)."""
    for path in [root, *root.rglob("*")]:
        if path.is_symlink():
            continue
        if path.is_dir():
            path.chmod(0o755)
        else:
            executable = path.stat().st_mode & (stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
            path.chmod(0o755 if executable else 0o644)


def _desktop_integration(share: Path, png_dir: Path) -> None:
    """share/applications, share/icons/hicolor and share/metainfo."""
    (share / "applications").mkdir(parents=True, exist_ok=True)
    shutil.copyfile(DESKTOP, share / "applications" / DESKTOP.name)
    (share / "metainfo").mkdir(parents=True, exist_ok=True)
    shutil.copyfile(METAINFO, share / "metainfo" / METAINFO.name)
    for png in sorted(png_dir.glob(f"{APP}-*.png")):
        size = png.stem.removeprefix(f"{APP}-")
        folder = share / "icons" / "hicolor" / f"{size}x{size}" / "apps"
        folder.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(png, folder / f"{APP}.png")
    if SVG.is_file():
        folder = share / "icons" / "hicolor" / "scalable" / "apps"
        folder.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(SVG, folder / f"{APP}.svg")


def validate_desktop_file() -> None:
    """desktop-file-validate, when installed (package desktop-file-utils)."""
    if shutil.which("desktop-file-validate"):
        result = subprocess.run(
            ["desktop-file-validate", str(DESKTOP)], capture_output=True, text=True
        )
        if result.returncode != 0:
            raise PackageError(f"{DESKTOP.name} is not valid: {result.stdout}{result.stderr}")


def check_release_notes(ver: str) -> None:
    """The AppStream metadata must list the version being packaged."""
    if f'<release version="{ver}"' not in METAINFO.read_text(encoding="utf-8"):
        raise PackageError(
            f'{METAINFO.relative_to(ROOT)} has no <release version="{ver}">: add the release'
        )


# -- .deb --------------------------------------------------------------------------------------


def deb_architecture() -> str:
    """The Debian name of this machine's architecture (amd64, arm64…)."""
    if shutil.which("dpkg"):
        return subprocess.run(
            ["dpkg", "--print-architecture"], capture_output=True, text=True, check=True
        ).stdout.strip()
    machine = platform.machine()
    return {"x86_64": "amd64", "aarch64": "arm64", "armv7l": "armhf"}.get(machine, machine)


def _copyright() -> str:
    license_text = (ROOT / "LICENSE").read_text(encoding="utf-8").strip().splitlines()
    indented = "\n".join(f" {line}" if line.strip() else " ." for line in license_text)
    return f"""\
Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/
Upstream-Name: {APP}
Comment: /opt/{APP}/_internal holds Python and the libraries the app runs on (Qt for
 Python, NumPy, pandas, Pillow, FastAPI and others), each under its own licence; their
 licence files are beside them where the upstream packages ship them.

Files: *
Copyright: {APP} developers
License: MIT
{indented}
"""


def deb(bundle: Path, ver: str, png_dir: Path, dist: Path, work: Path) -> Path:
    """Build dist/ei-desktop_<ver>_<arch>.deb with dpkg-deb."""
    arch = deb_architecture()
    staging = work / "deb" / f"{APP}_{ver}_{arch}"
    if staging.exists():
        shutil.rmtree(staging)
    opt = staging / "opt" / APP
    shutil.copytree(bundle, opt, symlinks=True)
    usr_bin = staging / "usr" / "bin"
    usr_bin.mkdir(parents=True)
    for name in (APP, f"{APP}-gui"):
        (usr_bin / name).symlink_to(f"/opt/{APP}/{name}")
    share = staging / "usr" / "share"
    _desktop_integration(share, png_dir)
    doc = share / "doc" / APP
    doc.mkdir(parents=True)
    (doc / "copyright").write_text(_copyright(), encoding="utf-8")

    depends, recommends = system_dependencies(bundle)
    installed_kib = sum(
        (path.lstat().st_size + 1023) // 1024 for path in staging.rglob("*") if not path.is_dir()
    )
    description = "\n".join(f" {line}" for line in DESCRIPTION.splitlines())
    control = [
        f"Package: {APP}",
        f"Version: {ver}",
        f"Architecture: {arch}",
        f"Maintainer: {MAINTAINER}",
        f"Installed-Size: {installed_kib}",
        f"Depends: {', '.join(depends)}",
        *([f"Recommends: {', '.join(recommends)}"] if recommends else []),
        "Section: science",
        "Priority: optional",
        f"Description: {SUMMARY}",
        description,
    ]
    debian = staging / "DEBIAN"
    debian.mkdir()
    (debian / "control").write_text("\n".join(control) + "\n", encoding="utf-8")
    for script in ("postinst", "postrm"):
        shutil.copyfile(HERE / "linux" / script, debian / script)
        (debian / script).chmod(0o755)
    _normalize_modes(staging)

    output = dist / f"{APP}_{ver}_{arch}.deb"
    subprocess.run(
        ["dpkg-deb", "--root-owner-group", "-Zxz", "--build", str(staging), str(output)],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    return output


# -- .tar.gz -----------------------------------------------------------------------------------

README = """\
ei-desktop {ver} for Linux ({machine})

Run it from this folder, no installation needed:

    ./ei-desktop-gui          the app
    ./ei-desktop --help       the command line (./ei-desktop alone also opens the app)

Add it to your application menu (for you only; no administrator rights needed):

    ./install-desktop-entry.sh
    ./install-desktop-entry.sh --uninstall

It uses the graphics libraries of your system: any desktop Linux with glibc {glibc} or newer
has them (on Debian/Ubuntu: {packages}).
"""


def tarball(bundle: Path, ver: str, png_dir: Path, dist: Path, work: Path) -> Path:
    """Build dist/ei-desktop-<ver>-linux-<machine>.tar.gz (one folder, ei-desktop-<ver>/)."""
    machine = platform.machine()
    top = f"{APP}-{ver}"
    staging = work / "tarball" / top
    if staging.exists():
        shutil.rmtree(staging)
    shutil.copytree(bundle, staging, symlinks=True)
    _desktop_integration(staging / "share", png_dir)
    script = staging / "install-desktop-entry.sh"
    shutil.copyfile(HERE / "linux" / "install-desktop-entry.sh", script)
    script.chmod(0o755)
    depends, _ = system_dependencies(bundle)
    glibc = depends[0].split(">= ")[1].rstrip(")")
    packages = ", ".join(name for name in depends[1:])
    (staging / "README.txt").write_text(
        README.format(ver=ver, machine=machine, glibc=glibc, packages=packages), encoding="utf-8"
    )
    _normalize_modes(staging)

    def owned_by_root(info: tarfile.TarInfo) -> tarfile.TarInfo:
        info.uid = info.gid = 0
        info.uname = info.gname = "root"
        return info

    output = dist / f"{APP}-{ver}-linux-{machine}.tar.gz"
    with tarfile.open(output, "w:gz", compresslevel=6) as archive:
        archive.add(staging, arcname=top, filter=owned_by_root)
    return output


def build(bundle: Path, ver: str, png_dir: Path, dist: Path, work: Path) -> list[Path]:
    """The tarball, then the .deb (when dpkg-deb exists): the .deb's path comes last."""
    validate_desktop_file()
    check_release_notes(ver)
    print("==> portable .tar.gz", flush=True)
    artifacts = [tarball(bundle, ver, png_dir, dist, work)]
    if shutil.which("dpkg-deb"):
        print("==> .deb (dpkg-deb)", flush=True)
        artifacts.append(deb(bundle, ver, png_dir, dist, work))
    else:
        print("==> no dpkg-deb on this system: skipping the .deb", flush=True)
    return artifacts
