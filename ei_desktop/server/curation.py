"""The Studio API's curation endpoints: changes to one sample, batch changes to every sample
the list filter selects, and the dataset summaries (ratio, metadata, project metadata).

Every change is one ``Backend.edit`` (or ``crop``/``segment``), so it is one step of the
project's history and all or nothing. Where Edge Impulse starts a job, the change is done
when the answer arrives: ``{"success": true}``, which the generated client's
``GenericApiResponse | StartJobResponse`` accepts. Batch answers add ``matched`` and
``changed`` (an ei-desktop extension).
"""

from __future__ import annotations

from dataclasses import replace
from typing import Annotated, Literal, Optional

from fastapi import APIRouter, Depends, Query, Request
from pydantic import BaseModel, Field
from starlette.responses import Response

from ei_desktop.core import formats, naming, segments
from ei_desktop.core.backends.base import SampleQuery, query_for_ids
from ei_desktop.core.edits import (
    Change,
    Delete,
    EditResult,
    InvalidEditError,
    Move,
    RelabelBoxes,
    RemoveMetadata,
    Rename,
    SetBoundingBoxes,
    SetEnabled,
    SetLabel,
    SetMetadata,
    SetStructuredLabels,
)
from ei_desktop.server.context import ServerContext
from ei_desktop.server.errors import RequestError
from ei_desktop.server.filters import FilterCategory, IncludeDisabled, selection, with_category
from ei_desktop.server.payloads import (
    CategoryFacts,
    filter_options_json,
    project_metadata_json,
)
from ei_desktop.server.responses import ok
from ei_desktop.server.studio import ProjectId, SampleId, not_found, project_context

router = APIRouter(prefix="/v1/api", tags=["curation"])

Category = Literal[naming.CATEGORIES]  # type: ignore[valid-type]
#: bounds that keep fuzzed numbers inside what SQLite and numpy take
_INDEX = Field(ge=0, le=2**62)
_PIXELS = Field(ge=-(2**31), le=2**31)
_MS = Field(ge=0, le=1e15, allow_inf_nan=False)


# -- request bodies --------------------------------------------------------------------------------


class LabelBody(BaseModel):
    """``EditSampleLabelRequest``."""

    label: Optional[str] = None


class MoveBody(BaseModel):
    """``MoveRawDataRequest``."""

    newCategory: Category  # noqa: N815


class RenameBody(BaseModel):
    """``RenameSampleRequest``."""

    name: str


class MetadataBody(BaseModel):
    """``SetSampleMetadataRequest``: the sample's new metadata (none when absent)."""

    metadata: Optional[dict[str, str]] = None


class CropBody(BaseModel):
    """``CropSampleRequest``: keep values ``cropStart`` up to but not including ``cropEnd``."""

    cropStart: Annotated[int, _INDEX]  # noqa: N815
    cropEnd: Annotated[int, _INDEX]  # noqa: N815


class Segment(BaseModel):
    """One range of ``SegmentSampleRequest``, half-open, in milliseconds."""

    startMs: Annotated[float, _MS]  # noqa: N815
    endMs: Annotated[float, _MS]  # noqa: N815


class SegmentBody(BaseModel):
    """``SegmentSampleRequest``."""

    segments: list[Segment] = Field(max_length=100_000)


class Box(BaseModel):
    """A ``BoundingBox``."""

    label: str
    x: Annotated[int, _PIXELS]
    y: Annotated[int, _PIXELS]
    width: Annotated[int, _PIXELS]
    height: Annotated[int, _PIXELS]


class BoxesBody(BaseModel):
    """``SampleBoundingBoxesRequest``."""

    boundingBoxes: list[Box] = Field(max_length=100_000)  # noqa: N815


class StructuredLabel(BaseModel):
    """A ``StructuredLabel``: ``label`` from row ``startIndex`` to ``endIndex`` inclusive."""

    startIndex: Annotated[int, _INDEX]  # noqa: N815
    endIndex: Annotated[int, _INDEX]  # noqa: N815
    label: str


