"""GET /api/apps/{id}/export on every backend: the files open with the standard library and
openpyxl, hold exactly the entities a device pulled, honour the filters, and stay in their
tenant."""

from __future__ import annotations

import csv
import io
import json
import zipfile
from typing import Any

import openpyxl
import pytest

from tests.http.tenants.helpers import pull, push, upload
from tests.http.tenants.wiring import USER_ROLE, Env
from tests.support.events import at, wire_event

HOUSEHOLD_FORM = {
    "components": [
        {"type": "textfield", "key": "name", "input": True},
        {"type": "number", "key": "size", "input": True},
        {
            "type": "container",
            "key": "address",
            "tree": True,
            "input": True,
            "components": [
                {"type": "textfield", "key": "city", "input": True},
                {"type": "textfield", "key": "street", "input": True},
            ],
        },
        {
            "type": "panel",
            "key": "contact",
            "input": False,
            "components": [
                {
                    "type": "columns",
                    "key": "cols",
                    "input": False,
                    "columns": [{"components": [{"type": "phoneNumber", "key": "phone"}]}],
                }
            ],
        },
        {"type": "button", "key": "submit", "input": True},
    ]
}
PERSON_FORM = {
    "components": [
        {"type": "textfield", "key": "name", "input": True},
        {"type": "number", "key": "age", "input": True},
        {"type": "checkbox", "key": "head", "input": True},
        {"type": "selectboxes", "key": "needs", "input": True},
    ]
}


def config(tenant_id: str) -> dict[str, Any]:
    return {
        "id": tenant_id,
        "name": f"Tenant {tenant_id}",
        "entityForms": [
            {"name": "household", "formio": HOUSEHOLD_FORM},
            {"name": "person", "dependsOn": "household", "formio": PERSON_FORM},
        ],
    }


def _history(prefix: str) -> list[dict[str, Any]]:
    house = {
        "entityName": "household",
        "name": "Smith",
        "size": 4,
        "address": {"city": "Lyon", "street": "1 rue A", "zip": "69001"},
        "phone": "=1+1",
        "notes": "not in the form",
    }
    people = [
        {"entityName": "person", "name": "Ann", "age": 34, "head": True, "needs": {"food": True}},
        {"entityName": "person", "name": "Bob, Jr.", "age": 7, "head": False},
        {"entityName": "person", "name": 'Zoé "Z"', "age": None},
    ]
    events = [wire_event("create-group", f"{prefix}h1", house, timestamp=at(1))]
    for n, data in enumerate(people, 1):
        guid = f"{prefix}p{n}"
        events.append(wire_event("create-individual", guid, data, timestamp=at(1 + n)))
    members = [{"guid": f"{prefix}p1"}, {"guid": f"{prefix}p2"}]
    events.append(wire_event("add-member", f"{prefix}h1", {"members": members}, timestamp=at(5)))
    events.append(
        wire_event("create-individual", f"{prefix}x1", {"name": "No form"}, timestamp=at(6))
    )
    events.append(wire_event("update-individual", f"{prefix}p2", {"age": 8}, timestamp=at(7)))
    events.append(wire_event("delete-entity", f"{prefix}p3", {"reason": "moved"}, timestamp=at(8)))
    return events


@pytest.fixture
def device(env: Env, admin: dict[str, str]) -> dict[str, str]:
    for tenant in ("a", "b"):
        assert upload(env, admin, config(tenant)).status_code == 201
    headers = env.add_user(2, USER_ROLE, ("a",))
    push(env, headers, "a", *_history(""))
    push(env, admin, "b", *_history("b-"))
    return headers


def _export(env: Env, headers: dict[str, str], tenant: str = "a", **params: Any):
    return env.client.simulate_get(f"/api/apps/{tenant}/export", params=params, headers=headers)


def _csv_tables(body: bytes) -> dict[str, list[dict[str, str]]]:
    with zipfile.ZipFile(io.BytesIO(body)) as archive:
        assert archive.testzip() is None
        return {
            name.removesuffix(".csv"): list(
                csv.DictReader(io.StringIO(archive.read(name).decode("utf-8-sig")))
            )
            for name in archive.namelist()
        }


def _pulled_live_guids(env: Env, headers: dict[str, str]) -> set[str]:
    """What a device holds after pulling everything: created entities minus deleted ones."""
    live: set[str] = set()
    since = None
    while True:
        page = pull(env, headers, "a", since)
        for event in page["events"]:
            if event["type"].startswith("create-"):
                live.add(event["entityGuid"])
            if event["type"] == "delete-entity":
                live.discard(event["entityGuid"])
        since = page.get("nextCursor")
        if not since:
            return live


