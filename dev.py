#!/usr/bin/env python3
"""Bootstrap a development environment and run the app or the tests.

    python3 dev.py run [ARGS...]    create .venv if needed, then start the desktop app
    python3 dev.py test [ARGS...]   create .venv if needed, then run ruff, the layer contracts
                                    (lint-imports) and the whole test suite
    python3 dev.py env              only create or refresh .venv

Needs nothing but Python 3.10+ and access to the package registries. The environment is
reinstalled only when pyproject.toml changes.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
EXTRAS = {
    "run": "gui,server",
    "test": "gui,server,test,packaging",
    "env": "gui,server,test,packaging",
}


def venv_python() -> Path:
    return VENV / ("Scripts/python.exe" if os.name == "nt" else "bin/python")


def venv_script(name: str) -> Path:
    return VENV / (f"Scripts/{name}.exe" if os.name == "nt" else f"bin/{name}")


def ensure_env(extras: str) -> Path:
    """Create .venv and install the package with `extras`, unless it is already current."""
    python = venv_python()
    stamp = VENV / ".ei-desktop-stamp"
    project_hash = hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()
    installed_hash, _, installed_extras = (stamp.read_text() if stamp.exists() else "").partition(
        " "
    )
    if (
        python.exists()
        and installed_hash == project_hash
        and set(extras.split(",")) <= set(installed_extras.split(","))
    ):
        return python
    if not python.exists():
        print(f"Creating {VENV} ...", flush=True)
        venv.EnvBuilder(with_pip=True, clear=True).create(VENV)
    print(f"Installing ei-desktop[{extras}] ...", flush=True)
    subprocess.check_call([str(python), "-m", "pip", "install", "-q", "--upgrade", "pip"])
    subprocess.check_call(
        [str(python), "-m", "pip", "install", "-q", "-e", f".[{extras}]"], cwd=ROOT
    )
    stamp.write_text(f"{project_hash} {extras}")
    return python


def main(argv: list[str]) -> int:
    command = argv[0] if argv else "run"
    rest = argv[1:]
    if command not in EXTRAS:
        print(__doc__)
        return 2
    python = ensure_env(EXTRAS[command])
    if command == "env":
        return 0
    if command == "run":
        return subprocess.call([str(python), "-m", "ei_desktop", "gui", *rest], cwd=ROOT)
    env = dict(os.environ, QT_QPA_PLATFORM=os.environ.get("QT_QPA_PLATFORM", "offscreen"))
    lint = subprocess.call([str(python), "-m", "ruff", "check", "."], cwd=ROOT, env=env)
    # the layer rules of pyproject.toml [tool.importlinter]
    layers = subprocess.call([str(venv_script("lint-imports"))], cwd=ROOT, env=env)
    tests = subprocess.call([str(python), "-m", "pytest", *rest], cwd=ROOT, env=env)
    return tests or lint or layers


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
