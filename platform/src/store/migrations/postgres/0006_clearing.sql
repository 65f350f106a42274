-- PostgreSQL form of the SQLite script 0006_clearing.sql (schema version 6).
-- Clearing of accepted codes between the terminals of one operator (a
-- transit company, a hospital group): the operators the admin registered
-- and the acceptances their terminals reported. Rows are kept 7 days from
-- their report (pruned by the clock tick).

-- The token is kept only as its SHA-256; last_seq numbers the operator's
-- acceptances (the cursor terminals send back), per operator so a cursor
-- tells nothing of other operators.
CREATE TABLE operators (
    operator_id  TEXT PRIMARY KEY,
    name         TEXT NOT NULL,
    token_hash   TEXT NOT NULL UNIQUE,
    created_at   BIGINT NOT NULL,
    last_seq     BIGINT NOT NULL DEFAULT 0
);

-- One row per (operator, terminal, code): the same report twice is one row.
CREATE TABLE operator_acceptances (
    operator_id  TEXT NOT NULL REFERENCES operators(operator_id),
    seq          BIGINT NOT NULL,
    terminal_id  TEXT NOT NULL,
    handle       TEXT NOT NULL,
    counter      BIGINT NOT NULL,
    purpose      TEXT NOT NULL,
    issued_at    BIGINT NOT NULL,
    accepted_at  BIGINT NOT NULL,
    reported_at  BIGINT NOT NULL,
    PRIMARY KEY (operator_id, seq),
    UNIQUE (operator_id, terminal_id, handle, counter)
);

CREATE INDEX operator_acceptances_by_code
    ON operator_acceptances (operator_id, handle, counter);
CREATE INDEX operator_acceptances_by_report
    ON operator_acceptances (reported_at);
