"""The Studio API's list filter (the query parameters of listing, counting and every batch
change) read into a :class:`SampleQuery`.

Parameter names are the ones Edge Impulse's generated client sends (``includeDisabled``,
``excludeIds``, ``minLength``…). A malformed value is a 400 naming the parameter; filters
the server cannot apply (``signatureValidity``, ``minLabel``, ``maxLabel``) are accepted and
ignored.
"""

from __future__ import annotations

import json
import re
from dataclasses import replace
from datetime import datetime, timezone
from typing import Any, Literal, Optional

from fastapi import Depends, Query

from ei_desktop.core import formats, naming
from ei_desktop.core.backends.base import (
    INCLUDE_DISABLED,
    SORT_KEYS,
    MetadataFilter,
    SampleQuery,
)
from ei_desktop.server.errors import RequestError

#: SQLite integers are signed 64-bit
MAX_ID = 2**63 - 1
#: a category of a filter: one category, or ``all``
FilterCategory = Literal[(*naming.CATEGORIES, "all")]  # type: ignore[valid-type]
IncludeDisabled = Literal[INCLUDE_DISABLED]  # type: ignore[valid-type]

#: Edge Impulse's names of data types that differ from ours
_DATA_TYPES = {"time-series": formats.TIMESERIES, "time_series": formats.TIMESERIES}
_NUMBER = {"allow_inf_nan": False, "ge": 0, "le": 1e15}
_ID = {"ge": 0, "le": MAX_ID}
_SPACED_OFFSET = re.compile(r"(?<=\d) (\d{2}(?::?\d{2})?)$")
_NUMBER_TEXT = re.compile(r"-?\d{1,16}(\.\d+)?")


def _json(name: str, text: str) -> Any:
    try:
        return json.loads(text)
    except RecursionError:
        raise RequestError(f"{name} is nested too deeply") from None
    except ValueError:
        raise RequestError(f"{name} is not valid JSON: {text[:200]!r}") from None


def parse_labels(text: Optional[str]) -> Optional[tuple[str, ...]]:
    """The ``labels`` filter: a JSON array of labels; ``null``, ``[]`` or absent: no filter.

    A value that is not JSON is taken as one label.

    Raises:
        RequestError: 400 for JSON that is neither a string nor an array of strings.
    """
    if text is None or text.strip() in ("", "null"):
        return None
    try:
        value = json.loads(text)
    except RecursionError:
        raise RequestError("labels is nested too deeply") from None
    except ValueError:
        return (text,)
    if isinstance(value, str):
        return (value,)
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return tuple(value) or None
    raise RequestError(f"labels must be a JSON array of strings, got {text!r}")


def parse_ids(name: str, text: Optional[str]) -> Optional[tuple[int, ...]]:
    """``ids`` or ``excludeIds``: a JSON array of sample ids (one id alone is accepted);
    absent or ``null``: no filter. ``[]`` given as ``ids`` selects nothing.

    Raises:
        RequestError: 400 for anything else.
    """
    if text is None or text.strip() in ("", "null"):
        return None
    value = _json(name, text)
    if _is_id(value):
        return (value,)
    if isinstance(value, list) and all(_is_id(v) for v in value):
        return tuple(value)
    raise RequestError(f"{name} must be a JSON array of sample ids, got {text[:200]!r}")


def _is_id(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= MAX_ID


def parse_metadata(text: Optional[str]) -> tuple[tuple[MetadataFilter, ...], bool, bool]:
    """The ``metadata`` filter: a JSON array of ``{"key", "op", "values"}`` conditions and
    the option objects ``{"no_metadata": bool}`` and ``{"filters_combinator": "and"|"or"}``.

    Returns:
        The conditions, ``no_metadata`` and whether they are combined with OR.

    Raises:
        RequestError: 400 naming what is wrong.
    """
    if text is None or text.strip() in ("", "null"):
        return (), False, False
    value = _json("metadata", text)
    items = [value] if isinstance(value, dict) else value
    if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
        raise RequestError("metadata must be a JSON array of filter objects")
    conditions: list[MetadataFilter] = []
    no_metadata, any_of = False, False
    for item in items:
        if "key" in item:
            conditions.append(_metadata_condition(item))
        elif "no_metadata" in item:
            if not isinstance(item["no_metadata"], bool):
                raise RequestError("metadata: no_metadata must be true or false")
            no_metadata = item["no_metadata"]
        elif "filters_combinator" in item:
            if item["filters_combinator"] not in ("and", "or"):
                raise RequestError("metadata: filters_combinator must be 'and' or 'or'")
            any_of = item["filters_combinator"] == "or"
        else:
            raise RequestError(
                "metadata: each item needs a 'key', 'no_metadata' or 'filters_combinator'"
            )
    return tuple(conditions), no_metadata, any_of


def _metadata_condition(item: dict) -> MetadataFilter:
    key, op, values = item["key"], item.get("op", "eq"), item.get("values") or []
    if not isinstance(key, str):
        raise RequestError("metadata: a filter's key must be a string")
    if op not in ("eq", "neq"):
        raise RequestError(f"metadata: op must be 'eq' or 'neq', not {op!r}")
    if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
        raise RequestError(f"metadata: the values of {key!r} must be an array of strings")
    return MetadataFilter(key, op, tuple(values))


def parse_sort(sort_by: Optional[str]) -> tuple[str, bool]:
    """``sortBy`` as ``<key>-asc|desc`` with a key of :data:`SORT_KEYS`; default ``id-desc``.
    Unknown values fall back to the default, as the contract asks of unsupported options.
    """
    if sort_by:
        key, _, direction = sort_by.rpartition("-")
        if key in SORT_KEYS and direction in ("asc", "desc"):
            return key, direction == "desc"
    return "id", True


def parse_date(name: str, text: Optional[str]) -> Optional[datetime]:
    """``minDate`` or ``maxDate``: an ISO 8601 date or time (UTC unless it says otherwise),
    or milliseconds since 1970.

    The generated client puts query values in the URL without encoding them, so the ``+``
    of an offset arrives as a space; it is read as ``+``.

    Raises:
        RequestError: 400 for anything else.
    """
    if text is None or not text.strip():
        return None
    text = _SPACED_OFFSET.sub(r"+\1", text.strip())
    try:
        if _NUMBER_TEXT.fullmatch(text):
            return datetime.fromtimestamp(float(text) / 1000, tz=timezone.utc)
        moment = datetime.fromisoformat(text)
    except (ValueError, OverflowError, OSError):
        raise RequestError(f"{name} must be an ISO 8601 date, got {text[:100]!r}") from None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=timezone.utc)


