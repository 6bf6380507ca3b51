"""What a finished operation reports to the user: counts, every failure and its reason."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Optional

from ei_desktop.core.progress import CancelToken


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


def sample_name(names: Mapping[int, str], sample_id: int) -> str:
    """How a failure names a sample: ``wave.01 (ID 12)``, or ``ID 12`` when its name is unknown."""
    name = names.get(sample_id)
    return f"{name} (ID {sample_id})" if name else f"ID {sample_id}"


def chunks(
    ids: Sequence[int], size: int, cancel: CancelToken, outcome: Outcome
) -> Iterator[list[int]]:
    """``ids`` in slices of ``size``; stops (marking ``outcome`` cancelled) once cancel is asked."""
    for start in range(0, len(ids), size):
        if cancel.cancelled:
            outcome.cancelled = True
            return
        yield list(ids[start : start + size])
