"""Pure ASGI middleware that runs before routing: slash collapsing and the API key check."""

from __future__ import annotations

import hmac
import re
from collections.abc import Awaitable, Callable, Iterable
from typing import Any

from ei_desktop.server.responses import encode_error

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

    Paths in ``public`` (the OpenAPI schema and its viewer) need no key.
    """

    def __init__(self, app: ASGIApp, api_key: str, public: Iterable[str] = ()) -> None:
        if not api_key:
            raise ValueError("The server needs a non-empty API key")
        self.app = app
        self._key = api_key.encode("utf-8")
        self._public = frozenset(public)
        self._headers, self._body = encode_error(401, INVALID_KEY)

    async def __call__(self, scope: Scope, receive: Callable, send: Callable) -> None:
        """Handle one ASGI connection scope."""
        if scope["type"] != "http" or scope["path"] in self._public:
            await self.app(scope, receive, send)
            return
        provided = b""
        for name, value in scope["headers"]:
            if name == b"x-api-key":
                provided = value
                break
        if hmac.compare_digest(provided, self._key):
            await self.app(scope, receive, send)
            return
        # The body is left unread; the HTTP server discards it and keeps the connection.
        await send({"type": "http.response.start", "status": 401, "headers": self._headers})
        await send({"type": "http.response.body", "body": self._body})
