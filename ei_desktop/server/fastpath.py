"""The one request a download over the standard Edge Impulse API repeats for every sample,
``GET /v1/api/{project}/raw-data/{id}``, answered before routing.

Finding the route among the app's and solving its parameters cost the server about as much
CPU as reading and encoding a small sample does. Only well-formed requests for the served
project are answered here (no query but ``limitPayloadValues``), and only with what the route
itself answers (:func:`studio.small_answer`); anything else, and samples too large to answer
at once, go on to the route.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any, Optional

from ei_desktop.core.backends.base import BackendError
from ei_desktop.server.context import ServerContext
from ei_desktop.server.errors import describe_backend_error, log
from ei_desktop.server.filters import MAX_ID
from ei_desktop.server.responses import encode_error
from ei_desktop.server.studio import LIMIT_MAX, small_answer

_PATH = re.compile(r"/v1/api/(\d{1,19})/raw-data/(\d{1,19})")
_QUERY = re.compile(rb"limitPayloadValues=(\d{1,19})")


class SampleFastPath:
    """Answer ``GET …/raw-data/{id}`` of small samples without routing (pure ASGI)."""

    def __init__(self, app: Callable, context: ServerContext) -> None:
        self.app = app
        self.context = context

    async def __call__(self, scope: dict[str, Any], receive: Callable, send: Callable) -> None:
        """Handle one ASGI connection scope."""
        request = _parse(scope, self.context.project_id)
        if request is None:
            await self.app(scope, receive, send)
            return
        ctx = self.context
        sample_id, limit = request
        try:
            found, body = await ctx.pool.run(
                small_answer, ctx.backend, sample_id, ctx.project_id, limit
            )
        except BackendError as exc:  # as the app's handler answers it
            status, message = describe_backend_error(exc, ctx.backend.description)
            log.error("%s", message)
            headers, body = encode_error(status, message)
            await _send(send, status, headers, body)
            return
        if found is not None and body is None:  # a large sample: streamed by the route
            await self.app(scope, receive, send)
            return
        headers = [
            (b"content-length", str(len(body)).encode("ascii")),
            (b"content-type", b"application/json"),
        ]
        await _send(send, 200, headers, body)


def _parse(scope: dict[str, Any], project_id: int) -> Optional[tuple[int, Optional[int]]]:
    """The sample id and ``limitPayloadValues`` of a request this path answers, else ``None``."""
    if scope["type"] != "http" or scope["method"] != "GET":
        return None
    match = _PATH.fullmatch(scope["path"])
    if match is None or int(match[1]) != project_id:
        return None
    sample_id = int(match[2])
    query = scope.get("query_string", b"")
    limit: Optional[int] = None
    if query:
        given = _QUERY.fullmatch(query)
        if given is None:
            return None
        limit = int(given[1])
        if limit > LIMIT_MAX:
            return None
    return (sample_id, limit) if sample_id <= MAX_ID else None


async def _send(send: Callable, status: int, headers: list, body: bytes) -> None:
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})
