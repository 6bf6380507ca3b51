"""The Studio API (v1) endpoints that ``edgeimpulse.data`` and the CLI uploader use (§5)."""

from __future__ import annotations

import os
from dataclasses import replace
from typing import Annotated, Literal, Optional

import orjson
from fastapi import APIRouter, Depends, Path, Query, Request
from pydantic import BaseModel, Field
from starlette.responses import Response

from ei_desktop.core import formats, naming
from ei_desktop.core.backends.base import (
    BackendError,
    CorruptContentError,
    SampleQuery,
    SampleRecord,
    Series,
)
from ei_desktop.server.content import (
    AT_ONCE,
    SERIES_KINDS,
    each_on,
    expansion_bytes,
    file_response,
    json_pieces,
    json_stream,
    load_head,
    load_series,
    released,
)
from ei_desktop.server.context import ServerContext, context
from ei_desktop.server.errors import RequestError, describe_backend_error, log, scrub_paths
from ei_desktop.server.filters import MAX_ID, listing
from ei_desktop.server.payloads import get_sample_json, project_json, sample_json
from ei_desktop.server.responses import JSON, failure, ok

router = APIRouter(prefix="/v1/api", tags=["studio"])

#: ids one batch request may ask for
BATCH_MAX = 1000
#: the largest ``limitPayloadValues`` accepted
LIMIT_MAX = 2**62
_INFO_FIELDS = {"id", "filename", "category", "label"}

ProjectId = Path(ge=0, le=MAX_ID, description="Project id (from GET /v1/api/projects)")
SampleId = Path(ge=0, le=MAX_ID, description="Sample id")
DeleteCategory = Literal[naming.CATEGORIES]  # type: ignore[valid-type]

_MEDIA_TYPES = {
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".mp4": "video/mp4",
    ".avi": "video/x-msvideo",
    ".wav": "audio/wav",
    ".json": "application/json",
    ".cbor": "application/cbor",
    ".csv": "text/csv",
    ".txt": "text/plain",
}


def project_context(request: Request, project_id: int) -> ServerContext:
    """The server's context, after checking that ``project_id`` is the served project.

    Raises:
        RequestError: 404 for another project.
    """
    ctx = context(request)
    if project_id != ctx.project_id:
        raise RequestError(
            f"Project {project_id} not found (this API key belongs to project {ctx.project_id})",
            404,
        )
    return ctx


def not_found(sample_id: int) -> JSON:
    """The answer the SDK recognises as "no such sample": 200 with ``success: false``."""
    return failure(f"No sample found with ID {sample_id}")


@router.get("/projects", summary="The project of this API key")
async def list_projects(request: Request) -> Response:
    """One project: the one this server serves."""
    ctx = context(request)
    return ok({"projects": [project_json(ctx.project_id, ctx.project_name, ctx.created)]})


@router.get("/{project_id}", summary="Project information")
async def project_info(request: Request, project_id: int = ProjectId) -> Response:
    """Project information (the fields the CLI uploader reads, plus a data summary)."""
    ctx = project_context(request, project_id)
    counts = await ctx.pool.run(ctx.backend.label_counts)
    per_category = await ctx.pool.run(ctx.backend.category_counts)
    labels = {label for _, label in counts}
    return ok(
        {
            "project": project_json(ctx.project_id, ctx.project_name, ctx.created),
            "developmentKeys": {},
            "devices": [],
            "dataSummary": {
                "totalLengthMs": 0,
                "labels": sorted(labels),
                "dataCount": sum(per_category.values()),
            },
            "dataSummaryPerCategory": {
                category: {"dataCount": per_category.get(category, 0)}
                for category in naming.CATEGORIES
            },
            "csvImportConfig": None,
        }
    )


@router.get("/{project_id}/devkeys/hmac", summary="The project's HMAC key")
async def hmac_key(request: Request, project_id: int = ProjectId) -> Response:
    """The HMAC key the CLI may sign data with (signatures are not verified here)."""
    ctx = project_context(request, project_id)
    return ok({"hmacKey": ctx.hmac_key})


