-- The loop: signups and who brought them, what advocates' shares achieved, the ask
-- ladder, all dated so the funnel can be read for any month or quarter. Program cost and
-- CAC live in `settings` under the key 'loop.program'.

-- One row per person in a signups or leads export. `signup_key` is the export's id, or
-- the lower-cased email when the export has no id, so a person counted in two
-- overlapping exports is stored once.
CREATE TABLE signups (
    signup_id     INTEGER PRIMARY KEY,
    signup_key    TEXT NOT NULL UNIQUE,
    external_id   TEXT,
    email         TEXT,
    signed_up_on  TEXT NOT NULL,          -- ISO date
    kind          TEXT NOT NULL DEFAULT 'signup' CHECK (kind IN ('signup', 'demo')),
    referral_code TEXT,
    utm_source    TEXT,
    utm_medium    TEXT,
    utm_campaign  TEXT,
    utm_content   TEXT,
    utm_term      TEXT,
    landing_url   TEXT,
    user_id       TEXT REFERENCES users (user_id),  -- set once the person shows up in usage
    import_id     INTEGER NOT NULL REFERENCES imports (import_id),
    line          INTEGER                          -- line of the file it came from
);

CREATE INDEX signups_by_date ON signups (signed_up_on);
CREATE INDEX signups_by_email ON signups (email COLLATE NOCASE);

-- Which advocate a signup is credited to and how the match was made. A signup with no
-- row here is unmatched and waits to be attributed by hand.
CREATE TABLE attribution (
    signup_id         INTEGER PRIMARY KEY REFERENCES signups (signup_id) ON DELETE CASCADE,
    advocate_user_id  TEXT NOT NULL REFERENCES users (user_id),
    how               TEXT NOT NULL CHECK (how IN ('code', 'utm', 'url', 'manual')),
    code              TEXT,                -- the referral code that matched, if any
    attributed_at     TEXT NOT NULL        -- ISO 8601 UTC
);

CREATE INDEX attribution_by_advocate ON attribution (advocate_user_id);

-- What an advocate's share achieved, recorded by the founder where the app cannot see it:
-- a post (with its URL), impressions and clicks read off LinkedIn, demo requests, deals.
CREATE TABLE outcomes (
    outcome_id        INTEGER PRIMARY KEY,
    advocate_user_id  TEXT NOT NULL REFERENCES users (user_id),
    kind              TEXT NOT NULL
                      CHECK (kind IN ('posted', 'impressions', 'clicks', 'demo_requests',
                                      'deal')),
    occurred_on       TEXT NOT NULL,       -- ISO date the founder gives
    amount            INTEGER NOT NULL DEFAULT 1 CHECK (amount >= 0),
    pipeline_value    REAL CHECK (pipeline_value IS NULL OR pipeline_value >= 0),
    url               TEXT,                -- the post's URL
    milestone_kind    TEXT,                -- the milestone whose card the post carried
    note              TEXT,
    recorded_at       TEXT NOT NULL        -- ISO 8601 UTC
);

CREATE INDEX outcomes_by_advocate ON outcomes (advocate_user_id, occurred_on);
CREATE INDEX outcomes_by_date ON outcomes (occurred_on);

-- The ask ledger: who was asked for what and when, and what they answered.
CREATE TABLE asks (
    ask_id            INTEGER PRIMARY KEY,
    advocate_user_id  TEXT NOT NULL REFERENCES users (user_id),
    kind              TEXT NOT NULL
                      CHECK (kind IN ('badge_share', 'review', 'case_study',
                                      'referral_program')),
    asked_at          TEXT NOT NULL,       -- ISO 8601 UTC
    answer            TEXT CHECK (answer IS NULL OR answer IN ('yes', 'no', 'no_reply')),
    answered_at       TEXT,
    cooldown_overridden INTEGER NOT NULL DEFAULT 0,  -- asked inside the cool-down on purpose
    note              TEXT
);

CREATE INDEX asks_by_advocate ON asks (advocate_user_id, asked_at);
