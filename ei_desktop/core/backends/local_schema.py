"""The SQLite schema of a local project: one table of samples, indexes that match the
listing queries, a trigram index for name search, per-label totals kept by triggers, and the
history of changes (before and after images of the rows each change touched).
"""

from __future__ import annotations

SCHEMA_VERSION = 3

SCHEMA = """
CREATE TABLE IF NOT EXISTS project (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
) WITHOUT ROWID;

-- What a sample is listed, filtered and changed by: narrow rows, so that a change over
-- 100,000 samples rewrites few pages.
CREATE TABLE IF NOT EXISTS samples (
    id                INTEGER PRIMARY KEY AUTOINCREMENT,
    filename          TEXT    NOT NULL,
    category          TEXT    NOT NULL,
    label             TEXT    NOT NULL,
    disabled          INTEGER NOT NULL DEFAULT 0,
    kind              TEXT    NOT NULL,
    length            REAL    NOT NULL,
    size              INTEGER NOT NULL,
    frequency         REAL    NOT NULL,
    added             INTEGER NOT NULL,
    metadata          TEXT,
    structured_labels TEXT
);

-- What a sample holds, for previews and downloads; rewritten only when its content changes
-- (crop). Nothing lists, filters or sorts by these columns.
CREATE TABLE IF NOT EXISTS contents (
    id                INTEGER PRIMARY KEY REFERENCES samples (id) ON DELETE CASCADE,
    upload_name       TEXT    NOT NULL,
    sha256            TEXT    NOT NULL,
    interval_ms       REAL    NOT NULL,
    values_count      INTEGER NOT NULL,
    sensors           TEXT    NOT NULL,
    device_type       TEXT    NOT NULL,
    device_name       TEXT,
    width             INTEGER,
    height            INTEGER,
    bounding_boxes    TEXT,
    tag               TEXT    NOT NULL,
    stored_ext        TEXT    NOT NULL
);

-- Contents of at most local_content.INLINE_MAX bytes, by SHA-256 (larger ones are files
-- under blobs/). Written in the transaction of the rows that refer to them.
CREATE TABLE IF NOT EXISTS stored_content (
    sha256 TEXT PRIMARY KEY,
    data   BLOB NOT NULL
);

-- Every column of a sample, for reads of whole records.
CREATE VIEW IF NOT EXISTS sample_rows AS
SELECT s.id, s.filename, c.upload_name, s.category, s.label, s.kind, c.sha256, s.size,
       c.interval_ms, c.values_count, s.length, s.frequency, c.sensors, c.device_type,
       c.device_name, c.width, c.height, s.metadata, c.bounding_boxes, s.structured_labels,
       c.tag, c.stored_ext, s.added, s.disabled
FROM samples AS s JOIN contents AS c ON c.id = s.id;

-- Listing: category and label filters walk these in id order (keyset paging on id).
CREATE INDEX IF NOT EXISTS samples_category ON samples (category, id);
CREATE INDEX IF NOT EXISTS samples_category_label ON samples (category, label, id);
CREATE INDEX IF NOT EXISTS samples_label ON samples (label, id);
-- Sorting by a column: (column, id) gives a total order for keyset paging.
CREATE INDEX IF NOT EXISTS samples_filename ON samples (filename, id);
CREATE INDEX IF NOT EXISTS samples_length ON samples (length, id);
CREATE INDEX IF NOT EXISTS samples_kind ON samples (kind, id);
CREATE INDEX IF NOT EXISTS samples_size ON samples (size, id);
CREATE INDEX IF NOT EXISTS samples_frequency ON samples (frequency, id);
CREATE INDEX IF NOT EXISTS samples_added ON samples (added, id);
-- Duplicate detection and blob reference counting.
CREATE INDEX IF NOT EXISTS contents_sha256 ON contents (sha256);

-- Case-insensitive substring search on the stored name.
CREATE VIRTUAL TABLE IF NOT EXISTS samples_name USING fts5 (
    filename, content='samples', content_rowid='id', tokenize='trigram'
);

-- Per (category, label): samples, disabled samples and the duration of the enabled ones.
CREATE TABLE IF NOT EXISTS label_counts (
    category TEXT    NOT NULL,
    label    TEXT    NOT NULL,
    n        INTEGER NOT NULL,
    disabled INTEGER NOT NULL DEFAULT 0,
    duration REAL    NOT NULL DEFAULT 0,
    PRIMARY KEY (category, label)
) WITHOUT ROWID;

CREATE TRIGGER IF NOT EXISTS samples_after_insert AFTER INSERT ON samples BEGIN
    INSERT INTO samples_name (rowid, filename) VALUES (new.id, new.filename);
    INSERT INTO label_counts (category, label, n, disabled, duration)
        VALUES (new.category, new.label, 1, new.disabled,
                CASE WHEN new.disabled THEN 0 ELSE new.length END)
        ON CONFLICT (category, label) DO UPDATE SET
            n = n + 1, disabled = disabled + excluded.disabled,
            duration = duration + excluded.duration;
END;

CREATE TRIGGER IF NOT EXISTS samples_after_delete AFTER DELETE ON samples BEGIN
    INSERT INTO samples_name (samples_name, rowid, filename)
        VALUES ('delete', old.id, old.filename);
    UPDATE label_counts SET
        n = n - 1, disabled = disabled - old.disabled,
        duration = duration - CASE WHEN old.disabled THEN 0 ELSE old.length END
        WHERE category = old.category AND label = old.label;
    DELETE FROM label_counts WHERE category = old.category AND label = old.label AND n <= 0;
END;

CREATE TRIGGER IF NOT EXISTS samples_after_rename AFTER UPDATE OF filename ON samples BEGIN
    INSERT INTO samples_name (samples_name, rowid, filename)
        VALUES ('delete', old.id, old.filename);
    INSERT INTO samples_name (rowid, filename) VALUES (new.id, new.filename);
END;

-- The samples whose labels come from their structured labels or bounding boxes (see
-- derived_labels below) are counted and found under those labels: one row for each of
-- them (extra = 1, or 0 for the sample's own label, which label_counts counts already), and
-- one for its own label when that is not among them (extra = -1: not counted there).
-- Every other sample counts under its own label alone and has no row here.
CREATE TABLE IF NOT EXISTS sample_labels (
    sample_id INTEGER NOT NULL,
    label     TEXT    NOT NULL,
    category  TEXT    NOT NULL,
    extra     INTEGER NOT NULL,
    PRIMARY KEY (sample_id, label)
) WITHOUT ROWID;
-- The label filter and the test whether a label concerns such samples at all: by label.
CREATE INDEX IF NOT EXISTS sample_labels_label ON sample_labels (label, extra);

-- Per (category, label): how many more (or fewer) samples count under it than label_counts
-- says: the sum of sample_labels.extra.
CREATE TABLE IF NOT EXISTS label_extra (
    category TEXT    NOT NULL,
    label    TEXT    NOT NULL,
    n        INTEGER NOT NULL,
    PRIMARY KEY (category, label)
) WITHOUT ROWID;

CREATE TRIGGER IF NOT EXISTS sample_labels_after_insert AFTER INSERT ON sample_labels
WHEN new.extra != 0 BEGIN
    INSERT INTO label_extra (category, label, n)
        VALUES (new.category, new.label, new.extra)
        ON CONFLICT (category, label) DO UPDATE SET n = n + excluded.n;
    DELETE FROM label_extra WHERE category = new.category AND label = new.label AND n = 0;
END;

CREATE TRIGGER IF NOT EXISTS sample_labels_after_delete AFTER DELETE ON sample_labels
WHEN old.extra != 0 BEGIN
    INSERT INTO label_extra (category, label, n)
        VALUES (old.category, old.label, -old.extra)
        ON CONFLICT (category, label) DO UPDATE SET n = n + excluded.n;
    DELETE FROM label_extra WHERE category = old.category AND label = old.label AND n = 0;
END;

-- (the triggers that keep sample_labels follow: see SAMPLE_LABEL_TRIGGERS)
-- Updates of category, label, disabled or length keep label_counts with one statement per
-- change (local_history.update_totals), not a trigger per row: a change over 100,000
-- samples would run the trigger 100,000 times.

-- History: one row per change; the rows it touched, before (side 0) and, once undone,
-- after (side 1). present = 0 marks a sample that did not exist on that side.
CREATE TABLE IF NOT EXISTS changes (
    id      INTEGER PRIMARY KEY AUTOINCREMENT,
    at      INTEGER NOT NULL,
    who     TEXT    NOT NULL,
    kind    TEXT    NOT NULL,
    detail  TEXT    NOT NULL,
    samples INTEGER NOT NULL DEFAULT 0,
    undone  INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE IF NOT EXISTS change_rows (
    change_id         INTEGER NOT NULL REFERENCES changes (id) ON DELETE CASCADE,
    side              INTEGER NOT NULL,
    present           INTEGER NOT NULL,
    id                INTEGER NOT NULL,
    filename          TEXT,
    upload_name       TEXT,
    category          TEXT,
    label             TEXT,
    kind              TEXT,
    sha256            TEXT,
    size              INTEGER,
    interval_ms       REAL,
    values_count      INTEGER,
    length            REAL,
    frequency         REAL,
    sensors           TEXT,
    device_type       TEXT,
    device_name       TEXT,
    width             INTEGER,
    height            INTEGER,
    metadata          TEXT,
    bounding_boxes    TEXT,
    structured_labels TEXT,
    tag               TEXT,
    stored_ext        TEXT,
    added             INTEGER,
    disabled          INTEGER
);
CREATE INDEX IF NOT EXISTS change_rows_change ON change_rows (change_id, side, id);
-- Content still needed by the history is not garbage. Only images with content are
-- indexed: a large change of columns records none, and adds nothing to this index.
DROP INDEX IF EXISTS change_rows_sha256;
CREATE INDEX IF NOT EXISTS change_rows_content ON change_rows (sha256) WHERE sha256 IS NOT NULL;

-- History of the changes that give every sample they touch one value (a label, a category,
-- enabled or disabled): the samples that had the same values on a side, as one row with
-- their ids (comma-separated), how many and their total length. A change over 100,000
-- samples writes a few rows, and its per-label totals are moved by reading these alone.
CREATE TABLE IF NOT EXISTS change_groups (
    change_id         INTEGER NOT NULL REFERENCES changes (id) ON DELETE CASCADE,
    side              INTEGER NOT NULL,
    category          TEXT,
    label             TEXT,
    disabled          INTEGER,
    structured_labels TEXT,
    n                 INTEGER NOT NULL,
    length            REAL    NOT NULL,
    ids               TEXT    NOT NULL
);
CREATE INDEX IF NOT EXISTS change_groups_change ON change_groups (change_id, side);
"""