@router.get("/{project_id}/raw-data/count", summary="Count samples")
async def count_samples(
    request: Request, project_id: int = ProjectId, query: SampleQuery = Depends(listing)
) -> Response:
    """How many samples match the list filter (enabled ones unless ``includeDisabled``)."""
    ctx = project_context(request, project_id)
    return ok({"count": await ctx.pool.run(ctx.backend.count, query)})


@router.get(
    "/{project_id}/raw-data/label-counts",
    summary="Samples per category and label (an ei-desktop extension)",
    tags=["ei-desktop extensions"],
)
async def label_counts(request: Request, project_id: int = ProjectId) -> Response:
    """Samples per (category, label), disabled ones included, a sample counting under each of
    its labels (its segments', else its boxes', else its own: ``core.labels.sample_labels``);
    and per category, each sample once. Edge Impulse's dataset summary counts own labels only.
    """
    ctx = project_context(request, project_id)
    counts = await ctx.pool.run(ctx.backend.label_counts)
    per_category = await ctx.pool.run(ctx.backend.category_counts)
    return ok(
        {
            "labels": [
                {"category": category, "label": label, "count": n}
                for (category, label), n in sorted(counts.items())
            ],
            "categories": dict(sorted(per_category.items())),
        }
    )


@router.get("/{project_id}/raw-data", summary="List samples")
async def list_samples(
    request: Request,
    project_id: int = ProjectId,
    query: SampleQuery = Depends(listing),
    limit: int = Query(100, ge=0, le=2**31),
    offset: int = Query(0, ge=0, le=2**62),
    excludeSensors: bool = Query(False),  # noqa: N803
    fields: Optional[str] = Query(
        None,
        description="ei-desktop extension: `id,filename,category,label` lists only those fields "
        "(servers without it ignore the parameter and send whole samples)",
    ),
    afterId: Optional[int] = Query(  # noqa: N803
        None,
        ge=0,
        le=MAX_ID,
        description="ei-desktop extension, for listings sorted by id: the page that follows "
        "this id (`offset` then counts from there), as cheap at any depth, and without "
        "`totalCount` (counting every match on each page would cost what paging saves). "
        "Servers that offer it answer `pagingAfterId: true`; others ignore the parameter",
    ),
    columns: bool = Query(
        False,
        description="ei-desktop extension, with `fields=id,filename,category,label`: the page "
        'as `columns`, one array per field (`{"id": [...], "filename": [...], ...}`), '
        "instead of `samples` (servers without it ignore the parameter and send `samples`)",
    ),
) -> Response:
    """One page of the samples matching the list filter, newest first by default;
    ``totalCount`` counts every match (except on ``afterId`` pages).
    """
    ctx = project_context(request, project_id)
    counted = afterId is None
    if afterId is not None:
        query = _after_id(query, afterId)
    if fields is not None and set(fields.split(",")) <= _INFO_FIELDS and columns:

        def info_columns():
            text = ctx.backend.sample_info_columns(query, offset=offset, limit=limit)
            return text, ctx.backend.count(query) if counted else None

        text, total = await ctx.pool.run(info_columns)
        return Response(_columns_body(text, total), media_type=JSON.media_type)
    if fields is not None and set(fields.split(",")) <= _INFO_FIELDS:

        def infos():
            page = ctx.backend.sample_infos(query, offset=offset, limit=limit)
            return page, ctx.backend.count(query) if counted else None

        page, total = await ctx.pool.run(infos)
        samples = [
            {"id": i.sample_id, "filename": i.filename, "category": i.category, "label": i.label}
            for i in page
        ]
        return ok(_listing_body(samples, total))

    def page():
        records = ctx.backend.list_samples(query, offset=offset, limit=limit)
        return records, ctx.backend.count(query) if counted else None

    records, total = await ctx.pool.run(page)
    samples = [sample_json(r, ctx.project_id, with_sensors=not excludeSensors) for r in records]
    return ok(_listing_body(samples, total))


def _listing_body(samples: list[dict], total: Optional[int]) -> dict:
    """A listing answer; ``pagingAfterId`` tells clients that ``afterId`` is offered."""
    body: dict = {"samples": samples}
    if total is not None:
        body["totalCount"] = total
    body["pagingAfterId"] = True
    return body


