"""Upstream's mock sync server contract (``mock-sync-server``), with its pull defect fixed.

- push: ``POST <url>`` with ``{"data": [event, ...]}`` (events in the DataCollect wire shape);
  any 2xx accepts the whole batch.
- pull: ``GET <url>?since=<cursor>`` answers a JSON array of records ``{id, timestamp, ...}``.
  Each record becomes an entity change (upstream stored an orphan ``external-pull`` event and
  stopped). A record with ``"type": "group"`` (or ``entityName: household``) is a group.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any
from urllib.parse import urlencode

from adapters_out.external.http import HttpClient, basic_auth, safe_url, split_userinfo
from adapters_out.external.payloads import event_document
from adapters_out.external.status import raise_for_refusal
from ports.external import (
    AdapterInfo,
    ConfigError,
    Credentials,
    ExternalConfig,
    ExternalRecord,
    HttpDeadline,
    PermanentError,
    PullPage,
    Pushed,
    PushItem,
    PushResult,
    Rejected,
    TransientError,
)

INFO = AdapterInfo(
    name="mock",
    description="Upstream's mock sync server: POST {data:[events]}, GET ?since= -> [records]",
    batch_size=100,
)
_GROUP_NAMES = frozenset({"group", "household"})


class MockSystem:
    info = INFO

    def __init__(self, config: ExternalConfig, deadline: HttpDeadline) -> None:
        if not config.url:
            raise ConfigError("the mock adapter needs 'url'")
        self._url, userinfo = split_userinfo(config.url)
        self._headers = {"Content-Type": "application/json", "Accept": "application/json"}
        if userinfo is not None:
            self._headers["Authorization"] = basic_auth(*userinfo)
        self.http = HttpClient(deadline)

    def authenticate(self, credentials: Credentials | None) -> None:
        if credentials is not None:
            self._headers["Authorization"] = basic_auth(credentials.username, credentials.password)

    def push(self, items: Sequence[PushItem]) -> list[PushResult]:
        body = json.dumps({"data": [event_document(i.event) for i in items]}).encode()
        answer = self.http.request("POST", self._url, body=body, headers=self._headers)
        raise_for_refusal(answer, self._url)
        if 200 <= answer.status < 300:
            return [Pushed() for _ in items]
        if answer.status >= 500:
            raise TransientError(f"{safe_url(self._url)} answered {answer.status}")
        reason = f"{safe_url(self._url)} answered {answer.status}"
        return [Rejected(reason=reason) for _ in items]

    def pull(self, cursor: str | None, limit: int) -> PullPage:
        query = "?" + urlencode({"since": cursor or ""})
        answer = self.http.request("GET", self._url + query, headers=self._headers)
        raise_for_refusal(answer, self._url)
        if answer.status >= 500:
            raise TransientError(f"{safe_url(self._url)} answered {answer.status} to a pull")
        if not 200 <= answer.status < 300:
            raise PermanentError(f"{safe_url(self._url)} answered {answer.status} to a pull")
        try:
            rows = answer.json()
        except ValueError as error:
            raise PermanentError("the mock server's pull answer is not JSON") from error
        if not isinstance(rows, list):
            raise PermanentError("the mock server's pull answer is not a JSON array")
        records = [r for r in (_record(row) for row in rows) if r is not None]
        newest = max((r.version for r in records), default=cursor)
        return PullPage(records=records, next_cursor=newest, done=True)

    def close(self) -> None:
        self.http.close()


def _record(row: Any) -> ExternalRecord | None:
    if not isinstance(row, dict) or row.get("id") in (None, ""):
        return None
    data = {k: v for k, v in row.items() if k not in ("id", "timestamp")}
    kind = "group" if {row.get("type"), row.get("entityName")} & _GROUP_NAMES else "individual"
    return ExternalRecord(
        model="record",
        external_id=str(row["id"]),
        version=str(row.get("timestamp") or ""),
        kind=kind,
        data=data,
        deleted=bool(row.get("deleted")),
    )


class _Factory:
    info = INFO

    def __call__(self, config: ExternalConfig, deadline: HttpDeadline) -> MockSystem:
        return MockSystem(config, deadline)


FACTORY = _Factory()
