-- Identity proofing at enrolment, the e-card PIN, devices and notices.

-- How a family proxy says they are related to the relative.
ALTER TABLE delegations ADD COLUMN relationship TEXT;

-- The mobile number the register (or the card's bank record) holds.
ALTER TABLE people ADD COLUMN phone TEXT;

ALTER TABLE devices ADD COLUMN last_seen_at INTEGER;

-- Enrolments in progress: a device key asking to join a person's account.
-- person_id is NULL when the identity named no one in the register; the
-- answers look the same either way.
CREATE TABLE enrolments (
    enrolment_id       TEXT PRIMARY KEY,
    person_id          TEXT,
    subject            TEXT NOT NULL,
    device_suite       TEXT NOT NULL,
    device_public_key  BLOB NOT NULL,
    device_binding     TEXT NOT NULL,
    device_name        TEXT NOT NULL,
    source             TEXT NOT NULL,
    state              TEXT NOT NULL,
    created_at         INTEGER NOT NULL,
    expires_at         INTEGER NOT NULL,
    present_at         INTEGER,
    code_hash          TEXT,
    code_expires_at    INTEGER,
    code_tries         INTEGER NOT NULL DEFAULT 0,
    approved_by_device TEXT,
    device_id          TEXT
);
CREATE INDEX enrolments_waiting ON enrolments (person_id, state);

CREATE TABLE face_platform_keys (
    key_id     TEXT PRIMARY KEY,
    suite      TEXT NOT NULL,
    public_key BLOB NOT NULL,
    -- Only for the simulated face platform of the reference platform.
    pkcs8      BLOB
);

CREATE TABLE face_challenges (
    challenge      TEXT PRIMARY KEY,
    purpose        TEXT NOT NULL,
    person_id      TEXT NOT NULL,
    device_binding TEXT NOT NULL,
    object_id      TEXT NOT NULL,
    created_at     INTEGER NOT NULL,
    expires_at     INTEGER NOT NULL,
    used_at        INTEGER
);
CREATE INDEX face_challenges_by_object ON face_challenges (object_id, purpose);

CREATE TABLE attempt_limits (
    kind         TEXT NOT NULL,
    subject      TEXT NOT NULL,
    failures     INTEGER NOT NULL,
    lockouts     INTEGER NOT NULL,
    locked_until INTEGER NOT NULL,
    window_start INTEGER NOT NULL,
    PRIMARY KEY (kind, subject)
);

-- Every identity attempt, for the operator's audit (no document numbers:
-- the subject is a hash).
CREATE TABLE identity_attempts (
    id             INTEGER PRIMARY KEY,
    at             INTEGER NOT NULL,
    step           TEXT NOT NULL,
    subject        TEXT NOT NULL,
    device_binding TEXT NOT NULL,
    source         TEXT NOT NULL,
    outcome        TEXT NOT NULL
);

CREATE TABLE sms_outbox (
    sms_id  INTEGER PRIMARY KEY,
    phone   TEXT NOT NULL,
    kind    TEXT NOT NULL,
    body    TEXT NOT NULL,
    sent_at INTEGER NOT NULL
);
CREATE INDEX sms_by_phone ON sms_outbox (phone, sms_id);

CREATE TABLE pins (
    account_id TEXT PRIMARY KEY REFERENCES accounts(account_id),
    hash       TEXT NOT NULL,
    set_at     INTEGER NOT NULL
);

CREATE TABLE pin_grants (
    grant_hash TEXT PRIMARY KEY,
    account_id TEXT NOT NULL,
    device_id  TEXT NOT NULL,
    action     TEXT NOT NULL,
    expires_at INTEGER NOT NULL,
    used_at    INTEGER
);

CREATE TABLE notices (
    notice_id   INTEGER PRIMARY KEY,
    account_id  TEXT NOT NULL,
    kind        TEXT NOT NULL,
    device_name TEXT,
    at          INTEGER NOT NULL
);
CREATE INDEX notices_by_account ON notices (account_id, notice_id);

CREATE TABLE phone_changes (
    change_id       TEXT PRIMARY KEY,
    account_id      TEXT NOT NULL,
    new_phone       TEXT NOT NULL,
    code_hash       TEXT NOT NULL,
    code_expires_at INTEGER NOT NULL,
    code_tries      INTEGER NOT NULL DEFAULT 0,
    state           TEXT NOT NULL,
    created_at      INTEGER NOT NULL
)
