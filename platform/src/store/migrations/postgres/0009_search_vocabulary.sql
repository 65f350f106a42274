-- PostgreSQL form of the SQLite script 0009_search_vocabulary.sql (schema version 9).
-- The search vocabulary the catalogue sync carries: one row per list
-- (`national`, or a province's code such as `360000`), its entries a JSON
-- array of {terms, means}. `version` is the vocabulary version at which the
-- list last changed; the vocabulary version itself (`vocabulary_version` in
-- `meta`) takes a step whenever any list changes, and is part of the sync's
-- ETag.
CREATE TABLE search_vocabulary (
    list    TEXT PRIMARY KEY,
    version BIGINT NOT NULL,
    entries TEXT NOT NULL
);
