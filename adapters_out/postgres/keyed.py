"""Key-driven statements: plans that stay bounded whatever the planner's statistics say.

Every statement on the push and pull paths looks rows up by the keys it is given, never by
joining them against the tenant's rows. Two habits make that hold with statistics absent
(a fresh database, autovacuum off), stale (gathered while the tenant was small) or misleading
(a new tenant in an analysed database, which the planner believes to be empty):

- The keys drive: ``unnest(keys)`` is the outer side of a nested loop and each key is looked
  up in a ``LATERAL`` subquery fenced by ``LIMIT``/``OFFSET 0``, so the planner cannot flatten
  it into a hash or merge join over the table (a semi-join that reads the tenant's whole
  history and filters it afterwards).
- The tenant id reaches the lookup through a fenced subquery (``w.tenant_id``), not as a
  literal. The planner then prices "rows of a tenant" as an average tenant (1/n_distinct of
  the table) instead of trusting the per-value statistic, which for a new tenant says "no rows"
  and makes any index that merely starts with ``tenant_id`` look as cheap as the exact key:
  that is how a walk of the tenant's whole ``event_touches`` got chosen.

One trap remains: a partial index. Its predicate's selectivity (without statistics, 0.5%)
can push the estimate of a tenant-wide walk down to one row, the same as the exact lookup, and
the tie may go either way; so the lookups here avoid partial indexes (migration 0003).

Updates and deletes find their rows the same way and then address them by ``ctid``
(a TID scan), because an UPDATE/DELETE target cannot itself be a LATERAL subquery. Rows so
addressed are claimed or locked by the unit of work, so no concurrent update moves them.

A shape is only half of it: the plan must also be made with the real keys and table sizes.
Every pooled connection therefore runs with ``plan_cache_mode=force_custom_plan`` (database.py),
so that no prepared statement keeps a generic plan chosen while the tenant was small.

tests/postgres/test_plans.py checks the plans of all these statements in each case, and that
no prepared statement ever runs on a generic plan.
"""

# ruff: noqa: S608 - SQL text is assembled only from module constants and keyed.py's
# fragments (table and column names are fixed identifiers, values are always parameters).

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

# The tenant as a value the planner cannot see into (see above).
TENANT = '(SELECT %(tenant)s::text COLLATE "C" AS tenant_id OFFSET 0) AS w'


def each_key(table: str, key_column: str, *, where: str = "", per_key: str = "LIMIT 1") -> str:
    """``FROM``-clause: the parameter ``%(keys)b`` (a text array, no repeats), each looked up
    in ``table`` by ``(tenant_id, key_column)``; the rows are ``r`` (all columns plus
    ``row_id``, the ctid) and the key ``k.key``. ``per_key`` bounds the rows per key."""
    extra = f" AND {where}" if where else ""
    return (
        f" FROM unnest(%(keys)b::text[]) AS k(key) CROSS JOIN {TENANT} CROSS JOIN LATERAL"
        f" (SELECT t.ctid AS row_id, t.* FROM {table} t WHERE t.tenant_id = w.tenant_id"
        f" AND t.{key_column} = k.key{extra} {per_key}) AS r"
    )


def keyed_params(tenant_id: str, keys: Iterable[str]) -> dict[str, Any]:
    """Parameters for :func:`each_key`: the keys deduplicated, in a stable order."""
    return {"tenant": tenant_id, "keys": sorted(set(keys))}