def _columns_body(columns: bytes, total: Optional[int]) -> bytes:
    """:func:`_listing_body` of a page given as the JSON text of its columns."""
    counted = b"" if total is None else b',"totalCount":%d' % total
    return b'{"success":true,"columns":' + columns + counted + b',"pagingAfterId":true}'


def _after_id(query: SampleQuery, after: int) -> SampleQuery:
    """``query`` narrowed to the samples after id ``after`` in its order (an id bound the
    database answers from its index, at any depth).

    Raises:
        RequestError: 400 when the listing is not sorted by id.
    """
    if query.sort != "id":
        raise RequestError("afterId pages only listings sorted by id (sortBy=id-asc|id-desc)")
    if query.descending:
        bound = after if query.max_id is None else min(after, query.max_id)
        return replace(query, max_id=bound)
    bound = after + 1 if query.min_id is None else max(after + 1, query.min_id)
    return replace(query, min_id=bound)


@router.get("/{project_id}/raw-data/{sample_id}", summary="Get a sample and its values")
async def get_sample(
    request: Request,
    project_id: int = ProjectId,
    sample_id: int = SampleId,
    limitPayloadValues: Optional[int] = Query(None, ge=0, le=LIMIT_MAX),  # noqa: N803
) -> Response:
    """The sample and its payload; unknown ids: 200 ``No sample found with ID <id>``.
    Large payloads are sent as they are encoded.
    """
    # most requests are answered before routing, the same way (fastpath.SampleFastPath)
    ctx = project_context(request, project_id)
    record, body = await ctx.pool.run(
        small_answer, ctx.backend, sample_id, ctx.project_id, limitPayloadValues
    )
    if body is not None:
        return Response(body, media_type=JSON.media_type)
    if record is None:
        return not_found(sample_id)
    if limitPayloadValues is not None:  # a few values: read them from the file's start
        head = await ctx.pool.run(load_head, ctx.backend, record, limitPayloadValues)
        if head is not None:
            return JSON(get_sample_json(record, head, ctx.project_id, limitPayloadValues))
    share = await ctx.budget.acquire(expansion_bytes(record))
    try:
        series = await ctx.pool.run(load_series, ctx.backend, record)
    except BaseException:
        ctx.budget.release(share)
        raise
    if series is None:
        ctx.budget.release(share)
        return not_found(sample_id)
    body = get_sample_json(record, series, ctx.project_id, limitPayloadValues, convert=False)
    del series
    return json_stream(released(each_on(ctx.pool, json_pieces(body)), ctx.budget, share))


def small_answer(
    backend, sample_id: int, project_id: int, limit: Optional[int]
) -> tuple[Optional[SampleRecord], Optional[bytes]]:
    """The record of ``sample_id`` (``None``: no such sample) and, when the answer is small
    (no such sample, no values, or a stored file up to ``AT_ONCE`` bytes), the whole answer
    encoded, in one call on a pool thread: most samples are small, and each hop between the
    event loop and the pool costs about what reading and encoding such a sample does.
    ``None`` for the answer when it is to be read and sent in pieces.

    Raises:
        CorruptContentError, BackendError: as ``backend.load_series``.
    """
    record = backend.get_sample(sample_id)
    if record is None:
        return None, not_found(sample_id).body
    if record.kind not in SERIES_KINDS:
        return record, orjson.dumps(get_sample_json(record, None, project_id, limit))
    if record.size > AT_ONCE:
        return record, None
    series = load_head(backend, record, limit) if limit is not None else None
    if series is None:
        series = load_series(backend, record, checked=False)
    try:
        return record, _encoded(record, series, project_id, limit)
    except formats.FormatError:  # not the file as uploaded (a converted copy): its values
        return record, _encoded(record, backend.load_series(sample_id), project_id, limit)


def _encoded(
    record: SampleRecord, series: Optional[Series], project_id: int, limit: Optional[int]
) -> bytes:
    if series is None:  # gone meanwhile
        return not_found(record.id).body
    body = get_sample_json(record, series, project_id, limit, convert=False)
    return b"".join(json_pieces(body))


class BatchRequest(BaseModel):
    """Body of ``POST …/raw-data/batch``."""

    ids: list[Annotated[int, Field(ge=0, le=MAX_ID)]] = Field(max_length=BATCH_MAX)
    payload: bool = True


