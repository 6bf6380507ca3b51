"""Curation of a local project: edits by selection, crop, split, summary, history and undo.

Mixed into :class:`~ei_desktop.core.backends.local.LocalBackend`. Each change is one write
transaction: the rows it touches are recorded in the history (``local_history``) and changed
with one statement, so a change over 100,000 samples is all done or not done at all, and
undoes as one step.
"""

from __future__ import annotations

import getpass
import json
import os
import sqlite3
from collections.abc import Sequence
from typing import TYPE_CHECKING, Optional

from ei_desktop.core import formats
from ei_desktop.core.backends import local_content as content
from ei_desktop.core.backends import local_history as history
from ei_desktop.core.backends import local_query as sql
from ei_desktop.core.backends import local_rows
from ei_desktop.core.backends.base import BackendError, SampleQuery, SampleRecord, UploadItem
from ei_desktop.core.backends.local_edits import column_change
from ei_desktop.core.edits import (
    Change,
    ChangeSet,
    Delete,
    EditResult,
    InvalidEditError,
    LabelTotals,
    Rename,
    SetStructuredLabels,
    Summary,
)
from ei_desktop.core.formats.slices import slice_file, slice_structured_labels
from ei_desktop.core.labels import LabelError, normalize_structured_labels, summary_label
from ei_desktop.core.splitting import (
    SplitOptions,
    SplitResult,
    SplitSample,
    plan_split,
    split_counts,
)

if TYPE_CHECKING:
    from ei_desktop.core.backends.local import LocalBackend

#: kinds whose values can be cropped and split
_CUTTABLE = (formats.TIMESERIES, formats.AUDIO)


def default_actor() -> str:
    """Who changes made in this process are recorded as: the user's login name."""
    try:
        return getpass.getuser()
    except (OSError, KeyError, ImportError):
        return "unknown"


