"""The history of a local project: every change, with images of the rows it touched.

A change records each sample it touches as it was before (``side 0``; ``present = 0`` for a
sample it created). Undoing first records the samples as they are now (``side 1``), then puts
the before images back; redoing puts the after images back. Images keep the content hash, so
content that the history still needs is never garbage (see ``LocalBackend.clean``): a cropped
sample's original, a deleted sample's file. The oldest entries are dropped past
:data:`HISTORY_LIMIT`, and redoable entries when a new change is made.

Every function here runs inside the caller's write transaction.
"""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Sequence
from datetime import datetime, timezone
from typing import Optional

from ei_desktop.core.backends.local_schema import COLUMNS, CONTENT_COLUMNS, SAMPLE_COLUMNS
from ei_desktop.core.edit_rules import describe
from ei_desktop.core.edits import ChangeSet, NothingToUndo

#: changes kept; older ones (and the content only they refer to) are dropped
HISTORY_LIMIT = 100

BEFORE, AFTER = 0, 1


def begin(conn: sqlite3.Connection, who: str, kind: str, detail: dict) -> int:
    """Open a history entry; returns its id."""
    cursor = conn.execute(
        "INSERT INTO changes (at, who, kind, detail) VALUES (?, ?, ?, ?)",
        (int(time.time() * 1000), who, kind, json.dumps(detail)),
    )
    return int(cursor.lastrowid)


def record_rows(
    conn: sqlite3.Connection,
    change_id: int,
    condition: str,
    params: Sequence,
    *,
    source: str = "sample_rows",
    whole: bool = True,
) -> int:
    """Record the before images of the samples matching ``condition`` (a ``WHERE`` clause
    over ``source``): whole rows (from ``sample_rows``), or only the columns of ``samples``
    for a change of those (``whole=False``; ``source`` may then be ``samples``). Returns how
    many.
    """
    columns = COLUMNS if whole else _recorded_columns(_kind(conn, change_id))
    source = "sample_rows" if whole else source
    cursor = conn.execute(
        f"INSERT INTO change_rows (change_id, side, present, {columns})"
        f" SELECT ?, {BEFORE}, 1, {columns} FROM {source} {condition}",
        (change_id, *params),
    )
    return cursor.rowcount


def record_groups(
    conn: sqlite3.Connection, change_id: int, kind: str, condition: str, params: Sequence
) -> int:
    """Record the before state of the samples of ``samples`` matching ``condition`` for a
    change of ``kind`` that :func:`grouped`: one row per group of samples with the same
    values. Returns how many samples.
    """
    _record_groups(conn, change_id, kind, BEFORE, f"samples {condition}", params)
    row = conn.execute(
        f"SELECT coalesce(sum(n), 0) FROM change_groups WHERE change_id = ? AND side = {BEFORE}",
        (change_id,),
    ).fetchone()
    return int(row[0])


def grouped(kind: str) -> bool:
    """True for the kinds of change recorded as groups (see ``change_groups`` in the schema):
    they give every sample one value, so few samples differ in the columns recorded.
    """
    return kind in _GROUP_COLUMNS


def record_created(conn: sqlite3.Connection, change_id: int, ids: Sequence[int]) -> None:
    """Record that the samples ``ids`` did not exist before the change (one statement: see
    :func:`ei_desktop.core.backends.local_rows.insert_all`).
    """
    conn.execute(
        "INSERT INTO change_rows (change_id, side, present, id)"
        f" SELECT ?, {BEFORE}, 0, value FROM json_each(?) ORDER BY key",
        (change_id, json.dumps([int(i) for i in ids])),
    )


def touched(change_id: int) -> str:
    """A subquery of the ids of the samples a change touched."""
    return f"SELECT id FROM change_rows WHERE change_id = {int(change_id)} AND side = {BEFORE}"


