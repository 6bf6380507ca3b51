"""Editing an image's bounding boxes on the preview: starts and leaves the *Edit boxes* mode
(B), and saves what the editor staged as one ``SetBoundingBoxes`` change through the curation
queue, so it runs in the background, is undoable as one step and the views follow it.

Leaving the mode any other way than Cancel or Esc (another sample, the toggle, a reload of
the preview) saves the staged boxes, and Undo takes them back. They are dropped only when
another project was opened meanwhile, or the window closes.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Optional

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QAction, QKeySequence, QShortcut

from ei_desktop.core.backends.base import Backend, query_for_ids
from ei_desktop.core.edits import SetBoundingBoxes
from ei_desktop.gui.widgets.box_editor import BoxEditor
from ei_desktop.gui.window_actions import insert_after, menu_showing, set_tip

if TYPE_CHECKING:
    from ei_desktop.gui.main_window import MainWindow

#: how long the "nothing to save" note stays in the status bar
MESSAGE_MS = 5000


class BoxEditingController(QObject):
    """The *Edit boxes* mode of the image the preview shows."""

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window = window
        image = getattr(window.preview, "image", None)
        #: the editor of the preview's image view (``None`` without a preview panel)
        self.editor: Optional[BoxEditor] = getattr(image, "editor", None)
        #: the sample whose boxes are being edited, and the backend it is in
        self.sample_id: Optional[int] = None
        self._backend: Optional[Backend] = None
        self.action = QAction("Edit &boxes", window)
        self.action.setCheckable(True)
        self.action.setShortcut(QKeySequence(Qt.Key.Key_B))
        set_tip(self.action, "Move, resize, draw, delete and rename the boxes of the image")
        window.addAction(self.action)
        self.action.toggled.connect(self._toggled)
        self._save = QShortcut(QKeySequence(QKeySequence.StandardKey.Save), window)
        self._save.setContext(Qt.ShortcutContext.WindowShortcut)
        self._save.setEnabled(False)
        self._save.activated.connect(self.save)
        editor = self.editor
        if editor is not None:
            editor.set_action(self.action)
            editor.saveRequested.connect(self.save)
            editor.cancelRequested.connect(self.cancel)
            editor.leaving.connect(self._leaving)
            editor.editingChanged.connect(self._editing_changed)
            window.preview.contentChanged.connect(self.update_action)
        window.table.selectionModel().selectionChanged.connect(self.update_action)
        self.update_action()

    # -- what can be edited --------------------------------------------------------------------

    def target(self) -> Optional[int]:
        """The id of the image the preview shows, when its boxes can be edited."""
        window, editor = self.window, self.editor
        if editor is None or window.backend is None:
            return None
        preview = window.preview
        if preview.current_page() is not editor.view or editor.view.image_size.isEmpty():
            return None
        return preview.current_id

    def update_action(self, *_args) -> None:
        """Offer *Edit boxes* while an image is shown (and while its boxes are edited)."""
        editing = self.editor is not None and self.editor.editing
        self.action.setEnabled(editing or self.target() is not None)

    # -- the mode ------------------------------------------------------------------------------

    @property
    def editing(self) -> bool:
        """True while the boxes of :attr:`sample_id` are being edited."""
        return self.editor is not None and self.editor.editing

    def start(self) -> bool:
        """Start editing the boxes of the image shown; False when none is shown."""
        sample_id, editor = self.target(), self.editor
        if sample_id is None or editor is None:
            return False
        if editor.editing:
            return True
        labels = set(self.window.tree_model.labels())
        labels.update(label for label, _rect in editor.view.boxes())
        editor.set_labels(sorted(label for label in labels if label))
        self.sample_id, self._backend = sample_id, self.window.backend
        return editor.start()

    def save(self) -> bool:
        """Save the staged boxes as one change and leave the mode; False when nothing
        changed (the mode is left all the same).
        """
        editor = self.editor
        if editor is None or not editor.editing:
            return False
        dirty, boxes, sample_id = editor.dirty, editor.staged(), self.sample_id
        editor.stop(keep=True)
        if not dirty:
            self.window.statusBar().showMessage("The boxes did not change.", MESSAGE_MS)
            return False
        return self._apply(sample_id, boxes)

    def save_pending(self) -> bool:
        """Save staged boxes that differ from the stored ones (the window is closing);
        True when a change was started.
        """
        editor = self.editor
        if editor is None or not editor.editing or not editor.dirty:
            return False
        return self.save()

    def cancel(self) -> None:
        """Leave the mode and forget the staged boxes."""
        if self.editor is not None:
            self.editor.stop(keep=False)

    def _apply(self, sample_id: Optional[int], boxes: list[dict]) -> bool:
        window = self.window
        if sample_id is None or window.backend is None or window.backend is not self._backend:
            return False  # another project was opened meanwhile: the boxes belong elsewhere
        return window.curation.apply(SetBoundingBoxes(boxes), query_for_ids([sample_id]))

    def _leaving(self) -> None:
        # the preview shows something else now: keep what was edited
        editor = self.editor
        if editor is not None and editor.dirty:
            self._apply(self.sample_id, editor.staged())

    def _toggled(self, checked: bool) -> None:
        if checked and not self.editing:
            if not self.start():
                self._set_checked(False)
        elif not checked and self.editing:
            self.save()

    def _editing_changed(self, editing: bool) -> None:
        self.action.setChecked(editing)  # _toggled sees the mode already matches
        self._save.setEnabled(editing)
        if not editing:
            self.sample_id = None
        self.update_action()


def install(window: MainWindow) -> BoxEditingController:
    """Add *Edit boxes* (B) to ``window``'s Edit menu, after *Split…*, and to the bar under
    the preview's image.
    """
    controller = BoxEditingController(window)
    split = window.menu_actions.split
    insert_after(menu_showing(window, split), split, controller.action)
    return controller
