-- The database schema of local projects made before curation (schema version 1).
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
    added             INTEGER NOT NULL
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

CREATE TABLE IF NOT EXISTS label_counts (
    category TEXT    NOT NULL,
    label    TEXT    NOT NULL,
    n        INTEGER NOT NULL,
    PRIMARY KEY (category, label)
) WITHOUT ROWID;

CREATE TRIGGER IF NOT EXISTS samples_after_insert AFTER INSERT ON samples BEGIN
    INSERT INTO samples_name (rowid, filename) VALUES (new.id, new.filename);
    INSERT INTO label_counts (category, label, n) VALUES (new.category, new.label, 1)
        ON CONFLICT (category, label) DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER IF NOT EXISTS samples_after_delete AFTER DELETE ON samples BEGIN
    INSERT INTO samples_name (samples_name, rowid, filename)
        VALUES ('delete', old.id, old.filename);
    UPDATE label_counts SET n = n - 1 WHERE category = old.category AND label = old.label;
    DELETE FROM label_counts WHERE category = old.category AND label = old.label AND n <= 0;
END;

CREATE TRIGGER IF NOT EXISTS samples_after_update
AFTER UPDATE OF filename, category, label ON samples BEGIN
    INSERT INTO samples_name (samples_name, rowid, filename)
        VALUES ('delete', old.id, old.filename);
    INSERT INTO samples_name (rowid, filename) VALUES (new.id, new.filename);
    UPDATE label_counts SET n = n - 1 WHERE category = old.category AND label = old.label;
    DELETE FROM label_counts WHERE category = old.category AND label = old.label AND n <= 0;
    INSERT INTO label_counts (category, label, n) VALUES (new.category, new.label, 1)
        ON CONFLICT (category, label) DO UPDATE SET n = n + 1;
END;
