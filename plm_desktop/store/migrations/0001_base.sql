-- Users, their weekly usage, the log of imports and settings saved with the database.

CREATE TABLE settings (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL  -- JSON
);

CREATE TABLE users (
    user_id  TEXT PRIMARY KEY,
    email    TEXT,
    name     TEXT,
    company  TEXT,
    title    TEXT,
    persona  TEXT  -- founder's override: 'ic' or 'leader'; NULL means derived from title
);

CREATE INDEX users_by_email ON users (email COLLATE NOCASE);

CREATE TABLE imports (
    import_id    INTEGER PRIMARY KEY,
    kind         TEXT NOT NULL DEFAULT 'usage',  -- 'usage' or 'signups'
    file_name    TEXT NOT NULL,
    content_hash TEXT NOT NULL,                  -- sha256 of the file's bytes
    weeks        TEXT NOT NULL DEFAULT '[]',     -- JSON list of ISO Mondays
    rows         INTEGER NOT NULL,
    inserted     INTEGER NOT NULL,
    updated      INTEGER NOT NULL,
    unchanged    INTEGER NOT NULL,
    warnings     TEXT NOT NULL DEFAULT '[]',     -- JSON list of strings
    mapping      TEXT NOT NULL DEFAULT '{}',     -- JSON header -> field actually used
    imported_at  TEXT NOT NULL                   -- ISO 8601 UTC
);

-- One row per user and week (the week is the ISO date of its Monday). Metrics the file
-- did not have are NULL; numeric columns the app does not know are kept in `custom` as a
-- JSON object under their own names.
CREATE TABLE usage (
    week                   TEXT NOT NULL,
    user_id                TEXT NOT NULL,
    active_days            INTEGER,
    sessions               INTEGER,
    features_used          INTEGER,
    invites_sent           INTEGER,
    nps                    INTEGER,
    tasks_completed        INTEGER,
    projects_completed     INTEGER,
    integrations_connected INTEGER,
    support_tickets        INTEGER,
    content_views          INTEGER,
    custom                 TEXT,
    import_id              INTEGER,
    PRIMARY KEY (week, user_id)
) WITHOUT ROWID;

CREATE INDEX usage_by_user ON usage (user_id, week);
