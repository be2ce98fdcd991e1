"""A device/admin client over real HTTP (urllib3), sending what the DataCollect client sends."""

from __future__ import annotations

import itertools
import json
import uuid
from collections.abc import Iterable, Sequence
from typing import Any

import urllib3

_local_ids = itertools.count(1)  # the client's IndexedDB autoincrement key, sent as "id"


class HttpError(AssertionError):
    pass


class Client:
    def __init__(self, base_url: str, http: urllib3.PoolManager | None = None) -> None:
        self.base_url = base_url
        self.http = http or urllib3.PoolManager(
            maxsize=8, retries=False, timeout=urllib3.Timeout(connect=5, read=60)
        )
        self.token: str | None = None
        self.authorization: str | None = None  # e.g. "keycloak <IdP token>"; else Bearer token

    # -- plumbing --------------------------------------------------------------------------
    def call(self, method: str, path: str, body: Any = None, expect: int | None = 200) -> Any:
        headers = {"Accept": "application/json"}
        if self.authorization:
            headers["Authorization"] = self.authorization
        elif self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        response = self.http.request(method, self.base_url + path, body=data, headers=headers)
        if expect is not None and response.status != expect:
            raise HttpError(f"{method} {path}: {response.status} {response.data[:500]!r}")
        return json.loads(response.data) if response.data else None

    # -- users and tenants -----------------------------------------------------------------
    def login(self, email: str, password: str) -> Client:
        reply = self.call("POST", "/api/users/login", {"email": email, "password": password})
        self.token = reply["token"]
        assert isinstance(reply["userId"], int)
        return self

    def create_tenant(self, name: str = "E2E", **config: Any) -> str:
        tenant_id = f"e2e-{uuid.uuid4().hex[:10]}"
        body = {"id": tenant_id, "name": name, "entityForms": [], **config}
        self.call("POST", "/api/apps", body, expect=201)
        return tenant_id

    def create_user(self, tenant_id: str, password: str = "device-password") -> str:
        email = f"device-{uuid.uuid4().hex[:8]}@example.org"
        body = {"email": email, "password": password, "role": "USER", "tenants": [tenant_id]}
        self.call("POST", "/api/users", body, expect=201)
        return email

    # -- sync, as the legacy client does it --------------------------------------------------
    def push(self, tenant_id: str, events: Sequence[Any], expect: int = 200) -> dict:
        return self.call("POST", "/api/sync/push", {"events": list(events), "configId": tenant_id},
                         expect=expect)  # fmt: skip

    def push_in_chunks(self, tenant_id: str, events: Sequence[Any], size: int = 10) -> list[dict]:
        return [self.push(tenant_id, events[i : i + size]) for i in range(0, len(events), size)]

    def pull(self, tenant_id: str, since: str = "", limit: int | None = None) -> dict:
        # Not URL-encoded, exactly like the client's template string.
        query = f"since={since}&configId={tenant_id}" + (f"&limit={limit}" if limit else "")
        return self.call("GET", f"/api/sync/pull?{query}")

    def pull_all(
        self, tenant_id: str, since: str = "", limit: int | None = None, max_pages: int = 10_000
    ) -> list[dict]:
        """The client's loop: ``since = nextCursor`` until it is null; returns the pages."""
        pages, cursor = [], since
        while cursor is not None:
            page = self.pull(tenant_id, cursor, limit)
            assert "nextCursor" in page  # compat: the client crashes without it
            pages.append(page)
            cursor = page["nextCursor"]
            assert len(pages) <= max_pages, "the feed never ends"
        return pages


def device_event(
    type_: str, entity_guid: str, data: dict[str, Any], timestamp: str, guid: str | None = None
) -> dict[str, Any]:
    return {
        "id": next(_local_ids),
        "guid": guid or str(uuid.uuid4()),
        "entityGuid": entity_guid,
        "type": type_,
        "data": data,
        "timestamp": timestamp,
        "userId": "device-user",
        "syncLevel": 0,
    }


def events_of(pages: Iterable[dict]) -> list[dict]:
    return [event for page in pages for event in page["events"]]
