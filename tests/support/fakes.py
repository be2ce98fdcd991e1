"""Fakes implementing ports for application tests (state-based, no mocks)."""

from __future__ import annotations

import hashlib


class PlainHasher:
    """A fast stand-in for bcrypt: sha256 with a marker. Counts calls so tests can check
    that unknown emails cost a hash too."""

    def __init__(self) -> None:
        self.calls = 0

    def hash(self, password: str) -> str:
        self.calls += 1
        return "plain$" + hashlib.sha256(password.encode()).hexdigest()

    def verify(self, password: str, password_hash: str) -> bool:
        return self.hash(password) == password_hash

    def waste_time(self, password: str) -> None:
        self.hash(password)


class EchoTokens:
    lifetime_s = 3600

    def issue(
        self,
        *,
        subject: str,
        email: str,
        role: str,
        version: str | None = None,
        session_id: str | None = None,
    ) -> str:
        return f"token:{subject}:{role}"

    def verify(self, token: str):  # pragma: no cover - not used by these tests
        raise NotImplementedError


class SequentialTokens:
    """``OpaqueTokens`` with predictable values: opaque-1, opaque-2, ..."""

    def __init__(self) -> None:
        self.issued = 0

    def new_token(self) -> str:
        self.issued += 1
        return f"opaque-{self.issued}"
