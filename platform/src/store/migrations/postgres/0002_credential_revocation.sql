-- PostgreSQL form of the SQLite script 0002_credential_revocation.sql (schema version 2).
-- Credentials revoked one by one (a mandate ended), as opposed to the card's
-- loss reports: releasing a loss report must not clear their status bits.
ALTER TABLE credentials ADD COLUMN revoked_at BIGINT;
