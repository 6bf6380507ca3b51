"""Where to download the selected samples, and in which layout
(:class:`ei_desktop.ops.export.Layout`).
"""

from __future__ import annotations

from typing import Optional

from PySide6.QtWidgets import QWidget

from ei_desktop.gui.dialogs.folder_choice import FolderChoiceDialog
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


class DownloadOptionsDialog(FolderChoiceDialog):
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
        try:
            layout = Layout(layout)
        except ValueError:
            layout = Layout.SDK
        super().__init__(
            name="download",
            choice_name="layout",
            action="Download",
            folder=folder,
            placeholder="Folder to write to",
            choice_title="Layout",
            choices=LAYOUT_CHOICES,
            chosen=layout,
            parent=parent,
        )
        self.setWindowTitle(f"Download {count:,} samples" if count != 1 else "Download 1 sample")

    def chosen_layout(self) -> Layout:
        """The layout chosen."""
        return self.chosen()
