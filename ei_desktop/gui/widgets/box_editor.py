"""Editing the bounding boxes of an image on its :class:`ImageView`: move, resize, draw,
delete and relabel with the mouse and the keyboard, staged until saved.

The editor works in image pixels and maps through the view, so it behaves the same at any
size of the widget. It does no I/O: it says when the user asks to save or cancel, and the box
editing controller runs the change.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Optional

from PySide6.QtCore import QEvent, QObject, QPointF, QRectF, Qt, Signal
from PySide6.QtGui import QAction, QColor, QPainter

from ei_desktop.gui.widgets.box_edit_widgets import BoxEditBar, LabelEdit
from ei_desktop.gui.widgets.box_geometry import (
    Box,
    box_dicts,
    copy_boxes,
    edges_at,
    key_of,
    moved,
)
from ei_desktop.gui.widgets.box_keys import is_editing_key, press_key
from ei_desktop.gui.widgets.box_mouse import BoxMouse
from ei_desktop.gui.widgets.box_painting import paint_draft, paint_selection
from ei_desktop.gui.widgets.edit_history import EditHistory

if TYPE_CHECKING:
    from ei_desktop.gui.widgets.image_view import ImageView


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
        self._history: EditHistory[list[Box]] = EditHistory()
        self._last: list[Box] = []  # the boxes after the latest recorded edit
        self.mouse = BoxMouse(self)
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
        self.boxes = copy_boxes(self._original)
        self.selected, self.mouse.drag = None, None
        self._history.clear()
        self._last = self._copy()
        if not self.last_label and self.boxes:
            self.last_label = self.boxes[-1].label
        self._editing = True
        view.setMouseTracking(True)
        view.setFocusPolicy(Qt.FocusPolicy.ClickFocus)
        view.setFocus(Qt.FocusReason.OtherFocusReason)
        self.boxes_changed()
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
        self.mouse.drag = None
        self.selected = None
        if not keep:
            self.boxes = copy_boxes(self._original)
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
        self.boxes_changed()
        return True

    def relabel_selected(self) -> bool:
        """Ask a new label for the selected box."""
        if not self._editing or self.selected is None:
            return False
        self.ask_label(self.selected, new=False)
        return True

    def undo(self) -> bool:
        """Take back the latest staged edit (nothing saved is touched)."""
        return self._step(self._history.undo)

    def redo(self) -> bool:
        """Make the staged edit taken back last again."""
        return self._step(self._history.redo)

    def _step(self, take: Callable[[list[Box]], Optional[list[Box]]]) -> bool:
        if not self._editing:
            return False
        boxes = take(self._copy())
        if boxes is None:
            return False
        self.boxes = boxes
        self._last = self._copy()
        self.selected = None
        self.boxes_changed(record=False)
        return True

    def _copy(self) -> list[Box]:
        return copy_boxes(self.boxes)

    def nudge(self, dx: float, dy: float) -> bool:
        """Move the selected box by ``dx``, ``dy`` image pixels (kept on the image)."""
        if not self._editing or self.selected is None:
            return False
        box = self.boxes[self.selected]
        box.rect = moved(box.rect, QPointF(dx, dy), self.image_bounds())
        self.boxes_changed()
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
            handle = edges_at(self.widget_rect(index), pos)
            if handle != (0, 0):
                return index, handle
        return None, (0, 0)

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

    def image_bounds(self) -> QRectF:
        """The image's rectangle in image pixels (boxes stay inside it)."""
        size = self.view.image_size
        return QRectF(0, 0, size.width(), size.height())

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
            return self.mouse.press(event)
        if kind == QEvent.Type.MouseMove:
            return self.mouse.move(event)
        if kind == QEvent.Type.MouseButtonRelease:
            return self.mouse.release(event)
        if kind == QEvent.Type.MouseButtonDblClick:
            return self.mouse.double_click(event)
        if kind == QEvent.Type.ShortcutOverride:
            if is_editing_key(event):
                event.accept()  # Delete edits a box here, it does not delete the sample
                return True
            return False
        if kind == QEvent.Type.KeyPress:
            return press_key(self, event)
        return False

    # -- labels ----------------------------------------------------------------------------------

    def ask_label(self, index: int, new: bool) -> None:
        """Open the label editor under box ``index`` (``new``: a box just drawn)."""
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
                self.boxes_changed()
        else:
            self.boxes[index].label = label
            self.last_label = label
            self.boxes_changed()
        if self._editing:
            self.view.setFocus(Qt.FocusReason.OtherFocusReason)

    def _label_cancelled(self) -> None:
        index, new = self._labelling, self._labelling_new
        self._labelling = None
        if new and index is not None and index < len(self.boxes):
            del self.boxes[index]  # Esc while naming a new box: no box
            self.selected = None
            self.boxes_changed()
        if self._editing:
            self.view.setFocus(Qt.FocusReason.OtherFocusReason)

    def boxes_changed(self, record: bool = True) -> None:
        """The staged boxes changed: keep the edit for undo (``record``), show them, say so."""
        if record and self._editing and key_of(self.boxes) != key_of(self._last):
            self._history.record(self._last)
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
            paint_selection(painter, self.widget_rect(self.selected), color)
        drag = self.mouse.drag
        if drag is not None and drag.kind == "draw" and drag.moved:
            color = self.view.box_color(self.last_label) or QColor("#0984e3")
            paint_draft(painter, self.view.map_from_image(drag.rect), color)
