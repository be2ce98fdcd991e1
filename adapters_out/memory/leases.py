"""In-memory leases (the reference the SQL adapters are tested against)."""

from __future__ import annotations

from datetime import datetime

from adapters_out.memory.state import MemoryState


class MemoryLeases:
    def __init__(self, state: MemoryState) -> None:
        self._state = state

    def acquire(self, name: str, holder: str, now: datetime, until: datetime) -> bool:
        current = self._state.leases.get(name)
        if current is not None and current[0] != holder and current[1] > now:
            return False
        self._state.leases[name] = (holder, until)
        return True

    def release(self, name: str, holder: str) -> None:
        current = self._state.leases.get(name)
        if current is not None and current[0] == holder:
            del self._state.leases[name]

    def holder(self, name: str, now: datetime) -> str | None:
        current = self._state.leases.get(name)
        return current[0] if current is not None and current[1] > now else None
