"""*Project → Sync with Edge Impulse…*: the link of the local project to its remote, the
difference between them, and the Push and Pull buttons.

The dialog only shows and asks; its controller (:mod:`ei_desktop.gui.controllers.sync`)
checks the link, compares and pushes in jobs, and tells the dialog what they found.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Optional

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ei_desktop.gui.dialogs.sync_conflicts import ConflictRow, ConflictsTable
from ei_desktop.gui.dialogs.sync_link_form import LinkForm
from ei_desktop.gui.sync_links import SyncLink
from ei_desktop.gui.widgets.text import make_secondary

#: the differences shown, in order: (key, words)
COUNTS = (
    ("send", "to send"),
    ("change", "to change"),
    ("fetch", "to fetch"),
    ("delete", "to delete"),
)


class SyncDialog(QDialog):
    """The link, the difference and the Push and Pull buttons of one local project.

    Args:
        project: the local project's name.
        link: its link, ``None`` when it has none (the link form shows).
        storage_note: where a saved key goes (a sentence).

    Signals:
        linkRequested(SyncLink, str): link to these endpoints with this key.
        pushRequested(dict): push, keeping the side chosen for each conflict (by hash).
        pullRequested(dict): pull, keeping the side chosen for each conflict (by hash).
        deleteToggled(bool): the user changed whether deletions travel (a push deletes on the
            remote what was deleted here, a pull deletes here what the remote lost).
    """

    linkRequested = Signal(object, str)
    pushRequested = Signal(object)
    pullRequested = Signal(object)
    deleteToggled = Signal(bool)

    def __init__(
        self,
        project: str,
        link: Optional[SyncLink],
        storage_note: str,
        parent: Optional[QWidget] = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Sync with Edge Impulse")
        self.setMinimumWidth(600)
        self.link: Optional[SyncLink] = link
        heading = QLabel(f"<b>{project}</b> (this computer)", self)
        heading.setTextFormat(Qt.TextFormat.RichText)

        self.link_box = QGroupBox("Remote project", self)
        self.linked_label = QLabel(self.link_box)
        self.linked_label.setWordWrap(True)
        self.linked_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.change_button = QPushButton("C&hange link…", self.link_box)
        self.change_button.clicked.connect(self.show_link_form)
        self.linked_row = QWidget(self.link_box)
        row = QHBoxLayout(self.linked_row)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.linked_label, 1)
        row.addWidget(self.change_button)
        self.form = LinkForm(storage_note, self.link_box)
        self.form.linkRequested.connect(self.linkRequested.emit)
        self.form.cancelled.connect(lambda: self.show_linked(self.link) if self.link else None)
        link_layout = QVBoxLayout(self.link_box)
        link_layout.addWidget(self.linked_row)
        link_layout.addWidget(self.form)

        self.difference_box = QGroupBox("Difference", self)
        self.state_label = QLabel("", self.difference_box)
        self.state_label.setWordWrap(True)
        self.state_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        grid = QGridLayout()
        self.count_labels: dict[str, QLabel] = {}
        for column, (key, words) in enumerate(COUNTS):
            number = QLabel("–", self.difference_box)
            number.setAlignment(Qt.AlignmentFlag.AlignCenter)
            number.setStyleSheet("font-size: 20px; font-weight: 600;")
            number.setAccessibleName(f"Samples {words}")
            caption = QLabel(words, self.difference_box)
            caption.setAlignment(Qt.AlignmentFlag.AlignCenter)
            make_secondary(caption)
            grid.addWidget(number, 0, column)
            grid.addWidget(caption, 1, column)
            self.count_labels[key] = number
        self.delete_check = QCheckBox(
            "&Deletions travel: what was deleted on one side since the last sync is deleted"
            " on the other",
            self.difference_box,
        )
        self.delete_check.toggled.connect(self.deleteToggled.emit)
        self.conflicts_label = QLabel("", self.difference_box)
        self.conflicts_label.setWordWrap(True)
        self.conflicts = ConflictsTable(self.difference_box)
        difference = QVBoxLayout(self.difference_box)
        difference.addLayout(grid)
        difference.addWidget(self.state_label)
        difference.addWidget(self.delete_check)
        difference.addWidget(self.conflicts_label)
        difference.addWidget(self.conflicts, 100)
        difference.addStretch(1)  # the counts stay together when no conflict is listed
        self.set_conflicts([])

        buttons = QDialogButtonBox(self)
        self.push_button = buttons.addButton("&Push", QDialogButtonBox.ButtonRole.AcceptRole)
        self.push_button.setToolTip("Send what Edge Impulse does not hold yet")
        self.push_button.clicked.connect(self._push)
        self.pull_button = buttons.addButton("P&ull", QDialogButtonBox.ButtonRole.AcceptRole)
        self.pull_button.setToolTip("Fetch what this project does not hold yet")
        self.pull_button.clicked.connect(self._pull)
        buttons.addButton(QDialogButtonBox.StandardButton.Close).clicked.connect(self.reject)
        for button in (self.push_button, self.pull_button):
            button.setAutoDefault(False)

        layout = QVBoxLayout(self)
        layout.addWidget(heading)
        layout.addWidget(self.link_box)
        layout.addWidget(self.difference_box, 1)
        layout.addWidget(buttons)
        if link is None:
            self.show_link_form()
        else:
            self.show_linked(link)

    # -- the link -----------------------------------------------------------------------------

    def show_link_form(self) -> None:
        """Ask for a key and endpoints (those of the current link filled in)."""
        self.link_box.setTitle("Link to Edge Impulse")
        self.linked_row.hide()
        self.form.reset(self.link or SyncLink(), can_cancel=self.link is not None)
        self.form.show()
        self.form.key_edit.setFocus()
        self.difference_box.setEnabled(self.link is not None)
        self._set_runnable(False, False)

    def show_linked(self, link: SyncLink) -> None:
        """Show ``link`` as the project's remote (the difference follows with
        :meth:`show_comparing`).
        """
        self.link = link
        self.link_box.setTitle("Remote project")
        self.form.hide()
        self.linked_label.setText(f"Linked to {link.where()}.")
        self.linked_label.setToolTip(f"{link.api_endpoint}\n{link.ingestion_endpoint}")
        self.linked_row.show()
        self.difference_box.setEnabled(True)

    def link_failed(self, message: str) -> None:
        """Say why the link was not made."""
        self.form.failed(message)

    # -- the difference -----------------------------------------------------------------------

    def show_comparing(self) -> None:
        """Say the difference is being computed."""
        self._set_runnable(False, False)
        for label in self.count_labels.values():
            label.setText("…")
        where = self.link.where() if self.link else "the remote"
        self.state_label.setText(f"Comparing this project with {where}…")
        self.set_conflicts([])

    def show_difference(
        self,
        counts: dict[str, Optional[int]],
        note: str,
        conflicts: Sequence[ConflictRow] = (),
        *,
        can_push: bool,
        can_pull: bool,
    ) -> None:
        """Show the difference: a count per :data:`COUNTS` key (``None``: not computed), a note
        and the conflicts; Push and Pull are enabled when they have something to do.
        """
        for key, label in self.count_labels.items():
            value = counts.get(key)
            label.setText("–" if value is None else f"{value:,}")
            label.setToolTip("Not counted" if value is None else "")
        self.state_label.setText(note)
        self.set_conflicts(conflicts)
        self._set_runnable(can_push, can_pull)

    def _set_runnable(self, push: bool, pull: bool) -> None:
        self.push_button.setEnabled(push)
        self.pull_button.setEnabled(pull)

    def set_conflicts(self, rows: Sequence[ConflictRow]) -> None:
        """List the conflicts (hidden when there are none)."""
        self.conflicts.set_conflicts(rows)
        self.conflicts.setVisible(bool(rows))
        self.conflicts_label.setVisible(bool(rows))
        if rows:
            self.conflicts_label.setText(
                f"{len(rows):,} changed on both sides since the last sync: choose which side"
                " to keep (an undecided one stays as it is on both)."
            )

    def comparison_failed(self, message: str) -> None:
        """Say the difference could not be computed."""
        for label in self.count_labels.values():
            label.setText("–")
        self.state_label.setText(message)
        self._set_runnable(False, False)

    def _push(self) -> None:
        self.pushRequested.emit(self.conflicts.choices())

    def _pull(self) -> None:
        self.pullRequested.emit(self.conflicts.choices())
