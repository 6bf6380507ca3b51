"""Entry point of the frozen executables built by ``packaging/ei-desktop.spec``.

One script serves both executables of the bundle: ``ei-desktop-gui`` (windowed on Windows
and macOS, a symlink on Linux) opens the app, ``ei-desktop`` is the full command line (which
also opens the app when given no command). The name the program was started by decides.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path


def _started_as_gui() -> bool:
    names = (Path(sys.argv[0]).name if sys.argv else "", Path(sys.executable).name)
    return any(name.lower().removesuffix(".exe").endswith("-gui") for name in names)


def _give_windowed_streams() -> None:
    # A windowed executable on Windows has no console: sys.stdout and sys.stderr are None,
    # and any library that writes to them directly would crash the app.
    for name in ("stdout", "stderr"):
        if getattr(sys, name) is None:
            setattr(sys, name, open(os.devnull, "w", encoding="utf-8"))  # noqa: SIM115


def main() -> int:
    """Run the app or the command line, depending on how the program was started."""
    from ei_desktop import cli

    if _started_as_gui():
        _give_windowed_streams()
        return cli.gui_main()
    return cli.main()


if __name__ == "__main__":
    sys.exit(main())