@router.post(
    "/{project_id}/raw-data/batch",
    summary="Several samples at once (an ei-desktop extension, not in the Edge Impulse API)",
    tags=["ei-desktop extensions"],
)
async def get_samples(
    request: Request, body: BatchRequest, project_id: int = ProjectId
) -> Response:
    """What ``GET …/raw-data/{id}`` answers, for up to 1000 ids in one request, in order.

    Each entry carries ``id`` and ``success``; found samples add ``sample`` and (unless
    ``payload`` is false) ``payload``; unknown ids get ``No sample found with ID <id>``, and
    a sample whose content cannot be read gets its own error. An id asked twice is answered
    once. Samples are read and sent one after the other, so the answer may be large but the
    server holds one sample at a time. Clients use it when it exists and fall back to one
    request per sample otherwise.
    """
    ctx = project_context(request, project_id)
    ids = list(dict.fromkeys(body.ids))
    records = await ctx.pool.run(ctx.backend.get_samples, ids)

    async def pieces():
        yield b'{"success":true,"samples":['
        index = 0
        while index < len(ids):
            if index:
                yield b","
            small = _small_run(ids, index, records) if body.payload else []
            if small:  # encoded together, in one call on a pool thread
                yield b",".join(await ctx.pool.run(_small_entries, ctx, small))
                index += len(small)
                continue
            sample_id = ids[index]
            async for piece in _batch_entry(ctx, sample_id, records.get(sample_id), body.payload):
                yield piece
            index += 1
        yield b"]}"

    return json_stream(pieces())


def _small_run(ids: list[int], start: int, records: dict) -> list[tuple[int, SampleRecord]]:
    """The samples with values from ``ids[start]`` on whose files are small, together up to
    ``AT_ONCE`` bytes (so encoding them at once costs what one small answer does).
    """
    run: list[tuple[int, SampleRecord]] = []
    total = 0
    for sample_id in ids[start:]:
        record = records.get(sample_id)
        if record is None or record.kind not in SERIES_KINDS or total + record.size > AT_ONCE:
            break
        run.append((sample_id, record))
        total += record.size
    return run


def _small_entries(ctx: ServerContext, run: list[tuple[int, SampleRecord]]) -> list[bytes]:
    """The batch entries of ``run`` (see :func:`_small_run`), each encoded whole; a sample
    that cannot be read fails alone, as in :func:`_batch_entry`.
    """
    out = []
    for sample_id, record in run:
        try:
            series = load_series(ctx.backend, record, checked=False)
            try:
                out.append(_entry(ctx, sample_id, record, series))
            except formats.FormatError:  # not the file as uploaded: the backend's values
                out.append(_entry(ctx, sample_id, record, ctx.backend.load_series(sample_id)))
            continue
        except CorruptContentError as exc:
            error = scrub_paths(str(exc), ctx.backend.description)
        except BackendError as exc:
            error = describe_backend_error(exc, ctx.backend.description)[1]
        log.error("Batch: sample %s: %s", sample_id, error)
        out.append(orjson.dumps({"id": sample_id, "success": False, "error": error}))
    return out


def _entry(ctx: ServerContext, sample_id: int, record: SampleRecord, series) -> bytes:
    if series is None:
        error = f"No sample found with ID {sample_id}"
        log.error("Batch: sample %s: %s", sample_id, error)
        return orjson.dumps({"id": sample_id, "success": False, "error": error})
    entry = {"id": sample_id, **get_sample_json(record, series, ctx.project_id, convert=False)}
    return b"".join(json_pieces(entry))


async def _batch_entry(ctx: ServerContext, sample_id: int, record, payload: bool):
    """One entry of a batch answer, in pieces; a sample that cannot be read fails alone."""
    if record is None:
        yield orjson.dumps(
            {"id": sample_id, "success": False, "error": f"No sample found with ID {sample_id}"}
        )
        return
    if not payload or record.kind not in SERIES_KINDS:
        entry = {"id": sample_id, **get_sample_json(record, None, ctx.project_id)}
        if not payload:
            del entry["payload"]
        yield orjson.dumps(entry)
        return
    async with ctx.budget.hold(expansion_bytes(record)):
        try:
            series = await ctx.pool.run(load_series, ctx.backend, record)
        except CorruptContentError as exc:
            series, error = None, scrub_paths(str(exc), ctx.backend.description)
        except BackendError as exc:
            series, error = None, describe_backend_error(exc, ctx.backend.description)[1]
        else:
            error = f"No sample found with ID {sample_id}"
        if series is None:
            log.error("Batch: sample %s: %s", sample_id, error)
            yield orjson.dumps({"id": sample_id, "success": False, "error": error})
            return
        entry = {
            "id": sample_id,
            **get_sample_json(record, series, ctx.project_id, convert=False),
        }
        del series
        async for piece in each_on(ctx.pool, json_pieces(entry)):
            yield piece