class StructuredBody(BaseModel):
    """``SetSampleStructuredLabelsRequest``."""

    structuredLabels: list[StructuredLabel] = Field(max_length=1_000_000)  # noqa: N815


class AddMetadataBody(BaseModel):
    """``BatchAddMetadataRequest``."""

    metadataKey: str  # noqa: N815
    metadataValue: str  # noqa: N815


class MetadataKeyBody(BaseModel):
    """``BatchClearMetadataByKeyRequest``."""

    metadataKey: str  # noqa: N815


class EditBoxesBody(BaseModel):
    """``BatchEditBoundingBoxesRequest``: boxes labelled one of ``oldLabels`` get
    ``newLabel``, or are removed when it is empty.
    """

    oldLabels: list[str] = Field(max_length=10_000)  # noqa: N815
    newLabel: str  # noqa: N815


# -- applying changes ------------------------------------------------------------------------------


def _label(label: Optional[str]) -> str:
    if label is None:
        raise RequestError("label is required")
    if not label.strip():
        raise RequestError("A label cannot be empty")
    return label


def _text(name: str, value: str) -> str:
    if not value.strip():
        raise RequestError(f"{name} cannot be empty")
    return value


async def _run(ctx: ServerContext, fn, *args) -> EditResult:
    """``fn(*args)`` on the pool; a change the backend refuses is a 400 naming why."""
    try:
        return await ctx.pool.run(fn, *args)
    except InvalidEditError as exc:
        raise RequestError(str(exc) or "The change cannot be applied") from None


async def _change_one(request: Request, project_id: int, sample_id: int, change: Change):
    ctx = project_context(request, project_id)
    result = await _run(ctx, ctx.backend.edit, query_for_ids([sample_id]), change)
    return ok() if result.matched else not_found(sample_id)


async def _change_all(request: Request, project_id: int, query: SampleQuery, change: Change):
    ctx = project_context(request, project_id)
    result = await _run(ctx, ctx.backend.edit, query, change)
    return ok({"matched": result.matched, "changed": result.changed})


# -- one sample ------------------------------------------------------------------------------------

_SAMPLE = "/{project_id}/raw-data/{sample_id}"


@router.post(f"{_SAMPLE}/edit-label", summary="Change a sample's label")
async def edit_label(
    request: Request, body: LabelBody, project_id: int = ProjectId, sample_id: int = SampleId
) -> Response:
    """Give the sample a new (non-empty) label."""
    return await _change_one(request, project_id, sample_id, SetLabel(_label(body.label)))


@router.post(f"{_SAMPLE}/move", summary="Move a sample to another category")
async def move_sample(
    request: Request, body: MoveBody, project_id: int = ProjectId, sample_id: int = SampleId
) -> Response:
    """Move the sample to ``newCategory``."""
    return await _change_one(request, project_id, sample_id, Move(body.newCategory))


@router.post(f"{_SAMPLE}/rename", summary="Rename a sample")
async def rename_sample(
    request: Request, body: RenameBody, project_id: int = ProjectId, sample_id: int = SampleId
) -> Response:
    """Give the sample a new (non-empty) name."""
    name = _text("The name", body.name)
    return await _change_one(request, project_id, sample_id, Rename(name))


@router.post(f"{_SAMPLE}/metadata", summary="Replace a sample's metadata")
async def set_metadata(
    request: Request, body: MetadataBody, project_id: int = ProjectId, sample_id: int = SampleId
) -> Response:
    """Replace the sample's metadata with ``metadata`` (none when absent or empty)."""
    metadata = dict(body.metadata or {})
    for key in metadata:
        _text("A metadata key", key)
    change = SetMetadata(metadata, replace=True)
    return await _change_one(request, project_id, sample_id, change)


@router.post(f"{_SAMPLE}/disable", summary="Disable a sample")
async def disable_sample(
    request: Request, project_id: int = ProjectId, sample_id: int = SampleId
) -> Response:
    """Leave the sample out of listings and downloads unless they ask for disabled ones."""
    return await _change_one(request, project_id, sample_id, SetEnabled(False))


