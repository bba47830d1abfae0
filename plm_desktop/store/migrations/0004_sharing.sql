-- Sharing: the outbox of every message and share, and a referral code per advocate.
--
-- A share is written here before anything leaves the machine, and each step of a Slack
-- send (conversation resolved, file id reserved, bytes uploaded, posted) is written as it
-- happens, so a crash leaves a row that says exactly how far the send got.

CREATE TABLE outbox (
    share_id      INTEGER PRIMARY KEY,
    user_id       TEXT NOT NULL,
    milestone     TEXT,                 -- milestone kind (first_project, top_5...), or NULL
    week          TEXT,                 -- ISO Monday of the milestone, or NULL
    channel       TEXT NOT NULL CHECK (channel IN ('slack', 'slack-channel', 'webhook',
                                                   'linkedin', 'x')),
    target        TEXT,                 -- email for a DM, channel id, or the share URL
    text          TEXT NOT NULL,        -- the exact words sent or handed over
    card_path     TEXT,                 -- the rendered card saved in the data folder
    card_sha256   TEXT,
    card_bytes    INTEGER,
    state         TEXT NOT NULL DEFAULT 'queued'
                  CHECK (state IN ('queued', 'sending', 'sent', 'failed', 'handed_to_user')),
    step          TEXT,                 -- how far a Slack send got: resolved, reserved,
                                        -- uploaded; NULL before the first step
    slack_channel TEXT,                 -- conversation id the message goes to
    slack_file_id TEXT,                 -- from files.getUploadURLExternal, before upload
    upload_url    TEXT,
    slack_ts      TEXT,                 -- Slack's message timestamp, when Slack gave one
    error_code    TEXT,
    error         TEXT,                 -- the founder-facing sentence of the last failure
    attempts      INTEGER NOT NULL DEFAULT 0,
    claimed_by    TEXT,                 -- host:pid of the process sending it
    forced        INTEGER NOT NULL DEFAULT 0,  -- 1 when the founder confirmed a repeat
    dedupe_key    TEXT NOT NULL,        -- user | milestone | week | channel | target
    created_at    TEXT NOT NULL,        -- ISO 8601 UTC
    updated_at    TEXT NOT NULL,
    sent_at       TEXT
);

-- The same card for the same user, milestone and channel exists once unless confirmed.
CREATE UNIQUE INDEX outbox_once ON outbox (dedupe_key)
    WHERE forced = 0 AND channel IN ('slack', 'slack-channel', 'webhook');

CREATE INDEX outbox_by_state ON outbox (state, updated_at);
CREATE INDEX outbox_by_user ON outbox (user_id, created_at);

CREATE TABLE referral_codes (
    user_id    TEXT PRIMARY KEY,
    code       TEXT NOT NULL UNIQUE COLLATE NOCASE,
    created_at TEXT NOT NULL
);
