"""The filter bar above the sample table: name text (debounced), category, label, and whether
disabled samples are listed too.
"""

from __future__ import annotations

from typing import Optional

from PySide6.QtCore import QEvent, QItemSelectionModel, QObject, QSignalBlocker, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QStyle,
    QWidget,
)

from ei_desktop.core.naming import CATEGORIES
from ei_desktop.gui.models import format as fmt

#: typing waits this long before the table is filtered
DEBOUNCE_MS = 250


class FilterBar(QWidget):
    """Name text, category and label filters.

    In the name filter, Esc clears the text and Down moves into the results view (see
    :meth:`set_results_view`).

    Signals:
        changed: the filter changed (the text after :data:`DEBOUNCE_MS` of quiet typing,
            the combo boxes and the "Show disabled" box at once). Read :meth:`category`,
            :meth:`label`, :meth:`text`, :meth:`show_disabled`.
    """

    changed = Signal()

    def __init__(self, parent: Optional[QWidget] = None) -> None:
        super().__init__(parent)
        self.text_edit = QLineEdit(self)
        self.text_edit.setPlaceholderText("Filter by name…")
        self.text_edit.setClearButtonEnabled(True)
        self.text_edit.addAction(
            self.style().standardIcon(QStyle.StandardPixmap.SP_FileDialogContentsView),
            QLineEdit.ActionPosition.LeadingPosition,
        )
        self.text_edit.setAccessibleName("Filter by name")
        # room for the placeholder beside its icons: the combo boxes shrink first
        placeholder = self.text_edit.fontMetrics().horizontalAdvance("Filter by name…")
        self.text_edit.setMinimumWidth(placeholder + 44)
        self.text_edit.setToolTip(
            "Ctrl+F comes here; Esc clears the filter; Down moves into the list"
        )
        self.text_edit.installEventFilter(self)
        self._results: Optional[QAbstractItemView] = None
        self.category_combo = QComboBox(self)
        self.category_combo.setAccessibleName("Category")
        self.category_combo.addItem("All categories", None)
        for category in CATEGORIES:
            self.category_combo.addItem(fmt.category_name(category), category)
        self.label_combo = QComboBox(self)
        self.label_combo.setAccessibleName("Label")
        self.label_combo.setMinimumContentsLength(6)
        self.label_combo.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.label_combo.addItem("All labels", None)
        self.disabled_box = QCheckBox("Show &disabled", self)
        self.disabled_box.setToolTip(
            "List disabled samples too (greyed); they stay out of training and downloads"
        )

        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(DEBOUNCE_MS)
        self._timer.timeout.connect(self.changed)
        self.text_edit.textChanged.connect(self._timer.start)
        self.text_edit.returnPressed.connect(self.flush)
        self.category_combo.currentIndexChanged.connect(self._combo_changed)
        self.label_combo.currentIndexChanged.connect(self._combo_changed)
        self.disabled_box.toggled.connect(self._combo_changed)

        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.text_edit, 3)
        category_label = QLabel("&Category", self)
        category_label.setBuddy(self.category_combo)
        layout.addWidget(category_label)
        layout.addWidget(self.category_combo, 1)
        label_label = QLabel("&Label", self)
        label_label.setBuddy(self.label_combo)
        layout.addWidget(label_label)
        layout.addWidget(self.label_combo, 1)
        layout.addWidget(self.disabled_box)

    def set_results_view(self, view: Optional[QAbstractItemView]) -> None:
        """Down in the name filter moves the focus to ``view``."""
        self._results = view

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: D102
        if watched is self.text_edit and event.type() == QEvent.Type.KeyPress:
            key = event.key()
            if key == Qt.Key.Key_Escape and self.text_edit.text():
                self.text_edit.clear()
                self.flush()
                return True
            if key == Qt.Key.Key_Down and self._results is not None:
                self._enter_results()
                return True
        return False

    def _enter_results(self) -> None:
        view = self._results
        self.flush()
        view.setFocus(Qt.FocusReason.TabFocusReason)
        model = view.model()
        selection = view.selectionModel()
        if model is None or model.rowCount() == 0 or selection.hasSelection():
            return
        current = view.currentIndex()
        flags = QItemSelectionModel.SelectionFlag
        selection.setCurrentIndex(
            current if current.isValid() else model.index(0, 0), flags.ClearAndSelect | flags.Rows
        )

    def _combo_changed(self) -> None:
        self._timer.stop()
        self.changed.emit()

    def flush(self) -> None:
        """Apply pending typing now."""
        if self._timer.isActive():
            self._timer.stop()
            self.changed.emit()

    def focus_text(self) -> None:
        """Put the cursor in the name filter with its text selected."""
        self.text_edit.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.text_edit.selectAll()

    # -- values -------------------------------------------------------------------------------

    def text(self) -> Optional[str]:
        """The name filter, or ``None``."""
        text = self.text_edit.text().strip()
        return text or None

    def category(self) -> Optional[str]:
        """The category filter, or ``None`` for any."""
        return self.category_combo.currentData()

    def label(self) -> Optional[str]:
        """The label filter (``""`` for unlabeled), or ``None`` for any."""
        return self.label_combo.currentData()

    def show_disabled(self) -> bool:
        """True when disabled samples are listed too."""
        return self.disabled_box.isChecked()

    def set_show_disabled(self, show: bool) -> None:
        """Check or uncheck "Show disabled" without emitting :attr:`changed`."""
        with QSignalBlocker(self.disabled_box):
            self.disabled_box.setChecked(bool(show))

    def set_labels(self, labels: list[str]) -> None:
        """Offer ``labels`` in the label combo, keeping the current choice if still there."""
        current = self.label()
        with QSignalBlocker(self.label_combo):
            self.label_combo.clear()
            self.label_combo.addItem("All labels", None)
            for label in labels:
                self.label_combo.addItem(fmt.label_name(label), label)
            if current is not None and current not in labels:
                # keep showing a label that has no samples left, so the filter stays visible
                self.label_combo.addItem(fmt.label_name(current), current)
            self.label_combo.setCurrentIndex(max(0, self.label_combo.findData(current)))

    def set_category_label(self, category: Optional[str], label: Optional[str]) -> None:
        """Select ``category`` and ``label`` without emitting :attr:`changed`."""
        with QSignalBlocker(self.category_combo), QSignalBlocker(self.label_combo):
            self.category_combo.setCurrentIndex(max(0, self.category_combo.findData(category)))
            index = self.label_combo.findData(label) if label is not None else 0
            if index < 0:
                self.label_combo.addItem(fmt.label_name(label or ""), label)
                index = self.label_combo.count() - 1
            self.label_combo.setCurrentIndex(index)

    def set_text(self, text: str) -> None:
        """Set the name filter and apply it at once."""
        self.text_edit.setText(text)
        self.flush()