def _array(column: str) -> str:
    """``column`` if it holds a JSON array, else NULL (``json_each`` of NULL is empty)."""
    return (
        f"CASE WHEN json_valid({column}) THEN"
        f" CASE WHEN json_type({column}) = 'array' THEN {column} END END"
    )


def _entry_label(entry: str) -> str:
    """The label of a ``json_each`` entry: its text ``label`` if it is an object, else NULL."""
    return (
        f"CASE WHEN {entry}.type = 'object' THEN"
        f" CASE WHEN json_type({entry}.value, '$.label') = 'text' THEN"
        f" nullif(json_extract({entry}.value, '$.label'), '') END END"
    )


def _labels_in(table: str, column: str, row: str, entry: str, condition: str) -> str:
    """``sample_id, label`` of the entries of ``table.column`` (structured labels or boxes)
    of the rows ``condition`` selects (``row`` is the table's alias); ``label`` is NULL for
    an entry that is not an object with a non-empty text label.
    """
    return (
        f"SELECT {row}.id AS sample_id, {_entry_label(entry)} AS label"
        f" FROM {table} AS {row}, json_each({_array(f'{row}.{column}')}) AS {entry}"
        f" WHERE {condition}"
    )


def derived_labels(samples: str, contents: str) -> str:
    """A query of ``sample_id, label``: the labels samples get from their structured labels,
    or else from their bounding boxes (the rule of ``ei_desktop.core.labels.sample_labels``),
    for the samples selected by ``samples`` (a condition on ``s``, a row of ``samples``) and
    ``contents`` (the same condition on ``c``, a row of ``contents``).
    """
    structured = _labels_in("samples", "structured_labels", "s", "entry", samples)
    has_structured = (
        f"SELECT 1 FROM samples AS s2, json_each({_array('s2.structured_labels')}) AS e2"
        f" WHERE s2.id = c.id AND {_entry_label('e2')} IS NOT NULL"
    )
    boxes = _labels_in(
        "contents",
        "bounding_boxes",
        "c",
        "entry",
        f"({contents}) AND NOT EXISTS ({has_structured})",
    )
    return (
        f"SELECT DISTINCT sample_id, label FROM ({structured} UNION ALL {boxes})"
        " WHERE label IS NOT NULL"
    )


