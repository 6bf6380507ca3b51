"""Filtering samples by metadata: conditions "key = value" and "key ≠ value" shown as removable
chips, turned into :class:`~ei_desktop.core.backends.base.MetadataFilter` items of a
:class:`~ei_desktop.core.backends.base.SampleQuery` (the backend filters, never the view).

Conditions on one key with the same operator are merged ("site = lab or home"); conditions on
different keys must all hold. An empty value means "the key is set" (=) or "is not set" (≠).
"""

from __future__ import annotations

from dataclasses import replace
from typing import Optional

from PySide6.QtCore import QSignalBlocker, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSizePolicy,
    QToolButton,
    QWidget,
)

from ei_desktop.core.backends.base import MetadataFilter, SampleQuery

#: (shown operator, MetadataFilter op)
OPERATORS = (("=", "eq"), ("≠", "neq"))


def describe(item: MetadataFilter) -> str:
    """A condition in words: ``site = lab``, ``site ≠ lab or home``, ``site is set``."""
    if not item.values:
        return f"{item.key} is set" if item.op == "eq" else f"{item.key} is not set"
    sign = dict((op, shown) for shown, op in OPERATORS)[item.op]
    return f"{item.key} {sign} {' or '.join(item.values)}"


def add_condition(
    filters: tuple[MetadataFilter, ...], key: str, op: str, value: str
) -> tuple[MetadataFilter, ...]:
    """``filters`` with ``key op value`` added (merged into a condition on the same key and
    operator; an empty value means any value).
    """
    values = (value,) if value else ()
    merged: list[MetadataFilter] = []
    done = False
    for item in filters:
        if not done and item.key == key and item.op == op:
            both = (
                () if not values or not item.values else tuple(dict.fromkeys(item.values + values))
            )
            merged.append(MetadataFilter(key, op, both))
            done = True
        else:
            merged.append(item)
    if not done:
        merged.append(MetadataFilter(key, op, values))
    return tuple(merged)


