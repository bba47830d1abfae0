-- Stored power-user scores per user and week, the weeks they were computed for, and
-- milestones (each recorded once, when first crossed).

-- One row per ranked user and week: points per part, the raw values behind the four
-- main parts, rank, top N % and candidate. The rest of an explanation (the week of the
-- latest NPS answer, the last active week, the optional signals' values) and the
-- movement since the previous week are looked up when a row is shown: a rescore writes
-- a million of these rows, and every column costs time on each of them.
CREATE TABLE scores (
    week           TEXT NOT NULL,
    user_id        TEXT NOT NULL,
    rank           INTEGER NOT NULL,
    score          INTEGER NOT NULL,
    frequency      INTEGER NOT NULL,  -- points per part
    depth          INTEGER NOT NULL,
    collaboration  INTEGER NOT NULL,
    sentiment      INTEGER NOT NULL,
    extra_points   INTEGER NOT NULL,  -- the optional signals' points together (0 when off)
    active_days    INTEGER,           -- raw: in the week (NULL: no row or no value)
    features_used  INTEGER,           -- raw: in the week
    invites        INTEGER NOT NULL,  -- raw: summed over the window
    nps            INTEGER,           -- raw: latest answer up to the week
    top_percent    INTEGER NOT NULL,  -- ceil(100 * rank / ranked users)
    candidate      INTEGER NOT NULL,  -- 1 when score reaches the candidate threshold
    PRIMARY KEY (week, user_id)
) WITHOUT ROWID;

-- The leaderboard reads the top of a week through this index. Only the top ranks are
-- indexed: rescoring writes a million rows in user order, and a full rank index would
-- double the cost of that write for rows no screen lists by rank. Queries add the same
-- `rank <= 1000` term so SQLite can use it.
CREATE INDEX scores_top_ranks ON scores (week, rank) WHERE rank <= 1000;

-- One row per scored week: how many users were ranked and which signals were missing.
CREATE TABLE score_weeks (
    week            TEXT PRIMARY KEY,
    ranked_count    INTEGER NOT NULL,
    candidate_count INTEGER NOT NULL,
    missing_signals TEXT NOT NULL DEFAULT '[]',  -- JSON list of signal names
    model           TEXT NOT NULL DEFAULT '{}',  -- JSON of the model the scores used
    scored_at       TEXT NOT NULL                -- ISO 8601 UTC
);

-- A milestone is recorded once per user and kind, except `top_5`, which is recorded once
-- per user and week. The partial unique indexes make re-detection a no-op.
CREATE TABLE milestones (
    milestone_id INTEGER PRIMARY KEY,
    user_id      TEXT NOT NULL,
    kind         TEXT NOT NULL CHECK (kind IN (
                     'first_project', 'task_100', 'team_builder', 'streak_90', 'roi', 'top_5')),
    week         TEXT NOT NULL,  -- the week it was first crossed
    value        REAL,           -- the value that crossed the threshold
    detail       TEXT NOT NULL DEFAULT '{}',  -- JSON: threshold and what was measured
    detected_at  TEXT NOT NULL   -- ISO 8601 UTC
);

CREATE UNIQUE INDEX milestones_once ON milestones (user_id, kind) WHERE kind != 'top_5';
CREATE UNIQUE INDEX milestones_top_5_weekly ON milestones (user_id, week) WHERE kind = 'top_5';
CREATE INDEX milestones_by_week ON milestones (week, kind);

-- Each user's running totals through the last week milestones were detected for
-- (settings key `milestones.progress` names that week), so detecting the next week
-- does not re-read every earlier usage row.
CREATE TABLE milestone_progress (
    user_id     TEXT PRIMARY KEY,
    projects    REAL NOT NULL,
    tasks       REAL NOT NULL,
    invites     REAL NOT NULL,
    roi_total   REAL NOT NULL,
    roi_best    REAL NOT NULL,
    streak      INTEGER NOT NULL,  -- weeks with activity in a row
    last_active INTEGER            -- week number (days since 0001-01-01 // 7)
) WITHOUT ROWID;

-- Latest NPS answer per user up to a week, read without touching the rows that have none.
CREATE INDEX usage_nps_answers ON usage (user_id, week, nps) WHERE nps IS NOT NULL;
