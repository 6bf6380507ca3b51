"""JSON responses in the Edge Impulse envelope (``success`` always present)."""

from __future__ import annotations

import json
from typing import Any

from starlette.responses import Response

_encoder = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), allow_nan=False)


class JSON(Response):
    """A JSON response encoded with the standard library (no FastAPI re-encoding pass)."""

    media_type = "application/json"

    def render(self, content: Any) -> bytes:
        """``content`` as compact UTF-8 JSON."""
        return _encoder.encode(content).encode("utf-8")


def ok(body: dict[str, Any] | None = None) -> JSON:
    """200 with ``{"success": true, **body}``."""
    return JSON({"success": True, **(body or {})})


def failure(message: str, status: int = 200) -> JSON:
    """``{"success": false, "error": message}``; Edge Impulse reports most failures with 200."""
    return JSON({"success": False, "error": message}, status_code=status)


def encode_error(status: int, message: str) -> tuple[list[tuple[bytes, bytes]], bytes]:
    """Raw ASGI headers and body of an error, for middleware that answers before routing."""
    body = _encoder.encode({"success": False, "error": message}).encode("utf-8")
    headers = [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(body)).encode("ascii")),
    ]
    return headers, body