def finish(
    conn: sqlite3.Connection, change_id: int, samples: int
) -> tuple[Optional[int], list[str]]:
    """Add ``samples`` to the entry's count of samples it touched, or remove an entry that
    touched none. A change that did something makes the undone entries unredoable, and the
    oldest go past :data:`HISTORY_LIMIT`: they are dropped.

    Returns:
        The entry's id (``None`` when it was removed), and the content hashes the dropped
        entries referred to (candidates for garbage once the transaction commits).
    """
    if samples == 0:
        _drop(conn, "id = ? AND samples = 0", (change_id,))
        exists = conn.execute("SELECT 1 FROM changes WHERE id = ?", (change_id,)).fetchone()
        return (change_id if exists else None), []
    conn.execute("UPDATE changes SET samples = samples + ? WHERE id = ?", (int(samples), change_id))
    dropped = _drop(conn, "undone = 1 AND id < ?", (change_id,))
    dropped += _drop(conn, "id <= ?", (change_id - HISTORY_LIMIT,))
    return change_id, dropped


def undo(conn: sqlite3.Connection) -> ChangeSet:
    """Put back the before images of the latest change that is not undone."""
    row = conn.execute(
        "SELECT id FROM changes WHERE undone = 0 ORDER BY id DESC LIMIT 1"
    ).fetchone()
    if row is None:
        raise NothingToUndo("There is nothing to undo.")
    change_id = row[0]
    kind = _kind(conn, change_id)
    if _has_groups(conn, change_id):
        conn.execute(
            "DELETE FROM change_groups WHERE change_id = ? AND side = ?", (change_id, AFTER)
        )
        _record_groups(
            conn,
            change_id,
            kind,
            AFTER,
            f"samples WHERE id IN (SELECT sample_id FROM ({_group_ids(change_id)}))",
            (),
        )
        _restore_groups(conn, change_id, kind, BEFORE)
        conn.execute("UPDATE changes SET undone = 1 WHERE id = ?", (change_id,))
        return _entry(conn, change_id)
    conn.execute("DELETE FROM change_rows WHERE change_id = ? AND side = ?", (change_id, AFTER))
    in_place = kind in _COLUMN_KINDS
    columns = _recorded_columns(kind) if in_place else COLUMNS
    source = "samples" if in_place else "sample_rows"
    conn.execute(
        f"INSERT INTO change_rows (change_id, side, present, {columns})"
        f" SELECT ?, {AFTER}, 1, {columns} FROM {source} WHERE id IN ({touched(change_id)})",
        (change_id,),
    )
    conn.execute(
        f"INSERT INTO change_rows (change_id, side, present, id)"
        f" SELECT ?, {AFTER}, 0, id FROM change_rows WHERE change_id = ? AND side = {BEFORE}"
        " AND id NOT IN (SELECT id FROM samples)",
        (change_id, change_id),
    )
    _restore(conn, change_id, BEFORE)
    conn.execute("UPDATE changes SET undone = 1 WHERE id = ?", (change_id,))
    return _entry(conn, change_id)


def redo(conn: sqlite3.Connection) -> ChangeSet:
    """Put back the after images of the change undone last."""
    latest_done = conn.execute("SELECT coalesce(max(id), 0) FROM changes WHERE undone = 0")
    row = conn.execute(
        "SELECT id FROM changes WHERE undone = 1 AND id > ? ORDER BY id LIMIT 1",
        (latest_done.fetchone()[0],),
    ).fetchone()
    if row is None:
        raise NothingToUndo("There is nothing to redo.")
    change_id = row[0]
    if _has_groups(conn, change_id):
        _restore_groups(conn, change_id, _kind(conn, change_id), AFTER)
    else:
        _restore(conn, change_id, AFTER)
    conn.execute("UPDATE changes SET undone = 0 WHERE id = ?", (change_id,))
    return _entry(conn, change_id)


