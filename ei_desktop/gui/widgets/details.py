"""The facts about one sample, and its metadata, as selectable text."""

from __future__ import annotations

from collections import Counter

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QFont, QGuiApplication, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QScrollArea,
    QTableWidget,
    QTableWidgetItem,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from ei_desktop.core import display
from ei_desktop.core.backends.base import SampleRecord
from ei_desktop.core.labels import sample_labels
from ei_desktop.gui.models import format as fmt

#: (key, row title) in display order
FIELDS: tuple[tuple[str, str], ...] = (
    ("id", "ID"),
    ("name", "Name"),
    ("upload_name", "Uploaded as"),
    ("label", "Label"),
    ("labels", "Labels"),
    ("category", "Category"),
    ("kind", "Kind"),
    ("sensors", "Sensors"),
    ("frequency", "Frequency"),
    ("length", "Length"),
    ("size", "Size"),
    ("image_size", "Image size"),
    ("added", "Added"),
    ("device", "Device"),
    ("sha256", "SHA-256"),
    ("bounding_boxes", "Bounding boxes"),
    ("structured_labels", "Structured labels"),
)

SHORT_HASH = 12


def _counted(labels: list[str]) -> str:
    counts = Counter(labels)
    return ", ".join(f"{label or '(no label)'} ×{n}" for label, n in sorted(counts.items()))


def _labels(record: SampleRecord) -> str | None:
    """The labels the sample is counted and found under, with how many segments or boxes
    have each, when they are not just its own label (``core.labels.sample_labels``).
    """
    labels = sample_labels(record.label, record.structured_labels, record.bounding_boxes)
    if labels == (record.label,):
        return None
    for entries in (record.structured_labels, record.bounding_boxes):
        found = Counter(e.get("label") for e in entries or () if isinstance(e, dict))
        if any(found[label] for label in labels):
            return ", ".join(f"{label} ×{found[label]}" for label in labels)
    return ", ".join(labels)


def describe_record(record: SampleRecord) -> dict[str, str]:
    """The text of each field of :data:`FIELDS` that applies to ``record`` (others are absent)."""
    signal = record.kind in ("timeseries", "audio", "table")
    text: dict[str, str] = {
        "id": str(record.id),
        "name": record.filename,
        "label": record.label or "(unlabeled)",
        "category": fmt.category_name(record.category),
        "kind": fmt.kind_name(record.kind),
        "added": fmt.local_time(record.added),
    }
    labels = _labels(record)
    if labels:
        text["labels"] = labels
    # a size of 0 is unknown (Edge Impulse's API does not send one), not an empty file
    if record.size > 0:
        text["size"] = (
            f"{display.size(record.size)} ({record.size:,} bytes)"
            if record.size >= 1024
            else display.size(record.size)
        )
    if record.upload_name and record.upload_name != record.filename:
        text["upload_name"] = record.upload_name
    if signal and record.sensors:
        text["sensors"] = ", ".join(
            f"{s.name} ({s.units})" if s.units else s.name for s in record.sensors
        )
    if record.kind in ("timeseries", "audio") and record.interval_ms > 0:
        rate = display.frequency(record.frequency_hz)
        text["frequency"] = f"{rate} (every {record.interval_ms:.4g} ms)"
    if signal:
        noun = "frame" if record.kind == "audio" else "value"
        plural = "" if record.values_count == 1 else "s"
        length = f"{record.values_count:,} {noun}{plural}"
        if record.length_ms > 0:
            length = f"{display.duration(record.length_ms)} ({length})"
        text["length"] = length
    if record.width and record.height:
        text["image_size"] = f"{record.width} × {record.height} px"
    device = " / ".join(part for part in (record.device_type, record.device_name) if part)
    if device:
        text["device"] = device
    if record.sha256:
        text["sha256"] = (
            record.sha256[:SHORT_HASH] + "…" if len(record.sha256) > SHORT_HASH else record.sha256
        )
    if record.bounding_boxes:
        boxes = record.bounding_boxes
        labels = [str(b.get("label", "")) for b in boxes if isinstance(b, dict)]
        text["bounding_boxes"] = f"{len(boxes)}: {_counted(labels)}" if labels else str(len(boxes))
    if record.structured_labels:
        segments = record.structured_labels
        labels = [str(s.get("label", "")) for s in segments if isinstance(s, dict)]
        noun = "segment" if len(segments) == 1 else "segments"
        text["structured_labels"] = f"{len(segments)} {noun}: {_counted(labels)}"
    return text


