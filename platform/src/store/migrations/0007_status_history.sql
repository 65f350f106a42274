-- The history of the status bits, so the platform can serve a terminal the
-- changes since the edition it holds (a signed delta) instead of the whole
-- list. One row per actual change of a bit (set or cleared), recorded by
-- triggers so no writer of status_bits can forget it. A row's sequence is
-- the edition that first shows the change: triggers leave it NULL and the
-- code that advances the status sequence stamps the pending rows with the
-- new sequence and the platform time, in the same transaction.
--
-- Rows are kept 7 days from their edition (pruned by the clock tick); the
-- meta key status_history_floor_{list} is the oldest edition a delta can
-- start from (every change after it is kept). History before this
-- migration is unknown, so the floor starts at the current edition.
CREATE TABLE status_history (
    id           INTEGER PRIMARY KEY,
    list         INTEGER NOT NULL,
    sequence     INTEGER,
    idx          INTEGER NOT NULL,
    revoked      INTEGER NOT NULL CHECK (revoked IN (0, 1)),
    recorded_at  INTEGER
);
CREATE INDEX status_history_by_sequence ON status_history (list, sequence);
CREATE INDEX status_history_by_time ON status_history (recorded_at);

CREATE TRIGGER status_bit_set AFTER INSERT ON status_bits
BEGIN
    INSERT INTO status_history (list, idx, revoked) VALUES (NEW.list, NEW.idx, 1);
END;

CREATE TRIGGER status_bit_cleared AFTER DELETE ON status_bits
BEGIN
    INSERT INTO status_history (list, idx, revoked) VALUES (OLD.list, OLD.idx, 0);
END;

INSERT INTO meta (key, value)
SELECT 'status_history_floor_0',
       COALESCE((SELECT value FROM meta WHERE key = 'status_sequence_0'), 0);
