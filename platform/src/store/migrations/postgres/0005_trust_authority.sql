-- PostgreSQL form of the SQLite script 0005_trust_authority.sql (schema version 5).
-- Signed trust lists: the provincial authority key that signs them, and
-- every edition served, so an edition never changes once published and the
-- sequence only grows.

-- Authority keys sign trust lists only (never credentials or status lists).
-- key_id is the key's fingerprint (AuthorityKey::key_id_of).
CREATE TABLE authority_keys (
    key_id     BIGINT PRIMARY KEY,
    suite      TEXT NOT NULL,
    pkcs8      BYTEA NOT NULL,
    not_before BIGINT NOT NULL,
    not_after  BIGINT
);

-- One row per published edition: its sequence, date and signed envelope.
CREATE TABLE trust_list_editions (
    sequence  BIGINT PRIMARY KEY,
    issued_at BIGINT NOT NULL,
    envelope  TEXT NOT NULL
);
