"""Retry a whole unit of work after a deadlock or serialisation failure."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from ports.errors import TransientConflict

T = TypeVar("T")
ATTEMPTS = 4


def with_retries(work: Callable[[], T], attempts: int = ATTEMPTS) -> T:
    for attempt in range(attempts):
        try:
            return work()
        except TransientConflict:
            if attempt == attempts - 1:
                raise
    raise AssertionError("unreachable")
