-- PostgreSQL form of the SQLite script 0020_device_indexes.sql (schema version 20).
-- Devices found through an index by their account and by their key. Until
-- now only the device id was indexed, so an enrolment's "is this key
-- enrolled already?", an account's device list, count and least recently
-- used device, and the credentials of an account's devices each read every
-- device of the province: work that grows with the register, and on
-- PostgreSQL a scan that serializable isolation watches whole, so every
-- device a concurrent enrolment inserted collided with it.
CREATE INDEX devices_by_account ON devices (account_id);
CREATE INDEX devices_by_public_key ON devices (public_key) WHERE revoked_at IS NULL;
