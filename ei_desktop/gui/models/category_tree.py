"""The category/label tree: All samples and each category, each with its labels and counts.

Counts come from ``backend.label_counts()`` (a sample with several labels, from label segments
or bounding boxes, is under each of them) and the totals of the categories from
``backend.category_counts()`` (each sample once). Updates happen in place (counts change, labels
appear or vanish) so the view keeps its selection and expanded nodes.

Sample rows dragged from the table (:data:`SAMPLE_IDS_MIME`) can be dropped on a category (to
move them there), on a label of a category (to move and relabel them) or on a label under All
samples (to relabel them); the model changes nothing itself, it emits
:attr:`CategoryTreeModel.samplesDropped`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Optional

import numpy as np
from PySide6.QtCore import QByteArray, QMimeData, QModelIndex, Qt, Signal
from PySide6.QtGui import QBrush, QFont, QPalette, QStandardItem, QStandardItemModel
from PySide6.QtWidgets import QApplication

from ei_desktop.core.naming import CATEGORIES
from ei_desktop.gui.models import format as fmt

#: the role holding a node's ``(category, label)``; ``None`` means "any"
KeyRole = Qt.ItemDataRole.UserRole + 1

Key = tuple[Optional[str], Optional[str]]
ALL: Key = (None, None)

#: the drag format of sample rows: their ids as little-endian int64
SAMPLE_IDS_MIME = "application/x-ei-desktop-sample-ids"


def ids_to_mime(ids: Sequence[int] | np.ndarray) -> QMimeData:
    """Drag data carrying sample ``ids`` (and their ids as text, one per line)."""
    array = np.asarray(ids, dtype="<i8")
    mime = QMimeData()
    mime.setData(SAMPLE_IDS_MIME, QByteArray(array.tobytes()))
    mime.setText("\n".join(str(i) for i in array[:1000].tolist()))
    return mime


def ids_from_mime(mime: QMimeData) -> np.ndarray:
    """The sample ids of drag data made by :func:`ids_to_mime` (empty for other data)."""
    if mime is None or not mime.hasFormat(SAMPLE_IDS_MIME):
        return np.zeros(0, dtype=np.int64)
    raw = bytes(mime.data(SAMPLE_IDS_MIME).data())
    return np.frombuffer(raw[: len(raw) // 8 * 8], dtype="<i8").astype(np.int64)


def drop_target(key: Key) -> bool:
    """True when samples can be dropped on the node ``key``: a category, or a label (not
    "no label") under a category or under All samples.
    """
    category, label = key
    if label is None:
        return category is not None
    return label != ""


class CategoryTreeModel(QStandardItemModel):
    """Two columns (name, count); top-level nodes are All samples and the categories.

    Signals:
        samplesDropped(ndarray, object): sample ids were dropped on the node of this key
            ``(category, label)``.
    """

    samplesDropped = Signal(object, object)

    def __init__(self, parent=None) -> None:
        super().__init__(0, 2, parent)
        self.setHorizontalHeaderLabels(["Category / label", "Samples"])
        self._items: dict[Key, tuple[QStandardItem, QStandardItem]] = {}
        self._counts: dict[tuple[str, str], int] = {}
        self._totals: dict[str, int] = {}
        root = self.invisibleRootItem()
        root.appendRow(self._make_row(ALL, "All samples"))
        for category in CATEGORIES:
            root.appendRow(self._make_row((category, None), fmt.category_name(category)))
        bold = QFont()
        bold.setBold(True)
        self._items[ALL][0].setFont(bold)

    @property
    def counts(self) -> dict[tuple[str, str], int]:
        """The counts last given to :meth:`set_counts`."""
        return dict(self._counts)

    def total(self) -> int:
        """Samples in the project."""
        return sum(self._totals.values())

    def category_total(self, category: str) -> int:
        """Samples in ``category`` (each once, whatever its labels)."""
        return self._totals.get(category, 0)

    def labels(self) -> list[str]:
        """Every label in the project, sorted."""
        return sorted({label for _, label in self._counts})

    def index_of(self, key: Key):
        """The index of the node for ``key`` (invalid if there is none)."""
        items = self._items.get(key)
        return items[0].index() if items else self.index(-1, -1)

    def key_of(self, index) -> Key:
        """``(category, label)`` of a node (``ALL`` for an invalid index)."""
        if not index.isValid():
            return ALL
        value = self.itemFromIndex(index.siblingAtColumn(0)).data(KeyRole)
        return tuple(value) if value else ALL  # type: ignore[return-value]

    # -- dropping sample rows -----------------------------------------------------------------

    def mimeTypes(self) -> list[str]:  # noqa: D102, N802
        return [SAMPLE_IDS_MIME]

    def supportedDropActions(self) -> Qt.DropAction:  # noqa: D102, N802
        return Qt.DropAction.MoveAction | Qt.DropAction.CopyAction

    def _drop_key(self, row: int, parent: QModelIndex) -> Optional[Key]:
        index = self.index(row, 0, parent) if row >= 0 else parent
        if not index.isValid():
            return None
        key = self.key_of(index)
        return key if drop_target(key) else None

    def canDropMimeData(self, data, action, row, column, parent) -> bool:  # noqa: D102, N802
        return data.hasFormat(SAMPLE_IDS_MIME) and self._drop_key(row, parent) is not None

    def dropMimeData(self, data, action, row, column, parent) -> bool:  # noqa: D102, N802
        key = self._drop_key(row, parent)
        ids = ids_from_mime(data)
        if key is None or not len(ids):
            return False
        self.samplesDropped.emit(ids, key)
        return True

    def _make_row(self, key: Key, text: str) -> list[QStandardItem]:
        name = QStandardItem(text)
        name.setData(list(key), KeyRole)
        name.setEditable(False)
        name.setDragEnabled(False)
        name.setDropEnabled(drop_target(key))
        if key[1] == "":
            font = QFont()
            font.setItalic(True)
            name.setFont(font)
        count = QStandardItem("0")
        count.setEditable(False)
        count.setDragEnabled(False)
        count.setDropEnabled(drop_target(key))
        count.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self._items[key] = (name, count)
        return [name, count]

    def set_counts(
        self, counts: dict[tuple[str, str], int], totals: Optional[dict[str, int]] = None
    ) -> None:
        """Show ``counts`` ((category, label) → n), adding and removing label nodes, and
        ``totals`` (category → n) on the categories; without ``totals``, a category's total
        is the sum of its labels' counts (right when every sample has one label).
        """
        self._counts = dict(counts)
        per_label: dict[str, int] = {}
        per_category: dict[str, int] = {}
        for (category, label), n in counts.items():
            per_label[label] = per_label.get(label, 0) + n
            per_category[category] = per_category.get(category, 0) + n
        self._totals = dict(per_category if totals is None else totals)
        self._set_count(ALL, self.total())
        self._sync_labels(ALL, per_label)
        for category in CATEGORIES:
            self._set_count((category, None), self._totals.get(category, 0))
            labels = {lab: n for (cat, lab), n in counts.items() if cat == category}
            self._sync_labels((category, None), labels)

    def _set_count(self, key: Key, n: int) -> None:
        name, count = self._items[key]
        text = fmt.count(n)
        if count.text() != text:
            count.setText(text)
        # empty categories stay selectable (to see that they are empty) but read as dimmed
        if n > 0 or key == ALL:
            name.setData(None, Qt.ItemDataRole.ForegroundRole)
            count.setData(None, Qt.ItemDataRole.ForegroundRole)
        else:
            dim = QBrush(
                QApplication.palette().color(QPalette.ColorGroup.Disabled, QPalette.ColorRole.Text)
            )
            name.setForeground(dim)
            count.setForeground(dim)

    def _sync_labels(self, parent_key: Key, labels: dict[str, int]) -> None:
        parent = self._items[parent_key][0]
        category = parent_key[0]
        # remove labels that are gone
        for row in reversed(range(parent.rowCount())):
            key = tuple(parent.child(row, 0).data(KeyRole))
            if key[1] not in labels:
                parent.removeRow(row)
                self._items.pop(key, None)  # type: ignore[arg-type]
        # add new labels in sorted position, update counts
        for label in sorted(labels, key=lambda s: (s == "", s.lower())):
            key = (category, label)
            if key not in self._items:
                position = parent.rowCount()
                for row in range(parent.rowCount()):
                    other = parent.child(row, 0).data(KeyRole)[1]
                    if (label == "", label.lower()) < (other == "", other.lower()):
                        position = row
                        break
                parent.insertRow(position, self._make_row(key, fmt.label_name(label)))
            self._items[key][1].setText(fmt.count(labels[label]))
