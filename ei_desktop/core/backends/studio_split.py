"""Dataset splits over the Studio API for :class:`~ei_desktop.core.backends.studio
.StudioBackend`: ``POST …/split`` and ``POST …/split-preview`` with Edge Impulse's
``DatasetSplitOptions``.

The server decides where each sample goes. A split lists the samples of training, testing
and validation before and after, so the result says exactly which samples moved, and the
session history can move them back (undo) and again (redo) with batch moves by id.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ei_desktop.core import display
from ei_desktop.core.backends import studio_edits
from ei_desktop.core.backends.base import SampleQuery, SampleRecord, query_for_ids
from ei_desktop.core.splitting import (
    SPLIT_CATEGORIES,
    SplitCount,
    SplitOptions,
    SplitResult,
    SplitSample,
    split_counts,
)

if TYPE_CHECKING:
    from ei_desktop.core.backends.studio import StudioBackend


def split(
    backend: StudioBackend,
    journal: studio_edits.Journal,
    options: SplitOptions,
    *,
    dry_run: bool = False,
) -> SplitResult:
    """Split as ``options`` ask (see ``Backend.split``); sent once, never retried.

    A preview's counts are the server's (``split-preview``, or the results of the job it
    started); how many samples would move is the server's ``moved`` where it says it (an
    ei-desktop extension), else the fewest moves that reach those counts.

    Raises:
        InvalidEditError: the server refused the options.
        BackendError: the server failed.
    """
    body = options_json(options)
    with journal.lock:
        before = _samples(backend, options)
        if dry_run:
            answer = _post(backend, "split-preview", body)
            if isinstance(answer.get("id"), int):  # Edge Impulse ran it as a job
                studio_edits.wait_for_job(backend, int(answer["id"]))
                answer = backend._json(
                    "GET", backend._url("api", backend.project_id(), "get-split-preview-results")
                )
            counts = preview_counts(answer)
            moved = answer.get("moved")
            if not isinstance(moved, int):
                moved = _fewest_moves(before, counts, options)
            return SplitResult(moved, counts)
        try:
            answer = _post(backend, "split", body)
            if isinstance(answer.get("id"), int):
                studio_edits.wait_for_job(backend, int(answer["id"]))
        finally:
            backend._forget_records()
        after = {
            r.id: r for r in studio_edits.selected(backend, query_for_ids([r.id for r in before]))
        }
        moved_before = [r for r in before if r.id in after and after[r.id].category != r.category]
        now = [after[r.id] for r in before if r.id in after]
        counts = split_counts(
            [_split_sample(r) for r in now],
            {r.id: r.category for r in now if r.category in SPLIT_CATEGORIES},
            options,
        )
        if not moved_before:
            return SplitResult(0, counts)
        entry = journal.add(
            f"Dataset split: {display.plural(len(moved_before), 'sample')} moved between "
            "training, testing and validation",
            len(moved_before),
            None,
            moved_before,
            after=[after[r.id] for r in moved_before],
        )
        return SplitResult(len(moved_before), counts, entry.changeset.id)


def options_json(options: SplitOptions) -> dict[str, Any]:
    """A ``DatasetSplitOptions`` body."""
    return {
        "trainingSplitRatio": options.training,
        "testingSplitRatio": options.testing,
        "validationSplitRatio": options.validation,
        "excludeDisabledSamples": options.exclude_disabled,
        "stratifyBy": {
            "label": options.stratify_by_label,
            "metadataKeys": list(options.stratify_by),
        },
        "keepTogetherMetadataKeys": list(options.keep_together),
    }


def preview_counts(answer: dict) -> list[SplitCount]:
    """The rows of a ``DatasetSplitPreviewResponse``'s assignment preview."""
    data = answer.get("data") or {}
    section = data.get("assignmentPreview") or {}
    counts = []
    for row in section.get("rows") or []:
        counts.append(
            SplitCount(
                str(row.get("stratValue", "")),
                str(row.get("splitCategory", "")),
                int(row.get("sampleCount") or 0),
                float(row.get("totalLengthMs") or 0.0),
            )
        )
    return counts


def _post(backend: StudioBackend, endpoint: str, body: dict) -> dict:
    url = backend._url("api", backend.project_id(), endpoint)
    return studio_edits.call(backend, "POST", url, body=body, idempotent=False) or {}


def _samples(backend: StudioBackend, options: SplitOptions) -> list[SampleRecord]:
    """The samples a split divides, as they are now."""
    include = "enabled" if options.exclude_disabled else "both"
    return [
        r
        for r in studio_edits.selected(backend, SampleQuery(include_disabled=include))
        if r.category in SPLIT_CATEGORIES
    ]


def _split_sample(record: SampleRecord) -> SplitSample:
    return SplitSample(record.id, record.label, record.category, record.length_ms, record.metadata)


def _fewest_moves(
    before: list[SampleRecord], counts: list[SplitCount], options: SplitOptions
) -> int:
    """The fewest samples that must move for ``before`` to reach ``counts``."""
    samples = [_split_sample(r) for r in before]
    now = split_counts(samples, {s.id: s.category for s in samples}, options)
    current: dict[tuple[str, str], int] = {(c.stratum, c.category): c.count for c in now}
    return sum(max(0, c.count - current.get((c.stratum, c.category), 0)) for c in counts)
