"""Tenant secrets at rest: Fernet (AES-128-CBC + HMAC-SHA256) when ``SECRET_KEY`` is set,
else stored as they are (``PlainSecretBox`` logs a warning when it is built)."""
