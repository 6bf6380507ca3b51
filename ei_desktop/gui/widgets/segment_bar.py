"""The bar under a plot in the *Label segments* mode: what Save will store, Save and Cancel,
and the edits (*Add segment*, *Relabel…*, *Delete segment*).
"""

from __future__ import annotations

from typing import Optional

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QPushButton,
    QToolButton,
    QVBoxLayout,
    QWidget,
)


class SegmentBar(QWidget):
    """The widgets of the segment editor's bar, hidden until the mode starts; the editor
    (:class:`~ei_desktop.gui.widgets.segment_editor.SegmentEditor`) gives the edit buttons
    their meaning.

    Signals:
        saveRequested(): Save was pressed.
        cancelRequested(): Cancel was pressed.
    """

    saveRequested = Signal()
    cancelRequested = Signal()

    def __init__(self, parent: Optional[QWidget] = None) -> None:
        super().__init__(parent)
        self.title = QLabel("Label segments:")
        font = self.title.font()
        font.setBold(True)
        self.title.setFont(font)
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.summary.setMinimumWidth(40)
        self.summary.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.add_button = QToolButton()
        self.add_button.setText("Add segment")
        self.add_button.setToolTip("Label a part of the view (or drag across the plot)")
        self.relabel_button = QToolButton()
        self.relabel_button.setText("Relabel…")
        self.relabel_button.setToolTip("Relabel the picked segment (F2 or double-click)")
        self.delete_button = QToolButton()
        self.delete_button.setText("Delete segment")
        self.delete_button.setToolTip(
            "Remove the picked segment: the one before it takes its values (Delete)"
        )
        self.save_button = QPushButton("Save")
        self.save_button.setDefault(True)
        self.save_button.setToolTip("Save the label segments (Ctrl+S)")
        self.save_button.clicked.connect(self.saveRequested)
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setToolTip("Leave without changing the sample (Esc)")
        self.cancel_button.clicked.connect(self.cancelRequested)
        for button in (self.add_button, self.relabel_button, self.delete_button):
            button.setMinimumWidth(button.sizeHint().width())  # never elided

        self.title.setMinimumWidth(self.title.sizeHint().width())
        # what Save stores, with Save and Cancel (the summary wraps); the edits below
        top = QHBoxLayout()
        top.addWidget(self.title, 0, Qt.AlignmentFlag.AlignTop)
        top.addWidget(self.summary, 1)
        top.addWidget(self.save_button, 0, Qt.AlignmentFlag.AlignTop)
        top.addWidget(self.cancel_button, 0, Qt.AlignmentFlag.AlignTop)
        edits = QHBoxLayout()
        for button in (self.add_button, self.relabel_button, self.delete_button):
            edits.addWidget(button)
        edits.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 2, 4, 2)
        layout.setSpacing(2)
        layout.addLayout(top)
        layout.addLayout(edits)
        self.setVisible(False)

    def show_state(self, summary: str, *, picked: bool, deletable: bool, savable: bool) -> None:
        """Show ``summary``; Relabel works on a ``picked`` segment, Delete on a ``deletable``
        one, Save when there is something to save (``savable``).
        """
        self.relabel_button.setEnabled(picked)
        self.delete_button.setEnabled(deletable)
        self.save_button.setEnabled(savable)
        self.summary.setText(summary)
        self.summary.setToolTip(summary)
