"""The installed Qt binding keeps Python's reference counts straight.

PySide6-Essentials 6.12.0 under Python 3.11 drops a reference to ``None`` on every call of a
method returning nothing, and the app aborts with ``none_dealloc`` after a few thousand
repaints. pyproject.toml excludes that release; this test catches a binding that regresses.
"""

from __future__ import annotations

import sys

from PySide6 import QtCore, QtGui, QtWidgets


def test_void_qt_calls_do_not_leak_none(qapp):
    widget = QtWidgets.QWidget()
    color = QtGui.QColor()
    obj = QtCore.QObject()
    before = sys.getrefcount(None)
    for _ in range(2000):
        widget.update()
        widget.resize(10, 10)
        color.setAlpha(1)
        obj.setObjectName("x")
    assert abs(sys.getrefcount(None) - before) < 100
