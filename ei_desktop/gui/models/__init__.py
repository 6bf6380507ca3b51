"""Qt models over a backend: the lazy sample table and the category/label tree."""

from ei_desktop.gui.models.category_tree import CategoryTreeModel
from ei_desktop.gui.models.sample_table import COLUMNS, SampleTableModel

__all__ = ["COLUMNS", "CategoryTreeModel", "SampleTableModel"]
