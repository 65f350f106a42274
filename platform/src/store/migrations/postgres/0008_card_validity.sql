-- PostgreSQL form of the SQLite script 0008_card_validity.sql (schema version 8).
-- A card's end of validity (有效期): the last day, on the China calendar,
-- on which it is valid; NULL where none is recorded. No credential outlives
-- it (00:00 China time the next day).
ALTER TABLE cards ADD COLUMN valid_through TEXT;
