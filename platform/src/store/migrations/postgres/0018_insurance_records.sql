-- PostgreSQL form of the SQLite script 0018_insurance_records.sql (schema version 18).
-- Social-insurance records (社会保险个人权益记录) and certificates (参保证明)
-- (domain::insurance_records, domain::certificates). The records are the
-- register's sample data, generated per person when they are added; one
-- table per kind, each keyed by the person first.

-- One row per person whose record is generated: the last month it covers
-- and the pension once the person retired.
CREATE TABLE insurance_record_sets (
    person_id       TEXT PRIMARY KEY REFERENCES people(person_id),
    through_month   TEXT NOT NULL,
    generated_at    BIGINT NOT NULL,
    pension_since   TEXT,
    pension_region  TEXT,
    pension_monthly BIGINT
);

-- Participation per insurance: since when, where, in what state.
CREATE TABLE insurance_participations (
    person_id  TEXT NOT NULL REFERENCES people(person_id),
    insurance  TEXT NOT NULL,
    since      TEXT NOT NULL,
    status     TEXT NOT NULL,
    scheme     TEXT NOT NULL,
    region     TEXT NOT NULL,
    PRIMARY KEY (person_id, insurance)
);

-- One row per month and insurance; amounts in fen.
CREATE TABLE insurance_months (
    person_id       TEXT NOT NULL REFERENCES people(person_id),
    month           TEXT NOT NULL,
    insurance       TEXT NOT NULL,
    scheme          TEXT NOT NULL,
    employer        TEXT,
    base            BIGINT NOT NULL,
    personal        BIGINT NOT NULL,
    employer_amount BIGINT NOT NULL,
    region          TEXT NOT NULL,
    paid            BIGINT NOT NULL,
    PRIMARY KEY (person_id, month, insurance)
);

-- Transfers of the insurance relationship between regions (转移接续).
CREATE TABLE insurance_transfers (
    person_id   TEXT NOT NULL REFERENCES people(person_id),
    day         TEXT NOT NULL,
    from_region TEXT NOT NULL,
    to_region   TEXT NOT NULL,
    PRIMARY KEY (person_id, day)
);

-- Issued certificates: the PDF as handed out (its SHA-256 identifies the
-- exact file a checker uploads), who asked and under which mandate.
CREATE TABLE certificates (
    certificate_id    TEXT PRIMARY KEY,
    person_id         TEXT NOT NULL REFERENCES people(person_id),
    verification_code TEXT NOT NULL UNIQUE,
    kind              TEXT NOT NULL,
    insurance         TEXT,
    from_year         BIGINT,
    to_year           BIGINT,
    issued_at         BIGINT NOT NULL,
    valid_until       BIGINT NOT NULL,
    sha256            TEXT NOT NULL UNIQUE,
    requested_by      TEXT NOT NULL,
    mandate_id        TEXT,
    proxy_name        TEXT,
    pdf               BYTEA NOT NULL
);
CREATE INDEX certificates_by_person ON certificates (person_id);