@router.post(f"{_SAMPLE}/enable", summary="Enable a sample")
async def enable_sample(
    request: Request, project_id: int = ProjectId, sample_id: int = SampleId
) -> Response:
    """Use the sample again."""
    return await _change_one(request, project_id, sample_id, SetEnabled(True))


@router.post(f"{_SAMPLE}/bounding-boxes", summary="Replace an image's bounding boxes")
async def set_bounding_boxes(
    request: Request, body: BoxesBody, project_id: int = ProjectId, sample_id: int = SampleId
) -> Response:
    """Replace the image's bounding boxes."""
    boxes = [box.model_dump() for box in body.boundingBoxes]
    return await _change_one(request, project_id, sample_id, SetBoundingBoxes(boxes))


@router.post(f"{_SAMPLE}/structured-labels", summary="Replace a sample's label segments")
async def set_structured_labels(
    request: Request, body: StructuredBody, project_id: int = ProjectId, sample_id: int = SampleId
) -> Response:
    """Replace the sample's structured labels (rows ``startIndex`` to ``endIndex``
    inclusive).
    """
    labels = [item.model_dump() for item in body.structuredLabels]
    return await _change_one(request, project_id, sample_id, SetStructuredLabels(labels))


@router.post(f"{_SAMPLE}/crop", summary="Crop a time-series or audio sample")
async def crop_sample(
    request: Request,
    body: CropBody,
    project_id: int = ProjectId,
    sample_id: int = SampleId,
    datastreamIndex: Optional[int] = Query(None, description="Ignored"),  # noqa: N803
) -> Response:
    """Keep values ``cropStart`` up to but not including ``cropEnd`` (a range outside the
    sample is a 400).
    """
    ctx = project_context(request, project_id)
    result = await _run(ctx, ctx.backend.crop, sample_id, body.cropStart, body.cropEnd)
    return ok({"requiresProcessing": False}) if result.matched else not_found(sample_id)


@router.post(f"{_SAMPLE}/segment", summary="Split a sample into segments")
async def segment_sample(
    request: Request, body: SegmentBody, project_id: int = ProjectId, sample_id: int = SampleId
) -> Response:
    """Replace the sample by one new sample per half-open millisecond range; ``sampleIds``
    (an ei-desktop extension) lists the new ids in range order.
    """
    ctx = project_context(request, project_id)
    ranges = [(s.startMs, s.endMs) for s in body.segments]
    if not ranges:
        raise RequestError("segments cannot be empty")
    result = await _run(ctx, ctx.backend.segment, sample_id, ranges)
    return ok({"sampleIds": list(result.created)}) if result.matched else not_found(sample_id)


class FindSegmentsBody(BaseModel):
    """``FindSegmentSampleRequest``."""

    shiftSegments: bool = False  # noqa: N815
    segmentLengthMs: int = Field(ge=1, le=10**9)  # noqa: N815


@router.post(f"{_SAMPLE}/find-segments", summary="Find the events in a sample")
async def find_segments(
    request: Request,
    body: FindSegmentsBody,
    project_id: int = ProjectId,
    sample_id: int = SampleId,
) -> Response:
    """Windows of ``segmentLengthMs`` around the most active parts of a time series or audio
    sample (see :mod:`ei_desktop.core.segments`); nothing changes. ``shiftSegments`` is
    accepted and ignored: the segments are where the events are.
    """
    ctx = project_context(request, project_id)

    def found():
        series = ctx.backend.load_series(sample_id)
        if series is None:
            return None
        return segments.find_segments(series.values, series.interval_ms, body.segmentLengthMs)

    if await ctx.pool.run(ctx.backend.get_sample, sample_id) is None:
        return not_found(sample_id)
    try:
        ranges = await ctx.pool.run(found)
    except ValueError as exc:
        raise RequestError(str(exc)) from None
    if ranges is None:
        raise RequestError(f"Sample {sample_id} has no values to find segments in")
    return ok({"segments": [{"startMs": start, "endMs": end} for start, end in ranges]})


# -- batches ---------------------------------------------------------------------------------------

_BATCH = "/{project_id}/raw-data/batch"
Selection = Annotated[SampleQuery, Depends(selection)]


