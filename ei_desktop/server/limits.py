"""Size limits of one request."""

from __future__ import annotations

from dataclasses import dataclass

MB = 1024 * 1024


@dataclass(frozen=True)
class Limits:
    """What one request may carry (ingestion: ``POST /api/{category}/files``).

    Attributes:
        max_files: data files per request (companion ``.labels`` parts not counted); more → 413.
        max_file_bytes: bytes per file; a larger file gets a per-file error entry, the rest of
            the request is stored.
        max_request_bytes: bytes of the whole request body; more → 413 (checked against
            ``Content-Length`` before reading and while reading).
        max_json_bytes: bytes of a Studio API request body; more → 413.
    """

    max_files: int = 1000
    max_file_bytes: int = 100 * MB
    max_request_bytes: int = 512 * MB
    #: bytes of a Studio API body (JSON, parsed whole); more → 413
    max_json_bytes: int = 1 * MB

    #: companion parts allowed on top of ``max_files`` (structured labels, boxes, label map…)
    companion_allowance: int = 16
