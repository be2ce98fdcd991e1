"""Rate-limit state shared by every worker and host (the ``RateLimits`` port).

Limits are GCRA (the generic cell rate algorithm: a token bucket kept as one number per key,
the *theoretical arrival time*): ``limit`` requests per ``period_s`` with a burst of
``limit``. Implementations: in process (``adapters_out.memory.limits``: tests, one process),
a SQLite file shared by the workers of one host (embedded mode), and an UNLOGGED PostgreSQL
table shared by every host. Each ``hit`` is one atomic statement, so N workers never get N
times the budget.
"""

from __future__ import annotations

from datetime import datetime
from typing import Protocol


class RateLimits(Protocol):
    def hit(self, key: str, limit: int, period_s: float) -> float:
        """Count one request for ``key``. 0.0 when allowed; else the seconds until one would
        be, and nothing is counted."""
        ...

    def refund(self, key: str, limit: int, period_s: float) -> None:
        """Give back one request counted by ``hit`` (e.g. a login that succeeded)."""
        ...

    def reset(self, key: str) -> None:
        """Forget the key: its full budget is available again."""
        ...

    def purge_expired(self, now: datetime) -> int:
        """Delete state that no longer limits anything (its budget has refilled by ``now``);
        returns how many keys. Absent and refilled keys behave the same, so this is safe at
        any time."""
        ...
