"""Deleting samples: all of them, one by id, or by stored name (through :mod:`ei_desktop.ops`)."""

from __future__ import annotations

import logging
from typing import Any, Optional

from ei_desktop import ops
from ei_desktop.core.connection import ProjectArg
from ei_desktop.core.model import GenericApiResponse
from ei_desktop.data._connection import resolve
from ei_desktop.data.util import get_sample_ids, listing_category
from ei_desktop.ops import Status

log = logging.getLogger(__name__)


def delete_all_samples(
    category: Optional[str] = None,
    api_key: Optional[str] = None,
    timeout_sec: Optional[float] = None,
    *,
    project: ProjectArg = None,
) -> Optional[GenericApiResponse]:
    """Delete every sample of ``category``, or of the whole project when ``None``.

    Raises:
        ValueError: an unknown category.
    """
    category = listing_category(category)
    backend = resolve(api_key, project, timeout_sec=timeout_sec)
    report = ops.delete_all(backend, category)
    return GenericApiResponse(success=True, deleted=report.total)


def delete_sample_by_id(
    sample_id: int,
    api_key: Optional[str] = None,
    timeout_sec: Optional[float] = None,
    *,
    project: ProjectArg = None,
) -> Optional[GenericApiResponse]:
    """Delete one sample; ``None`` when there is no sample with that id."""
    backend = resolve(api_key, project, timeout_sec=timeout_sec)
    report = ops.delete(backend, [int(sample_id)])
    if not report.done:
        log.info("No sample found with ID %s", sample_id)
        return None
    return GenericApiResponse(success=True, deleted=1)


def delete_samples_by_filename(
    filename: str,
    category: Optional[str] = None,
    api_key: Optional[str] = None,
    timeout_sec: Optional[float] = None,
    *,
    project: ProjectArg = None,
) -> tuple[Optional[Any], ...]:
    """Delete the samples whose stored name is exactly ``filename`` (no extension).

    Returns one response per sample deleted (``None`` where it vanished meanwhile).
    """
    infos = get_sample_ids(
        filename=filename,
        category=category,
        api_key=api_key,
        timeout_sec=timeout_sec,
        project=project,
    )
    ids = [info.sample_id for info in infos if info.filename == filename]
    if not ids:
        return ()
    report = ops.delete(resolve(api_key, project, timeout_sec=timeout_sec), ids)
    return tuple(
        GenericApiResponse(success=True, deleted=1) if item.status is Status.DONE else None
        for item in report.items
    )
