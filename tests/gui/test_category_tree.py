"""The category/label tree: counts per category and label, updated in place."""

from __future__ import annotations

from PySide6.QtWidgets import QTreeView

from ei_desktop.gui.models.category_tree import ALL, CategoryTreeModel


def labels_under(model, key):
    parent = model.itemFromIndex(model.index_of(key))
    return [parent.child(r, 0).text() for r in range(parent.rowCount())]


def count_of(model, key):
    index = model.index_of(key)
    return model.index(index.row(), 1, index.parent()).data()


def test_counts_per_category_and_label():
    model = CategoryTreeModel()
    model.set_counts({("training", "idle"): 1200, ("training", "wave"): 3, ("testing", ""): 5})
    assert count_of(model, ALL) == "1,208"
    assert count_of(model, ("training", None)) == "1,203"
    assert count_of(model, ("anomaly", None)) == "0"
    assert labels_under(model, ALL) == ["idle", "wave", "(unlabeled)"]
    assert labels_under(model, ("training", None)) == ["idle", "wave"]
    assert count_of(model, ("testing", "")) == "5"
    assert model.labels() == ["", "idle", "wave"]
    assert model.key_of(model.index_of(("training", "wave"))) == ("training", "wave")


def test_updates_keep_the_selection(qtbot):
    model = CategoryTreeModel()
    view = QTreeView()
    qtbot.addWidget(view)
    view.setModel(model)
    model.set_counts({("training", "idle"): 2, ("training", "wave"): 3})
    view.setCurrentIndex(model.index_of(("training", "wave")))
    model.set_counts({("training", "alpha"): 1, ("training", "wave"): 4})
    assert model.key_of(view.currentIndex()) == ("training", "wave")
    assert labels_under(model, ("training", None)) == ["alpha", "wave"]
    assert count_of(model, ("training", "wave")) == "4"
