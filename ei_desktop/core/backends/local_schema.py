"""The SQLite schema of a local project: one table of samples, indexes that match the
listing queries, a trigram index for name search, per-label totals kept by triggers, and the
history of changes (before and after images of the rows each change touched).
"""

from __future__ import annotations

SCHEMA_VERSION = 2

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
"""

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
