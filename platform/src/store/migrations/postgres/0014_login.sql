-- PostgreSQL form of the SQLite script 0014_login.sql (schema version 14).
-- Scan-to-login (扫码登录) in the shape of OpenID Connect (domain::login).
--
-- Relying parties registered by the admin: the name the app shows, the
-- exact redirect URIs and the scopes they may ask for. The client secret is
-- kept only as its SHA-256 (it has 256 random bits, like operator tokens).
CREATE TABLE relying_parties (
    client_id      TEXT PRIMARY KEY,
    name           TEXT NOT NULL,
    kind           TEXT NOT NULL,
    secret_hash    TEXT NOT NULL,
    redirect_uris  TEXT NOT NULL, -- JSON array of strings
    scopes         TEXT NOT NULL, -- JSON array of scope names
    created_at     BIGINT NOT NULL
);

-- The ES256 key that signs ID tokens, made once (PKCS#8).
CREATE TABLE login_signing_key (
    singleton  BIGINT PRIMARY KEY CHECK (singleton = 1),
    key_id     TEXT NOT NULL,
    pkcs8      BYTEA NOT NULL,
    created_at BIGINT NOT NULL
);

-- What a relying party's logins granted: who approved (account), whose
-- claims (person), under which mandate. Revoking one ends its tokens.
CREATE TABLE login_authorisations (
    authorisation_id   TEXT PRIMARY KEY,
    client_id          TEXT NOT NULL REFERENCES relying_parties (client_id),
    approver_account_id TEXT NOT NULL,
    approver_person_id TEXT NOT NULL,
    person_id          TEXT NOT NULL,
    delegation_id      TEXT,
    scopes             TEXT NOT NULL, -- space-separated scope names
    authorised_at      BIGINT NOT NULL,
    revoked_at         BIGINT
);
CREATE INDEX login_authorisations_by_account ON login_authorisations (approver_account_id);
CREATE INDEX login_authorisations_by_person ON login_authorisations (person_id);

-- One login request: made by the relying party's authorization request,
-- shown as a QR code, decided on a phone, then completed by the browser
-- (which takes a one-time code) and the relying party (which redeems it).
-- Only hashes of the browser's continue handle and of the code are kept.
CREATE TABLE login_requests (
    request_id        TEXT PRIMARY KEY,
    continue_hash     TEXT NOT NULL UNIQUE,
    client_id         TEXT NOT NULL REFERENCES relying_parties (client_id),
    redirect_uri      TEXT NOT NULL,
    scopes            TEXT NOT NULL, -- space-separated, registered ones only
    state             TEXT NOT NULL,
    nonce             TEXT NOT NULL,
    code_challenge    TEXT NOT NULL,
    issuer            TEXT NOT NULL,
    created_at        BIGINT NOT NULL,
    expires_at        BIGINT NOT NULL,
    status            TEXT NOT NULL, -- pending, approved, denied, completed
    decided_at        BIGINT,
    authorisation_id  TEXT REFERENCES login_authorisations (authorisation_id),
    code_hash         TEXT UNIQUE,
    code_expires_at   BIGINT,
    code_redeemed_at  BIGINT
);

-- Access tokens for /oauth/userinfo, by SHA-256.
CREATE TABLE login_access_tokens (
    token_hash        TEXT PRIMARY KEY,
    authorisation_id  TEXT NOT NULL REFERENCES login_authorisations (authorisation_id),
    expires_at        BIGINT NOT NULL
);
