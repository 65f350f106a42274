-- PostgreSQL form of the SQLite script 0003_account_deletion.sql (schema version 3).
-- An account the resident deleted (PIPL right of deletion): its devices are
-- revoked and its contact data cleared; cards, applications and the audit
-- log stay, as the law keeps them.
ALTER TABLE accounts ADD COLUMN deleted_at BIGINT;
