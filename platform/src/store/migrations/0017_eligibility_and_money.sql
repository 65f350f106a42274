-- Pension eligibility (domain::eligibility) and the card's money
-- (domain::money): who draws a pension and since which month the platform
-- pays it, the certifications (待遇资格认证) by face or passively by a use of
-- the card (无感认证), the face checks in progress, each pension month paid or
-- withheld while payments are suspended (暂停发放, paid later as 补发), the
-- financial account behind each card (bank function: masked number and the
-- last four digits only, its state and the financial loss report
-- 金融功能挂失), and the payments into it.

-- A person the register puts over the retirement age, once the platform
-- has seen them: monthly amount, the first month it pays, the anchor of the
-- first cycle when never certified, and since when payments are suspended.
CREATE TABLE pensioners (
    person_id     TEXT PRIMARY KEY REFERENCES people(person_id),
    monthly_fen   INTEGER NOT NULL,
    first_month   TEXT NOT NULL,
    known_since   INTEGER NOT NULL,
    suspended_at  INTEGER
);

-- One row per certification; method is face or passive. A face check run
-- by a family member names the helper's account and mandate; a passive one
-- names the access record (the use) it rests on.
CREATE TABLE eligibility_certifications (
    seq               INTEGER PRIMARY KEY AUTOINCREMENT,
    certification_id  TEXT NOT NULL UNIQUE,
    person_id         TEXT NOT NULL REFERENCES people(person_id),
    at                INTEGER NOT NULL,
    method            TEXT NOT NULL,
    device_id         TEXT,
    helper_account_id TEXT,
    mandate_id        TEXT,
    access_record_id  TEXT,
    operator_kind     TEXT,
    used_on           TEXT
);
CREATE INDEX eligibility_certifications_by_person ON eligibility_certifications (person_id, at);

-- A face check started on a device for a pensioner; completed once.
CREATE TABLE eligibility_checks (
    check_id      TEXT PRIMARY KEY,
    person_id     TEXT NOT NULL REFERENCES people(person_id),
    account_id    TEXT NOT NULL,
    device_id     TEXT NOT NULL,
    mandate_id    TEXT,
    created_at    INTEGER NOT NULL,
    completed_at  INTEGER
);

-- Each pension month whose pay day has come: payment_id is null while the
-- month is withheld.
CREATE TABLE pension_months (
    person_id   TEXT NOT NULL REFERENCES people(person_id),
    month       TEXT NOT NULL,
    amount_fen  INTEGER NOT NULL,
    due_at      INTEGER NOT NULL,
    payment_id  TEXT,
    PRIMARY KEY (person_id, month)
);

-- The bank account of a card's bank function, as the bank shared it.
CREATE TABLE financial_accounts (
    card_id           TEXT PRIMARY KEY REFERENCES cards(card_id),
    bank              TEXT NOT NULL,
    account_masked    TEXT NOT NULL,
    last4             TEXT NOT NULL,
    state             TEXT NOT NULL DEFAULT 'active',
    opened_at         INTEGER NOT NULL,
    loss_reported_at  INTEGER,
    loss_reported_by  TEXT,
    mandate_id        TEXT
);

-- Payments into a card's account; seq orders them (newest first) and pages
-- them. months is a JSON array of YYYY-MM (pensions).
CREATE TABLE payments (
    seq         INTEGER PRIMARY KEY AUTOINCREMENT,
    payment_id  TEXT NOT NULL UNIQUE,
    person_id   TEXT NOT NULL REFERENCES people(person_id),
    card_id     TEXT NOT NULL REFERENCES cards(card_id),
    source      TEXT NOT NULL,
    programme   TEXT NOT NULL,
    amount_fen  INTEGER NOT NULL,
    payer       TEXT NOT NULL,
    paid_on     TEXT NOT NULL,
    paid_at     INTEGER NOT NULL,
    months      TEXT NOT NULL DEFAULT '[]',
    sample      INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX payments_by_person ON payments (person_id, seq);
