"""What a row of the sample table shows: its columns, its cells, and the cache of records.

The table model keeps only ids; the records behind the rows it painted live here, in a
bounded least-recently-used cache. A refresh marks every entry stale (a new epoch) instead of
clearing it, so stale rows still paint while they are fetched again.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Optional

from PySide6.QtCore import Qt

from ei_desktop.core.backends.base import SampleRecord
from ei_desktop.gui.models import format as fmt


@dataclass(frozen=True)
class Column:
    """A table column: its title and the backend sort key (``None``: not sortable)."""

    title: str
    sort: Optional[str]
    align_right: bool = False

    @property
    def alignment(self) -> int:
        """The cell and header alignment (numbers right, text left), as Qt's role expects."""
        side = Qt.AlignmentFlag.AlignRight if self.align_right else Qt.AlignmentFlag.AlignLeft
        return int(side | Qt.AlignmentFlag.AlignVCenter)


COLUMNS: tuple[Column, ...] = (
    Column("ID", "id", True),
    Column("Name", "filename"),
    Column("Label", "label"),
    Column("Category", "category"),
    Column("Kind", "kind"),
    Column("Length / size", "length", True),
    Column("Sensors", None),
    Column("Frequency", "frequency", True),
    Column("Added", "added"),
)

#: the role that returns a row's sample id (or ``None`` while the ids are loading)
SampleIdRole = Qt.ItemDataRole.UserRole + 1
#: the role that returns a row's :class:`SampleRecord` when cached (never fetches)
RecordRole = Qt.ItemDataRole.UserRole + 2

LOADING = "Loading…"
MISSING = "(deleted)"
UNAVAILABLE = "Could not load"


@dataclass
class RowEntry:
    """A cached row: its record (``None``: the id no longer exists), cells and tooltip."""

    record: Optional[SampleRecord]
    cells: tuple[str, ...]
    tooltip: str
    epoch: int


def row_cells(record: SampleRecord) -> tuple[tuple[str, ...], str]:
    """The text of each column for ``record``, and the row's tooltip."""
    label = fmt.label_name(record.label)
    if record.structured_labels:
        label = f"{label} (multi-label)" if record.label else "(multi-label)"
    cells = (
        str(record.id),
        record.filename,
        label,
        fmt.category_name(record.category),
        fmt.kind_name(record.kind),
        fmt.length_or_size(record),
        fmt.sensors(record),
        fmt.frequency(record),
        fmt.added(record.added),
    )
    tip = [f"{record.filename}  (ID {record.id})", f"{cells[4]}, {fmt.size(record.size)}"]
    if record.structured_labels:
        segments = ", ".join(
            f"{s.get('label')} [{s.get('startIndex')}–{s.get('endIndex')}]"
            for s in record.structured_labels[:6]
        )
        tip.append(f"Labels: {segments}")
    if record.metadata:
        tip.append("Metadata: " + ", ".join(f"{k}={v}" for k, v in record.metadata.items()))
    return cells, "\n".join(tip)


class RecordCache:
    """Rows by sample id, at most ``limit`` of them, the least recently used dropped first."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        #: entries stored before the last :meth:`mark_stale` belong to an older epoch
        self.epoch = 0
        self._entries: OrderedDict[int, RowEntry] = OrderedDict()

    def __len__(self) -> int:
        return len(self._entries)

    def get(self, sample_id: int) -> Optional[RowEntry]:
        """The entry of ``sample_id``, or ``None``."""
        return self._entries.get(int(sample_id))

    def is_fresh(self, entry: Optional[RowEntry]) -> bool:
        """True when ``entry`` exists and was stored since the last :meth:`mark_stale`."""
        return entry is not None and entry.epoch == self.epoch

    def store(self, sample_id: int, record: Optional[SampleRecord]) -> None:
        """Keep ``record`` for ``sample_id`` (``None``: the sample no longer exists)."""
        if record is None:
            cells = (str(sample_id), MISSING, *([""] * (len(COLUMNS) - 2)))
            entry = RowEntry(None, cells, "This sample no longer exists", self.epoch)
        else:
            cells, tip = row_cells(record)
            entry = RowEntry(record, cells, tip, self.epoch)
        self._entries[sample_id] = entry
        self._entries.move_to_end(sample_id)
        while len(self._entries) > self.limit:
            self._entries.popitem(last=False)

    def touch(self, sample_id: int) -> None:
        """Mark ``sample_id`` as just used (it was painted)."""
        self._entries.move_to_end(sample_id)

    def forget(self, ids: Iterable[int]) -> None:
        """Drop the entries of ``ids``."""
        for sample_id in ids:
            self._entries.pop(int(sample_id), None)

    def clear(self) -> None:
        """Drop every entry."""
        self._entries.clear()

    def mark_stale(self) -> None:
        """Start a new epoch: every entry stays, but counts as stale."""
        self.epoch += 1

    def names(self, ids: Iterable[int]) -> dict[int, str]:
        """File names of the cached records among ``ids``."""
        out = {}
        for sample_id in ids:
            entry = self._entries.get(int(sample_id))
            if entry is not None and entry.record is not None:
                out[int(sample_id)] = entry.record.filename
        return out
