#!/usr/bin/env python3
"""Build this platform's ei-desktop installer into dist/ and print its path last.

    packaging/build [--python PY | --own-env] [--clean] [--bundle-only]

- Linux: dist/ei-desktop_<version>_<arch>.deb and a portable
  dist/ei-desktop-<version>-linux-<machine>.tar.gz (the tarball's path is printed on the line
  before the .deb's).
- Windows: dist/ei-desktop-<version>-windows-x64-setup.exe (Inno Setup's ``iscc``).
- macOS: dist/ei-desktop-<version>-macos-<machine>.dmg holding ei-desktop.app.

The one-folder bundle itself (PyInstaller, ``packaging/ei-desktop.spec``) is in build/bundle/.

Build environment: the Python running this script if it has everything the bundle needs
(every module, ei_desktop from this checkout, and pyproject.toml's requirements for the
gui, server and packaging extras), else the repository's .venv if it has, else
build/packaging-venv, created and brought up to date here with
``pip install -e .[gui,server,packaging]`` (needs only Python 3.10+ with venv, and PyPI).
``--python`` names the interpreter; ``--own-env`` always uses build/packaging-venv.
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import shutil
import subprocess
import sys
import time
import venv
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
BUILD = ROOT / "build"
DIST = ROOT / "dist"
CACHE = HERE / "build-cache"
SPEC = HERE / "ei-desktop.spec"
BUNDLE_DIST = BUILD / "bundle"
WORK = BUILD / "pyinstaller"
OWN_ENV = BUILD / "packaging-venv"
APP = "ei-desktop"
EXTRAS = ("gui", "server", "packaging")

#: what the bundle is made of; a build environment must import all of them
REQUIRED_MODULES = (
    "PyInstaller",
    "PySide6.QtWidgets",
    "PySide6.QtSvg",
    "pyqtgraph",
    "uvicorn",
    "fastapi",
    "multipart",
    "keyring",
    "soundfile",
    "miniaudio",
    "av",
    "cbor2",
    "PIL",
    "numpy",
    "pandas",
    "platformdirs",
    "requests",
    "requests_toolbelt",
    "tqdm",
)

IS_LINUX = sys.platform.startswith("linux")
IS_MAC = sys.platform == "darwin"
IS_WINDOWS = sys.platform == "win32"


class BuildError(Exception):
    """A build step failed; the message says what to do."""


def step(message: str) -> None:
    """Print a progress line (stdout; the artifact paths are always the last lines)."""
    print(f"==> {message}", flush=True)


def version() -> str:
    """The package version, read from ei_desktop/core/about.py without importing it."""
    text = (ROOT / "ei_desktop" / "core" / "about.py").read_text(encoding="utf-8")
    match = re.search(r'^VERSION = "([^"]+)"', text, re.M)
    if not match:
        raise BuildError("no VERSION in ei_desktop/core/about.py")
    return match.group(1)


def size_mb(path: Path) -> float:
    """Size of a file, or of everything under a folder (symlinks not followed), in MB."""
    if path.is_file():
        return path.stat().st_size / 1e6
    total = sum(p.lstat().st_size for p in path.rglob("*") if p.is_file() and not p.is_symlink())
    return total / 1e6


# -- build environment -------------------------------------------------------------------------


def env_python(env: Path) -> Path:
    """The interpreter of a virtual environment."""
    return env / ("Scripts/python.exe" if IS_WINDOWS else "bin/python")


PROBE = r"""
import importlib.util, pathlib, sys
from importlib.metadata import PackageNotFoundError, version



def found(module):
    try:
        return importlib.util.find_spec(module) is not None
    except ImportError:
        return False


root, extras, modules = pathlib.Path(sys.argv[1]).resolve(), sys.argv[2].split(","), sys.argv[3:]
problems = [f"no module {m}" for m in modules if not found(m)]
spec = importlib.util.find_spec("ei_desktop")
if spec is None or pathlib.Path(spec.origin).resolve().parent.parent != root:
    problems.append(f"ei_desktop is not imported from {root}")
if problems:
    sys.exit(print("; ".join(problems)))
try:
    import tomllib
except ImportError:  # Python 3.10
    from pip._vendor import tomli as tomllib
from packaging.requirements import Requirement

project = tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))["project"]
wanted = list(project["dependencies"])
for extra in extras:
    wanted += project["optional-dependencies"][extra]
