"""Small dialogs of curation: a label for the selection, a label renamed project-wide, a
sample's new name. Each asks for one line of text, offering the project's labels where a
label is asked for.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Optional

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCompleter,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)


def label_completer(labels: Sequence[str], parent: QWidget) -> QCompleter:
    """A completer over ``labels`` (case-insensitive, matching anywhere in the label)."""
    completer = QCompleter([label for label in labels if label], parent)
    completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
    completer.setFilterMode(Qt.MatchFlag.MatchContains)
    completer.setCompletionMode(QCompleter.CompletionMode.PopupCompletion)
    return completer


class TextDialog(QDialog):
    """Asks for one line of text; OK is enabled once it is not blank (and, with ``initial``,
    differs from it).

    Args:
        title: the window title.
        prompt: what to type (rich text allowed).
        action: the OK button's text ("Set label").
        initial: the text to start from (selected, so typing replaces it).
        completions: choices offered while typing (the project's labels).
    """

    def __init__(
        self,
        title: str,
        prompt: str,
        action: str,
        *,
        initial: str = "",
        completions: Sequence[str] = (),
        parent: Optional[QWidget] = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self._initial = initial
        self.prompt = QLabel(prompt, self)
        self.prompt.setWordWrap(True)
        self.prompt.setMinimumWidth(360)
        self.edit = QLineEdit(initial, self)
        self.edit.setAccessibleName(title)
        self.prompt.setBuddy(self.edit)
        if completions:
            self.edit.setCompleter(label_completer(completions, self.edit))
        self.edit.selectAll()
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel, self)
        self.ok_button = buttons.addButton(action, QDialogButtonBox.ButtonRole.AcceptRole)
        self.ok_button.setDefault(True)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.prompt)
        layout.addWidget(self.edit)
        layout.addWidget(buttons)
        self.edit.textChanged.connect(self._update)
        self._update()

    def text(self) -> str:
        """The text typed, without surrounding spaces."""
        return self.edit.text().strip()

    def _acceptable(self) -> bool:
        text = self.text()
        return bool(text) and text != self._initial.strip()

    def _update(self) -> None:
        self.ok_button.setEnabled(self._acceptable())

    def accept(self) -> None:  # noqa: D102 - Enter must not accept a blank or unchanged text
        if self._acceptable():
            super().accept()


def set_label_dialog(count: int, labels: Sequence[str], parent: QWidget) -> TextDialog:
    """Ask for the label to give ``count`` selected samples."""
    noun = "the selected sample" if count == 1 else f"the <b>{count:,}</b> selected samples"
    return TextDialog(
        "Set label",
        f"&Label for {noun}:",
        "Set label",
        completions=labels,
        parent=parent,
    )


def rename_label_dialog(old: str, labels: Sequence[str], parent: QWidget) -> TextDialog:
    """Ask for the new name of label ``old`` across the project (an existing label merges)."""
    return TextDialog(
        "Rename label",
        f"Rename label <b>{_escape(old)}</b> on every sample of the project, in every "
        "category, to (an existing label merges them):",
        "Rename label",
        initial=old,
        completions=[label for label in labels if label != old],
        parent=parent,
    )


def rename_sample_dialog(name: str, parent: QWidget) -> TextDialog:
    """Ask for a new name for the sample named ``name``."""
    return TextDialog(
        "Rename sample",
        f"New &name for <b>{_escape(name)}</b>:",
        "Rename",
        initial=name,
        parent=parent,
    )


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
