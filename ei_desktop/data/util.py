"""Listing samples: ids, names, categories and labels."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Optional, Union

from ei_desktop.core import naming
from ei_desktop.core.backends.base import SampleQuery
from ei_desktop.core.connection import ProjectArg
from ei_desktop.core.model import SampleInfo
from ei_desktop.data._connection import resolve


def listing_category(category: Optional[str]) -> Optional[str]:
    """``category`` as a query takes it (``None`` and ``"all"``: every category).

    Raises:
        ValueError: an unknown category.
    """
    if category is None or category == "all":
        return None
    if category not in naming.CATEGORIES:
        raise ValueError(
            "Invalid category. Allowable categories: "
            f"{list(naming.CATEGORIES)} and None to search in all categories."
        )
    return category


def _labels_tuple(labels: Union[str, Iterable[str], None]) -> Optional[tuple[str, ...]]:
    if labels is None:
        return None
    if isinstance(labels, str):
        return (labels,)
    return tuple(str(label) for label in labels)


def get_sample_ids(
    filename: Optional[str] = None,
    category: Optional[str] = None,
    labels: Optional[str] = None,
    api_key: Optional[str] = None,
    num_workers: Optional[int] = 4,
    timeout_sec: Optional[float] = None,
    *,
    project: ProjectArg = None,
    include_disabled: str = "enabled",
) -> list[SampleInfo]:
    """Id, stored name, category and label of the samples that match (enabled ones, as
    Edge Impulse's SDK sees a project, unless asked for).

    Args:
        filename: keep samples whose stored name (upload name without its extension)
            contains this text, ignoring case.
        category: one category, or ``None``/``"all"`` for every category.
        labels: a label or a list of labels to keep.
        api_key: an Edge Impulse project API key (default ``ei_desktop.API_KEY``).
        num_workers, timeout_sec: HTTP concurrency and timeout for Edge Impulse.
        project: a local project folder or backend to list instead.
        include_disabled: ``"enabled"``, ``"disabled"`` or ``"both"``.

    Raises:
        ValueError: an unknown category or ``include_disabled`` value.
    """
    query = SampleQuery(
        listing_category(category),
        _labels_tuple(labels),
        filename or None,
        include_disabled=include_disabled,
    )
    backend = resolve(api_key, project, timeout_sec=timeout_sec, max_workers=num_workers)
    return backend.sample_infos(query)


def get_filename_by_id(
    sample_id: int,
    api_key: Optional[str] = None,
    timeout_sec: Optional[float] = None,
    *,
    project: ProjectArg = None,
) -> Optional[str]:
    """The stored name of a sample (``capacitor.01`` for ``capacitor.01.png``), or ``None``."""
    backend = resolve(api_key, project, timeout_sec=timeout_sec)
    record = backend.get_sample(int(sample_id))
    return record.filename if record is not None else None