def refill_sample_labels(samples: str, contents: str, own: str) -> list[str]:
    """Statements that put the rows of ``sample_labels`` of the samples selected by
    ``samples`` and ``contents`` (conditions on ``s`` and on ``c``, as in
    :func:`derived_labels`) in the table (their old rows must be gone); ``own`` (a condition
    on ``s``) selects at least those samples, for the rows of their own labels.
    """
    return [
        "INSERT OR IGNORE INTO sample_labels (sample_id, label, category, extra)"
        " SELECT d.sample_id, d.label, s.category, d.label IS NOT s.label"
        f" FROM ({derived_labels(samples, contents)}) AS d JOIN samples AS s ON s.id = d.sample_id",
        # the own label of a sample that got labels above is taken off that label's count,
        # unless it is one of them (then this row is a duplicate key: ignored)
        "INSERT OR IGNORE INTO sample_labels (sample_id, label, category, extra)"
        " SELECT s.id, s.label, s.category, -1 FROM samples AS s"
        f" WHERE ({own}) AND s.id IN (SELECT sample_id FROM sample_labels)",
    ]


def _refresh(sample: str) -> str:
    """A trigger body's statements that recompute the rows of sample ``sample``."""
    statements = [f"DELETE FROM sample_labels WHERE sample_id = {sample}"]
    statements += refill_sample_labels(f"s.id = {sample}", f"c.id = {sample}", f"s.id = {sample}")
    return "".join(f"    {statement};\n" for statement in statements)


