-- PostgreSQL form of the SQLite script 0016_concessions.sql (schema version 16).
-- Concessions as rules data: the records beyond age that put a holder in
-- a class, as the authorities keeping them share them (domain::concessions).

-- Schools registered with the platform; `affiliation` is the number the
-- campus credentials of their students carry.
CREATE TABLE schools (
    school_id   TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    region      TEXT NOT NULL,
    affiliation BIGINT NOT NULL UNIQUE,
    created_at  BIGINT NOT NULL
);

-- Enrolments from the schools' registers (学籍); days are China dates.
CREATE TABLE school_enrolments (
    record_id   TEXT PRIMARY KEY,
    school_id   TEXT NOT NULL REFERENCES schools(school_id),
    person_id   TEXT NOT NULL REFERENCES people(person_id),
    from_day    TEXT NOT NULL,
    until_day   TEXT NOT NULL,
    created_at  BIGINT NOT NULL,
    UNIQUE (school_id, person_id, from_day)
);
CREATE INDEX school_enrolments_by_person ON school_enrolments (person_id, until_day);

-- Disability certificates (残疾人证) and 优待证.
CREATE TABLE concession_documents (
    record_id   TEXT PRIMARY KEY,
    person_id   TEXT NOT NULL REFERENCES people(person_id),
    document    TEXT NOT NULL,
    number      TEXT NOT NULL,
    from_day    TEXT NOT NULL,
    until_day   TEXT,
    created_at  BIGINT NOT NULL,
    UNIQUE (document, number)
);
CREATE INDEX concession_documents_by_person ON concession_documents (person_id);

-- The school a school or library service point belongs to: it resolves
-- only campus codes carrying that school's affiliation.
ALTER TABLE operators ADD COLUMN school_id TEXT REFERENCES schools(school_id);
