-- Signed trust lists: the provincial authority key that signs them, and
-- every edition served, so an edition never changes once published and the
-- sequence only grows.

-- Authority keys sign trust lists only (never credentials or status lists).
-- key_id is the key's fingerprint (AuthorityKey::key_id_of).
CREATE TABLE authority_keys (
    key_id     INTEGER PRIMARY KEY,
    suite      TEXT NOT NULL,
    pkcs8      BLOB NOT NULL,
    not_before INTEGER NOT NULL,
    not_after  INTEGER
);

-- One row per published edition: its sequence, date and signed envelope.
CREATE TABLE trust_list_editions (
    sequence  INTEGER PRIMARY KEY,
    issued_at INTEGER NOT NULL,
    envelope  TEXT NOT NULL
);