_CHANGED_LABELS = (
    "old.structured_labels IS NOT new.structured_labels"
    " OR (old.category IS NOT new.category OR old.label IS NOT new.label)"
    " AND EXISTS (SELECT 1 FROM sample_labels WHERE sample_id = new.id)"
)

#: the triggers that keep ``sample_labels`` (and through it ``label_extra``) right through
#: every insert, change and delete of a sample, its structured labels or its boxes, in
#: every path (edits, crops, undo, redo, recovery); cheap for the samples that have neither
#: (a test of a column, or one index lookup)
SAMPLE_LABEL_TRIGGERS = f"""
CREATE TRIGGER IF NOT EXISTS samples_labels_after_insert AFTER INSERT ON samples
WHEN new.structured_labels IS NOT NULL BEGIN
{_refresh("new.id")}END;

CREATE TRIGGER IF NOT EXISTS contents_labels_after_insert AFTER INSERT ON contents
WHEN new.bounding_boxes IS NOT NULL BEGIN
{_refresh("new.id")}END;

CREATE TRIGGER IF NOT EXISTS samples_labels_after_update
AFTER UPDATE OF category, label, structured_labels ON samples
WHEN {_CHANGED_LABELS} BEGIN
{_refresh("new.id")}END;

CREATE TRIGGER IF NOT EXISTS contents_labels_after_update
AFTER UPDATE OF bounding_boxes ON contents
WHEN old.bounding_boxes IS NOT new.bounding_boxes BEGIN
{_refresh("new.id")}END;

CREATE TRIGGER IF NOT EXISTS samples_labels_after_delete AFTER DELETE ON samples
WHEN EXISTS (SELECT 1 FROM sample_labels WHERE sample_id = old.id) BEGIN
    DELETE FROM sample_labels WHERE sample_id = old.id;
END;
"""