def entries(conn: sqlite3.Connection, limit: int) -> list[ChangeSet]:
    """The latest ``limit`` entries, newest first."""
    rows = conn.execute(
        "SELECT id, at, who, kind, detail, samples, undone FROM changes ORDER BY id DESC LIMIT ?",
        (int(limit),),
    ).fetchall()
    return [_change_set(row) for row in rows]


def referenced(conn: sqlite3.Connection, hashes: Sequence[str]) -> set[str]:
    """Those of ``hashes`` that some history image refers to."""
    if not hashes:
        return set()
    rows = conn.execute(
        f"SELECT DISTINCT sha256 FROM change_rows WHERE sha256 IN ({','.join('?' * len(hashes))})",
        list(hashes),
    )
    return {row[0] for row in rows}


def update_totals(conn: sqlite3.Connection, ids: str, sign: int) -> None:
    """Take the samples ``ids`` (a subquery) out of the per-label totals (``sign`` -1), or
    put them in (+1): around an ``UPDATE`` of category, label, disabled or length.
    """
    conn.execute(
        "INSERT INTO label_counts (category, label, n, disabled, duration)"
        f" SELECT category, label, {sign} * count(*), {sign} * sum(disabled),"
        f" {sign} * sum(CASE WHEN disabled THEN 0 ELSE length END)"
        f" FROM samples WHERE id IN ({ids}) GROUP BY category, label"
        " ON CONFLICT (category, label) DO UPDATE SET n = n + excluded.n,"
        " disabled = disabled + excluded.disabled, duration = duration + excluded.duration"
    )
    if sign < 0:
        conn.execute("DELETE FROM label_counts WHERE n <= 0")


def move_totals(
    conn: sqlite3.Connection, change_id: int, new: dict, *, groups: bool = False
) -> None:
    """Move the samples a change recorded from their old per-label totals to those of their
    new values: ``new`` maps ``category``, ``label`` or ``disabled`` to the one value the
    change gave every sample. Reads the recorded images (or ``groups``) once, no lookups in
    ``samples``.
    """
    table, count = ("change_groups", "sum(n)") if groups else ("change_rows", "count(*)")
    category = ":category" if "category" in new else "category"
    label = ":label" if "label" in new else "label"
    disabled = ":disabled" if "disabled" in new else "disabled"
    conn.execute(
        f"WITH old AS MATERIALIZED (SELECT category, label, disabled, {count} AS n,"
        f" total(length) AS duration FROM {table} WHERE change_id = :change"
        f" AND side = {BEFORE}"
        " GROUP BY category, label, disabled)"
        " INSERT INTO label_counts (category, label, n, disabled, duration)"
        " SELECT * FROM (SELECT category, label, -n, -disabled * n,"
        " CASE WHEN disabled THEN 0 ELSE -duration END FROM old"
        f" UNION ALL SELECT {category}, {label}, n, {disabled} * n,"
        f" CASE WHEN {disabled} THEN 0 ELSE duration END FROM old) WHERE true"
        " ON CONFLICT (category, label) DO UPDATE SET n = n + excluded.n,"
        " disabled = disabled + excluded.disabled,"
        " duration = duration + excluded.duration",
        {"category": None, "label": None, "disabled": None, **new, "change": int(change_id)},
    )
    conn.execute("DELETE FROM label_counts WHERE n <= 0")


