-- PostgreSQL form of the SQLite script 0010_minors.sql (schema version 10).
-- Minors: what the register knows of a minor living on their own labour
-- income (民法典第十八条), and a guardian's consent to the e-card on the
-- minor's own phone, kept on the guardian mandate that gave it.
ALTER TABLE people ADD COLUMN self_supporting BIGINT NOT NULL DEFAULT 0;
ALTER TABLE delegations ADD COLUMN holder_e_card_since BIGINT;
