"""One HTTP client for every external adapter: urllib3 with connect/read timeouts, the run's
overall deadline, and retries with exponential backoff that honour ``Retry-After``.

What is retried: a connection that could not be opened, and answers 429/502/503/504 (the
remote refused the request before doing anything). What is never retried here: a request that
was sent and whose answer was lost (read timeout, connection dropped mid-answer): the remote may
have acted on it, so the caller decides (an OpenSPP create looks the record up instead).
No wait goes past the deadline: when the next attempt could not start in time, the call fails
with ``TransientError`` carrying the remote's ``Retry-After``.

URLs may carry ``user:password@``: that userinfo becomes a Basic ``Authorization`` header and
is removed from the URL, and only ``safe_url()`` forms ever reach a message or a log.
"""

from __future__ import annotations

import json
import logging
import random
import time
from base64 import b64encode
from collections.abc import Callable, Mapping
from typing import Any

import attrs
import urllib3
from urllib3.exceptions import (
    ConnectTimeoutError,
    HTTPError,
    MaxRetryError,
    NewConnectionError,
    ProtocolError,
    ReadTimeoutError,
)
from urllib3.util import Retry, Timeout, parse_url

from ports.external import HttpDeadline, TimedOut, TransientError

log = logging.getLogger(__name__)
RETRY_STATUSES = frozenset({429, 502, 503, 504})


def safe_url(url: str) -> str:
    """``url`` without userinfo, query or fragment: what may be shown or logged."""
    try:
        parsed = parse_url(url)
    except ValueError:
        return "<invalid url>"
    host = parsed.host or ""
    port = f":{parsed.port}" if parsed.port else ""
    return f"{parsed.scheme or 'http'}://{host}{port}{parsed.path or ''}"


def split_userinfo(url: str) -> tuple[str, tuple[str, str] | None]:
    """``(url without userinfo, (user, password) or None)``."""
    parsed = parse_url(url)
    if not parsed.auth:
        return url, None
    user, _, password = parsed.auth.partition(":")
    from urllib.parse import unquote

    clean = parsed._replace(auth=None).url
    return clean, (unquote(user), unquote(password))


def basic_auth(user: str, password: str) -> str:
    return "Basic " + b64encode(f"{user}:{password}".encode()).decode("ascii")


class Deadline:
    """A run's overall time budget (monotonic clock)."""

    def __init__(self, seconds: float, monotonic: Callable[[], float] = time.monotonic) -> None:
        self._monotonic = monotonic
        self._end = monotonic() + seconds

    def remaining(self) -> float:
        return max(0.0, self._end - self._monotonic())


@attrs.frozen(kw_only=True)
class HttpPolicy:
    connect_timeout_s: float = 5.0
    read_timeout_s: float = 30.0
    attempts: int = 5  # per call, for refusals that are safe to repeat
    backoff_s: float = 0.5
    backoff_max_s: float = 30.0
    pool_size: int = 4


@attrs.frozen(kw_only=True)
class Answer:
    status: int
    headers: Mapping[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body) if self.body else None

    def retry_after_s(self) -> float | None:
        value = self.headers.get("Retry-After")
        if value is None:
            return None
        try:
            return max(0.0, float(Retry(0).parse_retry_after(value)))
        except Exception:  # an unparsable header is no hint
            return None


class HttpClient:
    def __init__(
        self,
        deadline: HttpDeadline,
        policy: HttpPolicy | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self._deadline, self.policy = deadline, policy or HttpPolicy()
        self._sleep = sleep
        self._pool = urllib3.PoolManager(maxsize=self.policy.pool_size, retries=False)
        self.calls = 0  # requests sent (retries included): the benchmark's calls/record

    def close(self) -> None:
        self._pool.clear()

    def request(
        self,
        method: str,
        url: str,
        *,
        body: bytes | None = None,
        headers: Mapping[str, str] | None = None,
        retry_statuses: frozenset[int] = RETRY_STATUSES,
    ) -> Answer:
        """Send, retrying what is safe to retry; the answer of the last attempt otherwise."""
        attempt = 0
        while True:
            attempt += 1
            answer = self._once(method, url, body, headers)
            if answer.status not in retry_statuses:
                return answer
            hint = answer.retry_after_s()
            if attempt >= self.policy.attempts:
                raise TransientError(
                    f"{safe_url(url)} answered {answer.status} {attempt} times",
                    retry_after_s=hint,
                )
            self._wait(attempt, hint, f"{safe_url(url)} answered {answer.status}")

    def _wait(self, attempt: int, hint: float | None, why: str) -> None:
        if hint is None:
            backoff = min(self.policy.backoff_max_s, self.policy.backoff_s * 2 ** (attempt - 1))
            hint = backoff * (0.7 + 0.6 * random.random())  # noqa: S311 - jitter, not security
        if hint >= self._deadline.remaining():
            raise TransientError(f"{why}; no time left to retry", retry_after_s=hint)
        log.info("external call retried", extra={"reason": why, "wait_s": round(hint, 3)})
        self._sleep(hint)

    def _once(
        self, method: str, url: str, body: bytes | None, headers: Mapping[str, str] | None
    ) -> Answer:
        remaining = self._deadline.remaining()
        if remaining <= 0:
            raise TimedOut(f"the run's deadline passed before calling {safe_url(url)}")
        timeout = Timeout(
            connect=min(self.policy.connect_timeout_s, remaining),
            read=min(self.policy.read_timeout_s, remaining),
        )
        attempt = 0
        while True:
            attempt += 1
            self.calls += 1
            try:
                response = self._pool.request(
                    method,
                    url,
                    body=body,
                    headers=dict(headers or {}),
                    timeout=timeout,
                    retries=False,
                    redirect=False,
                    preload_content=True,
                )
            except (ConnectTimeoutError, NewConnectionError) as error:
                # Nothing was sent: safe to try again.
                if attempt >= self.policy.attempts:
                    raise TransientError(f"cannot connect to {safe_url(url)}") from error
                self._wait(attempt, None, f"cannot connect to {safe_url(url)}")
                continue
            except ReadTimeoutError as error:
                raise TimedOut(f"{safe_url(url)} did not answer in time") from error
            except MaxRetryError as error:
                reason = error.reason
                if isinstance(reason, ReadTimeoutError):
                    raise TimedOut(f"{safe_url(url)} did not answer in time") from error
                if isinstance(reason, ConnectTimeoutError | NewConnectionError):
                    if attempt >= self.policy.attempts:
                        raise TransientError(f"cannot connect to {safe_url(url)}") from error
                    self._wait(attempt, None, f"cannot connect to {safe_url(url)}")
                    continue
                raise TransientError(f"{safe_url(url)}: the connection failed") from error
            except (ProtocolError, HTTPError) as error:
                raise TransientError(
                    f"{safe_url(url)}: the connection failed before an answer"
                ) from error
            return Answer(
                status=response.status,
                headers={k.title(): v for k, v in response.headers.items()},
                body=response.data,
            )
