"""*Label segments* on the preview's plot: starts and leaves the editor of the selected time
series or audio sample, and saves its segments as one change through the curation queue (so
it is one undoable history entry, and the views follow it like any other change).

Leaving the editor any way other than Cancel or Esc (another sample selected, the sample
reloaded) saves the edits made, so none is lost silently; Undo takes them back. While the
editor is on, Ctrl+Z and Ctrl+Shift+Z (Ctrl+Y) undo and redo its own edits, not the project's.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Optional

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QAction, QKeyEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractSpinBox,
    QApplication,
    QLineEdit,
    QPlainTextEdit,
    QTextEdit,
    QWidget,
)

from ei_desktop.core.backends.base import query_for_ids
from ei_desktop.core.edits import SetStructuredLabels
from ei_desktop.gui.widgets.segment_editor import SegmentEditor
from ei_desktop.gui.window_actions import insert_after, menu_showing, set_tip

if TYPE_CHECKING:
    from ei_desktop.gui.main_window import MainWindow

TIP = "Edit the label segments (multi-label) of the selected time series or audio sample"


class SegmentsController(QObject):
    """The *Label segments* mode of the selected, plotted time series or audio sample.

    Attributes:
        action: *Label segments* (L), checked while the mode is on.
        editor: the editor in the mode (``None`` out of it), and ``sample_id`` its sample.
    """

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window = window
        self.editor: Optional[SegmentEditor] = None
        self.sample_id: Optional[int] = None

        self.action = QAction("Label se&gments…", window)
        self.action.setCheckable(True)
        self.action.setShortcut(QKeySequence(Qt.Key.Key_L))
        set_tip(self.action, TIP)
        self.action.triggered.connect(self._toggled)
        window.addAction(self.action)
        self._save = self._shortcut(QKeySequence(QKeySequence.StandardKey.Save), self.save)
        self._escape = self._shortcut(QKeySequence(Qt.Key.Key_Escape), self.cancel)

        preview = window.preview
        for tools in preview.all_cut_tools():
            tools.add_tool(self.action)
        for editor in preview.all_segment_editors():
            editor.saveRequested.connect(self.save)
            editor.cancelRequested.connect(self.cancel)
        preview.contentChanged.connect(self._content_changed)
        window.table.selectionModel().selectionChanged.connect(self._selection_changed)
        self.update_actions()

    def _shortcut(self, keys, slot) -> QShortcut:
        shortcut = QShortcut(keys, self.window)
        shortcut.setContext(Qt.ShortcutContext.WindowShortcut)
        shortcut.setEnabled(False)
        shortcut.activated.connect(slot)
        return shortcut

    # -- what can be edited --------------------------------------------------------------------

    def target(self) -> tuple[Optional[SegmentEditor], Optional[int]]:
        """The editor of the one selected sample when the preview plots it (else ``None``)."""
        window = self.window
        if window.backend is None or window.table.selected_count() != 1:
            return None, None
        ids = window.table.selected_ids()
        editor = window.preview.segment_editor()
        record = window.preview.shown_record
        if editor is None or record is None or len(ids) != 1 or record.id != int(ids[0]):
            return None, None
        return editor, int(ids[0])

    def update_actions(self) -> None:
        """Offer *Label segments* only for one selected, plotted time series or audio sample."""
        editor, _ = self.target()
        self.action.setEnabled(self.editor is not None or editor is not None)
        self.action.setChecked(self.editor is not None)

    # -- the mode ------------------------------------------------------------------------------

    @property
    def editing(self) -> bool:
        """True while the mode is on."""
        return self.editor is not None

    def start(self) -> bool:
        """Edit the selected sample's label segments; False when it cannot be edited."""
        editor, sample_id = self.target()
        record = self.window.preview.shown_record
        tools = self.window.preview.cut_tools()
        if editor is None or record is None or tools is None:
            self.update_actions()
            return False
        self.leave()
        self.window.cutting.cancel()
        editor.label_choices = [label for label in self.window.tree_model.labels() if label]
        editor.start(tools.rows, tools.interval_ms, record.structured_labels, record.label)
        self.editor, self.sample_id = editor, sample_id
        self._set_editing(True)
        return True

    def cancel(self) -> None:
        """Leave the mode and forget the edits."""
        editor, self.editor, self.sample_id = self.editor, None, None
        if editor is not None:
            editor.stop()
        self._set_editing(False)

    def save(self) -> bool:
        """Save the segments as edited (one change), and leave the mode; False when there
        is nothing to save (the mode stays on).
        """
        editor, sample_id = self.editor, self.sample_id
        if editor is None or sample_id is None or not editor.can_save():
            return False
        labels = editor.structured_labels()
        self.cancel()
        return self.window.curation.apply(SetStructuredLabels(labels), query_for_ids([sample_id]))

    def save_pending(self) -> bool:
        """Save edits not yet saved (the window is closing); True when a change was started."""
        if self.editor is not None and self.editor.dirty and self.editor.can_save():
            return self.save()
        return False

    def leave(self) -> None:
        """Leave the mode, saving the edits made (if any)."""
        if self.editor is not None and self.editor.dirty and self.editor.can_save():
            self.save()
        else:
            self.cancel()

    # -- following the window ------------------------------------------------------------------

    def _toggled(self, checked: bool) -> None:
        if checked and self.editor is None:
            if not self.start():
                self.action.setChecked(False)
        elif not checked and self.editor is not None:
            self.leave()

    def _set_editing(self, on: bool) -> None:
        app = QApplication.instance()
        if on:
            app.installEventFilter(self)
        else:
            app.removeEventFilter(self)
        self._save.setEnabled(on)
        self._escape.setEnabled(on)
        actions = self.window.menu_actions
        if on:
            actions.crop.setEnabled(False)
            actions.split.setEnabled(False)
        else:
            self.window.cutting.update_actions()
        self.update_actions()

    def _content_changed(self) -> None:
        if self.editor is not None:
            self.leave()  # the sample was reloaded or another one is shown
        self.update_actions()

    def _selection_changed(self, *_args) -> None:
        if self.editor is not None:
            _editor, sample_id = self.target()
            if sample_id != self.sample_id:
                self.leave()
        self.update_actions()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt override)
        """While editing, Ctrl+Z and Ctrl+Shift+Z (Ctrl+Y) in the window undo and redo the
        editor's edits (text fields keep their own).
        """
        kind = event.type()
        editor = self.editor
        if (
            editor is None
            or kind not in (QEvent.Type.ShortcutOverride, QEvent.Type.KeyPress)
            or not isinstance(event, QKeyEvent)
            or watched is not QApplication.focusWidget()
            or not isinstance(watched, QWidget)
            or watched.window() is not self.window
            or isinstance(watched, _TEXT_INPUTS)
        ):
            return False
        ctrl = event.modifiers() == Qt.KeyboardModifier.ControlModifier
        undo = event.matches(QKeySequence.StandardKey.Undo)
        redo = event.matches(QKeySequence.StandardKey.Redo) or (
            ctrl and event.key() == Qt.Key.Key_Y
        )
        if not (undo or redo):
            return False
        event.accept()
        if kind == QEvent.Type.KeyPress:
            if undo:
                editor.undo()
            else:
                editor.redo()
        return True


_TEXT_INPUTS = (QLineEdit, QAbstractSpinBox, QTextEdit, QPlainTextEdit)


def install(window: MainWindow) -> SegmentsController:
    """Add *Label segments* to ``window`` (the Edit menu and the plot's tools)."""
    controller = SegmentsController(window)
    split = window.menu_actions.split
    insert_after(menu_showing(window, split), split, controller.action)
    return controller
