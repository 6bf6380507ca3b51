"""Where and how to export samples as a dataset: a folder, a format (Edge Impulse, COCO,
YOLO, Pascal VOC) and whether the selection or the whole project.
"""

from __future__ import annotations

from typing import Optional

from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
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

#: each format as the dialog offers it, with a line saying what it writes
FORMAT_CHOICES: tuple[tuple[str, str, str], ...] = (
    (
        "ei",
        "Edge Impulse export (folders + info.labels)",
        "training/, testing/… and info.labels with labels, metadata and boxes; uploads back "
        "into the same samples (also with the SDK's upload_exported_dataset).",
    ),
    ("coco", "COCO", "Images with <split>/_annotations.coco.json (train, test, val)."),
    ("yolo", "YOLO", "images/<split>, labels/<split> and data.yaml with the class names."),
    ("pascal-voc", "Pascal VOC", "Images with one .xml file each, in a folder per split."),
)


class ExportOptionsDialog(QDialog):
    """Asks for a folder, a format and the samples; :meth:`folder`, :meth:`chosen_format` and
    :meth:`whole_project` give the answer.

    Args:
        selected: how many samples are selected (0: only the whole project is offered).
        folder: the folder to suggest.
        format: the format chosen first.
    """

    def __init__(
        self,
        selected: int,
        folder: str = "",
        format: str = "ei",
        parent: Optional[QWidget] = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Export dataset")
        self.folder_edit = QLineEdit(folder)
        self.folder_edit.setObjectName("export-folder")
        self.folder_edit.setPlaceholderText("An empty folder, or an earlier export to complete")
        self.folder_edit.textChanged.connect(self._update_ok)
        browse = QPushButton("Choose…")
        browse.clicked.connect(self.choose_folder)
        folder_row = QHBoxLayout()
        folder_row.addWidget(self.folder_edit, 1)
        folder_row.addWidget(browse)

        self.format_group = QButtonGroup(self)
        self.format_buttons: dict[str, QRadioButton] = {}
        choices = QVBoxLayout()
        known = {value for value, _, _ in FORMAT_CHOICES}
        for value, title, hint in FORMAT_CHOICES:
            button = QRadioButton(title)
            button.setObjectName(f"format-{value}")
            button.setChecked(value == (format if format in known else "ei"))
            self.format_group.addButton(button)
            self.format_buttons[value] = button
            note = QLabel(hint)
            note.setWordWrap(True)
            note.setIndent(24)
            make_secondary(note)
            choices.addWidget(button)
            choices.addWidget(note)

        self.whole_check = QCheckBox(
            f"The whole project (not only the {selected:,} selected samples)"
            if selected
            else "The whole project (no sample is selected)"
        )
        self.whole_check.setChecked(not selected)
        self.whole_check.setEnabled(bool(selected))

        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.ok_button.setText("Export")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)

        box = QVBoxLayout(self)
        box.addWidget(QLabel("Folder:"))
        box.addLayout(folder_row)
        box.addWidget(QLabel("Format:"))
        box.addLayout(choices)
        box.addWidget(self.whole_check)
        box.addWidget(self.buttons)
        self._update_ok()

    @property
    def ok_button(self) -> QPushButton:
        """The button that starts the export."""
        return self.buttons.button(QDialogButtonBox.StandardButton.Ok)

    def folder(self) -> str:
        """The folder typed or chosen."""
        return self.folder_edit.text().strip()

    def chosen_format(self) -> str:
        """The format chosen (``ei``, ``coco``, ``yolo`` or ``pascal-voc``)."""
        return next((v for v, b in self.format_buttons.items() if b.isChecked()), "ei")

    def whole_project(self) -> bool:
        """True to export every enabled sample of the project rather than the selection."""
        return self.whole_check.isChecked()

    def choose_folder(self) -> None:
        """Pick the folder with the system's folder chooser."""
        chosen = QFileDialog.getExistingDirectory(self, "Export to", self.folder())
        if chosen:
            self.folder_edit.setText(chosen)

    def _update_ok(self) -> None:
        self.ok_button.setEnabled(bool(self.folder()))
