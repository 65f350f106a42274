-- PostgreSQL form of the SQLite script 0012_instant_issue.sql (schema version 12).
-- Instant issue (即时制卡, 立等可取): an application marked for it is made
-- on the spot by the pickup outlet's staff, who hold an operator token
-- bound to that outlet (terminal operators have none).
ALTER TABLE applications ADD COLUMN instant_issue BIGINT NOT NULL DEFAULT 0;
ALTER TABLE operators ADD COLUMN outlet_id TEXT;