for line in wanted:
    requirement = Requirement(line)
    if requirement.marker and not requirement.marker.evaluate():
        continue
    try:
        installed = version(requirement.name)
    except PackageNotFoundError:
        problems.append(f"{requirement.name} is not installed")
        continue
    if not requirement.specifier.contains(installed, prereleases=True):
        problems.append(f"{requirement.name} {installed} does not satisfy {line}")
print("; ".join(problems) or "ok")
"""


def missing_parts(python: Path) -> str:
    """What ``python`` lacks to build the bundle from this checkout ("" if nothing): every
    module of the bundle, ei_desktop from this checkout, and pyproject.toml's requirements.
    """
    try:
        result = subprocess.run(
            [str(python), "-c", PROBE, str(ROOT), ",".join(EXTRAS), *REQUIRED_MODULES],
            capture_output=True,
            text=True,
            timeout=120,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        return str(exc)
    if result.returncode != 0:
        return (result.stderr.strip().splitlines() or ["the probe failed"])[-1]
    answer = result.stdout.strip()
    return "" if answer == "ok" else answer


def own_env() -> Path:
    """build/packaging-venv with the package and its gui, server and packaging extras."""
    python = env_python(OWN_ENV)
    if python.exists() and not missing_parts(python):
        return python
    if not python.exists():
        step(f"creating the build environment {OWN_ENV.relative_to(ROOT)}")
        try:
            venv.EnvBuilder(with_pip=True, clear=True).create(OWN_ENV)
        except Exception as exc:
            raise BuildError(
                f"could not create a virtual environment ({exc}); on Debian/Ubuntu install "
                "python3-venv"
            ) from exc
    step(f"installing .[{','.join(EXTRAS)}] into {OWN_ENV.relative_to(ROOT)}")
    pip = [str(python), "-m", "pip", "install", "--disable-pip-version-check", "-q"]
    subprocess.run([*pip, "--upgrade", "pip"], check=True)
    subprocess.run([*pip, "-e", f".[{','.join(EXTRAS)}]"], cwd=ROOT, check=True)
    problem = missing_parts(python)
    if problem:
        raise BuildError(f"{OWN_ENV} is still incomplete after installing: {problem}")
    return python


def choose_python(requested: str | None, force_own: bool) -> Path:
    """The interpreter to build with (see the module docstring)."""
    if requested:
        python = Path(requested)
        problem = missing_parts(python)
        if problem:
            raise BuildError(f"{python} cannot build the bundle: {problem}")
        return python
    if not force_own:
        for python in (Path(sys.executable), env_python(ROOT / ".venv")):
            if python.exists() and not missing_parts(python):
                return python
    return own_env()


def check_tools(python: Path) -> None:
    """Fail early, with the fix, when the platform lacks something PyInstaller needs."""
    if IS_LINUX:
        for tool, package in (("objdump", "binutils"), ("ldd", "libc-bin")):
            if not shutil.which(tool):
                raise BuildError(f"{tool} is missing: install {package}")
        shared = subprocess.run(
            [
                str(python),
                "-c",
                "import sysconfig; print(sysconfig.get_config_var('Py_ENABLE_SHARED'))",
            ],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        if shared != "1":
            raise BuildError(
                f"{python} was built without a shared libpython, which PyInstaller needs "
                "(pyenv: PYTHON_CONFIGURE_OPTS=--enable-shared)"
            )


# -- icons, version resource, bundle -----------------------------------------------------------


def make_icons(python: Path) -> Path:
    """PNGs for every size, plus the .ico/.icns this platform needs, in packaging/build-cache."""
    icons = CACHE / "icons"
    if icons.exists():
        shutil.rmtree(icons)
    command = [str(python), str(HERE / "icons.py"), str(icons)]
    command += ["--ico"] if IS_WINDOWS else ["--icns"] if IS_MAC else []
    subprocess.run(command, check=True)
    return icons


def windows_version_file(ver: str) -> Path:
    """A PyInstaller version-info file: the version and product name in the .exe properties."""
    numbers = [int(n) for n in re.findall(r"\d+", ver)[:4]]
    numbers += [0] * (4 - len(numbers))
    path = CACHE / "windows-version-info.txt"
    path.parent.mkdir(parents=True, exist_ok=True)
    strings = {
        "CompanyName": "ei-desktop developers",
        "FileDescription": "ei-desktop: dataset manager for Edge Impulse projects",
        "FileVersion": ver,
        "InternalName": APP,
        "LegalCopyright": "MIT License",
        "OriginalFilename": f"{APP}.exe",
        "ProductName": APP,
        "ProductVersion": ver,
    }
    table = ",\n".join(f"          StringStruct({k!r}, {v!r})" for k, v in strings.items())
    path.write_text(
        f"""VSVersionInfo(
  ffi=FixedFileInfo(
    filevers={tuple(numbers)!r},
    prodvers={tuple(numbers)!r},
    mask=0x3F,
    flags=0x0,
    OS=0x40004,
    fileType=0x1,
    subtype=0x0,
    date=(0, 0),
  ),
  kids=[
    StringFileInfo([
      StringTable(
        '040904B0',
        [
{table},
        ],
      )
    ]),
    VarFileInfo([VarStruct('Translation', [1033, 1200])]),
  ],
)
""",
        encoding="utf-8",
    )
    return path


def excluded_but_imported(warn_file: Path) -> list[str]:
    """Modules the spec excludes although ei_desktop imports them (each would fail at run
    time), from PyInstaller's warn file.
    """
    problems = []
    if not warn_file.exists():
        return problems
    for line in warn_file.read_text(encoding="utf-8", errors="replace").splitlines():
        match = re.match(r"excluded module named (\S+) - imported by (.*)", line)
        if not match:
            continue
        importers = [part.strip().split(" ")[0] for part in match.group(2).split(",")]
        ours = [
            name for name in importers if name == "ei_desktop" or name.startswith("ei_desktop.")
        ]
        if ours:
            problems.append(f"{match.group(1)} (imported by {', '.join(ours)})")
    return problems


def build_bundle(python: Path, ver: str, icons: Path, clean: bool) -> Path:
    """Run PyInstaller on the spec; returns the bundle (a folder, or the .app on macOS)."""
    if clean and WORK.exists():
        shutil.rmtree(WORK)
    if BUNDLE_DIST.exists():
        shutil.rmtree(BUNDLE_DIST)
    env = dict(os.environ)
    for name in ("EI_PKG_NO_EXCLUDES", "EI_PKG_ENTRY"):
        env.pop(name, None)
    if IS_WINDOWS:
        env["EI_PKG_ICON"] = str(icons / f"{APP}.ico")
        env["EI_PKG_WIN_VERSION_FILE"] = str(windows_version_file(ver))
    elif IS_MAC:
        env["EI_PKG_ICON"] = str(icons / f"{APP}.icns")
    step("PyInstaller (one-folder bundle)")
    started = time.monotonic()
    subprocess.run(
        [
            str(python),
            "-m",
            "PyInstaller",
            "--noconfirm",
            "--log-level",
            "WARN",
            "--distpath",
            str(BUNDLE_DIST),
            "--workpath",
            str(WORK),
            str(SPEC),
        ],
        cwd=ROOT,
        env=env,
        check=True,
    )
    problems = excluded_but_imported(WORK / APP / f"warn-{APP}.txt")
    if problems:
        raise BuildError(
            "packaging/ei-desktop.spec excludes modules the app imports: "
            + "; ".join(problems)
            + ". Remove them from EXCLUDES."
        )
    bundle = BUNDLE_DIST / (f"{APP}.app" if IS_MAC else APP)
    step(f"bundle {bundle} ({size_mb(bundle):.0f} MB) in {time.monotonic() - started:.0f} s")
    return bundle


def cli_in(bundle: Path) -> Path:
    """The console executable inside a bundle."""
    if IS_MAC:
        return bundle / "Contents" / "MacOS" / APP
    return bundle / (f"{APP}.exe" if IS_WINDOWS else APP)


def check_version(bundle: Path, ver: str) -> None:
    """Run the bundled ``ei-desktop --version``: the bundle starts and is the right one."""
    result = subprocess.run(
        [str(cli_in(bundle)), "--version"], capture_output=True, text=True, timeout=120
    )
    if result.returncode != 0 or result.stdout.strip() != f"{APP} {ver}":
        raise BuildError(
            f"the bundle does not start: {cli_in(bundle)} --version gave "
            f"{result.returncode}: {result.stdout}{result.stderr}"
        )


# -- installers --------------------------------------------------------------------------------


def find_iscc() -> Path:
    """Inno Setup's command-line compiler: on PATH, or where its installer puts it."""
    found = shutil.which("iscc") or shutil.which("ISCC")
    if found:
        return Path(found)
    for base in (os.environ.get("PROGRAMFILES(X86)"), os.environ.get("PROGRAMFILES")):
        if base and (Path(base) / "Inno Setup 6" / "ISCC.exe").exists():
            return Path(base) / "Inno Setup 6" / "ISCC.exe"
    raise BuildError("Inno Setup 6 (iscc) not found: install it, e.g. `choco install innosetup`")