def test_csv_zip_holds_exactly_what_a_device_pulled(env: Env, device: dict[str, str]) -> None:
    result = _export(env, device, format="csv")
    assert result.status_code == 200, result.text
    assert result.headers["content-type"] == "application/zip"
    assert "a-entities.zip" in result.headers["content-disposition"]
    tables = _csv_tables(result.content)
    assert set(tables) == {"household", "person", "other", "memberships"}
    exported = {row["guid"] for name in ("household", "person", "other") for row in tables[name]}
    assert exported == _pulled_live_guids(env, device) == {"h1", "p1", "p2", "x1"}

    (house,) = tables["household"]
    assert list(house) == [
        "guid", "type", "entityName", "name", "version", "createdAt", "updatedAt", "deleted",
        "data.name", "size", "address.city", "address.street", "phone", "extra",
    ]  # fmt: skip
    assert house["address.city"] == "Lyon" and house["size"] == "4" and house["phone"] == "=1+1"
    assert json.loads(house["extra"]) == {"address": {"zip": "69001"}, "notes": "not in the form"}
    assert house["type"] == "group" and house["deleted"] == "false"
    assert house["createdAt"] == "2025-01-01T08:01:00.000Z"
    people = {row["guid"]: row for row in tables["person"]}
    assert people["p1"]["data.name"] == "Ann" and people["p1"]["head"] == "true"
    assert json.loads(people["p1"]["needs"]) == {"food": True}
    assert people["p2"]["data.name"] == "Bob, Jr." and people["p2"]["age"] == "8"
    assert people["p2"]["extra"] == ""
    assert [r["guid"] for r in tables["other"]] == ["x1"]
    assert tables["memberships"] == [
        {"groupGuid": "h1", "memberGuid": "p1", "position": "1"},
        {"groupGuid": "h1", "memberGuid": "p2", "position": "2"},
    ]


def test_xlsx_opens_with_openpyxl_one_sheet_per_table(env: Env, device: dict[str, str]) -> None:
    result = _export(env, device, format="xlsx")
    assert result.status_code == 200, result.text
    book = openpyxl.load_workbook(io.BytesIO(result.content), read_only=True)
    assert book.sheetnames == ["household", "person", "other", "memberships"]
    rows = list(book["person"].iter_rows(values_only=True))
    header, records = rows[0], [dict(zip(rows[0], r, strict=False)) for r in rows[1:]]
    assert header[:3] == ("guid", "type", "entityName")
    assert {r["guid"] for r in records} == {"p1", "p2"}
    ann = next(r for r in records if r["guid"] == "p1")
    assert ann["age"] == 34 and ann["head"] is True and ann["data.name"] == "Ann"
    header, house = list(book["household"].iter_rows(values_only=True))
    assert house[header.index("entityName")] == "household"
    assert house[header.index("phone")] == "=1+1"  # kept as text, not turned into a formula


def test_ndjson_is_one_entity_per_line(env: Env, device: dict[str, str]) -> None:
    result = _export(env, device, format="ndjson")
    assert result.status_code == 200 and result.headers["content-type"] == "application/x-ndjson"
    docs = [json.loads(line) for line in result.text.splitlines()]
    assert [(d["table"], d["guid"]) for d in docs] == [
        ("household", "h1"),
        ("person", "p1"),
        ("person", "p2"),
        ("other", "x1"),
    ]
    assert docs[0]["memberIds"] == ["p1", "p2"] and docs[0]["data"]["address"]["zip"] == "69001"


def test_filters(env: Env, device: dict[str, str]) -> None:
    deleted = _csv_tables(_export(env, device, includeDeleted="true").content)
    assert {r["guid"]: r["deleted"] for r in deleted["person"]} == {
        "p1": "false",
        "p2": "false",
        "p3": "true",
    }
    recent = _csv_tables(_export(env, device, updatedSince=at(6)).content)
    assert [r["guid"] for r in recent["person"]] == ["p2"]
    assert [r["guid"] for r in recent["other"]] == ["x1"] and recent["household"] == []
    only = _csv_tables(_export(env, device, type="person,memberships").content)
    assert set(only) == {"person", "memberships"}


@pytest.mark.parametrize(
    "params",
    [
        {"format": "pdf"},
        {"updatedSince": "yesterday"},
        {"includeDeleted": "maybe"},
    ],
)
def test_bad_parameters_are_400(env: Env, device: dict[str, str], params: dict) -> None:
    result = _export(env, device, **params)
    assert result.status_code == 400
    assert result.headers["content-type"] == "application/problem+json"


def test_unknown_table_is_422(env: Env, device: dict[str, str]) -> None:
    result = _export(env, device, type="pets")
    assert result.status_code == 422 and "pets" in result.json["detail"]


def test_access(env: Env, admin: dict[str, str], device: dict[str, str]) -> None:
    assert _export(env, device, "b").status_code == 403  # a USER of a only
    assert _export(env, device, "nope").status_code == 403  # no probing of other tenants
    assert _export(env, admin, "nope").status_code == 404
    assert _export(env, {}, "a").status_code == 401
    ungranted = env.add_user(3, USER_ROLE, ())
    assert _export(env, ungranted, "a").status_code == 403
    tables = _csv_tables(_export(env, admin, "b").content)
    assert {r["guid"] for r in tables["person"]} == {"b-p1", "b-p2"}  # nothing of a
