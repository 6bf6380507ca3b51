"""``ei-desktop --self-test`` passes on a working installation and fails loudly otherwise."""

from __future__ import annotations

import subprocess
import sys

from ei_desktop import selftest


def test_self_test_passes_here():
    result = subprocess.run(
        [sys.executable, "-m", "ei_desktop", "--self-test"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    for check in ("local project", "dataset formats", "server", "pyqtgraph", "main window"):
        assert f"[  ok] {check}" in result.stdout
    assert "PySide6" in result.stdout and "self-test passed" in result.stdout


def test_a_failing_check_fails_the_self_test(monkeypatch, capsys):
    def broken(work):
        raise RuntimeError("libsomething.so is missing")

    monkeypatch.setattr(selftest, "CHECKS", [("broken piece", broken), *selftest.CHECKS[:1]])
    assert selftest.run_self_test() == 1
    out = capsys.readouterr().out
    assert "[FAIL] broken piece RuntimeError: libsomething.so is missing" in out
    assert "[  ok] local project" in out
    assert "self-test FAILED (1 checks)" in out
