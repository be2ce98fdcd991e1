"""``SecretBox`` implementations.

``FernetSecretBox`` derives one Fernet key per configured secret (HKDF-SHA256), seals with the
first and opens with any of them, so a key can be rotated by prepending a new one
(``SECRET_KEY=new,old``); sealed values carry the ``enc:v1:`` prefix. Values without the prefix
were stored in the clear (before a key was configured) and are returned as they are.
"""

from __future__ import annotations

import base64
import logging
from collections.abc import Sequence

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from ports.secrets import SecretUnavailable

PREFIX = "enc:v1:"
_INFO = b"datacollect-sync tenant secrets v1"
log = logging.getLogger(__name__)


def _fernet(secret_key: str) -> Fernet:
    derived = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=_INFO).derive(
        secret_key.encode()
    )
    return Fernet(base64.urlsafe_b64encode(derived))


class FernetSecretBox:
    def __init__(self, secret_keys: Sequence[str]) -> None:
        keys = [k for k in secret_keys if k]
        if not keys:
            raise ValueError("FernetSecretBox needs at least one non-empty key")
        self._fernet = MultiFernet([_fernet(k) for k in keys])

    def seal(self, plaintext: str) -> str:
        return PREFIX + self._fernet.encrypt(plaintext.encode()).decode("ascii")

    def open(self, stored: str) -> str:
        if not stored.startswith(PREFIX):
            return stored
        try:
            return self._fernet.decrypt(stored[len(PREFIX) :].encode("ascii")).decode()
        except (InvalidToken, ValueError) as error:
            raise SecretUnavailable(
                "a stored secret cannot be decrypted with SECRET_KEY"
            ) from error


class PlainSecretBox:
    """No key configured: secrets are stored as they are (still never returned by the API)."""

    def __init__(self, warn: bool = True) -> None:
        if warn:
            log.warning(
                "SECRET_KEY is not set: tenant secrets (external sync credentials, client "
                "secrets) are stored unencrypted in the database"
            )

    def seal(self, plaintext: str) -> str:
        return plaintext

    def open(self, stored: str) -> str:
        if stored.startswith(PREFIX):
            raise SecretUnavailable("a stored secret is encrypted but SECRET_KEY is not set")
        return stored
