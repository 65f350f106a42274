-- PostgreSQL form of the SQLite script 0013_pseudonyms.sql (schema version 13).
-- Pseudonyms per party (an operator organisation, a relying party): a
-- platform secret, made once, from which each party's pseudonym of a person
-- is derived (domain::pseudonyms). One row; replacing it would change every
-- pseudonym, so nothing rotates it.
CREATE TABLE pseudonym_secret (
    singleton  BIGINT PRIMARY KEY CHECK (singleton = 1),
    secret     BYTEA NOT NULL,
    created_at BIGINT NOT NULL
);
