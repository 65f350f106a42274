-- Client schema version 2: drafts and the durable outbox.

-- Forms in progress (sealed JSON), kept across restarts.
CREATE TABLE drafts (
    draft_id   TEXT PRIMARY KEY,
    kind       TEXT NOT NULL,
    sealed     BLOB NOT NULL,
    updated_at INTEGER NOT NULL
);

-- Every submission, with the idempotency key it keeps for life: written
-- before the first attempt, marked done only with the platform's answer.
CREATE TABLE outbox (
    id              INTEGER PRIMARY KEY,
    idempotency_key TEXT NOT NULL UNIQUE,
    action          TEXT NOT NULL,
    method          TEXT NOT NULL,
    path            TEXT NOT NULL,
    sealed_body     BLOB NOT NULL,
    subject         TEXT,
    state           TEXT NOT NULL,
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER NOT NULL,
    last_error      TEXT,
    sealed_response BLOB,
    created_at      INTEGER NOT NULL,
    completed_at    INTEGER,
    draft_id        TEXT
);
CREATE INDEX outbox_pending ON outbox (state, next_attempt_at);

-- The last state of applications and mandates seen at the platform
-- (sealed JSON), so flows render offline.
CREATE TABLE workflow_cache (
    kind       TEXT NOT NULL,
    id         TEXT NOT NULL,
    sealed     BLOB NOT NULL,
    fetched_at INTEGER NOT NULL,
    PRIMARY KEY (kind, id)
);
