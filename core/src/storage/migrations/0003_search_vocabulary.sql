-- The search index now reads pinyin from its own dictionary, built with the
-- index: the per-item pinyin keys stored at sync are no longer read.
ALTER TABLE catalogue_items DROP COLUMN pinyin_full;
ALTER TABLE catalogue_items DROP COLUMN pinyin_initials;

-- The search vocabulary of the synced region (national and provincial
-- words), replaced whole by every sync that brings a body.
CREATE TABLE search_vocabulary (
    region  TEXT PRIMARY KEY,
    body    TEXT NOT NULL,
    version INTEGER NOT NULL
);
