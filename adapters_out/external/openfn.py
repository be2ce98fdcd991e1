"""OpenFn Lightning webhooks (``openfn-adapter``).

Push: ``POST <url>`` (the trigger, ``https://app.openfn.org/i/<uuid>``) with
``{"idempotencyKey", "changes": [...]}``, one change per outbox row
(``payloads.delivery_document``). Lightning has no idempotency key of its own and creates a
work order per POST, so the job must dedupe on each change's ``idempotencyKey``; the answer's
``work_order_id`` is kept as every row's ``external_ref``.

Auth (``externalSync.auth`` or the ``authMode`` option): ``api-key`` (``apiKey`` option, sent
as ``x-api-key``), ``basic`` (``username``/``password`` options, the run's credentials, or
userinfo in the URL), or none. Lightning answers 401 when credentials are missing and 404 for
both an unknown trigger and wrong credentials; both stop the run.

Pull: never a GET on the webhook (it only says "trigger found"); data comes back through
``POST /api/sync/external/callback/{configId}``.
"""

from __future__ import annotations

import json
from collections.abc import Sequence

from adapters_out.external.http import HttpClient, basic_auth, safe_url, split_userinfo
from adapters_out.external.payloads import delivery_document
from ports.external import (
    AdapterInfo,
    AuthError,
    ConfigError,
    Credentials,
    ExternalConfig,
    HttpDeadline,
    PullPage,
    Pushed,
    PushItem,
    PushResult,
    Rejected,
    TransientError,
)

INFO = AdapterInfo(
    name="openfn",
    description="OpenFn Lightning webhook (push; data comes back through the callback route)",
    can_pull=False,
    batch_size=500,
)


class OpenFnSystem:
    info = INFO

    def __init__(self, config: ExternalConfig, deadline: HttpDeadline) -> None:
        if not config.url:
            raise ConfigError("the OpenFn adapter needs 'url' (the webhook trigger)")
        self._url, userinfo = split_userinfo(config.url)
        self._config = config
        self._headers = {"Content-Type": "application/json", "Accept": "application/json"}
        self._userinfo = userinfo
        self.http = HttpClient(deadline)

    def authenticate(self, credentials: Credentials | None) -> None:
        """No network call: Lightning has no login; the first POST tells."""
        mode = str(self._config.auth or self._config.option("authMode", "") or "").lower()
        api_key = self._config.option("apiKey")
        if mode in ("", "none") and api_key:
            mode = "api-key"
        if mode in ("api-key", "apikey", "api_key"):
            if not api_key:
                raise ConfigError("OpenFn api-key auth needs the 'apiKey' option")
            self._headers["x-api-key"] = str(api_key)
        elif mode == "basic":
            user, password = self._basic(credentials)
            self._headers["Authorization"] = basic_auth(user, password)
        elif mode not in ("", "none"):
            raise ConfigError(f"unknown OpenFn auth mode {mode!r} (api-key, basic or none)")

    def _basic(self, credentials: Credentials | None) -> tuple[str, str]:
        if credentials is not None:
            return credentials.username, credentials.password
        user, password = self._config.option("username"), self._config.option("password")
        if user and password:
            return str(user), str(password)
        if self._userinfo is not None:
            return self._userinfo
        raise AuthError("OpenFn basic auth needs credentials (in the request or the config)")

    def push(self, items: Sequence[PushItem]) -> list[PushResult]:
        body = json.dumps(
            {"source": "datacollect", "changes": [delivery_document(i) for i in items]}
        ).encode()
        answer = self.http.request("POST", self._url, body=body, headers=self._headers)
        where = safe_url(self._url)
        if answer.status == 401:
            raise AuthError(f"{where} wants credentials (401)")
        if answer.status == 404:
            raise ConfigError(f"{where}: unknown trigger or wrong credentials (404)")
        if answer.status in (402, 403):
            raise ConfigError(
                f"{where}: the trigger is disabled or over its limit ({answer.status})"
            )
        if 200 <= answer.status < 300:
            try:
                doc = answer.json()
            except ValueError:
                doc = None
            ref = doc.get("work_order_id") if isinstance(doc, dict) else None
            return [Pushed(external_ref=ref if isinstance(ref, str) else None) for _ in items]
        if answer.status >= 500:
            raise TransientError(f"{where} answered {answer.status}")
        return [Rejected(reason=f"{where} answered {answer.status}") for _ in items]

    def pull(self, cursor: str | None, limit: int) -> PullPage:
        return PullPage(records=[], next_cursor=cursor, done=True)

    def close(self) -> None:
        self.http.close()


class _Factory:
    info = INFO

    def __call__(self, config: ExternalConfig, deadline: HttpDeadline) -> OpenFnSystem:
        return OpenFnSystem(config, deadline)


FACTORY = _Factory()
