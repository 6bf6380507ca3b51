"""The core never loads Qt: importing the data functions, the core and the CLI leaves every Qt
module out of sys.modules."""

from __future__ import annotations

import pkgutil
import subprocess
import sys

import ei_desktop.core

QT_PREFIXES = ("PySide6", "shiboken6", "pyqtgraph", "PyQt5", "PyQt6", "qtpy")


def core_modules() -> list[str]:
    return sorted(
        module.name
        for module in pkgutil.walk_packages(ei_desktop.core.__path__, prefix="ei_desktop.core.")
    )


def test_the_core_has_modules_to_check():
    modules = core_modules()
    assert "ei_desktop.core.backends.local" in modules
    assert "ei_desktop.core.data" in modules


def test_importing_data_and_core_loads_no_qt():
    imports = [
        "ei_desktop",
        "ei_desktop.data",
        "ei_desktop.cli",
        "ei_desktop.commands",
        *core_modules(),
    ]
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
    assert result.stdout.strip() == ""


def test_the_check_can_see_qt_when_it_is_loaded():
    """The probe above would notice: importing the GUI toolkit does show up."""
    script = "import sys, PySide6.QtCore\nprint('PySide6' in sys.modules)"
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "True"
