"""The mouse in the box editing mode: a press on an edge or corner of a box resizes it, on a
box moves it, elsewhere on the image draws a new one; a double click relabels; hovering shows
with the cursor what a press would do.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Optional

from PySide6.QtCore import QPointF, QRectF, Qt

from ei_desktop.gui.widgets.box_geometry import MIN_SIDE, Box, clamped_point, moved, resized

if TYPE_CHECKING:
    from ei_desktop.gui.widgets.box_editor import BoxEditor

#: a drag shorter than this (widget pixels) on the image is a click, not a new box
MIN_DRAW = 5.0

# which edges a handle moves: -1 the left (top) one, 1 the right (bottom) one, 0 neither
_CURSORS = {
    (-1, -1): Qt.CursorShape.SizeFDiagCursor,
    (1, 1): Qt.CursorShape.SizeFDiagCursor,
    (1, -1): Qt.CursorShape.SizeBDiagCursor,
    (-1, 1): Qt.CursorShape.SizeBDiagCursor,
    (-1, 0): Qt.CursorShape.SizeHorCursor,
    (1, 0): Qt.CursorShape.SizeHorCursor,
    (0, -1): Qt.CursorShape.SizeVerCursor,
    (0, 1): Qt.CursorShape.SizeVerCursor,
}


@dataclass
class Drag:
    """A press being dragged on the image view."""

    kind: str  # "move", "resize" or "draw"
    start: QPointF  # where the press was, in image pixels
    rect: QRectF  # the box's rectangle at the press (image pixels)
    handle: tuple[int, int] = (0, 0)
    moved: bool = False


class BoxMouse:
    """What the mouse does to the boxes of ``editor`` (which passes it the view's mouse
    events while editing).
    """

    def __init__(self, editor: BoxEditor) -> None:
        self.editor = editor
        #: the press being dragged, if any
        self.drag: Optional[Drag] = None

    def press(self, event) -> bool:
        """A left press: start resizing, moving or drawing a box."""
        editor = self.editor
        if event.button() != Qt.MouseButton.LeftButton:
            return False
        if editor.label_edit.is_open:
            editor.label_edit.finish(True)
        editor.view.setFocus(Qt.FocusReason.MouseFocusReason)
        pos = event.position()
        point = editor.view.map_to_image(pos)
        index, handle = editor.handle_at(pos)
        if index is not None:
            editor.select(index)
            self.drag = Drag("resize", point, QRectF(editor.boxes[index].rect), handle)
            return True
        index = editor.box_at(pos)
        if index is not None:
            editor.select(index)
            self.drag = Drag("move", point, QRectF(editor.boxes[index].rect))
            return True
        editor.select(None)
        if editor.view.image_rect().contains(pos):
            start = clamped_point(point, editor.image_bounds())
            self.drag = Drag("draw", start, QRectF(start, start))
        return True

    def move(self, event) -> bool:
        """The mouse moved: follow the drag, or show what a press would do."""
        editor = self.editor
        pos = event.position()
        drag = self.drag
        if drag is None:
            self.hover(pos)
            return False
        point = editor.view.map_to_image(pos)
        delta = point - drag.start
        if drag.kind == "move":
            if delta.isNull() and not drag.moved:
                return True
            drag.moved = True
            editor.boxes[editor.selected].rect = moved(drag.rect, delta, editor.image_bounds())
        elif drag.kind == "resize":
            drag.moved = True
            editor.boxes[editor.selected].rect = resized(
                drag.rect, drag.handle, delta, editor.image_bounds()
            )
        else:
            drag.rect = QRectF(drag.start, clamped_point(point, editor.image_bounds())).normalized()
            drag.moved = True
        editor.view.update()
        return True

    def release(self, event) -> bool:
        """The press ended: a drawn box asks for its label, a moved one is recorded."""
        editor = self.editor
        if event.button() != Qt.MouseButton.LeftButton or self.drag is None:
            return False
        drag, self.drag = self.drag, None
        if drag.kind == "draw":
            shown = editor.view.map_from_image(drag.rect)
            big = shown.width() >= MIN_DRAW and shown.height() >= MIN_DRAW
            if drag.moved and big and drag.rect.width() >= MIN_SIDE:
                editor.boxes.append(Box(editor.last_label, drag.rect))
                editor.selected = len(editor.boxes) - 1
                editor.boxes_changed(record=False)  # recorded once it has its label
                editor.ask_label(editor.selected, new=True)
            editor.view.update()
        elif drag.moved:
            editor.boxes_changed()
        return True

    def double_click(self, event) -> bool:
        """A double click on a box asks for its new label."""
        editor = self.editor
        index = editor.box_at(event.position())
        if index is None:
            return False
        editor.select(index)
        editor.ask_label(index, new=False)
        return True

    def hover(self, pos: QPointF) -> None:
        """Show with the cursor what a press at ``pos`` (widget) would do."""
        editor = self.editor
        index, handle = editor.handle_at(pos)
        if index is not None:
            editor.view.setCursor(_CURSORS[handle])
        elif editor.box_at(pos) is not None:
            editor.view.setCursor(Qt.CursorShape.SizeAllCursor)
        elif editor.view.image_rect().contains(pos):
            editor.view.setCursor(Qt.CursorShape.CrossCursor)
        else:
            editor.view.unsetCursor()
