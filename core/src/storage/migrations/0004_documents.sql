-- Client schema version 4: files the person keeps, sealed like every other
-- piece of personal data (certificates as issued: the PDF's bytes).
CREATE TABLE documents (
    document_id TEXT PRIMARY KEY,
    kind        TEXT NOT NULL,
    person_id   TEXT NOT NULL,
    sealed      BLOB NOT NULL,
    fetched_at  INTEGER NOT NULL
);
