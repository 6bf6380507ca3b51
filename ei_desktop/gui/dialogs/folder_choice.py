"""A dialog that asks for a folder to write to and one choice among a few (a layout, a
format), each choice with a line saying what it writes. Download and Export are made of it.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from typing import Optional

from PySide6.QtWidgets import (
    QButtonGroup,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from ei_desktop.gui.widgets.text import make_secondary

#: one choice: its value, its title and a line saying what it writes
Choice = tuple[Hashable, str, str]


class FolderChoiceDialog(QDialog):
    """A folder row, a titled list of choices, optional extra rows and OK / Cancel.

    Args:
        name: names the folder field (``{name}-folder``) for tests and accessibility.
        choice_name: names each choice's button ``{choice_name}-{value}`` (an enum's
            ``value``).
        action: the OK button's text and the folder chooser's title ("Download", "Export").
        folder: the folder to suggest.
        placeholder: what the empty folder field says.
        choice_title: the title above the choices ("Layout", "Format").
        choices: the choices, in the order shown.
        chosen: the value chosen first (the first choice when it is not one of them).
    """

    def __init__(
        self,
        *,
        name: str,
        choice_name: str,
        action: str,
        folder: str,
        placeholder: str,
        choice_title: str,
        choices: Sequence[Choice],
        chosen: Hashable,
        parent: Optional[QWidget] = None,
    ) -> None:
        super().__init__(parent)
        self._action = action
        self.folder_edit = QLineEdit(folder)
        self.folder_edit.setObjectName(f"{name}-folder")
        self.folder_edit.setPlaceholderText(placeholder)
        self.folder_edit.textChanged.connect(self._update_ok)
        self.browse = QPushButton("Choose…")
        self.browse.clicked.connect(self.choose_folder)
        folder_row = QHBoxLayout()
        folder_row.addWidget(self.folder_edit, 1)
        folder_row.addWidget(self.browse)

        values = [value for value, _title, _hint in choices]
        chosen = chosen if chosen in values else values[0]
        self.choice_group = QButtonGroup(self)
        self.choice_buttons: dict[Hashable, QRadioButton] = {}
        listed = QVBoxLayout()
        for value, title, hint in choices:
            button = QRadioButton(title)
            button.setObjectName(f"{choice_name}-{getattr(value, 'value', value)}")
            button.setChecked(value == chosen)
            self.choice_group.addButton(button)
            self.choice_buttons[value] = button
            note = QLabel(hint)
            note.setWordWrap(True)
            note.setIndent(24)
            make_secondary(note)
            listed.addWidget(button)
            listed.addWidget(note)

        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.ok_button.setText(action)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)

        self._box = QVBoxLayout(self)
        self._box.addWidget(QLabel("Folder:"))
        self._box.addLayout(folder_row)
        self._box.addWidget(QLabel(f"{choice_title}:"))
        self._box.addLayout(listed)
        self._box.addWidget(self.buttons)
        self._update_ok()

    def add_row(self, widget: QWidget) -> None:
        """Add ``widget`` below the choices, above the buttons."""
        self._box.insertWidget(self._box.indexOf(self.buttons), widget)

    @property
    def ok_button(self) -> QPushButton:
        """The button that starts the work."""
        return self.buttons.button(QDialogButtonBox.StandardButton.Ok)

    def folder(self) -> str:
        """The folder typed or chosen."""
        return self.folder_edit.text().strip()

    def chosen(self) -> Hashable:
        """The value of the choice checked."""
        return next(v for v, b in self.choice_buttons.items() if b.isChecked())

    def choose_folder(self) -> None:
        """Pick the folder with the system's folder chooser."""
        chosen = QFileDialog.getExistingDirectory(self, f"{self._action} to", self.folder())
        if chosen:
            self.folder_edit.setText(chosen)

    def _update_ok(self) -> None:
        self.ok_button.setEnabled(bool(self.folder()))
