"""``IdentityProvider`` over OIDC userinfo endpoints (Keycloak, Auth0), with urllib3.

- keycloak: GET ``{authority}/protocol/openid-connect/userinfo``
- auth0:    GET ``{authority}/userinfo``; when ``fields.organization`` is set, the body's
  ``org_id`` must equal it.
A token is valid iff the endpoint answers 200 with a JSON object carrying a non-empty ``sub``.
Results are cached by (type, authority, sha256(token)): valid ones for ``cache_ttl_s``, refusals
for ``negative_ttl_s``; transport failures and 5xx are not cached. Tokens are never logged, and
redirects are not followed (a token must not travel to another host).

Slow or hostile providers: every check has an overall deadline (``deadline_s``, ``IDP_TIMEOUT``)
that the request thread never waits past, whatever the provider does (a body or headers trickled
a byte at a time included); the outbound call runs on a small pool of its own and at most
``max_concurrent`` (``IDP_MAX_CONCURRENT``) calls are in flight per process. A check beyond that
is refused at once with ``IdentityProviderBusy`` (HTTP 503 with Retry-After), so a silent
provider can hold at most that many background threads and never the server's request threads:
health checks and other tenants stay responsive. A call past its deadline counts as a transport
failure (refused, not cached); its background thread stops reading at the deadline too, except
while a provider trickles headers, when it ends at the next read timeout.
"""

from __future__ import annotations

import hashlib
import json
import logging
import threading
import time
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as DeadlinePassed
from typing import Any
from urllib.parse import urlsplit

import urllib3

from adapters_out.identity.cache import TtlCache
from ports.errors import IdentityProviderBusy
from ports.security import ExternalIdentity

log = logging.getLogger(__name__)
MAX_BODY = 256 * 1024
_PATHS = {"keycloak": "/protocol/openid-connect/userinfo", "auth0": "/userinfo"}
_Result = ExternalIdentity | None


class UserinfoIdentityProvider:
    def __init__(
        self,
        *,
        cache_ttl_s: float = 60.0,
        negative_ttl_s: float = 10.0,
        connect_timeout_s: float = 3.0,
        read_timeout_s: float = 5.0,
        deadline_s: float = 5.0,
        max_concurrent: int = 4,
        max_entries: int = 10_000,
        clock: Callable[[], float] = time.monotonic,
        pool: urllib3.PoolManager | None = None,
    ) -> None:
        self._ttl, self._negative_ttl = cache_ttl_s, min(negative_ttl_s, cache_ttl_s)
        self._deadline = deadline_s
        self._timeout = urllib3.Timeout(
            connect=min(connect_timeout_s, deadline_s), read=min(read_timeout_s, deadline_s)
        )
        self._pool = pool or urllib3.PoolManager(num_pools=16, maxsize=8, retries=False)
        self._cache: TtlCache[tuple[str, str, str], _Result] = TtlCache(max_entries, clock)
        self._slots = threading.BoundedSemaphore(max_concurrent)
        self._calls = ThreadPoolExecutor(max_concurrent, thread_name_prefix="idp-check")

    def validate(
        self, provider_type: str, fields: Mapping[str, Any], token: str
    ) -> ExternalIdentity | None:
        kind = provider_type.lower()
        authority = fields.get("authority")
        if kind not in _PATHS or not token or not _is_http_url(authority):
            log.info("identity provider not usable", extra={"fields": {"provider": kind}})
            return None
        url = authority.rstrip("/") + _PATHS[kind]  # type: ignore[union-attr]
        organization = fields.get("organization") if kind == "auth0" else None
        digest = hashlib.sha256(token.encode("utf-8", "replace")).hexdigest()
        key = (kind, f"{url}#{organization or ''}", digest)
        return self._cache.get_or_compute(key, lambda: self._ask(kind, url, organization, token))

    def close(self) -> None:
        self._calls.shutdown(wait=False, cancel_futures=True)
        self._pool.clear()

    def _ask(self, kind: str, url: str, organization: object, token: str) -> tuple[_Result, float]:
        where = {"provider": kind, "host": urlsplit(url).netloc}
        if not self._slots.acquire(blocking=False):
            log.warning("identity provider checks saturated", extra={"fields": where})
            raise IdentityProviderBusy(retry_after_s=max(1, round(self._deadline)))
        ends_at = time.monotonic() + self._deadline
        try:
            call = self._calls.submit(self._call, kind, url, organization, token, ends_at)
        except BaseException:
            self._slots.release()
            raise
        try:
            return call.result(timeout=self._deadline)
        except DeadlinePassed:
            log.warning("identity provider too slow", extra={"fields": where})
            return None, 0.0

    def _call(
        self, kind: str, url: str, organization: object, token: str, ends_at: float
    ) -> tuple[_Result, float]:
        try:
            return self._request(kind, url, organization, token, ends_at)
        finally:
            self._slots.release()

    def _request(
        self, kind: str, url: str, organization: object, token: str, ends_at: float
    ) -> tuple[_Result, float]:
        where = {"provider": kind, "host": urlsplit(url).netloc}
        try:
            response = self._pool.request(
                "GET",
                url,
                headers={"Authorization": f"Bearer {token}", "Accept": "application/json"},
                timeout=self._timeout,
                retries=False,
                redirect=False,
                preload_content=False,
            )
            try:
                body = _read_until(response, ends_at)
            finally:
                response.release_conn()
        except (urllib3.exceptions.HTTPError, _Late) as error:
            log.warning(
                "identity provider unreachable",
                extra={"fields": {**where, "error": type(error).__name__}},
            )
            return None, 0.0
        if response.status >= 500:
            log.warning(
                "identity provider failed", extra={"fields": {**where, "status": response.status}}
            )
            return None, 0.0
        identity = _identity(response.status, body, organization)
        outcome = "accepted" if identity else "refused"
        log.info(
            f"identity provider {outcome} a token",
            extra={"fields": {**where, "status": response.status}},
        )
        return identity, self._ttl if identity else self._negative_ttl


class _Late(Exception):
    """The provider is still sending when the deadline has passed."""


def _read_until(response: Any, ends_at: float) -> bytes:
    """Up to ``MAX_BODY + 1`` bytes, a chunk at a time, giving up at ``ends_at`` (a provider
    trickling its body would otherwise hold the read for as long as each byte beats the read
    timeout)."""
    body = bytearray()
    while len(body) <= MAX_BODY:
        if time.monotonic() > ends_at:
            response.close()  # not reusable: the rest of the body is still coming
            raise _Late()
        chunk = response.read1(MAX_BODY + 1 - len(body))
        if not chunk:
            break
        body += chunk
    return bytes(body)


def _identity(status: int, body: bytes, organization: object) -> ExternalIdentity | None:
    if status != 200 or len(body) > MAX_BODY:
        return None
    try:
        info = json.loads(body)
    except ValueError:
        return None
    if not isinstance(info, dict):
        return None
    subject = info.get("sub")
    if not isinstance(subject, str | int) or isinstance(subject, bool) or str(subject) == "":
        return None
    if organization and info.get("org_id") != organization:
        return None
    email = info.get("email")
    return ExternalIdentity(subject=str(subject), email=email if isinstance(email, str) else None)


def _is_http_url(value: object) -> bool:
    if not isinstance(value, str):
        return False
    parts = urlsplit(value)
    return parts.scheme in ("http", "https") and bool(parts.netloc)
