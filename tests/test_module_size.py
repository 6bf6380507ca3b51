"""Every module of the app (``ei_desktop/gui/``) stays small enough to read in one sitting:
at most :data:`MAX_LINES` lines, so a module keeps one job (issue 9).
"""

from __future__ import annotations

from pathlib import Path

MAX_LINES = 400
GUI = Path(__file__).resolve().parents[1] / "ei_desktop" / "gui"
#: modules allowed to be longer (path under ``gui/`` → why); empty today. An entry needs a
#: reason, and goes once its module is back under the limit.
ALLOWED: dict[str, str] = {}


def _line_counts() -> dict[str, int]:
    return {
        path.relative_to(GUI).as_posix(): len(path.read_text(encoding="utf-8").splitlines())
        for path in sorted(GUI.rglob("*.py"))
    }


def test_gui_modules_are_at_most_400_lines():
    counts = _line_counts()
    assert counts, f"no modules found under {GUI}"
    offenders = {
        name: lines for name, lines in counts.items() if lines > MAX_LINES and name not in ALLOWED
    }
    assert not offenders, (
        f"modules under ei_desktop/gui/ over {MAX_LINES} lines (split them by job, or add "
        "them to ALLOWED with the reason): "
        + ", ".join(f"{name} ({lines} lines)" for name, lines in sorted(offenders.items()))
    )


def test_the_allow_list_names_only_long_modules():
    counts = _line_counts()
    stale = [name for name in ALLOWED if counts.get(name, 0) <= MAX_LINES]
    assert not stale, f"no longer over {MAX_LINES} lines (or gone), drop from ALLOWED: {stale}"
