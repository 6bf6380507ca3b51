"""The keys of the box editing mode: Delete, F2, Esc, Ctrl+S, undo and redo, and the arrows
(Shift for ten pixels), taken from the window's shortcuts while the image view has the focus.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence

if TYPE_CHECKING:
    from ei_desktop.gui.widgets.box_editor import BoxEditor

_SAVE = QKeySequence.StandardKey.Save
_UNDO = QKeySequence.StandardKey.Undo
_REDO = QKeySequence.StandardKey.Redo
#: the window's Redo also answers to Ctrl+Shift+Z and Ctrl+Y
_MORE_REDO = (QKeySequence("Ctrl+Shift+Z"), QKeySequence("Ctrl+Y"))
_KEYS = (
    Qt.Key.Key_Delete,
    Qt.Key.Key_Backspace,
    Qt.Key.Key_F2,
    Qt.Key.Key_Escape,
    Qt.Key.Key_Left,
    Qt.Key.Key_Right,
    Qt.Key.Key_Up,
    Qt.Key.Key_Down,
)


def _more_redo(event) -> bool:
    return any(event.keyCombination() == keys[0] for keys in _MORE_REDO)


def is_editing_key(event) -> bool:
    """True for a key the box editor acts on (so the window's shortcut must not)."""
    return (
        event.key() in _KEYS
        or any(event.matches(k) for k in (_SAVE, _UNDO, _REDO))
        or _more_redo(event)
    )


def press_key(editor: BoxEditor, event) -> bool:
    """Do what key ``event`` asks of ``editor``; False for a key it does not use."""
    key = event.key()
    step = 10.0 if event.modifiers() & Qt.KeyboardModifier.ShiftModifier else 1.0
    arrows = {
        Qt.Key.Key_Left: (-step, 0.0),
        Qt.Key.Key_Right: (step, 0.0),
        Qt.Key.Key_Up: (0.0, -step),
        Qt.Key.Key_Down: (0.0, step),
    }
    if key in (Qt.Key.Key_Delete, Qt.Key.Key_Backspace):
        editor.delete_selected()
    elif key == Qt.Key.Key_F2:
        editor.relabel_selected()
    elif key == Qt.Key.Key_Escape:
        editor.cancelRequested.emit()
    elif event.matches(_SAVE):
        editor.saveRequested.emit()
    elif event.matches(_UNDO):
        editor.undo()
    elif event.matches(_REDO) or _more_redo(event):
        editor.redo()
    elif key in arrows:
        editor.nudge(*arrows[key])
    else:
        return False
    return True
