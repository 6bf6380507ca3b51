"""What a finished operation reports to the user: counts, every failure and its reason."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Optional


@dataclass
class Failure:
    """One item that could not be processed."""

    name: str
    reason: str


@dataclass
class Outcome:
    """The result of an upload, import, download or delete.

    Attributes:
        title: what ran ("Upload", "Download"…).
        verb: past tense for the summary ("uploaded", "downloaded"…).
        total: items the operation set out to process (``None`` when unknown).
        succeeded: items done.
        failures: every item that failed, with its reason.
        cancelled: the user stopped the operation before the end.
        changed: the project's samples changed (views must refresh).
        new_ids: ids of samples created.
        destination: where files were written (downloads).
    """

    title: str
    verb: str
    total: Optional[int] = None
    succeeded: int = 0
    failures: list[Failure] = field(default_factory=list)
    cancelled: bool = False
    changed: bool = False
    new_ids: list[int] = field(default_factory=list)
    destination: Optional[str] = None

    @property
    def failed(self) -> int:
        """How many items failed."""
        return len(self.failures)

    def summary(self) -> str:
        """One sentence: ``"5 samples uploaded, 2 failed."`` (and ``Cancelled`` when so)."""
        noun = "sample" if self.succeeded == 1 else "samples"
        text = f"{self.succeeded:,} {noun} {self.verb}"
        if self.failures:
            text += f", {self.failed:,} failed"
        text += "."
        if self.cancelled:
            remaining = None
            if self.total is not None:
                remaining = max(0, self.total - self.succeeded - self.failed)
            text += " Cancelled" + (f" ({remaining:,} not attempted)." if remaining else ".")
        return text
