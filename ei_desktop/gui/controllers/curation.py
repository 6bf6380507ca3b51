"""Curation with the mouse and the keyboard: labels (in place, for the selection, renamed
project-wide), moves (menus, or rows dropped on the category tree), renames, enabling and
disabling, and the history with undo and redo.

Every change runs as a job (one at a time, in the order asked); its one-sentence report goes
to the status bar, a problem to the message bar, and the views refresh like after a delete.
"""

from __future__ import annotations

from collections import deque
from typing import TYPE_CHECKING, Optional

import numpy as np
from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QMenu

from ei_desktop.core.backends.base import SampleQuery, query_for_ids
from ei_desktop.core.edits import Change, ChangeSet, Move, Rename, SetEnabled, SetLabel
from ei_desktop.gui.alive import while_alive
from ei_desktop.gui.connections import LOCAL
from ei_desktop.gui.controllers.operation import open_dialog
from ei_desktop.gui.dialogs.curation import (
    TextDialog,
    rename_label_dialog,
    rename_sample_dialog,
    set_label_dialog,
)
from ei_desktop.gui.jobs.curation import (
    drop_job,
    edit_job,
    history_job,
    redo_job,
    rename_label_job,
    undo_job,
    undo_to_job,
)
from ei_desktop.gui.jobs.runner import Job, JobFunction, error_message
from ei_desktop.gui.models import format as fmt
from ei_desktop.gui.models.category_tree import Key
from ei_desktop.gui.window_actions import set_tip
from ei_desktop.ops.curate import EditReport, action_title

if TYPE_CHECKING:
    from ei_desktop.gui.main_window import MainWindow

#: how long a result stays in the status bar
MESSAGE_MS = 10000
#: the longest change description shown in the Undo and Redo menu items
MENU_TEXT = 60

REMOTE_HISTORY_NOTE = (
    "Changes made through this connection since it was opened. Edge Impulse keeps no history "
    "that can be read back, and deleted samples cannot be brought back."
)


def _short(text: str) -> str:
    text = text.rstrip(".")
    return text if len(text) <= MENU_TEXT else text[: MENU_TEXT - 1] + "…"


def to_undo(history: list[ChangeSet]) -> Optional[ChangeSet]:
    """The entry Undo reverts: the newest one not undone (``history`` is newest first)."""
    return next((entry for entry in history if not entry.undone), None)


def to_redo(history: list[ChangeSet]) -> Optional[ChangeSet]:
    """The entry Redo makes again: the one undone last, while no change came after it."""
    found = None
    for entry in history:
        if not entry.undone:
            break
        found = entry
    return found