class MetadataFilterBar(QWidget):
    """Key, operator and value choosers, an Add button, and the conditions as chips.

    Signals:
        changed: the conditions changed; read :meth:`filters` or :meth:`apply_to`.
    """

    changed = Signal()

    def __init__(self, parent: Optional[QWidget] = None) -> None:
        super().__init__(parent)
        self._filters: tuple[MetadataFilter, ...] = ()
        self._choices: dict[str, list[str]] = {}
        title = QLabel("&Metadata", self)
        self.key_combo = QComboBox(self)
        self.key_combo.setEditable(True)
        self.key_combo.setAccessibleName("Metadata key")
        self.key_combo.lineEdit().setPlaceholderText("key")
        self.key_combo.setMinimumContentsLength(10)
        self.key_combo.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        title.setBuddy(self.key_combo)
        self.op_combo = QComboBox(self)
        self.op_combo.setAccessibleName("Metadata condition")
        for shown, op in OPERATORS:
            self.op_combo.addItem(shown, op)
        self.value_combo = QComboBox(self)
        self.value_combo.setEditable(True)
        self.value_combo.setAccessibleName("Metadata value")
        self.value_combo.lineEdit().setPlaceholderText("value (empty: any)")
        self.value_combo.setMinimumContentsLength(12)
        self.value_combo.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.add_button = QPushButton("Add &filter", self)
        self.add_button.setToolTip("Keep only the samples whose metadata matches")
        self.add_button.setEnabled(False)
        self.clear_button = QToolButton(self)
        self.clear_button.setText("Clear")
        self.clear_button.setAutoRaise(True)
        self.clear_button.setToolTip("Remove every metadata condition")
        self.chips = QWidget(self)
        self.chips.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        self._chip_layout = QHBoxLayout(self.chips)
        self._chip_layout.setContentsMargins(0, 0, 0, 0)
        self._chip_layout.setSpacing(4)

        self.key_combo.currentTextChanged.connect(self._key_changed)
        self.key_combo.lineEdit().returnPressed.connect(self.add_from_editors)
        self.value_combo.lineEdit().returnPressed.connect(self.add_from_editors)
        self.add_button.clicked.connect(self.add_from_editors)
        self.clear_button.clicked.connect(self.clear)

        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(title)
        layout.addWidget(self.key_combo, 1)
        layout.addWidget(self.op_combo)
        layout.addWidget(self.value_combo, 1)
        layout.addWidget(self.add_button)
        layout.addWidget(self.chips, 3)
        layout.addWidget(self.clear_button)
        self._show_chips()

    # -- choices ------------------------------------------------------------------------------

    def set_choices(self, values: dict[str, list[str]]) -> None:
        """Offer the keys of ``values`` and, for the chosen key, its values (typing stays)."""
        self._choices = dict(values)
        key = self.key_combo.currentText()
        with QSignalBlocker(self.key_combo):
            self.key_combo.clear()
            self.key_combo.addItems(sorted(values))
            self.key_combo.setEditText(key)
        self._fill_values(key)

    def _key_changed(self, key: str) -> None:
        self._fill_values(key)
        self.add_button.setEnabled(bool(key.strip()))

    def _fill_values(self, key: str) -> None:
        value = self.value_combo.currentText()
        with QSignalBlocker(self.value_combo):
            self.value_combo.clear()
            self.value_combo.addItems(self._choices.get(key.strip(), []))
            self.value_combo.setEditText(value)

    # -- conditions ---------------------------------------------------------------------------

    def filters(self) -> tuple[MetadataFilter, ...]:
        """The conditions, for :attr:`SampleQuery.metadata`."""
        return self._filters

    def apply_to(self, query: SampleQuery) -> SampleQuery:
        """``query`` also keeping only the samples these conditions keep."""
        if not self._filters:
            return query
        return replace(query, metadata=tuple(query.metadata) + self._filters)

    def add(self, key: str, op: str, value: str = "") -> None:
        """Add the condition ``key op value`` (``op``: ``eq`` or ``neq``)."""
        key = key.strip()
        if not key:
            return
        self._filters = add_condition(self._filters, key, op, value.strip())
        self._show_chips()
        self.changed.emit()

    def add_from_editors(self) -> None:
        """Add the condition chosen in the key, operator and value boxes."""
        key = self.key_combo.currentText().strip()
        if not key:
            return
        self.add(key, self.op_combo.currentData(), self.value_combo.currentText())
        self.value_combo.setEditText("")

    def remove(self, index: int) -> None:
        """Remove the ``index``-th condition."""
        items = list(self._filters)
        if 0 <= index < len(items):
            del items[index]
            self._filters = tuple(items)
            self._show_chips()
            self.changed.emit()

    def clear(self, *, emit: bool = True) -> None:
        """Remove every condition (``emit``: announce it with :attr:`changed`)."""
        had = bool(self._filters)
        self._filters = ()
        self._show_chips()
        if had and emit:
            self.changed.emit()

    def chip_texts(self) -> list[str]:
        """The conditions as shown."""
        return [describe(item) for item in self._filters]

    def chip_buttons(self) -> list[QToolButton]:
        """The chips, in the order of :meth:`filters` (clicking one removes its condition)."""
        return [
            self._chip_layout.itemAt(i).widget()
            for i in range(self._chip_layout.count())
            if isinstance(self._chip_layout.itemAt(i).widget(), QToolButton)
        ]

    def _show_chips(self) -> None:
        while self._chip_layout.count():
            item = self._chip_layout.takeAt(0)
            if item.widget() is not None:
                item.widget().deleteLater()
        for index, condition in enumerate(self._filters):
            chip = QToolButton(self.chips)
            chip.setText(f"{describe(condition)}  ✕")
            chip.setToolTip("Remove this condition")
            chip.setAccessibleName(f"Metadata condition {describe(condition)}")
            chip.clicked.connect(lambda _checked=False, i=index: self.remove(i))
            self._chip_layout.addWidget(chip)
        self._chip_layout.addStretch(1)
        self.clear_button.setVisible(bool(self._filters))