def windows_installer(bundle: Path, ver: str, icons: Path) -> Path:
    """Compile packaging/windows/ei-desktop.iss into dist/…-setup.exe."""
    step("Inno Setup")
    numeric = ".".join((re.findall(r"\d+", ver) + ["0", "0", "0"])[:4])
    base = f"{APP}-{ver}-windows-x64-setup"
    subprocess.run(
        [
            str(find_iscc()),
            "/Q",
            f"/DAppVersion={ver}",
            f"/DNumericVersion={numeric}",
            f"/DBundleDir={bundle}",
            f"/DIconFile={icons / f'{APP}.ico'}",
            f"/DOutputDir={DIST}",
            f"/DOutputBase={base}",
            str(HERE / "windows" / f"{APP}.iss"),
        ],
        check=True,
    )
    return DIST / f"{base}.exe"


def mac_dmg(app: Path, ver: str) -> Path:
    """Wrap ei-desktop.app (and a link to /Applications) into a compressed .dmg."""
    step("disk image (hdiutil)")
    staging = BUILD / "dmg"
    if staging.exists():
        shutil.rmtree(staging)
    staging.mkdir(parents=True)
    subprocess.run(["ditto", str(app), str(staging / app.name)], check=True)
    (staging / "Applications").symlink_to("/Applications")
    dmg = DIST / f"{APP}-{ver}-macos-{platform.machine()}.dmg"
    command = ["hdiutil", "create", "-volname", f"{APP} {ver}", "-srcfolder", str(staging)]
    command += ["-fs", "HFS+", "-format", "UDZO", "-ov", str(dmg)]
    for attempt in range(3):  # hdiutil now and then reports "Resource busy" on CI machines
        if subprocess.run(command).returncode == 0:
            return dmg
        time.sleep(5 * (attempt + 1))
    raise BuildError("hdiutil create failed")


