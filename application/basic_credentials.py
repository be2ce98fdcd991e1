"""E-mail and password on every request (HTTP Basic, as Excel and Power BI send it), without a
bcrypt check on every request.

A verified credential is remembered for ``TTL_S`` (60) seconds under a SHA-256 of the e-mail and
password (never the password itself). A remembered credential still loads the account on every
request, so a disabled or deleted user, or changed grants, take effect at once; a changed
password does too, because the remembered entry also holds the password hash it was checked
against. Throttling of the uncached checks is the HTTP layer's job (``LoginThrottle``).
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict

from domain.errors import Unauthenticated
from domain.users import Principal, User, normalise_email
from ports.clock import Clock
from ports.repositories import UnitOfWorkFactory
from ports.security import PasswordHasher

FAILED = "Invalid email or password"
MAX_ENTRIES = 4_096
TTL_S = 60.0


def _principal(user: User) -> Principal:
    return Principal(user_id=str(user.id), email=user.email, role=user.role, tenants=user.tenants)


class BasicCredentials:
    def __init__(
        self, uow_factory: UnitOfWorkFactory, hasher: PasswordHasher, clock: Clock
    ) -> None:
        self._uow_factory, self._hasher, self._clock = uow_factory, hasher, clock
        self._ttl_s = TTL_S
        self._lock = threading.Lock()
        self._verified: OrderedDict[bytes, tuple[int, str, float]] = OrderedDict()

    @staticmethod
    def _key(email: str, password: str) -> bytes:
        return hashlib.sha256(
            normalise_email(email).encode() + b"\0" + password.encode("utf-8", "surrogatepass")
        ).digest()

    def _load(self, email: str) -> User | None:
        with self._uow_factory(read_only=True) as uow:
            user = uow.users.get_by_email(normalise_email(email))
        return None if user is None or user.disabled else user

    def cached(self, email: str, password: str) -> Principal | None:
        """The caller, when this credential was verified less than ``TTL_S`` ago and the
        account is unchanged; None when a full check is needed."""
        key, now = self._key(email, password), self._clock.now().timestamp()
        with self._lock:
            entry = self._verified.get(key)
        if entry is None or entry[2] <= now:
            return None
        user = self._load(email)
        if user is None or user.id != entry[0] or user.password_hash != entry[1]:
            with self._lock:
                self._verified.pop(key, None)
            return None
        return _principal(user)

    def verify(self, email: str, password: str) -> Principal:
        """A full check (bcrypt); remembered when it succeeds. Raises ``Unauthenticated``."""
        user = self._load(email)
        if user is None:
            self._hasher.waste_time(password)  # same cost as a real check: no enumeration
            raise Unauthenticated(FAILED, code="invalid-credentials")
        if not self._hasher.verify(password, user.password_hash):
            raise Unauthenticated(FAILED, code="invalid-credentials")
        until = self._clock.now().timestamp() + self._ttl_s
        with self._lock:
            self._verified[self._key(email, password)] = (user.id, user.password_hash, until)
            while len(self._verified) > MAX_ENTRIES:
                self._verified.popitem(last=False)
        return _principal(user)