SCHEMA += SAMPLE_LABEL_TRIGGERS

#: fill ``sample_labels`` (and through its triggers ``label_extra``) in a project made
#: before they existed
FILL_SAMPLE_LABELS = refill_sample_labels(
    "s.structured_labels IS NOT NULL", "c.bounding_boxes IS NOT NULL", "1"
)


#: listing sort keys → column
SORT_COLUMNS = {
    "id": "id",
    "filename": "filename",
    "label": "label",
    "category": "category",
    "kind": "kind",
    "length": "length",
    "size": "size",
    "frequency": "frequency",
    "added": "added",
}

#: every column of ``samples``, in table order, for SELECTs
COLUMNS = (
    "id, filename, upload_name, category, label, kind, sha256, size, interval_ms, values_count,"
    " length, frequency, sensors, device_type, device_name, width, height, metadata,"
    " bounding_boxes, structured_labels, tag, stored_ext, added, disabled"
)

#: columns of ``samples`` (the rest of :data:`COLUMNS` are columns of ``contents``)
SAMPLE_COLUMNS = (
    "id",
    "filename",
    "category",
    "label",
    "disabled",
    "kind",
    "length",
    "size",
    "frequency",
    "added",
    "metadata",
    "structured_labels",
)
CONTENT_COLUMNS = tuple(
    name for name in (c.strip() for c in COLUMNS.split(",")) if name not in SAMPLE_COLUMNS[1:]
)

#: the version 1 table is renamed to this, copied, then dropped
OLD_SAMPLES = "samples_v1"

#: statements that put a version 1 database aside before :data:`SCHEMA` runs
UPGRADE_FROM_1 = f"""
DROP TRIGGER IF EXISTS samples_after_insert;
DROP TRIGGER IF EXISTS samples_after_delete;
DROP TRIGGER IF EXISTS samples_after_update;
DROP TABLE IF EXISTS label_counts;
DROP INDEX IF EXISTS samples_category;
DROP INDEX IF EXISTS samples_category_label;
DROP INDEX IF EXISTS samples_label;
DROP INDEX IF EXISTS samples_filename;
DROP INDEX IF EXISTS samples_kind;
DROP INDEX IF EXISTS samples_length;
DROP INDEX IF EXISTS samples_size;
DROP INDEX IF EXISTS samples_frequency;
DROP INDEX IF EXISTS samples_added;
DROP INDEX IF EXISTS samples_sha256;
ALTER TABLE samples RENAME TO {OLD_SAMPLES};
"""

#: statements that copy the version 1 rows into the new tables once :data:`SCHEMA` ran
#: (without its triggers), then rebuild what the triggers keep
COPY_FROM_1 = f"""
INSERT INTO samples (id, filename, category, label, disabled, kind, length, size, frequency,
                     added, metadata, structured_labels)
    SELECT id, filename, category, label, 0, kind, length, size, frequency, added, metadata,
           structured_labels
    FROM {OLD_SAMPLES};
INSERT INTO contents (id, upload_name, sha256, interval_ms, values_count, sensors,
                      device_type, device_name, width, height, bounding_boxes, tag,
                      stored_ext)
    SELECT id, upload_name, sha256, interval_ms, values_count, sensors, device_type,
           device_name, width, height, bounding_boxes, tag, stored_ext
    FROM {OLD_SAMPLES};
DROP TABLE {OLD_SAMPLES};
INSERT INTO samples_name (samples_name) VALUES ('rebuild');
"""

#: refills the per-label totals from the samples
REBUILD_LABEL_COUNTS = """
INSERT INTO label_counts (category, label, n, disabled, duration)
SELECT category, label, count(*), sum(disabled),
       coalesce(sum(CASE WHEN disabled THEN 0 ELSE length END), 0)
FROM samples GROUP BY category, label
"""
