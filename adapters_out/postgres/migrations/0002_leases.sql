-- Named, expiring leases: one runner at a time across workers and hosts (scheduled jobs, one
-- external sync run per tenant). Not keyed by tenant: a lease name may cover several tenants
-- or none. A table rather than advisory locks, so that a run may hold its lease without
-- holding a pooled connection, and a dead holder's lease simply expires.
CREATE TABLE leases (
    name       text COLLATE "C" PRIMARY KEY,
    holder     text NOT NULL,
    expires_at timestamptz NOT NULL
);
