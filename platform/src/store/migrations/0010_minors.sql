-- Minors: what the register knows of a minor living on their own labour
-- income (民法典第十八条), and a guardian's consent to the e-card on the
-- minor's own phone, kept on the guardian mandate that gave it.
ALTER TABLE people ADD COLUMN self_supporting INTEGER NOT NULL DEFAULT 0;
ALTER TABLE delegations ADD COLUMN holder_e_card_since INTEGER;
