-- Reference platform schema, version 1.
CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value INTEGER NOT NULL
);

-- The population register the platform trusts for real-name checks.
CREATE TABLE people (
    person_id          TEXT PRIMARY KEY,
    id_type            TEXT NOT NULL,
    id_number          TEXT NOT NULL UNIQUE,
    name               TEXT NOT NULL,
    birth_date         TEXT NOT NULL,
    region             TEXT NOT NULL,
    household_register TEXT,
    birth_certificate  TEXT
);

CREATE TABLE guardianships (
    child_person_id    TEXT NOT NULL REFERENCES people(person_id),
    guardian_person_id TEXT NOT NULL REFERENCES people(person_id),
    PRIMARY KEY (child_person_id, guardian_person_id)
);

CREATE TABLE accounts (
    account_id TEXT PRIMARY KEY,
    person_id  TEXT NOT NULL UNIQUE REFERENCES people(person_id),
    phone      TEXT NOT NULL,
    created_at INTEGER NOT NULL
);

CREATE TABLE devices (
    device_id  TEXT PRIMARY KEY,
    account_id TEXT NOT NULL REFERENCES accounts(account_id),
    suite      TEXT NOT NULL,
    public_key BLOB NOT NULL,
    name       TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    revoked_at INTEGER
);

CREATE TABLE nonces (
    device_id  TEXT NOT NULL,
    nonce      TEXT NOT NULL,
    expires_at INTEGER NOT NULL,
    PRIMARY KEY (device_id, nonce)
);
CREATE INDEX nonces_by_expiry ON nonces (expires_at);

CREATE TABLE cards (
    card_id                 TEXT PRIMARY KEY,
    person_id               TEXT NOT NULL REFERENCES people(person_id),
    card_number             TEXT NOT NULL,
    bank                    TEXT NOT NULL,
    region                  TEXT NOT NULL,
    status                  TEXT NOT NULL,
    e_card                  TEXT NOT NULL,
    social_function_enabled INTEGER NOT NULL,
    bank_account_closed     INTEGER NOT NULL DEFAULT 0,
    issued_at               INTEGER NOT NULL,
    photo                   BLOB
);
CREATE INDEX cards_by_person ON cards (person_id);

CREATE TABLE loss_reports (
    loss_id       TEXT PRIMARY KEY,
    card_id       TEXT NOT NULL REFERENCES cards(card_id),
    kind          TEXT NOT NULL,
    reported_at   INTEGER NOT NULL,
    lapses_at     INTEGER,
    ended_at      INTEGER,
    end_reason    TEXT,
    actor_account TEXT NOT NULL,
    mandate_id    TEXT
);
CREATE INDEX loss_reports_open ON loss_reports (card_id) WHERE ended_at IS NULL;

CREATE TABLE applications (
    application_id     TEXT PRIMARY KEY,
    kind               TEXT NOT NULL,
    person_id          TEXT NOT NULL REFERENCES people(person_id),
    submitted_by       TEXT NOT NULL REFERENCES accounts(account_id),
    mandate_id         TEXT,
    state              TEXT NOT NULL,
    fee_fen            INTEGER NOT NULL,
    bank               TEXT NOT NULL,
    photo              BLOB,
    delivery           TEXT NOT NULL,
    replaces_card_id   TEXT,
    card_id            TEXT,
    failure_reason     TEXT,
    created_at         INTEGER NOT NULL,
    next_transition_at INTEGER
);
CREATE INDEX applications_due ON applications (next_transition_at) WHERE next_transition_at IS NOT NULL;
CREATE INDEX applications_by_person ON applications (person_id);

CREATE TABLE application_stages (
    application_id TEXT NOT NULL REFERENCES applications(application_id),
    seq            INTEGER NOT NULL,
    state          TEXT NOT NULL,
    at             INTEGER NOT NULL,
    PRIMARY KEY (application_id, seq)
);

CREATE TABLE delegations (
    delegation_id       TEXT PRIMARY KEY,
    kind                TEXT NOT NULL,
    agent_account_id    TEXT NOT NULL REFERENCES accounts(account_id),
    principal_person_id TEXT NOT NULL REFERENCES people(person_id),
    scopes              TEXT NOT NULL,
    status              TEXT NOT NULL,
    evidence_kind       TEXT,
    evidence_number     TEXT,
    created_at          INTEGER NOT NULL,
    consented_at        INTEGER,
    expires_at          INTEGER NOT NULL,
    revoked_at          INTEGER
);
CREATE INDEX delegations_by_agent ON delegations (agent_account_id);
CREATE INDEX delegations_by_principal ON delegations (principal_person_id);

CREATE TABLE credentials (
    credential_id INTEGER PRIMARY KEY,
    card_id       TEXT NOT NULL REFERENCES cards(card_id),
    device_id     TEXT NOT NULL REFERENCES devices(device_id),
    role          TEXT NOT NULL,
    status_list   INTEGER NOT NULL,
    status_index  INTEGER NOT NULL,
    purposes      INTEGER NOT NULL,
    not_before    INTEGER NOT NULL,
    not_after     INTEGER NOT NULL
);
CREATE INDEX credentials_by_card ON credentials (card_id, not_after);

-- Revoked status bits (sparse): a row means the bit is set.
CREATE TABLE status_bits (
    list  INTEGER NOT NULL,
    idx   INTEGER NOT NULL,
    PRIMARY KEY (list, idx)
);

CREATE TABLE issuer_keys (
    key_id     INTEGER PRIMARY KEY,
    suite      TEXT NOT NULL,
    pkcs8      BLOB NOT NULL,
    not_before INTEGER NOT NULL,
    not_after  INTEGER
);

CREATE TABLE idempotency (
    scope        TEXT NOT NULL,
    key          TEXT NOT NULL,
    request_hash TEXT NOT NULL,
    status       INTEGER NOT NULL,
    body         BLOB NOT NULL,
    created_at   INTEGER NOT NULL,
    PRIMARY KEY (scope, key)
);

CREATE TABLE catalogue_items (
    id      TEXT PRIMARY KEY,
    version INTEGER NOT NULL,
    deleted INTEGER NOT NULL DEFAULT 0,
    body    TEXT NOT NULL
);
CREATE INDEX catalogue_items_by_version ON catalogue_items (version);

CREATE TABLE outlets (
    id      TEXT PRIMARY KEY,
    version INTEGER NOT NULL,
    deleted INTEGER NOT NULL DEFAULT 0,
    body    TEXT NOT NULL
);
CREATE INDEX outlets_by_version ON outlets (version);

CREATE TABLE rules (
    region  TEXT PRIMARY KEY,
    version INTEGER NOT NULL,
    body    TEXT NOT NULL
);

CREATE TABLE audit_log (
    id               INTEGER PRIMARY KEY,
    at               INTEGER NOT NULL,
    actor_account    TEXT NOT NULL,
    principal_person TEXT NOT NULL,
    mandate_id       TEXT,
    action           TEXT NOT NULL,
    object_id        TEXT NOT NULL
);
CREATE INDEX audit_by_principal ON audit_log (principal_person);
CREATE INDEX audit_by_actor ON audit_log (actor_account);

-- Demo personas seeded on first start, by role.
CREATE TABLE persona_map (
    key       TEXT PRIMARY KEY,
    person_id TEXT NOT NULL REFERENCES people(person_id)
);
