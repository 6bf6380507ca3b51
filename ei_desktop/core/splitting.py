"""Dividing a dataset between training, testing and validation (Studio's "split" and
"rebalance"), the same way on every backend that splits on our side.

Samples that share the values of the ``keep_together`` metadata keys (one recording session,
one person) form a group that always lands in one category, so nothing leaks between training
and testing. Groups are divided per stratum (a label, and the values of ``stratify_by``
metadata keys) so that each stratum gets the asked ratio. The result depends only on the
samples, never on chance: the same project splits the same way every time.
"""

from __future__ import annotations

import hashlib
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Optional

from ei_desktop.core.edits import InvalidEditError

#: the categories a split divides samples between, in order
SPLIT_CATEGORIES = ("training", "testing", "validation")


@dataclass(frozen=True)
class SplitOptions:
    """How to divide a dataset (Edge Impulse's ``DatasetSplitOptions``).

    Attributes:
        training, testing, validation: the shares of each category; they add up to 1.
        stratify_by_label: give every label the same shares.
        stratify_by: metadata keys whose values also get the same shares.
        keep_together: metadata keys whose values stay in one category.
        exclude_disabled: leave disabled samples where they are.
    """

    training: float = 0.8
    testing: float = 0.2
    validation: float = 0.0
    stratify_by_label: bool = True
    stratify_by: tuple[str, ...] = ()
    keep_together: tuple[str, ...] = ()
    exclude_disabled: bool = False

    def __post_init__(self) -> None:
        shares = (self.training, self.testing, self.validation)
        if any(share < 0 or share > 1 for share in shares):
            raise InvalidEditError(f"Split shares are between 0 and 1, got {shares}")
        if abs(sum(shares) - 1) > 1e-6:
            raise InvalidEditError(
                f"Split shares must add up to 1: training {self.training:g} + testing "
                f"{self.testing:g} + validation {self.validation:g} = {sum(shares):g}"
            )
        for name in ("stratify_by", "keep_together"):
            if not isinstance(getattr(self, name), tuple):
                object.__setattr__(self, name, tuple(getattr(self, name)))

    @property
    def shares(self) -> dict[str, float]:
        """Share per category of :data:`SPLIT_CATEGORIES`."""
        return dict(zip(SPLIT_CATEGORIES, (self.training, self.testing, self.validation)))


@dataclass
class SplitSample:
    """What a split needs to know of one sample."""

    id: int
    label: str
    category: str
    length_ms: float = 0.0
    metadata: Optional[dict] = None


@dataclass
class SplitCount:
    """How many samples of one stratum a category gets, and their duration."""

    stratum: str
    category: str
    count: int
    duration_ms: float


@dataclass
class SplitResult:
    """What a split did (or, for a preview, would do).

    Attributes:
        moved: samples whose category changes.
        counts: per stratum and category, after the split.
        change_id: the history entry (``None`` for a preview, or when nothing moved).
    """

    moved: int
    counts: list[SplitCount] = field(default_factory=list)
    change_id: Optional[int] = None


def plan_split(samples: Iterable[SplitSample], options: SplitOptions) -> dict[int, str]:
    """The category of every sample after the split (samples of other categories are not
    part of a split and are not given).
    """
    shares = options.shares
    groups: dict[tuple, list[SplitSample]] = defaultdict(list)
    for sample in samples:
        if sample.category in SPLIT_CATEGORIES:
            groups[_group_key(sample, options)].append(sample)
    strata: dict[tuple, list[tuple]] = defaultdict(list)
    for key, members in groups.items():
        strata[_stratum(members, options)].append(key)
    assignment: dict[int, str] = {}
    for stratum in sorted(strata, key=repr):
        keys = sorted(strata[stratum], key=lambda k: (-len(groups[k]), _digest(k)))
        placed = Counter()
        total = 0
        for key in keys:
            size = len(groups[key])
            total += size
            category = max(
                SPLIT_CATEGORIES, key=lambda c: (shares[c] * total - placed[c], shares[c])
            )
            placed[category] += size
            for sample in groups[key]:
                assignment[sample.id] = category
    return assignment


def split_counts(
    samples: Iterable[SplitSample], assignment: dict[int, str], options: SplitOptions
) -> list[SplitCount]:
    """Counts and durations per stratum and category after ``assignment``."""
    counts: dict[tuple[str, str], list] = defaultdict(lambda: [0, 0.0])
    for sample in samples:
        category = assignment.get(sample.id)
        if category is None:
            continue
        entry = counts[(stratum_name(_stratum([sample], options)), category)]
        entry[0] += 1
        entry[1] += sample.length_ms
    return [SplitCount(s, c, n, d) for (s, c), (n, d) in sorted(counts.items())]


def stratum_name(stratum: tuple) -> str:
    """A stratum in words: ``idle``, ``idle, site=lab`` or ``all samples``."""
    return ", ".join(str(part) for part in stratum) or "all samples"


def _group_key(sample: SplitSample, options: SplitOptions) -> tuple:
    metadata = sample.metadata or {}
    values = tuple(metadata.get(key) for key in options.keep_together)
    if any(value is not None for value in values):
        return ("together", values)
    return ("sample", sample.id)


def _stratum(members: list[SplitSample], options: SplitOptions) -> tuple:
    parts: list[str] = []
    if options.stratify_by_label:
        parts.append(Counter(m.label for m in members).most_common(1)[0][0])
    metadata = members[0].metadata or {}
    parts.extend(f"{key}={metadata.get(key, '')}" for key in options.stratify_by)
    return tuple(parts)


def _digest(key: tuple) -> str:
    return hashlib.sha1(repr(key).encode()).hexdigest()
