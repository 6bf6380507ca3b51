"""Deleting samples: the selection, or a whole category (after the user types its name).

The confirmation says whether the delete can be undone: on a local project it is one step of
the history (Edit → Undo brings the samples back); through Edge Impulse or an ei-desktop
server it is final.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Optional

from PySide6.QtCore import QObject

from ei_desktop.core import display
from ei_desktop.gui.connections import LOCAL
from ei_desktop.gui.controllers.operation import PROBLEMS, open_dialog
from ei_desktop.gui.dialogs.confirm import ConfirmDialog, TypedConfirmDialog
from ei_desktop.gui.jobs.delete import delete_category_job, delete_job
from ei_desktop.gui.jobs.runner import Job
from ei_desktop.gui.models import format as fmt

if TYPE_CHECKING:
    from ei_desktop.gui.main_window import MainWindow


#: what the confirmation adds when Edit → Undo can bring deleted samples back
UNDOABLE = "You can undo it with Edit → Undo."
#: what it adds when the delete is final
FINAL = "This cannot be undone."


def undo_note(window: MainWindow) -> str:
    """Whether a delete in ``window``'s project can be undone, as a sentence."""
    spec = window.spec
    return UNDOABLE if spec is not None and spec.kind == LOCAL else FINAL


class DeleteController(QObject):
    """Asks for confirmation, then deletes; the results show only when something failed."""

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window = window

    def delete_selected(self) -> Optional[ConfirmDialog]:
        """Ask, then delete the selected samples; returns the confirmation dialog."""
        window = self.window
        if window.backend is None:
            return None
        ids = window.table.selected_ids().tolist()
        if not ids:
            return None
        if len(ids) == 1:
            name = window.table_model.names(ids).get(ids[0], f"sample {ids[0]}")
            text = f"Delete <b>{name}</b>? {undo_note(window)}"
            action = "Delete"
        else:
            text = f"Delete the <b>{len(ids):,}</b> selected samples? {undo_note(window)}"
            action = f"Delete {len(ids):,} samples"
        dialog = ConfirmDialog("Delete samples", text, action, window)
        dialog.accepted.connect(lambda: self.start_delete(ids))
        open_dialog(dialog)
        return dialog

    def start_delete(self, ids: Sequence[int]) -> Optional[Job]:
        """Delete ``ids`` (no confirmation)."""
        window = self.window
        backend = window.backend
        if backend is None:
            return None
        ids = [int(i) for i in ids]
        names = window.table_model.names(ids)
        window.table_model.forget(ids)
        return window.operations.run(delete_job(backend, ids, names), "Deleting", results=PROBLEMS)

    def delete_category(self) -> Optional[TypedConfirmDialog]:
        """Ask (the user types the category's name), then delete every sample of the
        category selected in the filter; returns the confirmation dialog.
        """
        window = self.window
        category = window.filter_bar.category()
        if window.backend is None or category is None:
            return None
        count = window.tree_model.category_total(category)
        name = fmt.category_name(category)
        dialog = TypedConfirmDialog(
            "Delete a whole category",
            f"Delete <b>all {display.plural(count, 'sample')}</b> in <b>{name}</b>? "
            f"{undo_note(window)}",
            f"Delete all in {name}",
            category,
            window,
        )
        dialog.accepted.connect(lambda: self.start_delete_category(category))
        open_dialog(dialog)
        return dialog

    def start_delete_category(self, category: str) -> Optional[Job]:
        """Delete every sample of ``category`` (no confirmation)."""
        backend = self.window.backend
        if backend is None:
            return None
        return self.window.operations.run(
            delete_category_job(backend, category), "Deleting", results=PROBLEMS
        )