async def _media(
    request: Request, project_id: int, sample_id: int, kinds: tuple[str, ...], what: str
) -> Response:
    """The stored file of a sample of one of ``kinds`` (any kind when empty).

    Binary endpoints answer errors with a status (404 unknown sample, 400 other kind) rather
    than Edge Impulse's usual 200, so no client can take an error body for the file.
    """
    ctx = project_context(request, project_id)
    backend = ctx.backend

    def load():
        record = backend.get_sample(sample_id)
        if record is None or (kinds and record.kind not in kinds):
            return record, None
        return record, backend.open_content(sample_id)

    record, handle = await ctx.pool.run(load)
    if record is not None and kinds and record.kind not in kinds:
        return failure(f"Sample {sample_id} is not {what} (it is {record.kind})", 400)
    if record is None or handle is None:
        return failure(f"No sample found with ID {sample_id}", 404)
    ext = os.path.splitext(record.upload_name)[1].lower()
    return file_response(handle, _MEDIA_TYPES.get(ext, "application/octet-stream"), ctx.pool)


@router.get("/{project_id}/raw-data/{sample_id}/image", summary="Image of an image sample")
async def get_image(request: Request, project_id: int = ProjectId, sample_id: int = SampleId):
    """The image as uploaded."""
    return await _media(request, project_id, sample_id, (formats.IMAGE,), "an image")


@router.get("/{project_id}/raw-data/{sample_id}/video", summary="Video of a video sample")
async def get_video(request: Request, project_id: int = ProjectId, sample_id: int = SampleId):
    """The video as uploaded."""
    return await _media(request, project_id, sample_id, (formats.VIDEO,), "a video")


@router.get("/{project_id}/raw-data/{sample_id}/wav", summary="WAV file of an audio sample")
async def get_wav(
    request: Request,
    project_id: int = ProjectId,
    sample_id: int = SampleId,
    axisIx: int = Query(0, ge=0, le=2**31),  # noqa: N803
):
    """The WAV file as uploaded (all channels, whatever ``axisIx``)."""
    return await _media(request, project_id, sample_id, (formats.AUDIO,), "an audio sample")


@router.get("/{project_id}/raw-data/{sample_id}/raw", summary="A sample's file as uploaded")
async def get_raw(request: Request, project_id: int = ProjectId, sample_id: int = SampleId):
    """The file as uploaded, any kind."""
    return await _media(request, project_id, sample_id, (), "")


@router.delete("/{project_id}/raw-data/{sample_id}", summary="Delete a sample")
async def delete_sample(
    request: Request, project_id: int = ProjectId, sample_id: int = SampleId
) -> Response:
    """Delete one sample; unknown ids: 200 ``No sample found with ID <id>``."""
    ctx = project_context(request, project_id)
    (deleted,) = await ctx.pool.run(ctx.backend.delete, [sample_id])
    return ok() if deleted else not_found(sample_id)


@router.post("/{project_id}/raw-data/delete-all", summary="Delete every sample")
async def delete_all(request: Request, project_id: int = ProjectId) -> Response:
    """Delete every sample; the deletion is visible when the answer arrives."""
    ctx = project_context(request, project_id)
    await ctx.pool.run(ctx.backend.delete_all)
    return ok()


@router.post("/{project_id}/raw-data/delete-all/{category}", summary="Delete a category")
async def delete_category(
    request: Request, category: DeleteCategory, project_id: int = ProjectId
) -> Response:
    """Delete every sample of one category."""
    ctx = project_context(request, project_id)
    await ctx.pool.run(ctx.backend.delete_all, category)
    return ok()
