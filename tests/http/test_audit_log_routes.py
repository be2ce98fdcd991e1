"""Audit-log push/pull (compat): tenant-checked, authored by the caller, paged."""

from __future__ import annotations

from typing import Any

from tests.http.conftest import Api
from tests.support.events import at


def entry(n: int, minute: float = 0) -> dict[str, Any]:
    return {
        "guid": f"audit-{n}",
        "timestamp": at(minute),
        "userId": "forged-user",
        "action": "create-individual",
        "eventGuid": f"evt-{n}",
        "entityGuid": f"ent-{n}",
        "changes": {"n": n},
        "signature": "",
        "syncLevel": 0,  # unknown to us: ignored
    }


def push(api: Api, entries: list[dict[str, Any]], who: str = "alice"):  # type: ignore[no-untyped-def]
    return api.client.simulate_post(
        "/api/sync/push/audit-logs",
        json={"auditLogs": entries, "configId": "t1"},
        headers=api.auth(who),
    )


def pull(api: Api, since: str = "", limit: int = 100):  # type: ignore[no-untyped-def]
    return api.client.simulate_get(
        "/api/sync/pull/audit-logs",
        params={"configId": "t1", "since": since, "limit": str(limit)},
        headers=api.auth("alice"),
    )


def test_pushed_entries_are_authored_by_the_caller(api: Api) -> None:
    assert push(api, [entry(1)]).json == {"status": "success", "accepted": 1}
    pulled = pull(api).json
    assert len(pulled) == 1
    assert pulled[0]["userId"] == str(api.users["alice"].id)
    assert pulled[0]["timestamp"] == at(0)
    assert set(pulled[0]) == {
        "guid", "timestamp", "userId", "action", "eventGuid", "entityGuid", "changes", "signature"
    }  # fmt: skip


def test_pull_pages_through_entries_sharing_a_timestamp(api: Api) -> None:
    push(api, [entry(n, minute=1) for n in range(5)] + [entry(9, minute=0)])
    seen, since = [], ""
    while True:
        result = pull(api, since=since, limit=2)
        seen += [e["guid"] for e in result.json]
        since = result.headers.get("x-next-cursor")
        if since is None:
            break
    assert seen == ["audit-9", "audit-0", "audit-1", "audit-2", "audit-3", "audit-4"]


def test_since_a_timestamp_is_exclusive(api: Api) -> None:
    push(api, [entry(1, minute=0), entry(2, minute=5)])
    assert [e["guid"] for e in pull(api, since=at(0)).json] == ["audit-2"]


def test_a_bad_timestamp_is_422_with_a_pointer(api: Api) -> None:
    result = push(api, [entry(1), {**entry(2), "timestamp": "later"}])
    assert result.status_code == 422
    assert result.json["errors"][0]["pointer"] == "#/auditLogs/1/timestamp"


def test_a_bad_since_is_400(api: Api) -> None:
    assert pull(api, since="garbage").status_code == 400
