"""Editing the bounding boxes of an image on its :class:`ImageView`: move, resize, draw,
delete and relabel with the mouse and the keyboard, staged until saved.

The editor works in image pixels and maps through the view, so it behaves the same at any
size of the widget. It does no I/O: it says when the user asks to save or cancel, and the box
editing controller runs the change.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Optional

from PySide6.QtCore import QEvent, QObject, QPointF, QRectF, Qt, Signal
from PySide6.QtGui import QAction, QColor, QKeySequence, QPainter, QPen

from ei_desktop.gui.widgets.box_edit_widgets import BoxEditBar, LabelEdit

if TYPE_CHECKING:
    from ei_desktop.gui.widgets.image_view import ImageView

#: half the side of a resize handle, in widget pixels
HANDLE = 4.0
#: how close to an edge or corner of the selected box a press resizes it (widget pixels)
GRAB = 7.0
#: a drag shorter than this (widget pixels) on the image is a click, not a new box
MIN_DRAW = 5.0
#: the smallest side of a box, in image pixels
MIN_SIDE = 1.0

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


_SAVE = QKeySequence.StandardKey.Save
_UNDO = QKeySequence.StandardKey.Undo
_REDO = QKeySequence.StandardKey.Redo
#: the window's Redo also answers to Ctrl+Shift+Z and Ctrl+Y
_MORE_REDO = (QKeySequence("Ctrl+Shift+Z"), QKeySequence("Ctrl+Y"))


@dataclass
class Box:
    """A staged box: its label and its rectangle in image pixels."""

    label: str
    rect: QRectF


@dataclass
class _Drag:
    kind: str  # "move", "resize" or "draw"
    start: QPointF  # where the press was, in image pixels
    rect: QRectF  # the box's rectangle at the press (image pixels)
    handle: tuple[int, int] = (0, 0)
    moved: bool = False


def _more_redo(event) -> bool:
    return any(event.keyCombination() == keys[0] for keys in _MORE_REDO)


def _key_of(boxes: list[Box]) -> list[tuple]:
    return [(b.label, b.rect.getRect()) for b in boxes]


def box_dicts(boxes: list[Box], width: int, height: int) -> list[dict]:
    """``boxes`` as Edge Impulse boxes: integer pixels inside a ``width`` × ``height`` image."""
    out = []
    for box in boxes:
        rect = box.rect.normalized()
        left = min(max(round(rect.left()), 0), max(width - 1, 0))
        top = min(max(round(rect.top()), 0), max(height - 1, 0))
        right = min(max(round(rect.right()), left + 1), width)
        bottom = min(max(round(rect.bottom()), top + 1), height)
        out.append(
            {
                "label": box.label,
                "x": left,
                "y": top,
                "width": max(right - left, 1),
                "height": max(bottom - top, 1),
            }
        )
    return out


class BoxEditor(QObject):
    """The box editing mode of an :class:`ImageView`.

    The view draws the staged boxes; the editor draws the selection's handles and the box
    being drawn, and reads the mouse and keys through an event filter while editing.

    Signals:
        editingChanged(bool): the mode started or ended.
        changed(): the staged boxes (or the selection) changed.
        saveRequested(): Save, Ctrl+S.
        cancelRequested(): Cancel, Esc.
        leaving(): the view's content is being replaced while editing; what is staged can
            still be read (:meth:`staged`, :attr:`dirty`) until the signal returns.
    """

    editingChanged = Signal(bool)
    changed = Signal()
    saveRequested = Signal()
    cancelRequested = Signal()
    leaving = Signal()

    def __init__(self, view: ImageView) -> None:
        super().__init__(view)
        self.view = view
        #: the staged boxes, drawn by the view while editing
        self.boxes: list[Box] = []
        #: the index of the selected box in :attr:`boxes`
        self.selected: Optional[int] = None
        #: the label a new box gets first (the last one given)
        self.last_label = ""
        self._editing = False
        self._available = False
        self._original: list[Box] = []
        # staged edits that Ctrl+Z and Ctrl+Shift+Z step through (boxes before each edit)
        self._undo: list[list[Box]] = []
        self._redo: list[list[Box]] = []
        self._last: list[Box] = []  # the boxes after the latest recorded edit
        self._drag: Optional[_Drag] = None
        self._labelling: Optional[int] = None  # the box the label editor names
        self._labelling_new = False
        self.bar = BoxEditBar(view)
        self.bar.hide()
        self.bar.save_button.clicked.connect(self.saveRequested)
        self.bar.cancel_button.clicked.connect(self.cancelRequested)
        self.label_edit = LabelEdit(view)
        self.label_edit.accepted.connect(self._label_accepted)
        self.label_edit.cancelled.connect(self._label_cancelled)
        view.installEventFilter(self)

    # -- the mode ------------------------------------------------------------------------------

    def set_action(self, action: QAction) -> None:
        """Show ``action`` (the checkable *Edit boxes*) on the bar; the bar shows from now on
        whenever the view shows an image.
        """
        self.bar.toggle_button.setDefaultAction(action)
        self._available = True
        self.sync()

    def set_labels(self, labels: list[str]) -> None:
        """The labels the label editor completes."""
        self.label_edit.set_labels(labels)

    @property
    def editing(self) -> bool:
        """True while the boxes can be edited."""
        return self._editing

    @property
    def dirty(self) -> bool:
        """True when the staged boxes differ from the image's."""
        size = self.view.image_size
        w, h = size.width(), size.height()
        return box_dicts(self.boxes, w, h) != box_dicts(self._original, w, h)

    def staged(self) -> list[dict]:
        """The staged boxes as Edge Impulse boxes (integer image pixels)."""
        size = self.view.image_size
        return box_dicts(self.boxes, size.width(), size.height())

    def start(self) -> bool:
        """Start editing the boxes the view shows; False when it shows no image."""
        view = self.view
        if view.image_size.isEmpty():
            return False
        if self._editing:
            return True
        self._original = [Box(label, QRectF(rect)) for label, rect in view.boxes()]
        self.boxes = [Box(b.label, QRectF(b.rect)) for b in self._original]
        self.selected, self._drag = None, None
        self._undo, self._redo, self._last = [], [], self._copy()
        if not self.last_label and self.boxes:
            self.last_label = self.boxes[-1].label
        self._editing = True
        view.setMouseTracking(True)
        view.setFocusPolicy(Qt.FocusPolicy.ClickFocus)
        view.setFocus(Qt.FocusReason.OtherFocusReason)
        self._changed()
        self.editingChanged.emit(True)
        return True

    def stop(self, keep: bool = False) -> None:
        """End editing: the view keeps showing the staged boxes (``keep``, they are being
        saved) or shows the image's boxes again.
        """
        if not self._editing:
            return
        self._editing = False
        if self.label_edit.is_open:
            self.label_edit.finish(keep)
        self._drag = None
        self.selected = None
        if not keep:
            self.boxes = [Box(b.label, QRectF(b.rect)) for b in self._original]
        view = self.view
        view.setMouseTracking(False)
        view.unsetCursor()
        view.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        view.set_boxes([(b.label, b.rect) for b in self.boxes])
        self.sync()
        self.editingChanged.emit(False)

    def leave(self) -> None:
        """The view's content is about to be replaced: say so, then stop editing."""
        if self._editing:
            if self.label_edit.is_open:
                self.label_edit.finish(True)
            self.leaving.emit()
            self.stop(keep=True)

    def sync(self) -> None:
        """Show the bar when an image is shown (and the editor was given its action), and
        keep the view's image clear of it.
        """
        view = self.view
        shown = self._available and not view.image_size.isEmpty()
        height = self.bar.sizeHint().height() if shown else 0
        self.bar.setVisible(shown)
        view.setContentsMargins(0, 0, 0, height)
        self.bar.setGeometry(0, view.height() - height, view.width(), height)
        count = len(self.boxes) if self._editing else len(view.boxes())
        self.bar.show_editing(self._editing, self._editing and self.dirty, count)

    # -- edits ---------------------------------------------------------------------------------

    def select(self, index: Optional[int]) -> None:
        """Select box ``index`` (``None``: none)."""
        if index is not None and not 0 <= index < len(self.boxes):
            index = None
        if index != self.selected:
            self.selected = index
            self.view.update()
            self.changed.emit()

    def delete_selected(self) -> bool:
        """Delete the selected box."""
        if not self._editing or self.selected is None:
            return False
        del self.boxes[self.selected]
        self.selected = None
        self._changed()
        return True

    def relabel_selected(self) -> bool:
        """Ask a new label for the selected box."""
        if not self._editing or self.selected is None:
            return False
        self._ask_label(self.selected, new=False)
        return True

    def undo(self) -> bool:
        """Take back the latest staged edit (nothing saved is touched)."""
        return self._step(self._undo, self._redo)

    def redo(self) -> bool:
        """Make the staged edit taken back last again."""
        return self._step(self._redo, self._undo)

    def _step(self, source: list[list[Box]], target: list[list[Box]]) -> bool:
        if not self._editing or not source:
            return False
        target.append(self._copy())
        self.boxes = source.pop()
        self._last = self._copy()
        self.selected = None
        self._changed(record=False)
        return True

    def _copy(self) -> list[Box]:
        return [Box(b.label, QRectF(b.rect)) for b in self.boxes]

    def nudge(self, dx: float, dy: float) -> bool:
        """Move the selected box by ``dx``, ``dy`` image pixels (kept on the image)."""
        if not self._editing or self.selected is None:
            return False
        box = self.boxes[self.selected]
        box.rect = self._moved(box.rect, QPointF(dx, dy))
        self._changed()
        return True

    # -- geometry --------------------------------------------------------------------------------

    def widget_rect(self, index: int) -> QRectF:
        """Where box ``index`` is drawn, in widget coordinates."""
        return self.view.map_from_image(self.boxes[index].rect)

    def handle_at(self, pos: QPointF) -> tuple[Optional[int], tuple[int, int]]:
        """The box whose edge or corner is under ``pos`` (widget), the selected one first,
        and which of its edges a press there moves (``None``, ``(0, 0)``: none).
        """
        order = sorted(range(len(self.boxes)), key=self._area)
        if self.selected is not None:
            order.remove(self.selected)
            order.insert(0, self.selected)
        for index in order:
            handle = self._edges_at(self.widget_rect(index), pos)
            if handle != (0, 0):
                return index, handle
        return None, (0, 0)

    @staticmethod
    def _edges_at(r: QRectF, pos: QPointF) -> tuple[int, int]:
        if not r.adjusted(-GRAB, -GRAB, GRAB, GRAB).contains(pos):
            return (0, 0)
        hx = hy = 0
        left, right = abs(pos.x() - r.left()), abs(pos.x() - r.right())
        top, bottom = abs(pos.y() - r.top()), abs(pos.y() - r.bottom())
        if min(left, right) <= GRAB:
            hx = -1 if left <= right else 1
        if min(top, bottom) <= GRAB:
            hy = -1 if top <= bottom else 1
        return (hx, hy)

    def _area(self, index: int) -> float:
        rect = self.boxes[index].rect
        return rect.width() * rect.height()

    def box_at(self, pos: QPointF) -> Optional[int]:
        """The box under ``pos`` (widget): the selected one first, then the smallest."""
        if self.selected is not None and self.widget_rect(self.selected).contains(pos):
            return self.selected
        hits = [i for i in range(len(self.boxes)) if self.widget_rect(i).contains(pos)]
        if not hits:
            return None
        return min(hits, key=self._area)

    def _bounds(self) -> QRectF:
        size = self.view.image_size
        return QRectF(0, 0, size.width(), size.height())

    def _clamped_point(self, point: QPointF) -> QPointF:
        b = self._bounds()
        return QPointF(
            min(max(point.x(), b.left()), b.right()), min(max(point.y(), b.top()), b.bottom())
        )

    def _moved(self, rect: QRectF, delta: QPointF) -> QRectF:
        b = self._bounds()
        dx = min(max(delta.x(), b.left() - rect.left()), b.right() - rect.right())
        dy = min(max(delta.y(), b.top() - rect.top()), b.bottom() - rect.bottom())
        return rect.translated(dx, dy)

    def _resized(self, rect: QRectF, handle: tuple[int, int], delta: QPointF) -> QRectF:
        b = self._bounds()
        left, top, right, bottom = rect.left(), rect.top(), rect.right(), rect.bottom()
        hx, hy = handle
        if hx < 0:
            left = min(max(left + delta.x(), b.left()), right - MIN_SIDE)
        elif hx > 0:
            right = max(min(right + delta.x(), b.right()), left + MIN_SIDE)
        if hy < 0:
            top = min(max(top + delta.y(), b.top()), bottom - MIN_SIDE)
        elif hy > 0:
            bottom = max(min(bottom + delta.y(), b.bottom()), top + MIN_SIDE)
        return QRectF(QPointF(left, top), QPointF(right, bottom))

    # -- the mouse and the keys ------------------------------------------------------------------

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt override)
        """While editing, the view's mouse and keys edit the boxes."""
        kind = event.type()
        if kind == QEvent.Type.Resize:
            self.sync()
            if self.label_edit.is_open:
                self.label_edit.finish(True)
            return False
        if not self._editing or watched is not self.view:
            return False
        if kind == QEvent.Type.MouseButtonPress:
            return self._press(event)
        if kind == QEvent.Type.MouseMove:
            return self._move(event)
        if kind == QEvent.Type.MouseButtonRelease:
            return self._release(event)
        if kind == QEvent.Type.MouseButtonDblClick:
            return self._double_click(event)
        if kind == QEvent.Type.ShortcutOverride:
            if self._is_editing_key(event):
                event.accept()  # Delete edits a box here, it does not delete the sample
                return True
            return False
        if kind == QEvent.Type.KeyPress:
            return self._key(event)
        return False

    def _press(self, event) -> bool:
        if event.button() != Qt.MouseButton.LeftButton:
            return False
        if self.label_edit.is_open:
            self.label_edit.finish(True)
        self.view.setFocus(Qt.FocusReason.MouseFocusReason)
        pos = event.position()
        point = self.view.map_to_image(pos)
        index, handle = self.handle_at(pos)
        if index is not None:
            self.select(index)
            self._drag = _Drag("resize", point, QRectF(self.boxes[index].rect), handle)
            return True
        index = self.box_at(pos)
        if index is not None:
            self.select(index)
            self._drag = _Drag("move", point, QRectF(self.boxes[index].rect))
            return True
        self.select(None)
        if self.view.image_rect().contains(pos):
            start = self._clamped_point(point)
            self._drag = _Drag("draw", start, QRectF(start, start))
        return True

    def _move(self, event) -> bool:
        pos = event.position()
        drag = self._drag
        if drag is None:
            self._hover(pos)
            return False
        point = self.view.map_to_image(pos)
        delta = point - drag.start
        if drag.kind == "move":
            if delta.isNull() and not drag.moved:
                return True
            drag.moved = True
            self.boxes[self.selected].rect = self._moved(drag.rect, delta)
        elif drag.kind == "resize":
            drag.moved = True
            self.boxes[self.selected].rect = self._resized(drag.rect, drag.handle, delta)
        else:
            drag.rect = QRectF(drag.start, self._clamped_point(point)).normalized()
            drag.moved = True
        self.view.update()
        return True

    def _release(self, event) -> bool:
        if event.button() != Qt.MouseButton.LeftButton or self._drag is None:
            return False
        drag, self._drag = self._drag, None
        if drag.kind == "draw":
            shown = self.view.map_from_image(drag.rect)
            big = shown.width() >= MIN_DRAW and shown.height() >= MIN_DRAW
            if drag.moved and big and drag.rect.width() >= MIN_SIDE:
                self.boxes.append(Box(self.last_label, drag.rect))
                self.selected = len(self.boxes) - 1
                self._changed(record=False)  # recorded once it has its label
                self._ask_label(self.selected, new=True)
            self.view.update()
        elif drag.moved:
            self._changed()
        return True

    def _double_click(self, event) -> bool:
        index = self.box_at(event.position())
        if index is None:
            return False
        self.select(index)
        self._ask_label(index, new=False)
        return True

    def _hover(self, pos: QPointF) -> None:
        index, handle = self.handle_at(pos)
        if index is not None:
            self.view.setCursor(_CURSORS[handle])
        elif self.box_at(pos) is not None:
            self.view.setCursor(Qt.CursorShape.SizeAllCursor)
        elif self.view.image_rect().contains(pos):
            self.view.setCursor(Qt.CursorShape.CrossCursor)
        else:
            self.view.unsetCursor()

    @staticmethod
    def _is_editing_key(event) -> bool:
        key = event.key()
        return (
            key
            in (
                Qt.Key.Key_Delete,
                Qt.Key.Key_Backspace,
                Qt.Key.Key_F2,
                Qt.Key.Key_Escape,
                Qt.Key.Key_Left,
                Qt.Key.Key_Right,
                Qt.Key.Key_Up,
                Qt.Key.Key_Down,
            )
            or any(event.matches(k) for k in (_SAVE, _UNDO, _REDO))
            or _more_redo(event)
        )

    def _key(self, event) -> bool:
        key = event.key()
        step = 10.0 if event.modifiers() & Qt.KeyboardModifier.ShiftModifier else 1.0
        arrows = {
            Qt.Key.Key_Left: (-step, 0.0),
            Qt.Key.Key_Right: (step, 0.0),
            Qt.Key.Key_Up: (0.0, -step),
            Qt.Key.Key_Down: (0.0, step),
        }
        if key in (Qt.Key.Key_Delete, Qt.Key.Key_Backspace):
            self.delete_selected()
        elif key == Qt.Key.Key_F2:
            self.relabel_selected()
        elif key == Qt.Key.Key_Escape:
            self.cancelRequested.emit()
        elif event.matches(_SAVE):
            self.saveRequested.emit()
        elif event.matches(_UNDO):
            self.undo()
        elif event.matches(_REDO) or _more_redo(event):
            self.redo()
        elif key in arrows:
            self.nudge(*arrows[key])
        else:
            return False
        return True

    # -- labels ----------------------------------------------------------------------------------

    def _ask_label(self, index: int, new: bool) -> None:
        self._labelling, self._labelling_new = index, new
        rect = self.widget_rect(index)
        text = self.last_label if new else self.boxes[index].label
        self.label_edit.ask(text, QPointF(rect.left(), rect.bottom() + 2))

    def _label_accepted(self, label: str) -> None:
        index, new = self._labelling, self._labelling_new
        self._labelling = None
        if index is None or index >= len(self.boxes):
            return
        if not label:
            if new:  # a new box needs a label
                del self.boxes[index]
                self.selected = None
                self._changed()
        else:
            self.boxes[index].label = label
            self.last_label = label
            self._changed()
        if self._editing:
            self.view.setFocus(Qt.FocusReason.OtherFocusReason)

    def _label_cancelled(self) -> None:
        index, new = self._labelling, self._labelling_new
        self._labelling = None
        if new and index is not None and index < len(self.boxes):
            del self.boxes[index]  # Esc while naming a new box: no box
            self.selected = None
            self._changed()
        if self._editing:
            self.view.setFocus(Qt.FocusReason.OtherFocusReason)

    def _changed(self, record: bool = True) -> None:
        if record and self._editing and _key_of(self.boxes) != _key_of(self._last):
            self._undo.append(self._last)
            self._redo.clear()
            self._last = self._copy()
        self.view.set_boxes([(b.label, b.rect) for b in self.boxes])
        self.sync()
        self.changed.emit()

    # -- painting --------------------------------------------------------------------------------

    def paint(self, painter: QPainter) -> None:
        """Draw the selected box's handles and the box being drawn (the view drew the boxes)."""
        if not self._editing:
            return
        if self.selected is not None and self.selected < len(self.boxes):
            box = self.boxes[self.selected]
            color = self.view.box_color(box.label) or QColor("red")
            rect = self.widget_rect(self.selected)
            pen = QPen(color, 3)
            pen.setCosmetic(True)
            painter.setPen(pen)
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawRect(rect)
            painter.setPen(QPen(color, 1))
            painter.setBrush(QColor("white"))
            for x in (rect.left(), rect.center().x(), rect.right()):
                for y in (rect.top(), rect.center().y(), rect.bottom()):
                    if x == rect.center().x() and y == rect.center().y():
                        continue
                    painter.drawRect(QRectF(x - HANDLE, y - HANDLE, 2 * HANDLE, 2 * HANDLE))
        drag = self._drag
        if drag is not None and drag.kind == "draw" and drag.moved:
            color = self.view.box_color(self.last_label) or QColor("#0984e3")
            pen = QPen(color, 2, Qt.PenStyle.DashLine)
            pen.setCosmetic(True)
            painter.setPen(pen)
            painter.setBrush(QColor(color.red(), color.green(), color.blue(), 40))
            painter.drawRect(self.view.map_from_image(drag.rect))
