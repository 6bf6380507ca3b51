"""The ASGI app: ingestion API and Studio API on one port, over one local project."""

from __future__ import annotations

import secrets
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime, timezone
from typing import Any, Optional

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

from ei_desktop.core import about
from ei_desktop.server import curation, errors, ingestion, splits, studio
from ei_desktop.server.batching import UploadBatcher
from ei_desktop.server.blocking import BlockingPool
from ei_desktop.server.budget import MemoryBudget
from ei_desktop.server.context import ServerContext
from ei_desktop.server.fastpath import SampleFastPath
from ei_desktop.server.limits import Limits
from ei_desktop.server.middleware import ApiKeyAuth, BodyLimit, CollapseSlashes, ErrorBoundary
from ei_desktop.server.payloads import iso
from ei_desktop.server.project import ServedProject
from ei_desktop.server.throttle import FailureThrottle

#: paths served without an API key: the OpenAPI schema (no project data). There is no /docs
#: page: FastAPI's would load its scripts from a CDN on the internet.
PUBLIC_PATHS = ("/openapi.json",)
#: threads running blocking backend calls
DEFAULT_WORKERS = 8


def _created(value: Optional[str]) -> str:
    try:
        return iso(datetime.fromisoformat(value)) if value else iso(datetime.now(timezone.utc))
    except ValueError:
        return iso(datetime.now(timezone.utc))


def _hmac_key(backend: ServedProject) -> str:
    key = backend.setting("hmac_key")
    if not key:
        key = secrets.token_hex(16)
        backend.set_setting("hmac_key", key)
    return key


def create_app(
    backend: ServedProject,
    api_key: str,
    *,
    limits: Optional[Limits] = None,
    workers: int = DEFAULT_WORKERS,
    throttle: Optional[FailureThrottle] = None,
) -> FastAPI:
    """An Edge Impulse–compatible server over ``backend``; changes made through it are
    recorded in the project's history as made by ``serve``.

    Args:
        backend: the local project to serve; the caller keeps ownership (closes it).
        api_key: the key every request must carry in ``x-api-key``.
        limits: size limits of ingestion requests (default :class:`Limits`).
        workers: threads running blocking backend calls.
        throttle: how wrong keys slow a client address down (default :class:`FailureThrottle`).

    Studio API under ``/v1/api``, ingestion under ``/api/{category}``; repeated slashes in
    paths are collapsed; ``/openapi.json`` needs no key.
    """
    backend.actor = "serve"
    pool = BlockingPool(workers)
    budget = MemoryBudget()

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        yield
        pool.shutdown()

    app = _build(lifespan)
    app.state.ei = ServerContext(
        backend=backend,
        project_id=backend.project_id(),
        project_name=backend.name,
        created=_created(backend.setting("created")),
        hmac_key=_hmac_key(backend),
        limits=limits or Limits(),
        pool=pool,
        uploads=UploadBatcher(backend, pool, budget),
        budget=budget,
    )
    # Added last = runs first: collapse slashes, check the key, bound the body, then routes
    # (with unexpected errors answered in JSON on a connection that stays open), the one
    # request repeated for every sample of a download answered before them.
    app.add_middleware(SampleFastPath, context=app.state.ei)
    app.add_middleware(ErrorBoundary)
    app.add_middleware(BodyLimit, max_bytes=app.state.ei.limits.max_json_bytes)
    app.add_middleware(ApiKeyAuth, api_key=api_key, public=PUBLIC_PATHS, throttle=throttle)
    app.add_middleware(CollapseSlashes)
    return app


def _build(lifespan=None) -> FastAPI:
    """The routes and error handlers, without a project (see :func:`openapi_schema`)."""
    app = FastAPI(
        title="ei-desktop",
        version=about.VERSION,
        description="Edge Impulse ingestion and data API over a local ei-desktop project.",
        docs_url=None,
        redoc_url=None,
        lifespan=lifespan,
    )
    errors.install(app)
    app.include_router(ingestion.router)
    # before studio: its GET raw-data/{sample_id} would take raw-data/metadata, ratio…
    app.include_router(curation.router)
    app.include_router(splits.router)
    app.include_router(studio.router)
    app.openapi = lambda: _openapi(app)  # type: ignore[method-assign]
    return app


def openapi_schema() -> dict[str, Any]:
    """The server's OpenAPI schema (what ``GET /openapi.json`` answers), without a project."""
    return _build().openapi()


def _openapi(app: FastAPI) -> dict[str, Any]:
    """FastAPI's schema plus the ``x-api-key`` security scheme every operation uses."""
    if app.openapi_schema is None:
        schema = get_openapi(
            title=app.title,
            version=app.version,
            description=app.description,
            routes=app.routes,
        )
        components = schema.setdefault("components", {})
        components["securitySchemes"] = {
            "ApiKeyAuthentication": {"type": "apiKey", "in": "header", "name": "x-api-key"}
        }
        schemas = components.setdefault("schemas", {})
        for unused in ("HTTPValidationError", "ValidationError"):
            schemas.pop(unused, None)
        schemas["Error"] = _ERROR_SCHEMA
        schema["security"] = [{"ApiKeyAuthentication": []}]
        for operation in _operations(schema):
            responses = operation.setdefault("responses", {})
            responses.pop("422", None)
            for status, text in _ERROR_RESPONSES.items():
                responses.setdefault(status, _error_response(text))
        app.openapi_schema = schema
    return app.openapi_schema


_ERROR_SCHEMA = {
    "type": "object",
    "properties": {"success": {"type": "boolean"}, "error": {"type": "string"}},
    "required": ["success", "error"],
}
_ERROR_RESPONSES = {
    "400": "Invalid request (bad parameter, body or header)",
    "401": "Invalid API key",
}


def _error_response(description: str) -> dict[str, Any]:
    return {
        "description": description,
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
    }


def _operations(schema: dict[str, Any]) -> list[dict[str, Any]]:
    return [op for path in schema.get("paths", {}).values() for op in path.values()]
