"""A :class:`SampleQuery` as SQL over a local project's ``samples`` table."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Optional

from ei_desktop.core.backends.base import MetadataFilter, SampleQuery, SampleRecord
from ei_desktop.core.backends.local_schema import SORT_COLUMNS

#: above this many values a list is bound as one JSON array instead of one parameter each
_INLINE_VALUES = 200


def where(
    query: SampleQuery, after: Optional[SampleRecord] = None, *, own_labels: bool = False
) -> tuple[str, list]:
    """``WHERE …`` (or ``""``) and its parameters; with ``after``, only the samples that
    follow it in the query's order (keyset paging). ``own_labels``: see
    :func:`category_and_labels`.
    """
    clauses, params = conditions(query, own_labels=own_labels)
    if after is not None:
        column = SORT_COLUMNS[query.sort]
        op = "<" if query.descending else ">"
        if column == "id":
            clauses.append(f"id {op} ?")
            params.append(after.id)
        else:
            clauses.append(f"({column}, id) {op} (?, ?)")
            params.extend([_sort_value(after, query.sort), after.id])
    return (f"WHERE {' AND '.join(clauses)}" if clauses else ""), params


def conditions(query: SampleQuery, *, own_labels: bool = False) -> tuple[list[str], list]:
    """Every condition of ``query`` as SQL terms to AND together, and their parameters."""
    clauses, params = category_and_labels(query, own_labels=own_labels)
    if query.include_disabled == "enabled":
        clauses.append("disabled = 0")
    elif query.include_disabled == "disabled":
        clauses.append("disabled = 1")
    if query.filename:
        if len(query.filename) >= 3:
            clauses.append("id IN (SELECT rowid FROM samples_name WHERE samples_name MATCH ?)")
            params.append(_fts_phrase(query.filename))
        else:
            clauses.append("filename LIKE ? ESCAPE '\\'")
            params.append(_like_pattern(query.filename))
    if query.ids is not None:
        clauses.append(in_values("id", query.ids, params))
    if query.exclude_ids:
        clauses.append("NOT " + in_values("id", query.exclude_ids, params))
    for column, low, high, high_inclusive in (
        ("length", query.min_length_ms, query.max_length_ms, False),
        ("frequency", query.min_frequency, query.max_frequency, True),
        ("id", query.min_id, query.max_id, False),
        ("added", _ms(query.min_date), _ms(query.max_date), False),
    ):
        if low is not None:
            clauses.append(f"{column} >= ?")
            params.append(low)
        if high is not None:
            clauses.append(f"{column} {'<=' if high_inclusive else '<'} ?")
            params.append(high)
    if query.search:
        clauses.append("(filename LIKE ? ESCAPE '\\' OR label LIKE ? ESCAPE '\\')")
        params.extend([_like_pattern(query.search)] * 2)
    if query.data_type:
        clauses.append("kind = ?")
        params.append(query.data_type)
    if query.metadata or query.no_metadata:
        clauses.append(_metadata(query, params))
    return clauses, params


def category_and_labels(query: SampleQuery, *, own_labels: bool = False) -> tuple[list[str], list]:
    """SQL conditions for the category and label filters over ``samples``.

    A sample matches the label filter when one of its labels (see
    ``ei_desktop.core.labels.sample_labels``) is listed: its own label if it has no row in
    ``sample_labels``, else one of its rows there. With ``own_labels``, only the own label
    is tested: the same answer when no sample with rows in ``sample_labels`` has one of
    the labels there, and a plain index lookup (also over the columns of ``label_counts``).
    """
    clauses: list[str] = []
    params: list = []
    if query.category:
        clauses.append("category = ?")
        params.append(query.category)
    if query.labels and own_labels:
        clauses.append(in_values("label", query.labels, params))
    elif query.labels:
        own = in_values("label", query.labels, params)
        listed = in_values("label", query.labels, params)
        clauses.append(
            f"({own} AND id NOT IN (SELECT sample_id FROM sample_labels)"
            f" OR id IN (SELECT sample_id FROM sample_labels WHERE extra >= 0 AND {listed}))"
        )
    return clauses, params


def order(query: SampleQuery) -> str:
    """``ORDER BY`` terms of the query: its sort key, then id in the same direction."""
    direction = "DESC" if query.descending else "ASC"
    column = SORT_COLUMNS[query.sort]
    if column == "id":
        return f"id {direction}"
    return f"{column} {direction}, id {direction}"


def _metadata(query: SampleQuery, params: list) -> str:
    terms = [_metadata_term(f, params) for f in query.metadata]
    joined = f" {'OR' if query.metadata_any else 'AND'} ".join(terms)
    if query.no_metadata:
        return f"(metadata IS NULL OR ({joined}))" if terms else "metadata IS NULL"
    return f"({joined})"


def _metadata_term(condition: MetadataFilter, params: list) -> str:
    test = "EXISTS (SELECT 1 FROM json_each(metadata) WHERE key = ?"
    params.append(condition.key)
    if condition.values:
        test += f" AND value IN ({','.join('?' * len(condition.values))})"
        params.extend(condition.values)
    test += ")"
    return test if condition.op == "eq" else f"NOT {test}"


def in_values(column: str, values, params: list) -> str:
    """``column IN (…)`` of ``values`` (their parameters appended to ``params``)."""
    if len(values) <= _INLINE_VALUES:
        params.extend(values)
        return f"{column} IN ({','.join('?' * len(values))})"
    params.append(json.dumps(list(values)))
    return f"{column} IN (SELECT value FROM json_each(?))"


def _ms(moment: Optional[datetime]) -> Optional[int]:
    return None if moment is None else int(round(moment.timestamp() * 1000))


def _fts_phrase(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'


def _like_pattern(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _sort_value(record: SampleRecord, key: str):
    if key == "length":
        return record.length_ms
    if key == "frequency":
        return record.frequency_hz
    if key == "added":
        return int(round(record.added.timestamp() * 1000))
    return getattr(record, key)