def main(argv: list[str] | None = None) -> int:
    """Build; returns the exit status."""
    parser = argparse.ArgumentParser(prog="packaging/build", description=__doc__.splitlines()[0])
    choice = parser.add_mutually_exclusive_group()
    choice.add_argument("--python", help="build with this interpreter")
    choice.add_argument("--own-env", action="store_true", help="always use build/packaging-venv")
    parser.add_argument("--clean", action="store_true", help="forget PyInstaller's cache")
    parser.add_argument(
        "--bundle-only", action="store_true", help="stop after the one-folder bundle"
    )
    args = parser.parse_args(argv)

    started = time.monotonic()
    try:
        ver = version()
        python = choose_python(args.python, args.own_env)
        step(f"building ei-desktop {ver} with {python}")
        check_tools(python)
        icons = make_icons(python)
        bundle = build_bundle(python, ver, icons, args.clean)
        check_version(bundle, ver)
        DIST.mkdir(exist_ok=True)
        artifacts = [bundle]
        if args.bundle_only:
            pass
        elif IS_LINUX:
            import linux_package

            try:
                artifacts = linux_package.build(bundle, ver, icons / "png", DIST, BUILD)
            except linux_package.PackageError as exc:
                raise BuildError(str(exc)) from exc
        elif IS_WINDOWS:
            artifacts = [windows_installer(bundle, ver, icons)]
        elif IS_MAC:
            artifacts = [mac_dmg(bundle, ver)]
        else:
            raise BuildError(f"no installer recipe for {sys.platform}; the bundle is {bundle}")
    except (BuildError, subprocess.CalledProcessError) as exc:
        print(f"packaging/build: error: {exc}", file=sys.stderr)
        return 1
    for artifact in artifacts:
        step(f"{artifact.name}: {size_mb(artifact):.1f} MB")
    step(f"done in {time.monotonic() - started:.0f} s")
    for artifact in artifacts:
        print(artifact)
    return 0


if __name__ == "__main__":
    sys.exit(main())
