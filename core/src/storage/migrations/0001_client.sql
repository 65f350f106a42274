-- Client schema version 1: session, credentials, catalogue cache.
CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

-- The signed-in account (personal data sealed).
CREATE TABLE session (
    id         INTEGER PRIMARY KEY CHECK (id = 1),
    account_id TEXT NOT NULL,
    person_id  TEXT NOT NULL,
    device_id  TEXT NOT NULL,
    key_alias  TEXT NOT NULL,
    sealed     BLOB NOT NULL
);

-- The last profile from the platform (sealed JSON).
CREATE TABLE profile (
    id         INTEGER PRIMARY KEY CHECK (id = 1),
    sealed     BLOB NOT NULL,
    fetched_at INTEGER NOT NULL
);

-- Device credentials, one per card and disclosure group. The counter is
-- advanced and stored before a code is shown, so no counter repeats.
CREATE TABLE credentials (
    card_id       TEXT NOT NULL,
    purposes      INTEGER NOT NULL,
    person_id     TEXT NOT NULL,
    role          TEXT NOT NULL,
    credential    BLOB NOT NULL,
    not_before    INTEGER NOT NULL,
    not_after     INTEGER NOT NULL,
    refresh_after INTEGER NOT NULL,
    counter       INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (card_id, purposes)
);

-- Cards this device stopped showing codes for (a loss report made here,
-- or a revocation seen in the status list).
CREATE TABLE suspensions (
    card_id TEXT PRIMARY KEY,
    reason  TEXT NOT NULL,
    at      INTEGER NOT NULL
);

CREATE TABLE catalogue_items (
    id              TEXT PRIMARY KEY,
    body            TEXT NOT NULL,
    pinyin_full     TEXT NOT NULL,
    pinyin_initials TEXT NOT NULL,
    version         INTEGER NOT NULL
);

CREATE TABLE outlets (
    id      TEXT PRIMARY KEY,
    body    TEXT NOT NULL,
    version INTEGER NOT NULL
);

CREATE TABLE rules (
    region  TEXT PRIMARY KEY,
    body    TEXT NOT NULL,
    version INTEGER NOT NULL
);

-- Per feed: the version held, the ETag and when it was last confirmed.
CREATE TABLE sync_state (
    feed       TEXT PRIMARY KEY,
    version    INTEGER NOT NULL,
    etag       TEXT,
    synced_at  INTEGER NOT NULL
);
