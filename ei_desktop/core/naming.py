"""Categories and the naming rules of Edge Impulse: stored names, labels and categories
inferred from file names, and the cold-storage name that downloads derive their file names from.
"""

from __future__ import annotations

import base64
import os
import re
import secrets
from typing import Optional

#: categories a sample can be stored in, in listing order
CATEGORIES: tuple[str, ...] = ("training", "testing", "validation", "post-processing", "anomaly")
#: the pseudo-category that lets the store choose training or testing
SPLIT = "split"
UPLOAD_CATEGORIES: tuple[str, ...] = (*CATEGORIES, SPLIT)
#: share of ``split`` uploads that go to training (the rest go to testing)
TRAINING_SHARE_PERCENT = 80

#: companion files that carry labels for other files instead of being samples
LABEL_FILE = "info.labels"
LABELS_EXTENSION = ".labels"

_SERVER_LABEL = re.compile(r"^[a-zA-Z0-9\s\-_]+")


def check_category(category: Optional[str], *, allow_split: bool = True) -> str:
    """Return ``category`` (``None`` → ``split``) or raise ``ValueError`` naming the choices."""
    category = SPLIT if category is None else str(category)
    allowed = UPLOAD_CATEGORIES if allow_split else CATEGORIES
    if category not in allowed:
        raise ValueError(f"Unknown category {category!r}; expected one of: {', '.join(allowed)}")
    return category


def split_category(sha256_hex: str) -> str:
    """Training or testing for a ``split`` upload, decided by its content hash (80/20)."""
    bucket = int(sha256_hex[:8], 16) % 100
    return "training" if bucket < TRAINING_SHARE_PERCENT else "testing"


def stored_name(upload_name: str) -> str:
    """The name a sample is listed under: the upload name minus its last extension."""
    base = os.path.basename(upload_name.replace("\\", "/"))
    stem, _ = os.path.splitext(base)
    return stem or base


def server_label(upload_name: str) -> str:
    """The label the ingestion service infers when none is given (``idle.01.cbor`` → ``idle``)."""
    match = _SERVER_LABEL.match(os.path.basename(upload_name))
    return match.group(0) if match else ""


def sdk_label(path: str) -> str:
    """The label the SDK's ``infer_from_filename`` uses: the base name before its first dot."""
    return os.path.basename(path).split(".")[0]


def category_from_path(path: str) -> Optional[str]:
    """``testing``, ``anomaly`` or ``training`` when a folder of ``path`` is named so.

    Only whole folder names count (``runs/testing/x.csv``, not ``testing_runs/x.csv``); the
    innermost match wins.
    """
    folder = os.path.dirname(path)  # plain strings: pathlib would intern every file's name
    if os.altsep:
        folder = folder.replace(os.altsep, os.sep)
    for part in reversed(folder.split(os.sep)):
        name = part.lower()
        if name in _CATEGORY_FOLDERS:
            return _CATEGORY_FOLDERS[name]
    return None


#: the folder names that give a category, each to its one category string
_CATEGORY_FOLDERS = {name: name for name in ("training", "testing", "anomaly", "validation")}


def cold_storage_name(upload_name: str, sample_id: int, tag: str, kind_ext: str) -> str:
    """``<upload name>.<8-char tag>.ingestion-local.<ext>``: the three trailing parts carry no
    dots, so the SDK's downloader recovers the upload name from it.
    """
    base = os.path.basename(upload_name)
    return f"ei-coldstorage/{sample_id}/{base}.{tag}.ingestion-local{kind_ext}"


def new_tag() -> str:
    """A random 8-character tag for cold-storage names."""
    return base64.b32encode(secrets.token_bytes(5)).decode("ascii").lower()


def new_tags(count: int) -> list[str]:
    """``count`` tags like :func:`new_tag`'s, from one read of the system's randomness."""
    text = base64.b32encode(secrets.token_bytes(5 * count)).decode("ascii").lower()
    return [text[i : i + 8] for i in range(0, 8 * count, 8)]


def safe_filename(name: str) -> str:
    """``name`` made safe to write into a folder: no path separators, no leading dots,
    no characters that Windows forbids.
    """
    name = os.path.basename(name.replace("\\", "/"))
    name = re.sub(r'[<>:"|?*\x00-\x1f]', "_", name).strip()
    name = name.lstrip(".")
    return name or "sample"


def download_name(upload_name: str, kind: str) -> str:
    """The file name the official SDK gives a downloaded sample.

    Media keep their upload name; time series become ``<stem>.json`` (``good.01.csv`` →
    ``good.01.json``, ``wave.01.cbor`` → ``wave.01.json``).
    """
    name = os.path.basename(upload_name)
    if kind in ("timeseries", "table"):
        return os.path.splitext(name)[0] + ".json"
    return name