@router.post(f"{_BATCH}/edit-labels", summary="Label every selected sample")
async def batch_edit_labels(
    request: Request, body: LabelBody, query: Selection, project_id: int = ProjectId
) -> Response:
    """Give every sample the filter selects the (non-empty) ``label``."""
    return await _change_all(request, project_id, query, SetLabel(_label(body.label)))


@router.post(f"{_BATCH}/moveSamples", summary="Move every selected sample")
async def batch_move(
    request: Request, body: MoveBody, query: Selection, project_id: int = ProjectId
) -> Response:
    """Move every sample the filter selects to ``newCategory``."""
    return await _change_all(request, project_id, query, Move(body.newCategory))


@router.post(f"{_BATCH}/add-metadata", summary="Add a metadata key to every selected sample")
async def batch_add_metadata(
    request: Request, body: AddMetadataBody, query: Selection, project_id: int = ProjectId
) -> Response:
    """Set ``metadataKey`` to ``metadataValue`` on every selected sample (other keys stay)."""
    key = _text("A metadata key", body.metadataKey)
    change = SetMetadata({key: body.metadataValue}, replace=False)
    return await _change_all(request, project_id, query, change)


@router.post(f"{_BATCH}/clear-metadata", summary="Remove all metadata of the selected samples")
async def batch_clear_metadata(
    request: Request, query: Selection, project_id: int = ProjectId
) -> Response:
    """Remove every metadata key of every selected sample."""
    return await _change_all(request, project_id, query, RemoveMetadata(None))


@router.post(f"{_BATCH}/clear-metadata-by-key", summary="Remove a metadata key")
async def batch_clear_metadata_by_key(
    request: Request, body: MetadataKeyBody, query: Selection, project_id: int = ProjectId
) -> Response:
    """Remove ``metadataKey`` from every selected sample."""
    key = _text("A metadata key", body.metadataKey)
    return await _change_all(request, project_id, query, RemoveMetadata(key))


@router.post(f"{_BATCH}/disable-samples", summary="Disable every selected sample")
async def batch_disable(request: Request, query: Selection, project_id: int = ProjectId):
    """Disable every selected sample."""
    return await _change_all(request, project_id, query, SetEnabled(False))


@router.post(f"{_BATCH}/enable-samples", summary="Enable every selected sample")
async def batch_enable(request: Request, query: Selection, project_id: int = ProjectId):
    """Enable every selected sample; without ``includeDisabled`` the filter selects among
    enabled and disabled samples (selecting enabled ones only would enable nothing).
    """
    if "includeDisabled" not in request.query_params:
        query = replace(query, include_disabled="both")
    return await _change_all(request, project_id, query, SetEnabled(True))


@router.post(f"{_BATCH}/delete", summary="Delete every selected sample")
async def batch_delete(request: Request, query: Selection, project_id: int = ProjectId):
    """Delete every selected sample."""
    return await _change_all(request, project_id, query, Delete())


@router.post(f"{_BATCH}/edit-bounding-boxes", summary="Relabel or remove bounding boxes")
async def batch_edit_bounding_boxes(
    request: Request, body: EditBoxesBody, query: Selection, project_id: int = ProjectId
) -> Response:
    """On every selected image, give the boxes labelled one of ``oldLabels`` the label
    ``newLabel``, or remove them when ``newLabel`` is empty.
    """
    ctx = project_context(request, project_id)
    result = await _run(
        ctx, ctx.backend.edit, query, RelabelBoxes(tuple(body.oldLabels), body.newLabel)
    )
    return ok({"matched": result.matched, "changed": result.changed})


# -- dataset summaries -----------------------------------------------------------------------------


@router.get("/{project_id}/raw-data/ratio", summary="Samples per category")
async def dataset_ratio(request: Request, project_id: int = ProjectId) -> Response:
    """Enabled samples in training, validation and testing."""
    ctx = project_context(request, project_id)
    counts = (await ctx.pool.run(ctx.backend.summary)).by_category()
    ratio = {c: counts.get(c, 0) for c in ("training", "validation", "testing")}
    return ok({"ratio": ratio})