class LocalCuration:
    """The curation half of the Backend protocol over SQLite (see the module docstring)."""

    #: who this backend's changes are recorded as (``serve`` sets its own)
    actor: str = default_actor()

    # -- edits -------------------------------------------------------------------------------

    def edit(self: LocalBackend, selection: SampleQuery, change: Change) -> EditResult:
        """Apply ``change`` to the selected samples in one transaction; see ``Backend.edit``."""
        if isinstance(change, Delete):
            return self._delete_selected(selection)
        if isinstance(change, SetStructuredLabels):
            return self._set_structured_labels(selection, change)
        spec = column_change(change)
        where, params = sql.where(selection)
        condition = f"{where} AND ({spec.differs})" if where else f"WHERE ({spec.differs})"
        whole = not history.column_kind(spec.kind)
        source = "sample_rows" if whole else "samples"
        with self._write_transaction("change samples") as conn:
            matched = self.count(selection) if selection.simple else _count(conn, where, params)
            if isinstance(change, Rename) and matched > 1:
                raise InvalidEditError(f"Rename one sample at a time ({matched} are selected)")
            change_id = history.begin(conn, self.actor, spec.kind, spec.detail)
            selected = [*params, *spec.differs_params]
            if history.grouped(spec.kind) and spec.table == "samples":
                changed = history.record_groups(conn, change_id, spec.kind, condition, selected)
                if changed:  # the same condition in the same transaction: the same samples
                    conn.execute(
                        f"UPDATE samples SET {spec.assignments} {condition}",
                        [*spec.params, *selected],
                    )
                    history.move_totals(conn, change_id, spec.totals or {}, groups=True)
            else:
                changed = history.record_rows(
                    conn, change_id, condition, selected, source=source, whole=whole
                )
                if changed:
                    ids = history.touched(change_id)
                    conn.execute(
                        f"UPDATE {spec.table} SET {spec.assignments} WHERE id IN ({ids})",
                        spec.params,
                    )
                    if spec.totals is not None:
                        history.move_totals(conn, change_id, spec.totals)
            change_id, dropped = history.finish(conn, change_id, changed)
        self._forget(dropped)
        return EditResult(matched, changed, change_id)

    def _delete_selected(self: LocalBackend, selection: SampleQuery) -> EditResult:
        where, params = sql.where(selection)
        deleted, change_id = self._delete_journaled(where, params)
        return EditResult(len(deleted), len(deleted), change_id)

    def _delete_journaled(
        self: LocalBackend, where: str, params: Sequence
    ) -> tuple[list[int], Optional[int]]:
        """Delete the samples ``where`` selects as one history entry; their content stays
        while the history needs it. Returns the deleted ids and the entry.
        """
        with self._write_transaction("delete from the project database") as conn:
            change_id = history.begin(conn, self.actor, "delete", {})
            history.record_rows(conn, change_id, where, params)
            rows = conn.execute(
                f"DELETE FROM samples WHERE id IN ({history.touched(change_id)}) RETURNING id"
            ).fetchall()
            change_id, dropped = history.finish(conn, change_id, len(rows))
        self._forget(dropped)
        return [row[0] for row in rows], change_id

    def _set_structured_labels(
        self: LocalBackend, selection: SampleQuery, change: SetStructuredLabels
    ) -> EditResult:
        where, params = sql.where(selection)
        with self._write_transaction("change samples") as conn:
            rows = conn.execute(
                f"SELECT id, values_count FROM sample_rows {where} LIMIT 2", params
            ).fetchall()
            if len(rows) > 1:
                raise InvalidEditError("Set label segments on one sample at a time")
            if not rows:
                return EditResult(0, 0)
            sample_id, values_count = rows[0]
            try:
                segments = normalize_structured_labels(change.labels, values_count)
            except (LabelError, ValueError) as exc:
                raise InvalidEditError(str(exc)) from None
            label = summary_label(segments) or ""
            change_id = history.begin(conn, self.actor, "structured-labels", {})
            history.record_rows(conn, change_id, "WHERE id = ?", [sample_id], whole=False)
            ids = history.touched(change_id)
            history.update_totals(conn, ids, -1)
            conn.execute(
                "UPDATE samples SET structured_labels = ?, label = ? WHERE id = ?",
                (None if segments is None else json.dumps(segments), label, sample_id),
            )
            history.update_totals(conn, ids, +1)
            change_id, dropped = history.finish(conn, change_id, 1)
        self._forget(dropped)
        return EditResult(1, 1, change_id)

    # -- content changes ---------------------------------------------------------------------

    def crop(self: LocalBackend, sample_id: int, start: int, end: int) -> EditResult:
        """Keep values ``start`` up to but not including ``end``; see ``Backend.crop``."""
        record = self.get_sample(sample_id)
        if record is None:
            return EditResult(0, 0)
        _check_range(record, start, end)
        if (start, end) == (0, record.values_count):
            return EditResult(1, 0)
        prepared = self._prepared_slice(record, start, end, naming_stem=_stem(record))
        with self._write_transaction("save the cropped sample") as conn:
            self._ensure_blob(conn, prepared)
            change_id = history.begin(conn, self.actor, "crop", {"start": start, "end": end})
            if not history.record_rows(conn, change_id, "WHERE id = ?", [record.id]):
                raise InvalidEditError(f"Sample {record.id} was deleted meanwhile")
            row = local_rows.replace(
                self._row_of(prepared, record), id=record.id, filename=record.filename
            )
            conn.execute("DELETE FROM samples WHERE id = ?", (record.id,))
            local_rows.insert(conn, [row])
            change_id, dropped = history.finish(conn, change_id, 1)
        self._forget(dropped)
        return EditResult(1, 1, change_id)

    def segment(
        self: LocalBackend, sample_id: int, segments_ms: Sequence[tuple[float, float]]
    ) -> EditResult:
        """Split a sample into segments; see ``Backend.segment``."""
        record = self.get_sample(sample_id)
        if record is None:
            return EditResult(0, 0)
        if not segments_ms:
            raise InvalidEditError("Give at least one segment")
        ranges = [_indices(record, start_ms, end_ms) for start_ms, end_ms in segments_ms]
        prepared = [
            self._prepared_slice(record, start, end, naming_stem=f"{record.filename}.s{n}")
            for n, (start, end) in enumerate(ranges, 1)
        ]
        with self._write_transaction("save the segments") as conn:
            for p in prepared:
                self._ensure_blob(conn, p)
            change_id = history.begin(
                conn, self.actor, "segment", {"segments": len(ranges), "of": record.filename}
            )
            if not history.record_rows(conn, change_id, "WHERE id = ?", [record.id]):
                raise InvalidEditError(f"Sample {record.id} was deleted meanwhile")
            created = local_rows.insert(conn, [self._row_of(p, record) for p in prepared])
            history.record_created(conn, change_id, created)
            conn.execute("DELETE FROM samples WHERE id = ?", (record.id,))
            change_id, dropped = history.finish(conn, change_id, 1 + len(created))
        self._forget(dropped)
        return EditResult(1, 1, change_id, created=created)

    def _prepared_slice(
        self: LocalBackend, record: SampleRecord, start: int, end: int, *, naming_stem: str
    ):
        data = self._read_blob(record)
        values = None
        if record.kind != formats.AUDIO:
            values = formats.parse(record.upload_name, data, with_values=True).values
        try:
            ext, content = slice_file(
                record.kind,
                data,
                values=values,
                sensors=record.sensors,
                interval_ms=record.interval_ms,
                device_type=record.device_type,
                device_name=record.device_name,
                start=start,
                end=end,
            )
        except formats.FormatError as exc:
            raise InvalidEditError(str(exc)) from None
        item = UploadItem(
            filename=naming_stem + ext,
            source=content,
            category=record.category,
            label=record.label,
            metadata=record.metadata,
            structured_labels=slice_structured_labels(record.structured_labels, start, end),
        )
        prepared = self._prepare(item, None)
        if prepared.error is not None:
            raise BackendError(
                f"Cannot store the new content of sample {record.id}: {prepared.error}"
            )
        return prepared

    def _row_of(self: LocalBackend, prepared, record: SampleRecord) -> tuple:
        """The row of new content for ``record``: its content columns, the rest kept."""
        added = int(round(record.added.timestamp() * 1000))
        row = local_rows.row(prepared, record.category, added)
        return local_rows.replace(row, disabled=int(record.disabled))

    def _ensure_blob(self: LocalBackend, conn, prepared) -> None:
        """In the write transaction that commits the row: the content is stored (in the
        database with the row, or as a file on disk: a clean may have removed it).
        """
        if prepared.blob_dir is None:
            content.store(conn, [(prepared.sha256, prepared.data)])
        elif not self._files.exists(prepared.sha256):
            self._files.make_durable([self._files.write(prepared.sha256, prepared.data)])
        else:
            self._files.make_durable({prepared.blob_dir})

    # -- splits ------------------------------------------------------------------------------

    def split(self: LocalBackend, options: SplitOptions, *, dry_run: bool = False) -> SplitResult:
        """Divide training, testing and validation as ``options`` ask; see ``Backend.split``.

        The plan is made from one consistent read, then the samples that move are changed in
        one transaction (a sample changed meanwhile by another process keeps that change's
        category only if it left the split categories).
        """
        condition = "category IN ('training', 'testing', 'validation')"
        if options.exclude_disabled:
            condition += " AND disabled = 0"
        rows = self._all(
            f"SELECT id, label, category, length, metadata FROM samples WHERE {condition}"
        )
        samples = [
            SplitSample(i, label, category, length, None if meta is None else json.loads(meta))
            for i, label, category, length, meta in rows
        ]
        assignment = plan_split(samples, options)
        counts = split_counts(samples, assignment, options)
        moves = [(s.id, assignment[s.id]) for s in samples if assignment[s.id] != s.category]
        if dry_run or not moves:
            return SplitResult(len(moves), counts)
        with self._write_transaction("split the dataset") as conn:
            conn.execute(
                "CREATE TEMP TABLE IF NOT EXISTS split_moves"
                " (id INTEGER PRIMARY KEY, category TEXT NOT NULL)"
            )
            conn.execute("DELETE FROM temp.split_moves")
            conn.executemany("INSERT INTO temp.split_moves VALUES (?, ?)", moves)
            change_id = history.begin(conn, self.actor, "split", {"moved": len(moves)})
            where = (
                "WHERE id IN (SELECT id FROM temp.split_moves)"
                " AND category IN ('training', 'testing', 'validation')"
            )
            changed = history.record_rows(conn, change_id, where, [], source="samples", whole=False)
            ids = history.touched(change_id)
            history.update_totals(conn, ids, -1)
            conn.execute(
                "UPDATE samples SET category = m.category FROM temp.split_moves AS m"
                f" WHERE m.id = samples.id AND samples.id IN ({ids})"
            )
            history.update_totals(conn, ids, +1)
            conn.execute("DELETE FROM temp.split_moves")
            change_id, dropped = history.finish(conn, change_id, changed)
        self._forget(dropped)
        return SplitResult(changed, counts, change_id)

    # -- summaries ---------------------------------------------------------------------------

    def summary(self: LocalBackend) -> Summary:
        """Counts and durations per (category, label), kept by triggers: one small read."""
        rows = self._all("SELECT category, label, n, disabled, duration FROM label_counts")
        return Summary([LabelTotals(*row) for row in rows if row[2] > 0])

    def metadata_values(self: LocalBackend) -> dict[str, list[str]]:
        """Every metadata key with its distinct values."""
        rows = self._all(
            "SELECT DISTINCT j.key, j.value FROM samples, json_each(samples.metadata) AS j"
            " WHERE samples.metadata IS NOT NULL"
        )
        values: dict[str, set[str]] = {}
        for key, value in rows:
            values.setdefault(str(key), set()).add(str(value))
        return {key: sorted(found) for key, found in sorted(values.items())}

    # -- history -----------------------------------------------------------------------------

    def history(self: LocalBackend, limit: int = 50) -> list[ChangeSet]:
        """The latest changes, newest first."""
        with self._read() as conn:
            return history.entries(conn, limit)

    def undo(self: LocalBackend) -> ChangeSet:
        """Revert the latest change as one step; see ``Backend.undo``."""
        with self._write_transaction("undo the last change") as conn:
            return history.undo(conn)

    def redo(self: LocalBackend) -> ChangeSet:
        """Apply the change undone last again; see ``Backend.redo``."""
        with self._write_transaction("redo the change") as conn:
            return history.redo(conn)

    def forget_history(self: LocalBackend) -> int:
        """Drop the whole history (nothing can be undone afterwards) and the content only it
        kept: deleted samples, the originals of cropped ones. Returns the entries dropped.
        """
        with self._write_transaction("forget the history") as conn:
            count = conn.execute("SELECT count(*) FROM changes").fetchone()[0]
            dropped = history.drop_all(conn)
        self._forget(dropped)
        return int(count)

    def _forget(self: LocalBackend, hashes: list[str]) -> None:
        """Remove content only dropped history entries needed (after their commit)."""
        if hashes:
            try:
                self._remove_unreferenced(hashes)
            except BackendError:
                pass  # left for clean(); the change itself is committed


