"""JSON responses in the Edge Impulse envelope (``success`` always present)."""

from __future__ import annotations

from typing import Any

import orjson
from starlette.responses import Response

#: numpy arrays (sample values) are written directly, without a round trip through lists
_OPTIONS = orjson.OPT_SERIALIZE_NUMPY


class JSON(Response):
    """A JSON response encoded with orjson (no FastAPI re-encoding pass): listing pages and
    sample values are most of what the server sends, and orjson writes them ~10x faster.
    """

    media_type = "application/json"

    def render(self, content: Any) -> bytes:
        """``content`` as compact UTF-8 JSON."""
        return orjson.dumps(content, option=_OPTIONS)


def ok(body: dict[str, Any] | None = None) -> JSON:
    """200 with ``{"success": true, **body}``."""
    return JSON({"success": True, **(body or {})})


def failure(message: str, status: int = 200) -> JSON:
    """``{"success": false, "error": message}``; Edge Impulse reports most failures with 200."""
    return JSON({"success": False, "error": message}, status_code=status)


def encode_error(status: int, message: str) -> tuple[list[tuple[bytes, bytes]], bytes]:
    """Raw ASGI headers and body of an error, for middleware that answers before routing."""
    body = orjson.dumps({"success": False, "error": message})
    headers = [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(body)).encode("ascii")),
    ]
    return headers, body
