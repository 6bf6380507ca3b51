"""Undo and redo inside an editing mode (the box and label segment editors): the states
before each edit, and the edits taken back. Nothing here is saved; the window's own Undo
takes over once the mode saves.
"""

from __future__ import annotations

from typing import Generic, Optional, TypeVar

T = TypeVar("T")


class EditHistory(Generic[T]):
    """The states of an edited thing before each edit (undo) and of the edits taken back
    (redo), as snapshots the editor makes and restores.
    """

    def __init__(self) -> None:
        self._undo: list[T] = []
        self._redo: list[T] = []

    @property
    def can_undo(self) -> bool:
        """True when an edit can be taken back (the thing differs from where it started)."""
        return bool(self._undo)

    def clear(self) -> None:
        """Forget every edit (a new mode starts)."""
        self._undo, self._redo = [], []

    def record(self, before: T) -> None:
        """An edit changed the state that was ``before``: it can be undone, and what was taken
        back can no longer be redone.
        """
        self._undo.append(before)
        self._redo.clear()

    def undo(self, current: T) -> Optional[T]:
        """The state before the latest edit (``current`` can be redone), or ``None``."""
        return self._step(self._undo, self._redo, current)

    def redo(self, current: T) -> Optional[T]:
        """The state the latest undo left (``current`` can be undone), or ``None``."""
        return self._step(self._redo, self._undo, current)

    @staticmethod
    def _step(source: list[T], target: list[T], current: T) -> Optional[T]:
        if not source:
            return None
        target.append(current)
        return source.pop()
