"""Sample content and small HTTP helpers shared by the server tests."""

from __future__ import annotations

import json
from pathlib import Path

import requests

SAMPLES = Path(__file__).resolve().parents[1] / "data" / "ei-samples"


def csv_series(rows: int = 4, seed: int = 0, interval: int = 10) -> tuple[bytes, list[list[float]]]:
    """A 2-axis CSV time series and its values."""
    values = [[float(seed + i), float(seed * 2 - i) / 4] for i in range(rows)]
    lines = ["timestamp,accX,accY"] + [
        f"{i * interval},{a:g},{b:g}" for i, (a, b) in enumerate(values)
    ]
    return ("\n".join(lines) + "\n").encode(), values


def tiny_avi(tag: bytes = b"") -> bytes:
    """Enough of an AVI container for magic-byte detection."""
    body = b"AVI LIST\x04\x00\x00\x00hdrl" + tag
    return b"RIFF" + len(body).to_bytes(4, "little") + body


def tiny_mp4(tag: bytes = b"") -> bytes:
    """Enough of an MP4 container for magic-byte detection."""
    return b"\x00\x00\x00\x18ftypisom\x00\x00\x02\x00isomiso2\x00\x00\x00\x08free" + tag


def post_files(
    base: str,
    key: str,
    files: list,
    category: str = "training",
    headers: dict | None = None,
    session: requests.Session | None = None,
) -> requests.Response:
    """``POST /api/{category}/files`` with ``files`` as (name, bytes) pairs or full tuples."""
    parts = [
        ("data", f if len(f) == 3 else (f[0], f[1], "application/octet-stream")) for f in files
    ]
    return (session or requests).post(
        f"{base}/api/{category}/files",
        headers={"x-api-key": key, **(headers or {})},
        files=parts,
        timeout=30,
    )


def structured_labels_part(mapping: dict) -> tuple:
    """A ``structured_labels.labels`` companion part."""
    doc = {"version": 1, "type": "structured-labels", "structuredLabels": mapping}
    return ("structured_labels.labels", json.dumps(doc).encode(), "application/json")


def bounding_boxes_part(mapping: dict) -> tuple:
    """A ``bounding_boxes.labels`` companion part (what the CLI sends)."""
    doc = {"version": 1, "type": "bounding-box-labels", "boundingBoxes": mapping}
    return ("bounding_boxes.labels", json.dumps(doc).encode(), "application/json")
