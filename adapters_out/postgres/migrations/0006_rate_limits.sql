-- Rate-limit state shared by every worker and host: one GCRA "theoretical arrival time" (epoch
-- seconds) per hashed key. UNLOGGED: no WAL and no replication, emptied after a crash, which
-- only forgets some counting. A low fillfactor keeps the per-request updates HOT.
CREATE UNLOGGED TABLE rate_limits (
    key text COLLATE "C" PRIMARY KEY,
    tat double precision NOT NULL
) WITH (fillfactor = 50);
