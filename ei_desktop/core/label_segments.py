"""The label segments of one time series or audio sample while they are edited: a partition
of its values into consecutive labelled pieces, as Edge Impulse's structured labels must be
(every value covered, no gaps, inclusive ``endIndex``).

Positions are value indices; a segment is the half-open range ``[start, end)`` here and
``{"label", "startIndex": start, "endIndex": end - 1}`` in the saved structured labels.
Every edit keeps the partition valid: moving a boundary moves the edges of both neighbours,
a new segment takes its range from the segments it covers, and a removed segment is merged
into the one before it (the one after it, for the first).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

#: the label of a whole sample that had none, until the user names it
UNLABELED = "unlabeled"


@dataclass(frozen=True)
class Segment:
    """A labelled range of values: ``start`` up to but not including ``end``."""

    label: str
    start: int
    end: int


class LabelSegments:
    """Consecutive labelled segments covering values ``0`` to ``rows - 1``.

    Raises:
        ValueError: (from the constructor and every edit) an edit that would leave a value
            uncovered, an empty segment or an empty label.
    """

    def __init__(self, rows: int, segments: list[Segment]) -> None:
        self.rows = int(rows)
        self._check(segments)
        self._segments = list(segments)

    # -- reading -------------------------------------------------------------------------------

    @classmethod
    def from_structured(
        cls, structured: Optional[list], rows: int, label: Optional[str] = None
    ) -> LabelSegments:
        """The segments of a sample with ``rows`` values and these structured labels; a
        sample without any (a single-label sample) is one segment with ``label``.

        Malformed entries are skipped and gaps or overlaps repaired (each segment runs up to
        the next one's start), so any stored value can be edited into a valid one.
        """
        rows = int(rows)
        if rows < 1:
            raise ValueError("A sample without values has no label segments")
        starts: dict[int, str] = {}
        for entry in structured or []:
            try:
                text = str(entry["label"])
                start = max(0, int(entry["startIndex"]))
                end = int(entry["endIndex"])
            except (KeyError, TypeError, ValueError):
                continue
            if text and start <= end and start < rows:
                starts[start] = text
        if not starts:
            return cls(rows, [Segment(label or UNLABELED, 0, rows)])
        ordered = sorted(starts.items())
        ordered[0] = (0, ordered[0][1])  # values before the first segment join it
        bounds = [start for start, _label in ordered] + [rows]
        return cls(
            rows,
            [Segment(text, bounds[i], bounds[i + 1]) for i, (_s, text) in enumerate(ordered)],
        )

    def segments(self) -> list[Segment]:
        """The segments, in order."""
        return list(self._segments)

    def __len__(self) -> int:
        return len(self._segments)

    def __getitem__(self, index: int) -> Segment:
        return self._segments[index]

    def boundaries(self) -> list[int]:
        """The values where one segment ends and the next starts (not 0 nor ``rows``)."""
        return [segment.start for segment in self._segments[1:]]

    def index_at(self, x: float) -> Optional[int]:
        """The segment holding value position ``x`` (``None`` outside the sample)."""
        if not 0 <= x < self.rows:
            return None
        for index, segment in enumerate(self._segments):
            if segment.start <= x < segment.end:
                return index
        return None

    def to_structured(self) -> list[dict]:
        """The segments as Edge Impulse's structured labels (inclusive ``endIndex``)."""
        return [
            {"label": s.label, "startIndex": s.start, "endIndex": s.end - 1} for s in self._segments
        ]

    def labels(self) -> list[str]:
        """The distinct labels, in order of first appearance."""
        return list(dict.fromkeys(s.label for s in self._segments))

    # -- edits ---------------------------------------------------------------------------------

    def move_boundary(self, index: int, position: float) -> int:
        """Move boundary ``index`` (of :meth:`boundaries`) to ``position``, rounded and kept
        at least one value from its neighbours; returns where it went.
        """
        segments = self._segments
        if not 0 <= index < len(segments) - 1:
            raise ValueError(f"There is no boundary {index}")
        before, after = segments[index], segments[index + 1]
        where = min(after.end - 1, max(before.start + 1, int(round(position))))
        segments[index] = Segment(before.label, before.start, where)
        segments[index + 1] = Segment(after.label, where, after.end)
        return where

    def add(self, start: float, end: float, label: str) -> int:
        """Label values ``start`` up to ``end`` (rounded, inside the sample) ``label``,
        taking them from the segments there; returns the new segment's index.
        """
        label = self._label(label)
        low, high = sorted((int(round(start)), int(round(end))))
        low, high = max(0, low), min(self.rows, high)
        if high <= low:
            raise ValueError("A segment needs at least one value")
        pieces: list[Segment] = []
        for segment in self._segments:
            if segment.start < low:
                pieces.append(Segment(segment.label, segment.start, min(segment.end, low)))
            if segment.end > high:
                pieces.append(Segment(segment.label, max(segment.start, high), segment.end))
        pieces.append(Segment(label, low, high))
        pieces.sort(key=lambda s: s.start)
        self._check(pieces)
        self._segments = pieces
        return pieces.index(Segment(label, low, high))

    def relabel(self, index: int, label: str) -> None:
        """Give segment ``index`` the label ``label``."""
        segment = self._segments[index]
        self._segments[index] = Segment(self._label(label), segment.start, segment.end)

    def remove(self, index: int) -> int:
        """Remove segment ``index``: the segment before it (after it, for the first) takes
        its values. Returns the index of the segment that took them.
        """
        segments = self._segments
        if len(segments) < 2:
            raise ValueError("The only segment cannot be removed: every value needs a label")
        gone = segments.pop(index)
        if index == 0:
            first = segments[0]
            segments[0] = Segment(first.label, 0, first.end)
            return 0
        before = segments[index - 1]
        segments[index - 1] = Segment(before.label, before.start, gone.end)
        return index - 1

    # -- helpers -------------------------------------------------------------------------------

    @staticmethod
    def _label(label: str) -> str:
        text = str(label).strip()
        if not text:
            raise ValueError("A segment needs a label")
        return text

    def _check(self, segments: list[Segment]) -> None:
        covered = 0
        for segment in segments:
            if segment.start != covered or segment.end <= segment.start or not segment.label:
                raise ValueError(f"Segments must cover values 0–{self.rows - 1} in order")
            covered = segment.end
        if covered != self.rows:
            raise ValueError(f"Segments must cover values 0–{self.rows - 1} in order")
