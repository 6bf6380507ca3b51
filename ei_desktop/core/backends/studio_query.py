"""A :class:`SampleQuery` as the query parameters of Edge Impulse's list, count and batch
endpoints, named and shaped as Edge Impulse's generated client (``edgeimpulse_api``) sends them.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Sequence
from typing import Any, Optional

from ei_desktop.core.backends.base import SampleQuery

#: ids sent in one ``ids`` parameter (a request line stays well under 16 KiB)
IDS_PER_REQUEST = 500


def filter_params(query: SampleQuery) -> dict[str, Any]:
    """Every condition of ``query`` as Studio API query parameters (sort and paging left out).

    ``category`` is always there (``all`` for every category: the batch endpoints require
    it) and so is ``includeDisabled`` (the server's default is not relied on).
    """
    params: dict[str, Any] = {
        "category": query.category or "all",
        "includeDisabled": query.include_disabled,
    }
    if query.labels:
        params["labels"] = json.dumps(list(query.labels))
    if query.filename:
        params["filename"] = query.filename
    if query.ids is not None:
        params["ids"] = id_list(query.ids)
    if query.exclude_ids:
        params["excludeIds"] = id_list(query.exclude_ids)
    metadata = metadata_param(query)
    if metadata is not None:
        params["metadata"] = metadata
    for name, value in (
        ("minLength", query.min_length_ms),
        ("maxLength", query.max_length_ms),
        ("minFrequency", query.min_frequency),
        ("maxFrequency", query.max_frequency),
        ("minId", query.min_id),
        ("maxId", query.max_id),
    ):
        if value is not None:
            params[name] = _number(value)
    if query.min_date is not None:
        params["minDate"] = query.min_date.isoformat()
    if query.max_date is not None:
        params["maxDate"] = query.max_date.isoformat()
    if query.search:
        params["search"] = query.search
    if query.data_type:
        params["dataType"] = query.data_type
    return params


def by_id_chunks(query: SampleQuery) -> list[SampleQuery]:
    """``query`` split into queries of at most :data:`IDS_PER_REQUEST` ids each (itself when
    it names fewer ids or none); together they select what ``query`` selects.
    """
    if query.ids is None or len(query.ids) <= IDS_PER_REQUEST:
        return [query]
    ids = sorted(set(query.ids))
    return [
        dataclasses.replace(query, ids=tuple(ids[i : i + IDS_PER_REQUEST]))
        for i in range(0, len(ids), IDS_PER_REQUEST)
    ]


def id_list(ids: Sequence[int]) -> str:
    """Ids as the JSON array the ``ids`` and ``excludeIds`` parameters take."""
    return json.dumps([int(i) for i in ids], separators=(",", ":"))


def metadata_param(query: SampleQuery) -> Optional[str]:
    """The ``metadata`` parameter: a JSON list of ``{key, op, values}`` conditions followed by
    the ``{"no_metadata": true}`` and ``{"filters_combinator": "or"}`` options when set;
    ``None`` when the query has no metadata condition.
    """
    items: list[dict[str, Any]] = [
        {"key": f.key, "op": f.op, "values": list(f.values)} for f in query.metadata
    ]
    if query.no_metadata:
        items.append({"no_metadata": True})
    if query.metadata_any and query.metadata:
        items.append({"filters_combinator": "or"})
    return json.dumps(items, separators=(",", ":")) if items else None


def _number(value: float) -> str:
    """A number as the generated client writes it (``str``), integral floats without ``.0``
    (``minLength``/``maxLength``/``minId``/``maxId`` are integers in the API).
    """
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)
