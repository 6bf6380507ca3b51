"""Request-level errors and the handlers that turn every error into a JSON body."""

from __future__ import annotations

import errno
import logging
import re

from fastapi import FastAPI
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException
from starlette.requests import Request

from ei_desktop.core.backends.base import BackendError, DamagedProjectError, DiskFullError
from ei_desktop.server.responses import JSON, failure

log = logging.getLogger("ei_desktop.server")


class RequestError(Exception):
    """A request that cannot be served as a whole; answered ``status`` + JSON error."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.message = message
        self.status = status


def _validation_message(exc: RequestValidationError) -> str:
    parts = []
    for error in exc.errors():
        location = [str(p) for p in error.get("loc", ())]
        where = f"{location[0]} parameter '{'.'.join(location[1:])}'" if location else "request"
        value = error.get("input")
        shown = f" (got {value!r})" if isinstance(value, (str, int, float)) else ""
        parts.append(f"Invalid {where}: {error.get('msg', 'invalid value')}{shown}")
    return "; ".join(parts) or "Invalid request"


def install(app: FastAPI) -> None:
    """Make every error response ``{"success": false, "error": "..."}`` (never HTML or text)."""

    @app.exception_handler(RequestError)
    async def request_error(_request: Request, exc: RequestError) -> JSON:
        return failure(exc.message, exc.status)

    @app.exception_handler(RequestValidationError)
    async def validation_error(_request: Request, exc: RequestValidationError) -> JSON:
        return failure(_validation_message(exc), 400)

    @app.exception_handler(HTTPException)
    async def http_error(_request: Request, exc: HTTPException) -> JSON:
        message = exc.detail if isinstance(exc.detail, str) else str(exc.detail)
        if exc.status_code == 404 and message == "Not Found":
            message = "Not found"
        elif exc.status_code == 405:
            message = "Method not allowed"
        response = failure(message, exc.status_code)
        if exc.headers:
            response.headers.update(exc.headers)
        return response

    @app.exception_handler(BackendError)
    async def backend_error(request: Request, exc: BackendError) -> JSON:
        status, message = describe_backend_error(exc, request.app.state.ei.backend.description)
        log.error("%s", message)
        return failure(message, status)


def describe_backend_error(exc: BackendError, project: str) -> tuple[int, str]:
    """The status and message a client gets for ``exc``: no traceback, and no path of the
    server's disk (the project folder is named ``<project>``).
    """
    if isinstance(exc, DiskFullError):
        return 507, "The disk is full: the server cannot store anything until space is freed"
    message = scrub_paths(str(exc), project)
    if isinstance(exc, DamagedProjectError) and "damaged" not in message.lower():
        message = f"The project is damaged: {message}"
    return 500, message


def scrub_paths(message: str, project: str) -> str:
    """``message`` with the project folder, and any file path inside it, shown as
    ``<project>``.
    """
    return re.sub(re.escape(str(project)) + r"[^\s'\"]*", "<project>", message)


def describe_unexpected(exc: BaseException) -> tuple[int, str]:
    """What a client gets for an error nobody expected (logged in full on the server)."""
    if isinstance(exc, OSError) and exc.errno == errno.ENOSPC:
        return 507, "The disk is full: the server cannot store anything until space is freed"
    return 500, "Internal server error (the server's log has the details)"
