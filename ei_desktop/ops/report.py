"""What an operation did, item by item: the one result type every face shows.

The CLI prints a :class:`Report`, the app lists it in its results dialog, the SDK functions
turn it into the official response shapes.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from enum import Enum
from typing import Optional

from ei_desktop.core import display


class Status(str, Enum):
    """How one item ended."""

    DONE = "done"
    PRESENT = "already present"
    SKIPPED = "skipped"
    FAILED = "failed"


@dataclass(frozen=True)
class ItemReport:
    """One item of an operation.

    Attributes:
        name: what the user knows the item by (a file path, or a sample's name and id).
        status: how it ended.
        reason: why it was skipped, failed or already present (empty when done).
        sample_id: the sample it made or acted on, when there is one.
        category: the category it was stored in (uploads).
        key: whatever the caller attached to the item (e.g. the SDK's ``Sample``).
    """

    name: str
    status: Status
    reason: str = ""
    sample_id: Optional[int] = None
    category: Optional[str] = None
    key: object = field(default=None, compare=False, repr=False)


@dataclass
class Report:
    """The outcome of one operation.

    Attributes:
        action: what was done, as a title ("Upload", "Download", "Delete", "Import").
        verb: the past tense for done items ("uploaded", "downloaded", "deleted").
        items: every item, in the order they were planned.
        total: how many items the operation set out to do (items not reached because the
            operation was cancelled are counted here but have no entry).
        cancelled: the user stopped it before every item was attempted.
        stopped_by: why it ended before every item was attempted, when something other than
            the user stopped it (the server went away).
        destination: where files were written (downloads).
        keep: the statuses whose items are kept in ``items``; items of the others are only
            counted (``counted``, and done ones' categories in ``counted_categories``), so that an
            operation over many files holds no entry per done item.
    """

    action: str
    verb: str
    items: list[ItemReport] = field(default_factory=list)
    total: int = 0
    cancelled: bool = False
    stopped_by: Optional[str] = None
    destination: Optional[str] = None
    keep: frozenset = frozenset(Status)
    counted: Counter = field(default_factory=Counter)
    counted_categories: Counter = field(default_factory=Counter)

    def add(self, item: ItemReport) -> None:
        """Record one more item (kept, or counted when its status is not in ``keep``)."""
        if item.status in self.keep:
            self.items.append(item)
        else:
            self.counted[item.status] += 1
            if item.status is Status.DONE:
                self.counted_categories[item.category] += 1

    def with_status(self, status: Status) -> list[ItemReport]:
        """The kept items that ended with ``status``."""
        return [item for item in self.items if item.status is status]

    @property
    def counts(self) -> Counter:
        """Items per :class:`Status` (counted ones included)."""
        counts = Counter(item.status for item in self.items)
        counts.update(self.counted)
        return counts

    @property
    def done(self) -> list[ItemReport]:
        """Items done (those kept: see ``keep``; :attr:`done_count` counts them all)."""
        return self.with_status(Status.DONE)

    @property
    def done_count(self) -> int:
        """How many items were done, kept or only counted."""
        return self.counted[Status.DONE] + sum(i.status is Status.DONE for i in self.items)

    def done_categories(self) -> Counter:
        """Done items per category (kept and counted ones)."""
        categories = Counter(i.category for i in self.items if i.status is Status.DONE)
        categories.update(self.counted_categories)
        return categories

    @property
    def failed(self) -> list[ItemReport]:
        """Items that failed, with their reasons."""
        return self.with_status(Status.FAILED)

    @property
    def not_attempted(self) -> int:
        """Items never reached (the operation was cancelled first)."""
        return max(0, self.total - len(self.items) - sum(self.counted.values()))

    @property
    def ok(self) -> bool:
        """True when nothing failed and nothing was left undone."""
        return not self.failed and not self.not_attempted and self.stopped_by is None

    @property
    def changed(self) -> bool:
        """True when the project changed (views should refresh)."""
        return self.counted[Status.DONE] > 0 or any(i.status is Status.DONE for i in self.items)

    def problems(self) -> Iterator[ItemReport]:
        """Items the user should read about: skipped, already present and failed ones."""
        return (item for item in self.items if item.status is not Status.DONE)

    def summary(self) -> str:
        """One sentence: ``5 samples uploaded, 2 already in the project, 1 skipped, 1 failed.``
        (then why it stopped early, when it did).
        """
        counts = self.counts
        parts = [f"{display.plural(counts[Status.DONE], 'sample')} {self.verb}"]
        if counts[Status.PRESENT]:
            parts.append(f"{display.count(counts[Status.PRESENT])} already in the project")
        if counts[Status.SKIPPED]:
            parts.append(f"{display.count(counts[Status.SKIPPED])} skipped")
        if counts[Status.FAILED]:
            parts.append(f"{display.count(counts[Status.FAILED])} failed")
        text = ", ".join(parts) + "."
        left = self.not_attempted
        if self.stopped_by is not None:
            text += f" Stopped: {self.stopped_by}"
        elif self.cancelled:
            text += " Cancelled" + (f" ({display.count(left)} not attempted)." if left else ".")
        return text