def _count(conn: sqlite3.Connection, where: str, params: Sequence) -> int:
    statement = f"SELECT count(*) FROM samples {where}"
    return int(conn.execute(statement, list(params)).fetchone()[0])


def _stem(record: SampleRecord) -> str:
    return os.path.splitext(record.upload_name)[0] if record.upload_name else record.filename


def _check_range(record: SampleRecord, start: int, end: int) -> None:
    if record.kind not in _CUTTABLE:
        raise InvalidEditError(
            f"Only time series and audio can be cut; sample {record.id} is {record.kind}"
        )
    count = record.values_count
    if not (0 <= start < end <= count):
        raise InvalidEditError(
            f"Cannot keep values {start} to {end} of sample {record.id}: it has {count} values "
            f"(0 <= start < end <= {count})"
        )


def _indices(record: SampleRecord, start_ms: float, end_ms: float) -> tuple[int, int]:
    if record.kind not in _CUTTABLE or record.interval_ms <= 0:
        raise InvalidEditError(
            f"Only time series and audio can be split; sample {record.id} is {record.kind}"
        )
    start = int(round(float(start_ms) / record.interval_ms))
    end = int(round(float(end_ms) / record.interval_ms))
    length = record.length_ms
    if not (0 <= start < end <= record.values_count):
        raise InvalidEditError(
            f"Segment {start_ms:g}–{end_ms:g} ms is empty or outside sample {record.id} "
            f"(0–{length:g} ms)"
        )
    return start, end