def _shift_totals(
    conn: sqlite3.Connection, change_id: int, leaving: int, arriving: int, groups: bool = False
) -> None:
    """Move a change's samples from the per-label totals of their ``leaving`` images (what
    the samples are now) to those of their ``arriving`` images, reading only the images
    (or the ``groups``).
    """
    if groups:
        source = "sum(n) AS n, total(length) AS duration FROM change_groups WHERE"
    else:
        source = "count(*) AS n, total(length) AS duration FROM change_rows WHERE present = 1 AND"
    conn.execute(
        "WITH image AS MATERIALIZED (SELECT side, category, label, disabled,"
        f" {source} change_id = :change AND side IN (:leaving, :arriving)"
        " GROUP BY side, category, label, disabled)"
        " INSERT INTO label_counts (category, label, n, disabled, duration)"
        " SELECT category, label, sign * n, sign * disabled * n,"
        " CASE WHEN disabled THEN 0 ELSE sign * duration END"
        " FROM (SELECT *, CASE WHEN side = :leaving THEN -1 ELSE 1 END AS sign FROM image)"
        " WHERE true"
        " ON CONFLICT (category, label) DO UPDATE SET n = n + excluded.n,"
        " disabled = disabled + excluded.disabled, duration = duration + excluded.duration",
        {"change": int(change_id), "leaving": leaving, "arriving": arriving},
    )
    conn.execute("DELETE FROM label_counts WHERE n <= 0")


def drop_all(conn: sqlite3.Connection) -> list[str]:
    """Drop every entry; returns the content hashes they referred to."""
    return _drop(conn, "1")


#: kinds that change only these columns: undone and redone in place
#: the kinds of change that only set columns of ``samples``, and those columns: they are
#: recorded, undone and redone as these columns alone
_COLUMNS_OF_KIND = {
    "label": ("label", "structured_labels"),
    "structured-labels": ("label", "structured_labels"),
    "move": ("category",),
    "split": ("category",),
    "rename": ("filename",),
    "metadata": ("metadata",),
    "metadata-add": ("metadata",),
    "metadata-remove": ("metadata",),
    "metadata-clear": ("metadata",),
    "enable": ("disabled",),
    "disable": ("disabled",),
}
_COLUMN_KINDS = set(_COLUMNS_OF_KIND)
#: the kinds recorded as groups (see :func:`grouped`), and the columns of a group: those the
#: change sets and those the per-label totals are moved by (grouped in this order: the
#: columns cheapest to compare first make the grouping's sort of 100,000 samples faster)
_GROUP_COLUMNS = {
    "label": ("disabled", "structured_labels", "category", "label"),
    "move": ("disabled", "category", "label"),
    "enable": ("disabled", "category", "label"),
    "disable": ("disabled", "category", "label"),
}
#: the kinds of change that move samples between per-label totals
_COUNTED_KINDS = {"label", "move", "split", "enable", "disable", "structured-labels"}


def changes_totals(kind: str) -> bool:
    """True when a change of this kind can move samples between per-label totals."""
    return kind in _COUNTED_KINDS


def column_kind(kind: str) -> bool:
    """True for the kinds of change that only rewrite columns of ``samples`` (recorded and
    restored as those columns only).
    """
    return kind in _COLUMN_KINDS


def _recorded_columns(kind: str) -> str:
    """The columns an in-place change of ``kind`` records: the ones it sets, and those the
    per-label totals are moved by (a narrow image is less to write for a large change).
    """
    columns = ["id", *_COLUMNS_OF_KIND[kind]]
    if kind in _COUNTED_KINDS:
        columns += ["category", "label", "disabled", "length"]
    return ", ".join(dict.fromkeys(columns))


def _kind(conn: sqlite3.Connection, change_id: int) -> str:
    return conn.execute("SELECT kind FROM changes WHERE id = ?", (change_id,)).fetchone()[0]


def _has_groups(conn: sqlite3.Connection, change_id: int) -> bool:
    row = conn.execute("SELECT 1 FROM change_groups WHERE change_id = ? LIMIT 1", (change_id,))
    return row.fetchone() is not None


def _group_ids(change_id: int, side: int = BEFORE) -> str:
    """A subquery of the ids of the samples in a change's groups of ``side``, and their
    group's values (``sample_id`` and the columns of ``change_groups``).
    """
    return (
        "SELECT j.value AS sample_id, g.* FROM change_groups AS g,"
        " json_each('[' || g.ids || ']') AS j"
        f" WHERE g.change_id = {int(change_id)} AND g.side = {int(side)}"
    )


