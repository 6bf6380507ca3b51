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

CREATE TABLE IF NOT EXISTS samples (
    id                INTEGER PRIMARY KEY AUTOINCREMENT,
    filename          TEXT    NOT NULL,
    upload_name       TEXT    NOT NULL,
    category          TEXT    NOT NULL,
    label             TEXT    NOT NULL,
    kind              TEXT    NOT NULL,
    sha256            TEXT    NOT NULL,
    size              INTEGER NOT NULL,
    interval_ms       REAL    NOT NULL,
    values_count      INTEGER NOT NULL,
    length            REAL    NOT NULL,
    frequency         REAL    NOT NULL,
    sensors           TEXT    NOT NULL,
    device_type       TEXT    NOT NULL,
    device_name       TEXT,
    width             INTEGER,
    height            INTEGER,
    metadata          TEXT,
    bounding_boxes    TEXT,
    structured_labels TEXT,
    tag               TEXT    NOT NULL,
    stored_ext        TEXT    NOT NULL,
    added             INTEGER NOT NULL,
    disabled          INTEGER NOT NULL DEFAULT 0
);

-- Listing: category and label filters walk these in id order (keyset paging on id).
CREATE INDEX IF NOT EXISTS samples_category ON samples (category, id);
CREATE INDEX IF NOT EXISTS samples_category_label ON samples (category, label, id);
CREATE INDEX IF NOT EXISTS samples_label ON samples (label, id);
-- Sorting by a column: (column, id) gives a total order for keyset paging.
CREATE INDEX IF NOT EXISTS samples_filename ON samples (filename, id);
CREATE INDEX IF NOT EXISTS samples_kind ON samples (kind, id);
CREATE INDEX IF NOT EXISTS samples_length ON samples (length, id);
CREATE INDEX IF NOT EXISTS samples_size ON samples (size, id);
CREATE INDEX IF NOT EXISTS samples_frequency ON samples (frequency, id);
CREATE INDEX IF NOT EXISTS samples_added ON samples (added, id);
-- Duplicate detection and blob reference counting.
CREATE INDEX IF NOT EXISTS samples_sha256 ON samples (sha256);

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
-- Content still needed by the history is not garbage.
CREATE INDEX IF NOT EXISTS change_rows_sha256 ON change_rows (sha256);
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

#: statements that bring a version 1 database to this schema before :data:`SCHEMA` runs
#: (the per-label totals gain columns: the table is rebuilt from the samples afterwards)
UPGRADE_FROM_1 = """
ALTER TABLE samples ADD COLUMN disabled INTEGER NOT NULL DEFAULT 0;
DROP TRIGGER IF EXISTS samples_after_update;
DROP TRIGGER IF EXISTS samples_after_insert;
DROP TRIGGER IF EXISTS samples_after_delete;
DROP TABLE IF EXISTS label_counts;
"""

#: refills the per-label totals from the samples
REBUILD_LABEL_COUNTS = """
INSERT INTO label_counts (category, label, n, disabled, duration)
SELECT category, label, count(*), sum(disabled),
       coalesce(sum(CASE WHEN disabled THEN 0 ELSE length END), 0)
FROM samples GROUP BY category, label
"""
