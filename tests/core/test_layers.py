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


def imported_names(package_dir) -> dict[str, set[str]]:
    """Every module each file of a package imports (static, via the syntax tree)."""
    import ast
    from pathlib import Path

    found = {}
    for path in Path(package_dir).rglob("*.py"):
        names = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names.update(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module:
                names.add(node.module)
        found[str(path)] = names
    return found


def test_server_and_gui_use_the_core_never_each_other():
    from pathlib import Path

    package = Path(ei_desktop.core.__file__).parents[1]
    for path, names in imported_names(package / "server").items():
        bad = {n for n in names if n.startswith(("ei_desktop.gui", *QT_PREFIXES))}
        assert not bad, f"{path} imports {bad}"
    for path, names in imported_names(package / "gui").items():
        bad = {n for n in names if n.startswith("ei_desktop.server")}
        assert not bad, f"{path} imports {bad}"
    assert any(
        "ei_desktop.core" in n
        for names in imported_names(package / "server").values()
        for n in names
    )


def test_the_server_loads_no_qt():
    script = (
        "import sys, ei_desktop.server.app, ei_desktop.server.serve\n"
        f"print(','.join(sorted(m for m in sys.modules if m.split('.')[0] in {QT_PREFIXES!r})))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == ""
