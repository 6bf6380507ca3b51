"""The ingestion service: ``POST /api/{category}/files`` (and the legacy ``/data``)."""

from __future__ import annotations

import os

from fastapi import APIRouter, Path, Request
from starlette.responses import PlainTextResponse, Response

from ei_desktop.core import naming
from ei_desktop.core.backends.base import UploadItem
from ei_desktop.server.context import context
from ei_desktop.server.errors import RequestError
from ei_desktop.server.multipart import close_parts, read_file_parts, too_large
from ei_desktop.server.responses import JSON
from ei_desktop.server.uploads import (
    IngestionHeaders,
    base_name,
    decode_text_header,
    plan_parts,
    with_date_id,
)

router = APIRouter(tags=["ingestion"])

CategoryPath = Path(
    description="Category to store the files in; `split` lets the server pick training or"
    " testing (80/20, by content hash).",
    json_schema_extra={"enum": list(naming.UPLOAD_CATEGORIES)},
)

_HEADERS_DOC = [
    ("x-label", "Label for every file (percent-encoded or raw)."),
    ("x-no-label", "`1` with an empty `x-label`: store the files unlabeled."),
    ("x-metadata", "JSON object of string metadata for every file."),
    ("x-bounding-boxes", "JSON array of `{label,x,y,width,height}` for every file."),
    ("x-disallow-duplicates", "`1`: refuse files whose content is already in the project."),
    ("x-add-date-id", "`1`: add a unique id to every stored file name."),
    ("x-upload-source", "Informational."),
]


def _header_parameters() -> list[dict]:
    return [
        {
            "name": name,
            "in": "header",
            "required": False,
            "description": text,
            "schema": {"type": "string"},
        }
        for name, text in _HEADERS_DOC
    ]


_FILES_BODY = {
    "required": True,
    "content": {
        "multipart/form-data": {
            "schema": {
                "type": "object",
                "properties": {
                    "data": {
                        "type": "array",
                        "items": {"type": "string", "format": "binary"},
                        "description": "One part per file; companion `structured_labels.labels`"
                        " and `bounding_boxes.labels` parts label the data parts they name.",
                    }
                },
                "required": ["data"],
            }
        }
    },
}


@router.post(
    "/api/{category}/files",
    summary="Upload files",
    openapi_extra={"parameters": _header_parameters(), "requestBody": _FILES_BODY},
)
async def upload_files(request: Request, category: str = CategoryPath) -> Response:
    """Store every data part of a multipart request in one batch.

    ``files[i]`` answers the i-th data part; companion ``.labels`` parts get no entry.
    File-level problems (unreadable file, duplicate, unsupported type) are failed entries in a
    200 answer; request-level problems are 400 / 413 with a JSON error and store nothing.
    """
    ctx = context(request)
    options = IngestionHeaders.from_headers(category, request.scope["headers"])
    parts = await read_file_parts(request, ctx.limits)
    try:
        plan = plan_parts(parts, options, ctx.limits)
        results = await ctx.uploads.upload(
            plan.items, allow_duplicates=not options.disallow_duplicates, nbytes=plan.nbytes
        )
    finally:
        close_parts(parts)
    entries = plan.entries(results)
    failed = [entry["error"] for entry in entries if not entry["success"]]
    body: dict = {"success": not failed, "files": entries}
    if failed:
        body["error"] = failed[0]
    return JSON(body)


@router.post(
    "/api/{category}/data",
    summary="Upload one data acquisition file (legacy)",
    response_class=PlainTextResponse,
    openapi_extra={
        "parameters": [
            {"name": "x-file-name", "in": "header", "required": True, "schema": {"type": "string"}},
            *_header_parameters(),
        ],
        "requestBody": {
            "required": True,
            "content": {
                "application/json": {"schema": {"type": "object"}},
                "application/cbor": {"schema": {"type": "string", "format": "binary"}},
            },
        },
    },
)
async def upload_data(request: Request, category: str = CategoryPath) -> Response:
    """The legacy single-file endpoint: the body is a data acquisition file (JSON or CBOR).

    Answers ``text/plain`` as documented: 200 with the file name, 400 with the error,
    421 without ``x-file-name``.
    """
    ctx = context(request)
    try:
        options = IngestionHeaders.from_headers(category, request.scope["headers"])
    except RequestError as exc:
        return PlainTextResponse(exc.message, status_code=exc.status)
    raw_name = next((v for k, v in request.scope["headers"] if k == b"x-file-name"), None)
    if not raw_name:
        return PlainTextResponse("Missing header x-file-name", status_code=421)
    try:
        name = base_name(decode_text_header(raw_name))
    except RequestError as exc:
        return PlainTextResponse(exc.message, status_code=400)
    if os.path.splitext(name)[1].lower() not in (".json", ".cbor"):
        cbor = "cbor" in request.headers.get("content-type", "").lower()
        name += ".cbor" if cbor else ".json"
    if options.add_date_id:
        name = with_date_id(name)
    declared = request.headers.get("content-length", "")
    limit = min(ctx.limits.max_file_bytes, ctx.limits.max_request_bytes)
    if declared.isdigit() and int(declared) > limit:
        raise too_large(f"Content-Length is {declared} bytes", f"{limit} bytes")
    body = bytearray()
    async for chunk in request.stream():
        body.extend(chunk)
        if len(body) > limit:
            raise too_large("the body is over the size limit", f"{limit} bytes")
    item = UploadItem(
        filename=name,
        source=bytes(body),
        category=options.category,
        label=options.label,
        metadata=options.metadata,
        bounding_boxes=options.bounding_boxes,
    )
    (result,) = await ctx.uploads.upload([item], allow_duplicates=not options.disallow_duplicates)
    if result.success:
        return PlainTextResponse(name)
    return PlainTextResponse(result.error or "The file was not stored", status_code=400)
