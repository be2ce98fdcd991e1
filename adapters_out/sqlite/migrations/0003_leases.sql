-- Named, expiring leases: one runner at a time across processes (scheduled jobs, one external
-- sync run per tenant). Not keyed by tenant: a lease name may cover several tenants or none.
CREATE TABLE leases (
    name       TEXT PRIMARY KEY,
    holder     TEXT NOT NULL,
    expires_at TEXT NOT NULL
) STRICT;
