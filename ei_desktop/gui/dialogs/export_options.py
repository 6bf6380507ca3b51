"""Where and how to export samples as a dataset: a folder, a format (Edge Impulse, COCO,
YOLO, Pascal VOC) and whether the selection or the whole project.
"""

from __future__ import annotations

from typing import Optional

from PySide6.QtWidgets import QCheckBox, QWidget

from ei_desktop.gui.dialogs.folder_choice import FolderChoiceDialog

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


class ExportOptionsDialog(FolderChoiceDialog):
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
        super().__init__(
            name="export",
            choice_name="format",
            action="Export",
            folder=folder,
            placeholder="An empty folder, or an earlier export to complete",
            choice_title="Format",
            choices=FORMAT_CHOICES,
            chosen=format,
            parent=parent,
        )
        self.setWindowTitle("Export dataset")
        self.whole_check = QCheckBox(
            f"The whole project (not only the {selected:,} selected samples)"
            if selected
            else "The whole project (no sample is selected)"
        )
        self.whole_check.setChecked(not selected)
        self.whole_check.setEnabled(bool(selected))
        self.add_row(self.whole_check)

    def chosen_format(self) -> str:
        """The format chosen (``ei``, ``coco``, ``yolo`` or ``pascal-voc``)."""
        return str(self.chosen())

    def whole_project(self) -> bool:
        """True to export every enabled sample of the project rather than the selection."""
        return self.whole_check.isChecked()
