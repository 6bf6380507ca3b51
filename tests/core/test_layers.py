"""What the import-linter contracts of pyproject.toml cannot see: imports made at run time, and
which attributes of the root module are read.

The static layer rules (faces over ops over core, the app and the server apart, no Qt below the
app, formats apart from backends, the settings read only by the SDK functions and the command
line) are contracts run by ``lint-imports`` in ``python dev.py test``.
"""

from __future__ import annotations

import ast
import pkgutil
import subprocess
import sys
from pathlib import Path

import ei_desktop
import ei_desktop.core
import ei_desktop.ops

QT_PREFIXES = ("PySide6", "shiboken6", "pyqtgraph", "PyQt5", "PyQt6", "qtpy")
SETTINGS = {"API_KEY", "API_ENDPOINT", "INGESTION_ENDPOINT"}
PACKAGE = Path(ei_desktop.__file__).parent


def modules_of(package) -> list[str]:
    return sorted(
        module.name
        for module in pkgutil.walk_packages(package.__path__, prefix=f"{package.__name__}.")
    )


def loaded_qt_modules(imports: list[str]) -> str:
    script = (
        "import importlib, sys\n"
        f"for name in {imports!r}:\n"
        "    importlib.import_module(name)\n"
        f"bad = sorted(m for m in sys.modules if m.split('.')[0] in {QT_PREFIXES!r})\n"
        "print(','.join(bad))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    )
    return result.stdout.strip()


def test_importing_everything_but_the_app_loads_no_qt():
    core = modules_of(ei_desktop.core)
    assert "ei_desktop.core.backends.local" in core
    imports = [
        "ei_desktop",
        "ei_desktop.data",
        "ei_desktop.cli",
        "ei_desktop.commands",
        "ei_desktop.server.app",
        "ei_desktop.server.serve",
        *core,
        *modules_of(ei_desktop.ops),
    ]
    assert loaded_qt_modules(imports) == ""


def test_the_check_can_see_qt_when_it_is_loaded():
    """The probe above would notice: importing the GUI toolkit does show up."""
    assert "PySide6" in loaded_qt_modules(["PySide6.QtCore"])


def settings_read(path: Path) -> set[str]:
    """The settings of the root module that a file reads (``ei_desktop.API_KEY``, or
    ``from ei_desktop import API_KEY``)."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if (
            isinstance(node, ast.Attribute)
            and isinstance(node.value, ast.Name)
            and node.value.id == "ei_desktop"
            and node.attr in SETTINGS
        ):
            found.add(node.attr)
        elif isinstance(node, ast.ImportFrom) and node.module == "ei_desktop":
            found.update(alias.name for alias in node.names if alias.name in SETTINGS)
    return found


def test_only_the_sdk_functions_and_the_command_line_read_the_settings():
    """Modules below the faces may import the root for its constants, never for its settings:
    they are given keys and endpoints."""
    readers = {
        str(path.relative_to(PACKAGE)) for path in PACKAGE.rglob("*.py") if settings_read(path)
    }
    command_line = {"commands.py", "cli.py", "sync_commands.py"}
    assert readers <= {"data/_connection.py", *command_line}
    assert "data/_connection.py" in readers