class DetailsPanel(QWidget):
    """Shows a :class:`SampleRecord`'s facts and its metadata (read-only, selectable).

    The SHA-256 is shortened, with a button that copies it whole; metadata cells copy with
    Ctrl+C or the context menu.
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._record: SampleRecord | None = None
        self._values: dict[str, QLabel] = {}
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.setLabelAlignment(Qt.AlignmentFlag.AlignRight)
        self._form = form
        for key, title in FIELDS:
            value = QLabel()
            value.setTextFormat(Qt.TextFormat.PlainText)
            value.setWordWrap(True)
            value.setTextInteractionFlags(
                Qt.TextInteractionFlag.TextSelectableByMouse
                | Qt.TextInteractionFlag.TextSelectableByKeyboard
            )
            self._values[key] = value
            if key == "sha256":
                form.addRow(title, self._with_copy_button(value))
            else:
                form.addRow(title, value)

        self.metadata = QTableWidget(0, 2)
        self.metadata.setHorizontalHeaderLabels(["Key", "Value"])
        self.metadata.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.metadata.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.metadata.verticalHeader().setVisible(False)
        self.metadata.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.metadata.horizontalHeader().setStretchLastSection(True)
        self.metadata.setWordWrap(False)
        copy = QAction("Copy", self.metadata)
        copy.setShortcut(QKeySequence.StandardKey.Copy)
        copy.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        copy.triggered.connect(self.copy_metadata_selection)
        self.metadata.addAction(copy)
        self.metadata.setContextMenuPolicy(Qt.ContextMenuPolicy.ActionsContextMenu)
        self.no_metadata = QLabel("No metadata")
        self.no_metadata.setEnabled(False)

        facts = QWidget()
        facts.setLayout(form)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        scroll.setWidget(facts)
        heading = QLabel("Metadata")
        bold = QFont(heading.font())
        bold.setBold(True)
        heading.setFont(bold)
        self._metadata_heading = heading

        layout = QHBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addWidget(scroll, 3)
        self._metadata_column = QWidget()
        right = QVBoxLayout(self._metadata_column)
        right.setContentsMargins(0, 0, 0, 0)
        right.addWidget(heading)
        right.addWidget(self.metadata, 1)
        right.addWidget(self.no_metadata)
        right.addStretch(0)
        layout.addWidget(self._metadata_column, 2)
        self.clear()

    def set_metadata_shown(self, shown: bool) -> None:
        """Show or hide the read-only metadata beside the facts (hidden where an editor of
        the metadata is shown instead).
        """
        self._metadata_column.setVisible(shown)

    # -- content -----------------------------------------------------------------------------

    def set_record(self, record: SampleRecord | None) -> None:
        """Show ``record`` (``None`` clears the panel)."""
        self._record = record
        text = describe_record(record) if record is not None else {}
        for key, value in self._values.items():
            value.setText(text.get(key, ""))
            self._form.setRowVisible(
                value if key != "sha256" else value.parentWidget(), key in text
            )
        self._values["sha256"].setToolTip(record.sha256 if record is not None else "")
        self._copy_hash.setEnabled(bool(record and record.sha256))
        self._fill_metadata(record.metadata if record is not None else None)

    def clear(self) -> None:
        """Show no sample."""
        self.set_record(None)

    @property
    def record(self) -> SampleRecord | None:
        """The record shown."""
        return self._record

    def field_text(self, key: str) -> str | None:
        """The text shown for a field of :data:`FIELDS` (``None`` when the row is hidden)."""
        value = self._values[key]
        row = value if key != "sha256" else value.parentWidget()
        return value.text() if self._form.isRowVisible(row) else None

    def metadata_items(self) -> list[tuple[str, str]]:
        """The metadata rows shown, in order."""
        return [
            (self.metadata.item(row, 0).text(), self.metadata.item(row, 1).text())
            for row in range(self.metadata.rowCount())
        ]

    def copy_hash(self) -> None:
        """Copy the full SHA-256 of the record to the clipboard."""
        if self._record is not None and self._record.sha256:
            QGuiApplication.clipboard().setText(self._record.sha256)

    def copy_metadata_selection(self) -> None:
        """Copy the selected metadata cells as tab-separated lines."""
        rows: dict[int, dict[int, str]] = {}
        for item in self.metadata.selectedItems():
            rows.setdefault(item.row(), {})[item.column()] = item.text()
        lines = ["\t".join(cells[c] for c in sorted(cells)) for _r, cells in sorted(rows.items())]
        if lines:
            QGuiApplication.clipboard().setText("\n".join(lines))

    # -- helpers -----------------------------------------------------------------------------

    def _with_copy_button(self, value: QLabel) -> QWidget:
        self._copy_hash = QToolButton()
        self._copy_hash.setText("Copy")
        self._copy_hash.setToolTip("Copy the full SHA-256")
        self._copy_hash.clicked.connect(self.copy_hash)
        row = QWidget()
        layout = QHBoxLayout(row)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(value)
        layout.addWidget(self._copy_hash)
        layout.addStretch(1)
        return row

    def _fill_metadata(self, metadata: dict | None) -> None:
        items = list(metadata.items()) if isinstance(metadata, dict) else []
        self.metadata.setRowCount(len(items))
        for row, (key, value) in enumerate(items):
            for column, text in enumerate((str(key), str(value))):
                cell = QTableWidgetItem(text)
                cell.setFlags(Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemIsEnabled)
                cell.setToolTip(text)
                self.metadata.setItem(row, column, cell)
        if items:
            self.metadata.resizeColumnToContents(0)
        self.metadata.setVisible(bool(items))
        self.no_metadata.setVisible(not items and self._record is not None)
        self._metadata_heading.setVisible(self._record is not None)
