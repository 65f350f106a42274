-- PostgreSQL form of the SQLite script 0019_application_stages_on_row.sql (schema version 19).
-- Applications written without reading the table back. Under PostgreSQL's
-- serializable isolation a read through an index watches the whole index
-- page it touched, so concurrent submissions of different people that
-- read the applications (one open application a person) and the stages
-- (the next stage number) collided and ran again.
--
-- The last stage's number is kept on the application row: a state change
-- takes it from the row it updates instead of reading the stages.
ALTER TABLE applications ADD COLUMN last_stage_seq BIGINT NOT NULL DEFAULT 0;
UPDATE applications SET last_stage_seq = COALESCE(
    (SELECT MAX(seq) FROM application_stages s WHERE s.application_id = applications.application_id), 0);
-- One application in progress a person, held by the database: a
-- submission inserts and is refused by this index instead of looking for
-- an open one first. The states are those `has_open_application` counts
-- as closed.
CREATE UNIQUE INDEX applications_one_open ON applications (person_id)
    WHERE state NOT IN ('activated', 'cancelled', 'received');
