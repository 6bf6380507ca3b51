"""How far a local project is from the remote it is linked to, told offline.

:func:`not_on_remote` counts the local samples whose content the push state
(``sync.sqlite3``) does not record as stored on the remote, without a single request to the
remote: the status bar shows it for a linked project, even with no network.
:func:`differences` words what differs between the two sides of a conflict.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Optional

from ei_desktop.core.backends.base import Backend, SampleQuery, SampleRecord
from ei_desktop.core.progress import CancelToken, is_cancelled
from ei_desktop.core.sync_state import SYNC_DATABASE, SyncState

#: content hashes looked up in the push state together
_CHUNK = 2000


def not_on_remote(
    local: Backend,
    project_dir: Path,
    remote: str,
    *,
    cancel: Optional[CancelToken] = None,
) -> Optional[int]:
    """How many samples of ``local`` (enabled and disabled) ``remote`` does not hold yet, as
    far as the push state of ``project_dir`` knows; ``None`` when ``cancel`` stopped it.

    ``remote`` is the state's name of the remote (:func:`ei_desktop.ops.sync.remote_name`).
    A project that never pushed has no state file: every sample counts (no file is created).

    Raises:
        BackendError: the project or the push state cannot be read.
    """
    query = SampleQuery(include_disabled="both", sort="id", descending=False)
    if not (Path(project_dir) / SYNC_DATABASE).exists():
        return local.count(query)
    missing = 0
    with SyncState(project_dir) as state:
        for chunk in _chunks(local, query):
            if is_cancelled(cancel):
                return None
            found = state.lookup(remote, set(chunk))
            missing += sum(1 for sha in chunk if sha not in found or found[sha].state != "remote")
    return missing


def _chunks(local: Backend, query: SampleQuery) -> Iterator[list[str]]:
    chunk: list[str] = []
    for record in local.iter_samples(query, page_size=_CHUNK):
        chunk.append(record.sha256)
        if len(chunk) >= _CHUNK:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def status_text(missing: int) -> str:
    """The status bar's words for ``missing`` samples not on Edge Impulse yet."""
    if missing == 0:
        return "All samples are on Edge Impulse"
    noun = "sample" if missing == 1 else "samples"
    return f"{missing:,} {noun} not yet on Edge Impulse"


def differences(local: SampleRecord, remote: SampleRecord) -> str:
    """What differs between the two sides of a conflict, in a few words
    ("label: idle here, wave there; disabled here").
    """
    parts = []
    for attribute, words in (
        ("filename", "name"),
        ("label", "label"),
        ("category", "category"),
    ):
        mine, theirs = getattr(local, attribute), getattr(remote, attribute)
        if mine != theirs:
            parts.append(f"{words}: {mine or '(none)'} here, {theirs or '(none)'} there")
    if (local.metadata or {}) != (remote.metadata or {}):
        parts.append("metadata")
    if (local.bounding_boxes or []) != (remote.bounding_boxes or []):
        parts.append("bounding boxes")
    if (local.structured_labels or []) != (remote.structured_labels or []):
        parts.append("label segments")
    if local.disabled != remote.disabled:
        parts.append("disabled here" if local.disabled else "disabled there")
    return "; ".join(parts) or "changed on both sides"
