"""Pure ASGI middleware that runs before routing: slash collapsing, the API key check, the
size limit of Studio API bodies and the JSON answer to unexpected errors.
"""

from __future__ import annotations

import hmac
import logging
import math
import re
from collections.abc import Awaitable, Callable, Iterable
from typing import Any, Optional

from ei_desktop.server.errors import describe_unexpected
from ei_desktop.server.responses import encode_error
from ei_desktop.server.throttle import FailureThrottle

log = logging.getLogger("ei_desktop.server")

Scope = dict[str, Any]
ASGIApp = Callable[[Scope, Callable, Callable], Awaitable[None]]

_SLASHES = re.compile(r"/{2,}")
_RAW_SLASHES = re.compile(rb"/{2,}")

INVALID_KEY = "Invalid API key"


class CollapseSlashes:
    """Route ``/v1//api/...`` like ``/v1/api/...``.

    The official SDK's generated client concatenates ``API_ENDPOINT + "/api/..."``, so an
    endpoint configured with a trailing slash produces double slashes (contract §1.2).
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Callable, send: Callable) -> None:
        """Handle one ASGI connection scope."""
        if scope["type"] == "http" and "//" in scope["path"]:
            scope = dict(scope)
            scope["path"] = _SLASHES.sub("/", scope["path"])
            if scope.get("raw_path"):
                scope["raw_path"] = _RAW_SLASHES.sub(b"/", scope["raw_path"])
        await self.app(scope, receive, send)


class ApiKeyAuth:
    """Answer 401 ``{"success": false, "error": "Invalid API key"}`` unless the request's
    ``x-api-key`` header equals the configured key (compared in constant time).

    Paths in ``public`` (the OpenAPI schema) need no key. Repeated wrong keys from one client
    address make that address wait (429 with ``Retry-After``, see :mod:`throttle`).
    """

    def __init__(
        self,
        app: ASGIApp,
        api_key: str,
        public: Iterable[str] = (),
        throttle: Optional[FailureThrottle] = None,
    ) -> None:
        if not api_key:
            raise ValueError("The server needs a non-empty API key")
        self.app = app
        self._key = api_key.encode("utf-8")
        self._public = frozenset(public)
        self._throttle = throttle if throttle is not None else FailureThrottle()
        self._headers, self._body = encode_error(401, INVALID_KEY)

    async def __call__(self, scope: Scope, receive: Callable, send: Callable) -> None:
        """Handle one ASGI connection scope."""
        if scope["type"] != "http" or scope["path"] in self._public:
            await self.app(scope, receive, send)
            return
        client = scope.get("client")
        address = client[0] if client else ""
        wait = self._throttle.wait(address)
        if wait > 0:
            seconds = math.ceil(wait)
            headers, body = encode_error(
                429,
                f"Too many wrong API keys from this address: try again in {seconds} s",
            )
            headers.append((b"retry-after", str(seconds).encode("ascii")))
            await _answer(send, 429, headers, body)
            return
        provided = b""
        for name, value in scope["headers"]:
            if name == b"x-api-key":
                provided = value
                break
        if hmac.compare_digest(provided, self._key):
            self._throttle.succeeded(address)
            await self.app(scope, receive, send)
            return
        self._throttle.failed(address)
        # The body is left unread; the HTTP server discards it and keeps the connection.
        await _answer(send, 401, self._headers, self._body)


async def _answer(send: Callable, status: int, headers: list, body: bytes) -> None:
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


class ErrorBoundary:
    """Answer an unexpected error with a JSON 500 and keep the connection open.

    Starlette's own last-resort handler re-raises after answering, which makes uvicorn close
    the connection: a client's next request on its pooled connection then fails with a reset.
    An error after the answer started (a stream cut short) is re-raised: closing the
    connection is the only way left to tell the client.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Callable, send: Callable) -> None:
        """Handle one ASGI connection scope."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def tracking_send(message: dict) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, receive, tracking_send)
        except Exception as exc:
            if started:
                raise
            log.error("Unexpected error in %s %s", scope["method"], scope["path"], exc_info=exc)
            status, message = describe_unexpected(exc)
            headers, body = encode_error(status, message)
            await _answer(send, status, headers, body)


class BodyLimit:
    """Refuse Studio API bodies over ``max_bytes`` with 413 before the app reads them.

    Such bodies are small JSON documents that are parsed whole, so their size is what bounds
    the memory they take. Ingestion paths (``/api/...``) are left to their own streaming limits.
    """

    def __init__(self, app: ASGIApp, max_bytes: int, exempt_prefix: str = "/api/") -> None:
        self.app = app
        self.max_bytes = max_bytes
        self._exempt = exempt_prefix
        self._headers, self._body = encode_error(
            413,
            f"The request is too large: the body is over {max_bytes} bytes (the limit for"
            " the Studio API)",
        )

    async def __call__(self, scope: Scope, receive: Callable, send: Callable) -> None:
        """Handle one ASGI connection scope."""
        if scope["type"] != "http" or scope["path"].startswith(self._exempt):
            await self.app(scope, receive, send)
            return
        declared = next((v for k, v in scope["headers"] if k == b"content-length"), b"")
        if declared.isdigit() and int(declared) > self.max_bytes:
            await self._refuse(send)
            return
        messages = []
        size = 0
        while True:
            message = await receive()
            messages.append(message)
            if message["type"] != "http.request":
                break
            size += len(message.get("body", b""))
            if size > self.max_bytes:
                await self._refuse(send)
                return
            if not message.get("more_body", False):
                break
        replay = iter(messages)

        async def replayed() -> dict:
            return next(replay, None) or await receive()

        await self.app(scope, replayed, send)

    async def _refuse(self, send: Callable) -> None:
        # The unread rest of the body is discarded by the HTTP server, which keeps the
        # connection for the client's next request.
        await _answer(send, 413, self._headers, self._body)
