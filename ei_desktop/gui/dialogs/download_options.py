"""Where to download the selected samples, and in which layout
(:class:`ei_desktop.ops.export.Layout`).
"""

from __future__ import annotations

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
from ei_desktop.ops.export import Layout

#: each layout as the dialog offers it, with a line saying what it writes
LAYOUT_CHOICES: tuple[tuple[Layout, str, str], ...] = (
    (
        Layout.SDK,
        "Edge Impulse JSON (like the SDK)",
        "One folder; time series as acquisition JSON, images, audio and video as they are.",
    ),
    (
        Layout.UPLOADED,
        "Files as uploaded",
        "Each sample's original file, in training/, testing/… folders.",
    ),
    (
        Layout.EXPORT,
        "Edge Impulse export (folders + info.labels)",
        "The files in training/, testing/… and info.labels with labels, metadata and boxes; "
        "uploading the folder gives the same samples back.",
    ),
)


class DownloadOptionsDialog(QDialog):
    """Asks for a folder and a layout; :meth:`folder` and :meth:`chosen_layout` give the answer.

    Args:
        count: how many samples will be downloaded (for the title).
        folder: the folder to suggest.
        layout: the layout chosen first.
    """

    def __init__(
        self,
        count: int,
        folder: str = "",
        layout: Layout | str = Layout.SDK,
        parent: Optional[QWidget] = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"Download {count:,} samples" if count != 1 else "Download 1 sample")
        try:
            layout = Layout(layout)
        except ValueError:
            layout = Layout.SDK

        self.folder_edit = QLineEdit(folder)
        self.folder_edit.setObjectName("download-folder")
        self.folder_edit.setPlaceholderText("Folder to write to")
        self.folder_edit.textChanged.connect(self._update_ok)
        self.browse = QPushButton("Choose…")
        self.browse.clicked.connect(self.choose_folder)
        folder_row = QHBoxLayout()
        folder_row.addWidget(self.folder_edit, 1)
        folder_row.addWidget(self.browse)

        self.layout_group = QButtonGroup(self)
        self.layout_buttons: dict[Layout, QRadioButton] = {}
        choices = QVBoxLayout()
        for value, title, hint in LAYOUT_CHOICES:
            button = QRadioButton(title)
            button.setObjectName(f"layout-{value.value}")
            button.setChecked(value is layout)
            self.layout_group.addButton(button)
            self.layout_buttons[value] = button
            note = QLabel(hint)
            note.setWordWrap(True)
            note.setIndent(24)
            make_secondary(note)
            choices.addWidget(button)
            choices.addWidget(note)

        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Download")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)

        box = QVBoxLayout(self)
        box.addWidget(QLabel("Folder:"))
        box.addLayout(folder_row)
        box.addWidget(QLabel("Layout:"))
        box.addLayout(choices)
        box.addWidget(self.buttons)
        self._update_ok()

    @property
    def ok_button(self) -> QPushButton:
        """The button that starts the download."""
        return self.buttons.button(QDialogButtonBox.StandardButton.Ok)

    def folder(self) -> str:
        """The folder typed or chosen."""
        return self.folder_edit.text().strip()

    def chosen_layout(self) -> Layout:
        """The layout chosen."""
        for value, button in self.layout_buttons.items():
            if button.isChecked():
                return value
        return Layout.SDK

    def choose_folder(self) -> None:
        """Pick the folder with the system's folder chooser."""
        chosen = QFileDialog.getExistingDirectory(self, "Download to", self.folder())
        if chosen:
            self.folder_edit.setText(chosen)

    def _update_ok(self) -> None:
        self.ok_button.setEnabled(bool(self.folder()))
