"""The upload plan, shown before anything is sent: per folder, how many files go to which
category under which labels, and every file left out with its reason.
"""

from __future__ import annotations

import os
from typing import Optional

from PySide6.QtGui import QBrush, QColor, QFont
from PySide6.QtWidgets import QLabel, QTreeWidget, QTreeWidgetItem, QVBoxLayout, QWidget

from ei_desktop.ops.plan_overview import PlanOverview, categories_text, labels_text

#: left-out files listed one by one (the rest are counted)
SHOWN_SKIPPED = 500

_PROBLEM = QColor("#b00020")


class PlanPreview(QWidget):
    """A headline and a tree: one row per folder, then "Not uploaded" with a row per file."""

    COLUMNS = ("Folder", "Files", "Category", "Labels")

    def __init__(self, parent: Optional[QWidget] = None) -> None:
        super().__init__(parent)
        self.headline = QLabel("Looking at the files…", self)
        self.headline.setWordWrap(True)
        self.headline.setAccessibleName("What will be uploaded")
        bold = QFont(self.headline.font())
        bold.setBold(True)
        self.headline.setFont(bold)
        self.tree = QTreeWidget(self)
        self.tree.setColumnCount(len(self.COLUMNS))
        self.tree.setHeaderLabels(list(self.COLUMNS))
        self.tree.setRootIsDecorated(True)
        self.tree.setUniformRowHeights(True)
        self.tree.setMinimumHeight(120)
        self.tree.setAccessibleName("Upload plan per folder")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.headline)
        layout.addWidget(self.tree, 1)

    def show_looking(self) -> None:
        """Say the plan is being made (the files are being read)."""
        self.headline.setText("Looking at the files…")

    def show_error(self, text: str) -> None:
        """Say the plan could not be made."""
        self.headline.setText(f"Could not look at the files: {text}")
        self.tree.clear()

    def show_overview(self, overview: PlanOverview) -> None:
        """Show ``overview``: the headline, a row per folder and the files left out."""
        self.headline.setText(overview.headline())
        self.tree.clear()
        base = _common_parent([f.folder for f in overview.folders])
        for row in overview.folders:
            name = os.path.relpath(row.folder, base) if base else row.folder
            item = QTreeWidgetItem(
                [
                    name if name != "." else os.path.basename(row.folder) or row.folder,
                    f"{row.files:,}",
                    categories_text(row.categories),
                    labels_text(row.labels),
                ]
            )
            item.setToolTip(0, row.folder)
            item.setToolTip(3, labels_text(row.labels, shown=50))
            self.tree.addTopLevelItem(item)
        if overview.skipped:
            self._add_skipped(overview)
        for column in range(len(self.COLUMNS)):
            self.tree.resizeColumnToContents(column)

    def _add_skipped(self, overview: PlanOverview) -> None:
        failed = len(overview.failed)
        title = f"Not uploaded ({len(overview.skipped):,})"
        group = QTreeWidgetItem([title, "", "", ""])
        self.tree.addTopLevelItem(group)
        # the files with problems first: they are the ones to fix
        ordered = sorted(overview.skipped, key=lambda s: not s.failed)
        for skipped in ordered[:SHOWN_SKIPPED]:
            child = QTreeWidgetItem([os.path.basename(skipped.path) or skipped.path, "", "", ""])
            child.setText(2, skipped.reason)
            child.setToolTip(0, skipped.path)
            child.setToolTip(2, skipped.reason)
            if skipped.failed:
                for column in (0, 2):
                    child.setForeground(column, QBrush(_PROBLEM))
            group.addChild(child)
        if len(ordered) > SHOWN_SKIPPED:
            group.addChild(QTreeWidgetItem([f"… and {len(ordered) - SHOWN_SKIPPED:,} more"]))
        group.setExpanded(failed > 0 or len(overview.skipped) <= 20)


def _common_parent(folders: list[str]) -> str:
    if not folders:
        return ""
    try:
        common = os.path.commonpath(folders)
    except ValueError:  # different drives
        return ""
    return os.path.dirname(common) if len(folders) == 1 or common in folders else common
