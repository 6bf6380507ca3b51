"""What the import-linter contracts of pyproject.toml cannot see: modules loaded at run time.

The static layer rules (faces over ops over core, the app and the server apart, no Qt below the
app, formats apart from backends, the settings read only by the SDK functions and the command
line) are contracts run by ``lint-imports`` in ``python dev.py test``.
"""

from __future__ import annotations

import pkgutil
import subprocess
import sys

import ei_desktop
import ei_desktop.core
import ei_desktop.ops

QT_PREFIXES = ("PySide6", "shiboken6", "pyqtgraph", "PyQt5", "PyQt6", "qtpy")


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
