"""Asking for a label without blocking: one :class:`TextDialog` open at a time, its answer
handed to a callback.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Optional

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWidget

from ei_desktop.gui.dialogs.curation import TextDialog


class LabelPrompt:
    """Opens the dialogs asking ``parent``'s user for a label; a new question closes the one
    still open.
    """

    def __init__(self, parent: QWidget) -> None:
        self.parent = parent
        #: the dialog asking, while one is open
        self.dialog: Optional[TextDialog] = None

    def close(self) -> None:
        """Close the dialog still open, as if cancelled."""
        if self.dialog is not None:
            self.dialog.reject()

    def ask(
        self,
        title: str,
        prompt: str,
        action: str,
        initial: str,
        done: Callable[[str], object],
        completions: Sequence[str] = (),
    ) -> TextDialog:
        """Open a dialog titled ``title`` asking ``prompt`` (OK reads ``action``), starting
        from ``initial`` and offering ``completions``; ``done(text)`` runs once it is accepted.
        Returns the dialog (open, not modal).
        """
        self.close()
        dialog = TextDialog(
            title,
            prompt,
            action,
            initial=initial,
            completions=completions,
            parent=self.parent.window(),
        )
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.dialog = dialog

        def finished(result: int) -> None:
            if self.dialog is dialog:
                self.dialog = None
            if result == TextDialog.DialogCode.Accepted:
                done(dialog.text())

        dialog.finished.connect(finished)
        dialog.open()
        return dialog