def sample_filter(
    labels: Optional[str] = Query(None, description="JSON array of labels; null: any"),
    filename: Optional[str] = Query(None, description="Text found in the stored name"),
    maxLength: Optional[float] = Query(None, description="Shorter than (ms)", **_NUMBER),  # noqa: N803
    minLength: Optional[float] = Query(None, description="At least this long (ms)", **_NUMBER),  # noqa: N803
    minFrequency: Optional[float] = Query(None, description="At least (Hz)", **_NUMBER),  # noqa: N803
    maxFrequency: Optional[float] = Query(None, description="At most (Hz)", **_NUMBER),  # noqa: N803
    signatureValidity: Optional[str] = Query(None, description="Ignored"),  # noqa: N803
    includeDisabled: Optional[IncludeDisabled] = Query(  # noqa: N803
        None, description="enabled (the default), disabled or both"
    ),
    ids: Optional[str] = Query(None, description="JSON array of sample ids"),
    excludeIds: Optional[str] = Query(None, description="JSON array of sample ids to leave out"),  # noqa: N803
    minLabel: Optional[float] = Query(None, description="Ignored"),  # noqa: N803
    maxLabel: Optional[float] = Query(None, description="Ignored"),  # noqa: N803
    search: Optional[str] = Query(None, description="Text found in the name or the label"),
    dataType: Optional[str] = Query(None, description="timeseries, audio, image, video, table"),  # noqa: N803
    minId: Optional[int] = Query(None, description="Id at least", **_ID),  # noqa: N803
    maxId: Optional[int] = Query(None, description="Id below", **_ID),  # noqa: N803
    metadata: Optional[str] = Query(None, description="JSON array of metadata filters"),
    minDate: Optional[str] = Query(None, description="Added at or after (ISO 8601)"),  # noqa: N803
    maxDate: Optional[str] = Query(None, description="Added before (ISO 8601)"),  # noqa: N803
) -> SampleQuery:
    """Every condition of the list filter except the category (a FastAPI dependency).

    Raises:
        RequestError: 400 for a malformed value.
    """
    conditions, no_metadata, any_of = parse_metadata(metadata)
    data_type = dataType.strip().lower() if dataType and dataType.strip() else None
    return SampleQuery(
        labels=parse_labels(labels),
        filename=filename or None,
        ids=parse_ids("ids", ids),
        exclude_ids=parse_ids("excludeIds", excludeIds),
        metadata=conditions,
        no_metadata=no_metadata,
        metadata_any=any_of,
        min_length_ms=minLength,
        max_length_ms=maxLength,
        min_frequency=minFrequency,
        max_frequency=maxFrequency,
        min_date=parse_date("minDate", minDate),
        max_date=parse_date("maxDate", maxDate),
        min_id=minId,
        max_id=maxId,
        include_disabled=includeDisabled or "enabled",
        search=search or None,
        data_type=_DATA_TYPES.get(data_type or "", data_type),
    )


def selection(
    category: FilterCategory = Query(..., description="A category, or all"),
    conditions: SampleQuery = Depends(sample_filter),
) -> SampleQuery:
    """The samples a batch change applies to: the list filter with a required category."""
    return with_category(conditions, category)


def listing(
    category: Optional[FilterCategory] = Query(None, description="A category, or all (default)"),
    sortBy: Optional[str] = Query(None, description="`<key>-asc|desc`, default id-desc"),  # noqa: N803
    conditions: SampleQuery = Depends(sample_filter),
) -> SampleQuery:
    """What a listing or count shows: the list filter, an optional category and an order."""
    sort, descending = parse_sort(sortBy)
    return replace(with_category(conditions, category), sort=sort, descending=descending)


def with_category(query: SampleQuery, category: Optional[str]) -> SampleQuery:
    """``query`` limited to ``category`` (``None`` or ``all``: every category)."""
    return replace(query, category=None if category in (None, "all") else category)
