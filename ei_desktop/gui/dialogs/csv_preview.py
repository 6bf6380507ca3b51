"""The CSV import dialog's preview: the first rows of a file, the columns in use tinted."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush, QColor, QFont


class FramePreviewModel(QAbstractTableModel):
    """A read-only view of a small DataFrame; columns in use are tinted."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self._frame = None
        self._columns: list[str] = []
        self._values: list[list[str]] = []
        self._roles: dict[str, str] = {}

    def set_frame(self, frame) -> None:
        """Show ``frame`` (a DataFrame, or ``None``)."""
        self.beginResetModel()
        self._frame = frame
        if frame is None:
            self._columns, self._values = [], []
        else:
            self._columns = [str(c) for c in frame.columns]
            self._values = [
                ["" if v is None else str(v) for v in row]
                for row in frame.astype(object).where(frame.notna(), "").values.tolist()
            ]
        self.endResetModel()

    def set_roles(self, roles: dict[str, str]) -> None:
        """Tint columns by role (column → "feature"/"label"/"time"/…)."""
        self._roles = roles
        if self._columns:
            self.headerDataChanged.emit(Qt.Orientation.Horizontal, 0, len(self._columns) - 1)
            self.dataChanged.emit(
                self.index(0, 0), self.index(self.rowCount() - 1, len(self._columns) - 1)
            )

    @property
    def frame(self):
        """The DataFrame shown (``None`` before one is set)."""
        return self._frame

    @property
    def columns(self) -> list[str]:
        """The column names."""
        return list(self._columns)

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008, D102
        return 0 if parent.isValid() else len(self._values)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008, D102
        return 0 if parent.isValid() else len(self._columns)

    def data(self, index, role=Qt.ItemDataRole.DisplayRole) -> Any:  # noqa: D102
        if not index.isValid():
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return self._values[index.row()][index.column()]
        if role == Qt.ItemDataRole.BackgroundRole:
            color = _ROLE_COLORS.get(self._roles.get(self._columns[index.column()], ""))
            return QBrush(color) if color is not None else None
        return None

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole) -> Any:  # noqa: D102
        if orientation == Qt.Orientation.Horizontal and 0 <= section < len(self._columns):
            name = self._columns[section]
            if role == Qt.ItemDataRole.DisplayRole:
                role_name = self._roles.get(name)
                return f"{name}\n[{role_name}]" if role_name else name
            if role == Qt.ItemDataRole.FontRole and name in self._roles:
                font = QFont()
                font.setBold(True)
                return font
        if orientation == Qt.Orientation.Vertical and role == Qt.ItemDataRole.DisplayRole:
            return str(section + 1)
        return None


_ROLE_COLORS = {
    "feature": QColor(66, 133, 244, 40),
    "time": QColor(251, 188, 5, 60),
    "label": QColor(52, 168, 83, 55),
    "category": QColor(171, 71, 188, 45),
    "metadata": QColor(120, 120, 120, 40),
    "group": QColor(234, 67, 53, 45),
    "data": QColor(66, 133, 244, 40),
}