def _record_groups(
    conn: sqlite3.Connection, change_id: int, kind: str, side: int, rows: str, params: Sequence
) -> None:
    """Record the samples ``rows`` selects (``table WHERE …``) as groups of ``side``."""
    names = ", ".join(_GROUP_COLUMNS[kind])
    conn.execute(
        f"INSERT INTO change_groups (change_id, side, {names}, n, length, ids)"
        f" SELECT ?, {int(side)}, {names}, count(*), total(length), group_concat(id)"
        f" FROM {rows} GROUP BY {names}",
        (change_id, *params),
    )


def _restore_groups(conn: sqlite3.Connection, change_id: int, kind: str, side: int) -> None:
    """Give the samples of a change the values of its groups of ``side``; the per-label
    totals move from the other side's groups (what the samples are now) to these.
    """
    _shift_totals(conn, change_id, AFTER if side == BEFORE else BEFORE, side, groups=True)
    assignments = ", ".join(f"{column} = image.{column}" for column in _COLUMNS_OF_KIND[kind])
    conn.execute(
        f"UPDATE samples SET {assignments} FROM ({_group_ids(change_id, side)}) AS image"
        " WHERE samples.id = image.sample_id"
    )


def _restore(conn: sqlite3.Connection, change_id: int, side: int) -> None:
    ids = touched(change_id)
    kind = _kind(conn, change_id)
    if kind in _COLUMN_KINDS:
        counted = changes_totals(kind)
        if counted and side == BEFORE:  # an undo: the after images were just taken
            _shift_totals(conn, change_id, AFTER, BEFORE)
        elif counted:
            update_totals(conn, ids, -1)
        columns = _COLUMNS_OF_KIND[kind]
        assignments = ", ".join(f"{column} = image.{column}" for column in columns)
        conn.execute(
            f"UPDATE samples SET {assignments} FROM change_rows AS image"
            " WHERE image.change_id = ? AND image.side = ? AND image.id = samples.id",
            (change_id, side),
        )
        if counted and side == AFTER:
            update_totals(conn, ids, +1)
        return
    conn.execute(f"DELETE FROM samples WHERE id IN ({ids})")  # and their contents
    for table, columns in (("samples", SAMPLE_COLUMNS), ("contents", CONTENT_COLUMNS)):
        names = ", ".join(columns)
        conn.execute(
            f"INSERT INTO {table} ({names}) SELECT {names} FROM change_rows"
            " WHERE change_id = ? AND side = ? AND present = 1 ORDER BY id",
            (change_id, side),
        )


def _drop(conn: sqlite3.Connection, condition: str, params: Sequence = ()) -> list[str]:
    doomed = f"SELECT id FROM changes WHERE {condition}"
    hashes = [
        row[0]
        for row in conn.execute(
            f"SELECT DISTINCT sha256 FROM change_rows WHERE change_id IN ({doomed})"
            " AND sha256 IS NOT NULL",
            params,
        )
    ]
    conn.execute(f"DELETE FROM change_rows WHERE change_id IN ({doomed})", params)
    conn.execute(f"DELETE FROM change_groups WHERE change_id IN ({doomed})", params)
    conn.execute(f"DELETE FROM changes WHERE {condition}", params)
    return hashes


def _entry(conn: sqlite3.Connection, change_id: int) -> ChangeSet:
    row = conn.execute(
        "SELECT id, at, who, kind, detail, samples, undone FROM changes WHERE id = ?",
        (change_id,),
    ).fetchone()
    return _change_set(row)


def _change_set(row: tuple) -> ChangeSet:
    change_id, at, who, kind, detail, samples, undone = row
    return ChangeSet(
        id=change_id,
        at=datetime.fromtimestamp(at / 1000, tz=timezone.utc),
        who=who,
        what=describe(kind, json.loads(detail), samples),
        samples=samples,
        undone=bool(undone),
    )
