"""Sample rows of a local project: built from a prepared upload, written to the two tables.

A row is a tuple in the order of :data:`COLUMNS` (the order of the ``sample_rows`` view);
its first value is the id, ``None`` for a new sample.
"""

from __future__ import annotations

import json
import os
import sqlite3
from collections.abc import Sequence
from functools import lru_cache
from typing import TYPE_CHECKING, Optional

from ei_desktop.core import formats, naming
from ei_desktop.core.backends.local_schema import COLUMNS, CONTENT_COLUMNS, SAMPLE_COLUMNS

if TYPE_CHECKING:
    from ei_desktop.core.backends.local import _Prepared

#: column names, in row order
NAMES: tuple[str, ...] = tuple(name.strip() for name in COLUMNS.split(","))
_SAMPLE_AT = [NAMES.index(name) for name in SAMPLE_COLUMNS]
_CONTENT_AT = [NAMES.index(name) for name in CONTENT_COLUMNS]
_INSERT_SAMPLE = (
    f"INSERT INTO samples ({', '.join(SAMPLE_COLUMNS)})"
    f" VALUES ({', '.join('?' * len(SAMPLE_COLUMNS))})"
)
_INSERT_CONTENT = (
    f"INSERT INTO contents ({', '.join(CONTENT_COLUMNS)})"
    f" VALUES ({', '.join('?' * len(CONTENT_COLUMNS))})"
)


def _from_json(table: str, columns: Sequence[str]) -> str:
    """One ``INSERT … SELECT`` of every row of a JSON array of row arrays (the one
    parameter), in array order.
    """
    values = ", ".join(f"json_extract(value, '$[{i}]')" for i in range(len(columns)))
    return (
        f"INSERT INTO {table} ({', '.join(columns)}) SELECT {values} FROM json_each(?) ORDER BY key"
    )


_INSERT_SAMPLES = _from_json("samples", SAMPLE_COLUMNS)
_INSERT_CONTENTS = _from_json("contents", CONTENT_COLUMNS)


def row(p: _Prepared, category: str, added_ms: int, tag: Optional[str] = None) -> tuple:
    """The row of a new sample (id ``None``, enabled) for a prepared item in ``category``
    (``tag``: its cold-storage tag, else a new one).
    """
    parsed = p.parsed
    assert parsed is not None
    ext = formats.extension_of(p.item.filename)
    stored_ext = ".json" if parsed.kind in (formats.TIMESERIES, formats.TABLE) else ext
    timed = parsed.kind in (formats.TIMESERIES, formats.AUDIO)
    return (
        None,
        naming.stored_name(p.item.filename),
        os.path.basename(p.item.filename.replace("\\", "/")),
        category,
        p.label,
        parsed.kind,
        p.sha256,
        len(p.data),
        float(parsed.interval_ms),
        int(parsed.values_count),
        float(parsed.interval_ms * parsed.values_count) if timed else 0.0,
        float(parsed.frequency_hz),
        _sensors_json(tuple((s.name, s.units) for s in parsed.sensors)),
        parsed.device_type,
        parsed.device_name,
        parsed.width,
        parsed.height,
        None if p.metadata is None else json.dumps(p.metadata),
        None if p.bounding_boxes is None else json.dumps(p.bounding_boxes),
        None if p.structured_labels is None else json.dumps(p.structured_labels),
        tag or naming.new_tag(),
        stored_ext,
        added_ms,
        0,
    )


@lru_cache(maxsize=256)
def _sensors_json(sensors: tuple[tuple[str, str], ...]) -> str:
    # the samples of one upload mostly share a handful of sensor layouts: encode each once
    return json.dumps([{"name": name, "units": units} for name, units in sensors])


def replace(values: tuple, **changes) -> tuple:
    """``values`` with some columns changed by name."""
    out = list(values)
    for name, value in changes.items():
        out[NAMES.index(name)] = value
    return tuple(out)


def insert(conn: sqlite3.Connection, rows: Sequence[tuple]) -> list[int]:
    """Write rows to ``samples`` and ``contents``; returns their ids in order.

    Either every row has its id (restoring) or none has (new samples: SQLite numbers them,
    consecutively within one statement of one write transaction).
    """
    if not rows:
        return []
    with_ids = rows[0][0] is not None
    assert all((r[0] is not None) == with_ids for r in rows), "mixed new and kept ids"
    samples = [[r[i] for i in _SAMPLE_AT] for r in rows]
    if with_ids:  # restored rows go back bit for bit, floats included
        conn.executemany(_INSERT_SAMPLE, samples)
    else:
        insert_all(conn, _INSERT_SAMPLES, _INSERT_SAMPLE, samples)
    if with_ids:
        ids = [int(r[0]) for r in rows]
    else:
        last = conn.execute("SELECT last_insert_rowid()").fetchone()[0]
        ids = list(range(last - len(rows) + 1, last + 1))
    contents = [[sample_id, *(r[i] for i in _CONTENT_AT[1:])] for sample_id, r in zip(ids, rows)]
    if with_ids:
        conn.executemany(_INSERT_CONTENT, contents)
    else:
        insert_all(conn, _INSERT_CONTENTS, _INSERT_CONTENT, contents)
    return ids


def insert_all(
    conn: sqlite3.Connection, from_json: str, per_row: str, rows: Sequence[Sequence]
) -> None:
    """Insert ``rows`` with one statement (``from_json`` takes them as one JSON array), or
    row by row with ``per_row`` when a value has no JSON form SQLite reads back the same (a
    blob, a NaN, a NUL character).

    One statement, not ``executemany``: each row of that is a statement of its own, and
    the name index (FTS5) writes its pending terms at every statement's end, so ``samples``
    rows cost about four times as much; and each row would release and retake the GIL,
    which a thread preparing the next chunk holds for up to a switch interval each time.
    """
    try:
        encoded = json.dumps(rows, ensure_ascii=False, allow_nan=False)
    except (TypeError, ValueError):
        encoded = ""
    if not encoded or "\\u0000" in encoded:
        conn.executemany(per_row, rows)
        return
    conn.execute(from_json, (encoded,))
