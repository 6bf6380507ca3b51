"""The Studio API's dataset splits: ``split``, ``split-preview`` (and its results), and both
``rebalance`` endpoints, over ``Backend.split``.

Edge Impulse runs these as jobs; here they are done when the answer arrives, in shapes the
generated client's response models accept (a preview is a ``DatasetSplitPreviewResponse``,
the latest one is kept for ``get-split-preview-results``).
"""

from __future__ import annotations

from collections import defaultdict
from typing import Optional

from fastapi import APIRouter, Request
from pydantic import BaseModel, Field
from starlette.responses import Response

from ei_desktop.core.edits import InvalidEditError
from ei_desktop.core.splitting import SplitCount, SplitOptions, SplitResult
from ei_desktop.server.context import ServerContext
from ei_desktop.server.errors import RequestError
from ei_desktop.server.responses import ok
from ei_desktop.server.studio import ProjectId, project_context

router = APIRouter(prefix="/v1/api", tags=["splits"])

_SHARE = Field(ge=0, le=1, allow_inf_nan=False)


class StratifyBy(BaseModel):
    """``DatasetSplitOptionsStratifyBy``."""

    label: Optional[bool] = None
    metadataKeys: Optional[list[str]] = None  # noqa: N815


class SplitBody(BaseModel):
    """``DatasetSplitOptions``."""

    trainingSplitRatio: float = _SHARE  # noqa: N815
    testingSplitRatio: float = _SHARE  # noqa: N815
    validationSplitRatio: Optional[float] = Field(None, ge=0, le=1, allow_inf_nan=False)  # noqa: N815
    excludeDisabledSamples: Optional[bool] = False  # noqa: N815
    stratifyBy: Optional[StratifyBy] = None  # noqa: N815
    keepTogetherMetadataKeys: Optional[list[str]] = None  # noqa: N815

    def options(self) -> SplitOptions:
        """The core's split options (400 when the shares do not add up)."""
        stratify = self.stratifyBy or StratifyBy(label=True)
        try:
            return SplitOptions(
                training=self.trainingSplitRatio,
                testing=self.testingSplitRatio,
                validation=self.validationSplitRatio or 0.0,
                stratify_by_label=bool(stratify.label),
                stratify_by=tuple(stratify.metadataKeys or ()),
                keep_together=tuple(self.keepTogetherMetadataKeys or ()),
                exclude_disabled=bool(self.excludeDisabledSamples),
            )
        except InvalidEditError as exc:
            raise RequestError(str(exc)) from None


async def _split(ctx: ServerContext, options: SplitOptions, dry_run: bool) -> SplitResult:
    try:
        return await ctx.pool.run(lambda: ctx.backend.split(options, dry_run=dry_run))
    except InvalidEditError as exc:
        raise RequestError(str(exc)) from None


@router.post("/{project_id}/split", summary="Split the dataset")
async def split_dataset(request: Request, body: SplitBody, project_id: int = ProjectId) -> Response:
    """Divide training, testing and validation as asked; done when the answer arrives."""
    ctx = project_context(request, project_id)
    result = await _split(ctx, body.options(), dry_run=False)
    return ok({"moved": result.moved})


@router.post("/{project_id}/split-preview", summary="Preview a split of the dataset")
async def split_preview(request: Request, body: SplitBody, project_id: int = ProjectId) -> Response:
    """What a split would give, per label and category; nothing changes."""
    ctx = project_context(request, project_id)
    result = await _split(ctx, body.options(), dry_run=True)
    answer = {"data": preview_json(result.counts), "moved": result.moved}
    request.app.state.split_preview = answer
    return ok(answer)


@router.get("/{project_id}/get-split-preview-results", summary="The latest split preview")
async def split_preview_results(request: Request, project_id: int = ProjectId) -> Response:
    """The answer of the latest ``split-preview`` (an empty preview when there was none)."""
    project_context(request, project_id)
    latest = getattr(request.app.state, "split_preview", None)
    return ok(latest or {"data": preview_json([])})


@router.post("/{project_id}/rebalance", summary="Rebalance training and testing 80/20")
async def rebalance(request: Request, project_id: int = ProjectId) -> Response:
    """Split 80/20 per label; answers the resulting counts (``RebalanceDatasetResponse``)."""
    ctx = project_context(request, project_id)
    result = await _split(ctx, SplitOptions(), dry_run=False)
    totals: dict[str, int] = defaultdict(int)
    for count in result.counts:
        totals[count.category] += count.count
    ratio = {name: totals.get(name, 0) for name in ("training", "testing", "validation")}
    return ok({"ratio": ratio, "moved": result.moved})


@router.post("/{project_id}/v2/rebalance", summary="Rebalance training and testing 80/20")
async def rebalance_v2(request: Request, project_id: int = ProjectId) -> Response:
    """As ``rebalance``, answered as a finished job (``GenericApiResponse``)."""
    ctx = project_context(request, project_id)
    result = await _split(ctx, SplitOptions(), dry_run=False)
    return ok({"moved": result.moved})


def preview_json(counts: list[SplitCount]) -> dict:
    """A ``DatasetSplitPreview``: per stratum, each category's count and duration, and their
    share of the stratum.
    """
    per_stratum: dict[str, list[SplitCount]] = defaultdict(list)
    for count in counts:
        per_stratum[count.stratum].append(count)
    rows = []
    for stratum, entries in per_stratum.items():
        samples = sum(e.count for e in entries) or 1
        duration = sum(e.duration_ms for e in entries) or 1.0
        for entry in entries:
            rows.append(
                {
                    "stratValue": stratum,
                    "splitCategory": entry.category,
                    "sampleCount": entry.count,
                    "percentWithinGroup": round(100 * entry.count / samples, 2),
                    "totalLengthMs": entry.duration_ms,
                    "percentWithinGroupDuration": round(100 * entry.duration_ms / duration, 2),
                }
            )
    section = {"title": "Split by label", "keyLabel": "Label", "rows": rows}
    return {"assignmentPreview": section, "balancePreviews": []}