class CurationController(QObject):
    """Asks, runs and reports every change to samples already in the project.

    Signals:
        finished(EditReport): a change (or undo, redo) ended and its report was shown.
        historyChanged(list): the history was read again (newest first).
    """

    finished = Signal(object)
    historyChanged = Signal(object)

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window = window
        #: the latest history read, newest first
        self.history: list[ChangeSet] = []
        self._queue: deque[tuple[JobFunction, str]] = deque()
        self._running: Optional[Job] = None
        self._history = window.reads.slot(self)
        self._history.finished.connect(self._history_loaded)
        self._history.failed.connect(lambda _error: None)  # the listing reports a lost backend
        window.table_model.labelEdited.connect(self.set_label_of)
        window.tree_model.samplesDropped.connect(self.drop_on_tree)
        window.history_panel.undoTo.connect(self.undo_to)

    # -- running changes ------------------------------------------------------------------------

    @property
    def busy(self) -> bool:
        """True while a change runs or waits to run."""
        return self._running is not None or bool(self._queue)

    def wait_idle(self, timeout_s: float = 30.0) -> bool:
        """Run the event loop until every change asked for is done; True if they all finished
        in time (UI thread only: closing the window, tests).
        """
        return self.window.jobs.wait_until(lambda: not self.busy, timeout_s)

    def run(self, fn: JobFunction, doing: str) -> None:
        """Run ``fn`` (a job function returning an :class:`EditReport`) after the changes
        already asked for; ``doing`` is shown meanwhile ("Setting label…").
        """
        self._queue.append((fn, doing))
        self._next()

    def _next(self) -> None:
        if self._running is not None or not self._queue:
            return
        fn, doing = self._queue.popleft()
        self.window.statusBar().showMessage(doing)
        job = Job(fn, name=doing)
        self._running = job
        self.window.jobs.start(job, on_finished=self._finished, on_failed=self._failed)

    @while_alive
    def _finished(self, report: EditReport) -> None:
        self._running = None
        window = self.window
        if report.changed:
            window.browse.refresh()
            if window.table.current_id() is not None:
                # the preview shows what the sample is now
                window.previews.clear()
                window.previews.schedule()
        problem = report.problem
        if problem is not None:
            window.statusBar().showMessage(problem, MESSAGE_MS)
            if not window.closing:
                window.message_bar.show_message(problem, "error")
        else:
            window.statusBar().showMessage(report.message, MESSAGE_MS)
        self.refresh_history()
        self.finished.emit(report)
        self._next()

    @while_alive
    def _failed(self, error: BaseException) -> None:
        self._running = None
        text = f"The change failed: {error_message(error)}"
        self.window.statusBar().showMessage(text, MESSAGE_MS)
        self.window.browse.refresh()
        if not self.window.closing:
            self.window.message_bar.show_message(text, "error")
        self.refresh_history()
        self.finished.emit(EditReport("Change", text, error=text))
        self._next()

    # -- what is selected -----------------------------------------------------------------------

    def selected(self) -> tuple[Optional[SampleQuery], int]:
        """The selection as a query, and how many samples it holds (``None``, 0: nothing)."""
        window = self.window
        if window.backend is None:
            return None, 0
        ids = window.table.selected_ids()
        return self._query_for(ids), len(ids)

    def _query_for(self, ids: np.ndarray) -> Optional[SampleQuery]:
        if not len(ids):
            return None
        model = self.window.table_model
        if len(ids) == model.rowCount() and not model.loading and len(model.ids) == len(ids):
            # every listed sample: the listing's own query selects them in one condition
            return model.query
        return query_for_ids(ids.tolist())

    def apply(self, change: Change, selection: Optional[SampleQuery] = None) -> bool:
        """Apply ``change`` to ``selection`` (default: the selected rows); False when there
        is nothing to change.
        """
        window = self.window
        if selection is None:
            selection, _ = self.selected()
        if window.backend is None or selection is None:
            return False
        doing = f"{action_title(change)}…"
        self.run(edit_job(window.backend, selection, change), doing)
        return True

    # -- labels -------------------------------------------------------------------------------

    def set_label_of(self, sample_id: int, label: str) -> bool:
        """Give sample ``sample_id`` the label ``label`` (an edit in its Label cell)."""
        return self.apply(SetLabel(label), query_for_ids([sample_id]))

    def set_label_selected(self) -> Optional[TextDialog]:
        """Ask for a label, then give it to every selected sample; returns the dialog."""
        selection, count = self.selected()
        if selection is None:
            return None
        dialog = set_label_dialog(count, self.window.tree_model.labels(), self.window)
        dialog.accepted.connect(lambda: self.apply(SetLabel(dialog.text()), selection))
        open_dialog(dialog)
        return dialog

    def rename_label(self, old: str) -> Optional[TextDialog]:
        """Ask for a new name for label ``old``, then rename it in the whole project."""
        window = self.window
        if window.backend is None or not old:
            return None
        dialog = rename_label_dialog(old, window.tree_model.labels(), window)
        dialog.accepted.connect(lambda: self.start_rename_label(old, dialog.text()))
        open_dialog(dialog)
        return dialog

    def start_rename_label(self, old: str, new: str) -> bool:
        """Rename label ``old`` to ``new`` in the whole project (no question)."""
        backend = self.window.backend
        if backend is None:
            return False
        self.run(rename_label_job(backend, old, new), "Renaming the label…")
        return True

    # -- categories, names, enabled -------------------------------------------------------------

    def move_selected(self, category: str) -> bool:
        """Move the selected samples to ``category``."""
        return self.apply(Move(category))

    def set_enabled(self, enabled: bool) -> bool:
        """Enable or disable the selected samples."""
        return self.apply(SetEnabled(enabled))

    def rename_selected(self) -> Optional[TextDialog]:
        """Ask for a new name for the one selected sample, then rename it."""
        window = self.window
        ids = window.table.selected_ids()
        if window.backend is None or len(ids) != 1:
            return None
        sample_id = int(ids[0])
        record = window.table_model.record(sample_id)
        name = record.filename if record is not None else ""
        dialog = rename_sample_dialog(name or f"sample {sample_id}", window)
        if not name:
            dialog.edit.clear()
        dialog.accepted.connect(
            lambda: self.apply(Rename(dialog.text()), query_for_ids([sample_id]))
        )
        open_dialog(dialog)
        return dialog

    def drop_on_tree(self, ids: np.ndarray, key: Key) -> bool:
        """Samples dropped on a tree node: move them to its category and give them its label
        (whichever the node has).
        """
        backend = self.window.backend
        selection = self._query_for(np.asarray(ids, dtype=np.int64))
        category, label = key
        if backend is None or selection is None or (category is None and not label):
            return False
        if category is not None and label and selection is self.window.table_model.query:
            # a move can take the samples out of the listing's query: relabel them by id
            selection = query_for_ids(np.asarray(ids).tolist())
        doing = "Moving…" if category is not None else "Setting label…"
        self.run(drop_job(backend, selection, category, label or None), doing)
        return True

    # -- history --------------------------------------------------------------------------------

    def undo(self) -> bool:
        """Undo the latest change not undone."""
        backend = self.window.backend
        if backend is None:
            return False
        self.run(undo_job(backend), "Undoing…")
        return True

    def redo(self) -> bool:
        """Make the change undone last again."""
        backend = self.window.backend
        if backend is None:
            return False
        self.run(redo_job(backend), "Redoing…")
        return True

    def undo_to(self, change_id: int) -> bool:
        """Undo every change from the newest down to history entry ``change_id``."""
        backend = self.window.backend
        if backend is None:
            return False
        self.run(undo_to_job(backend, int(change_id)), "Undoing…")
        return True

    def refresh_history(self) -> None:
        """Read the history again (Edit menu, history panel)."""
        backend = self.window.backend
        if backend is not None:
            self._history.start(history_job(backend), name="history")

    def backend_changed(self) -> None:
        """Another project is open: forget the old history and read the new one."""
        self._history.cancel()
        self._loaded([])
        spec = self.window.spec
        remote = spec is not None and spec.kind != LOCAL
        self.window.history_panel.set_note(REMOTE_HISTORY_NOTE if remote else "")
        self.refresh_history()

    @while_alive
    def _history_loaded(self, entries: list[ChangeSet]) -> None:
        self._loaded(entries)

    def _loaded(self, entries: list[ChangeSet]) -> None:
        self.history = list(entries)
        self.window.history_panel.set_entries(self.history)
        self.update_actions()
        self.historyChanged.emit(self.history)

    # -- menus ----------------------------------------------------------------------------------

    def update_actions(self) -> None:
        """Enable and name the curation actions for the selection and the history."""
        window = self.window
        actions = window.menu_actions
        connected = window.backend is not None
        selected = window.table.selected_count() if connected else 0
        for action in (actions.set_label, actions.enable, actions.disable):
            action.setEnabled(selected > 0)
        for action in actions.move_to.values():
            action.setEnabled(selected > 0)
        if actions.move_menu is not None:
            actions.move_menu.setEnabled(selected > 0)
        actions.rename.setEnabled(selected == 1)
        undo, redo = to_undo(self.history), to_redo(self.history)
        actions.undo.setEnabled(connected and undo is not None)
        actions.undo.setText(f"&Undo {_short(undo.what)}" if undo else "&Undo")
        set_tip(actions.undo, f"Undo {undo.what.rstrip('.')}" if undo else "Nothing to undo")
        actions.redo.setEnabled(connected and redo is not None)
        actions.redo.setText(f"&Redo {_short(redo.what)}" if redo else "&Redo")
        set_tip(actions.redo, f"Redo {redo.what.rstrip('.')}" if redo else "Nothing to redo")

    def add_to_table_menu(self, menu: QMenu) -> None:
        """Put the curation actions in the table's context menu."""
        actions = self.window.menu_actions
        menu.addAction(actions.set_label)
        if actions.move_menu is not None:
            menu.addMenu(actions.move_menu)
        menu.addAction(actions.rename)
        menu.addAction(actions.enable)
        menu.addAction(actions.disable)

    def show_tree_menu(self, position) -> Optional[QMenu]:
        """The context menu of the category tree at ``position`` (viewport coordinates)."""
        window = self.window
        index = window.tree.indexAt(position)
        if window.backend is None or not index.isValid():
            return None
        _category, label = window.tree_model.key_of(index)
        menu = QMenu(window)
        if label:
            rename = menu.addAction(f"Rename label {fmt.label_name(label)}…")
            rename.triggered.connect(lambda: self.rename_label(label))
        if menu.isEmpty():
            menu.deleteLater()
            return None
        menu.popup(window.tree.viewport().mapToGlobal(position))
        return menu