@router.get("/{project_id}/raw-data/metadata", summary="Metadata of every sample")
async def sample_metadata(
    request: Request,
    project_id: int = ProjectId,
    category: FilterCategory = Query(..., description="A category, or all"),
) -> Response:
    """``{id, metadata}`` of every sample of ``category`` that has metadata (enabled or
    not), by id.
    """
    ctx = project_context(request, project_id)
    query = with_category(
        SampleQuery(sort="id", descending=False, include_disabled="both"), category
    )

    def collect() -> list[dict]:
        return [
            {"id": r.id, "metadata": r.metadata}
            for r in ctx.backend.iter_samples(query)
            if r.metadata
        ]

    return ok({"metadata": await ctx.pool.run(collect)})


def _metadata_values(ctx: ServerContext, category: Optional[str]) -> dict[str, list[str]]:
    if category in (None, "all"):
        return ctx.backend.metadata_values()
    values: dict[str, set[str]] = {}
    query = SampleQuery(category=category, include_disabled="both")
    for record in ctx.backend.iter_samples(query):
        for key, value in (record.metadata or {}).items():
            values.setdefault(key, set()).add(str(value))
    return {key: sorted(found) for key, found in values.items()}


@router.get("/{project_id}/raw-data/metadata-filter-options", summary="Metadata keys and values")
async def metadata_filter_options(
    request: Request,
    project_id: int = ProjectId,
    category: FilterCategory = Query(..., description="A category, or all"),
    limit: Optional[int] = Query(None, ge=0, le=2**31),
    offset: int = Query(0, ge=0, le=2**31),
) -> Response:
    """The metadata keys of ``category`` (a page of them, by name) with their values: what
    the list filter's ``metadata`` can ask for.
    """
    ctx = project_context(request, project_id)
    values = await ctx.pool.run(_metadata_values, ctx, category)
    return ok(filter_options_json(values, offset, limit))


def _category_facts(ctx: ServerContext, include_disabled: str) -> dict[str, CategoryFacts]:
    """Length and frequency bounds per category, from the first sample of sorted listings
    (each walks an index; empty categories, known from the summary, are not listed at all).
    """
    facts: dict[str, CategoryFacts] = {}
    backend = ctx.backend
    filled = {row.category for row in backend.summary().rows}
    for category in naming.CATEGORIES:
        if category not in filled:
            continue
        base = SampleQuery(category=category, include_disabled=include_disabled)

        def first(sort: str, descending: bool, base: SampleQuery = base):
            page = backend.list_samples(replace(base, sort=sort, descending=descending), limit=1)
            return page[0] if page else None

        shortest = first("length", False)
        if shortest is None:
            continue
        longest = first("length", True)
        slowest, fastest = first("frequency", False), first("frequency", True)
        facts[category] = CategoryFacts(
            min_length_ms=shortest.length_ms,
            max_length_ms=longest.length_ms if longest else 0.0,
            min_frequency=slowest.frequency_hz if slowest else 0.0,
            max_frequency=fastest.frequency_hz if fastest else 0.0,
            timeseries=bool(longest and longest.length_ms > 0),
            # tables have no length: when there are any, the shortest sample is one of them
            # or an image (a project rarely holds both)
            features=shortest.kind == formats.TABLE,
        )
    return facts


@router.get("/{project_id}/raw-data/project-metadata", summary="Dataset summary")
async def project_metadata(
    request: Request,
    project_id: int = ProjectId,
    includeDisabled: IncludeDisabled = Query("both"),  # noqa: N803
    truncateLabels: Optional[bool] = Query(None, description="Ignored"),  # noqa: N803
) -> Response:
    """Counts and total length per category and label, length and frequency bounds, the
    train/test ratio and the metadata filter options (counts follow ``includeDisabled``,
    which defaults to both; lengths are those of enabled samples).
    """
    ctx = project_context(request, project_id)

    def build() -> dict:
        return project_metadata_json(
            ctx.backend.summary(),
            _category_facts(ctx, includeDisabled),
            ctx.backend.metadata_values(),
            includeDisabled,
        )

    return ok({"metadata": await ctx.pool.run(build)})
