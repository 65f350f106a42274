-- PostgreSQL form of the SQLite script 0011_births.sql (schema version 11).
-- 出生一件事. The health register's birth medical certificates (出生医学证明)
-- as hospitals report them — what a parent's one form is checked against —
-- and the births filed with it: household registration on the platform
-- clock, then the card application under the parent's guardian mandate.
CREATE TABLE birth_medical_certificates (
    certificate_number TEXT PRIMARY KEY,
    child_name         TEXT NOT NULL,
    sex                TEXT NOT NULL,
    birth_date         TEXT NOT NULL,
    mother_id_number   TEXT,
    father_id_number   TEXT,
    hospital           TEXT NOT NULL,
    reported_at        BIGINT NOT NULL
);

CREATE TABLE births (
    birth_id               TEXT PRIMARY KEY,
    submitted_by           TEXT NOT NULL REFERENCES accounts(account_id),
    submitter_person_id    TEXT NOT NULL REFERENCES people(person_id),
    certificate_number     TEXT NOT NULL UNIQUE REFERENCES birth_medical_certificates(certificate_number),
    household_region       TEXT NOT NULL,
    household_address      TEXT NOT NULL,
    other_parent_person_id TEXT REFERENCES people(person_id),
    bank                   TEXT NOT NULL,
    phone                  TEXT NOT NULL,
    delivery               TEXT NOT NULL,
    photo                  BYTEA,
    state                  TEXT NOT NULL,
    person_id              TEXT REFERENCES people(person_id),
    delegation_id          TEXT,
    application_id         TEXT,
    created_at             BIGINT NOT NULL,
    registered_at          BIGINT,
    registration_due_at    BIGINT
);
CREATE INDEX births_due ON births (registration_due_at) WHERE registration_due_at IS NOT NULL;
CREATE INDEX births_by_submitter ON births (submitted_by);
