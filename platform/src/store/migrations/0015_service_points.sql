-- Online resolution at service points (domain::service_points): operators
-- registered as service points with a kind, the purposes their terminals may
-- resolve and a location shown to residents; the handle of every credential,
-- so a scanned code maps to its card; the codes already resolved (replay is
-- refused across terminals and restarts); per-minute resolution counts; and
-- the access records residents see (谁查看了我的信息) with their reports.

-- An operator without a kind (a terminal operator registered before, or
-- one registered without these fields) resolves nothing. purposes is a JSON
-- array of purpose names.
ALTER TABLE operators ADD COLUMN kind TEXT;
ALTER TABLE operators ADD COLUMN purposes TEXT NOT NULL DEFAULT '[]';
ALTER TABLE operators ADD COLUMN location TEXT;

-- The handle (16 hex digits) of credentials issued from now on.
ALTER TABLE credentials ADD COLUMN handle TEXT;
CREATE INDEX credentials_by_handle ON credentials (handle);

-- Codes resolved, kept while they could still pass the time check.
CREATE TABLE resolved_codes (
    handle      TEXT NOT NULL,
    counter     INTEGER NOT NULL,
    expires_at  INTEGER NOT NULL,
    PRIMARY KEY (handle, counter)
);
CREATE INDEX resolved_codes_by_expiry ON resolved_codes (expires_at);

-- Resolutions per subject (an operator, or one of its terminals) in the
-- current minute.
CREATE TABLE resolution_counts (
    subject      TEXT PRIMARY KEY,
    window_start INTEGER NOT NULL,
    count        INTEGER NOT NULL
);

-- One row per resolution; seq orders them (newest first) and pages them.
CREATE TABLE access_records (
    seq          INTEGER PRIMARY KEY AUTOINCREMENT,
    record_id    TEXT NOT NULL UNIQUE,
    person_id    TEXT NOT NULL REFERENCES people(person_id),
    card_id      TEXT NOT NULL REFERENCES cards(card_id),
    operator_id  TEXT NOT NULL REFERENCES operators(operator_id),
    terminal_id  TEXT NOT NULL,
    purpose      TEXT NOT NULL,
    presented_by TEXT NOT NULL,
    disclosed    TEXT NOT NULL,
    at           INTEGER NOT NULL
);
CREATE INDEX access_records_by_person ON access_records (person_id, seq);

-- At most one report per record.
CREATE TABLE access_reports (
    report_id   TEXT PRIMARY KEY,
    record_id   TEXT NOT NULL UNIQUE REFERENCES access_records(record_id),
    account_id  TEXT NOT NULL,
    reason      TEXT NOT NULL,
    note        TEXT,
    reported_at INTEGER NOT NULL
);
CREATE INDEX access_reports_by_time ON access_reports (reported_at);
