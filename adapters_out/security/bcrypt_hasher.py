"""bcrypt password hashing (the ``PasswordHasher`` port)."""

from __future__ import annotations

import bcrypt

MAX_BYTES = 72  # bcrypt 5 refuses longer inputs (ValueError) instead of truncating them


def _encode(password: str) -> bytes:
    # JSON can carry lone surrogates ("\ud800"); they must fail the check, not crash it.
    return password.encode("utf-8", "surrogatepass")


class BcryptPasswordHasher:
    def __init__(self, cost: int = 12) -> None:
        if not 4 <= cost <= 31:
            raise ValueError("bcrypt cost must be between 4 and 31")
        self._cost = cost
        # Checked against when the account does not exist, so that costs as much as a real check.
        self._dummy_hash = bcrypt.hashpw(b"dummy password for timing", bcrypt.gensalt(cost))

    def hash(self, password: str) -> str:
        raw = _encode(password)
        if len(raw) > MAX_BYTES:
            raise ValueError(f"passwords are limited to {MAX_BYTES} bytes")
        return bcrypt.hashpw(raw, bcrypt.gensalt(self._cost)).decode("ascii")

    def verify(self, password: str, password_hash: str) -> bool:
        raw = _encode(password)
        if len(raw) > MAX_BYTES:
            self.waste_time(password)  # no stored hash can match; take the usual time anyway
            return False
        try:
            return bcrypt.checkpw(raw, password_hash.encode("ascii"))
        except ValueError:  # not a bcrypt hash (corrupt row): a failed login, not a crash
            return False

    def waste_time(self, password: str) -> None:
        bcrypt.checkpw(_encode(password)[:MAX_BYTES], self._dummy_hash)
