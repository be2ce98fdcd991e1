"""Entity scans (exports, OData): keyset pages, filters, createdAt, tenant isolation."""

from __future__ import annotations

import pytest

from ports.entity_scan import Comparison, EntityScan, Junction, Order
from tests.contract.builders import entity, t, tenant


def _save(database, tenant_id, entities) -> None:
    with database() as uow:
        if uow.tenants.get(tenant_id) is None:
            uow.tenants.add(tenant(tenant_id))
        uow.entities.save_many(tenant_id, entities, {})
        uow.commit()


def _guids(database, query: EntityScan, tenant_id: str = "t1") -> list[str]:
    with database(read_only=True) as uow:
        return [r.guid for r in uow.entities.scan(tenant_id, query)]


def _count(database, query: EntityScan) -> int:
    with database(read_only=True) as uow:
        return uow.entities.count_scan("t1", query)


@pytest.fixture
def stored(database):
    household = {"entityName": "household", "name": "H", "size": 4, "ok": True}
    _save(
        database,
        "t1",
        [
            entity("h1", type_="group", members=("p2", "p1"), data=household, updated=10),
            entity("p1", data={"entityName": "person", "name": "Ann", "age": 3}, updated=20),
            entity("p2", data={"entityName": "person", "name": "Bob", "age": "3"}, updated=30),
            entity("p3", data={"name": "Formless", "age": None}, updated=40),
            entity("p4", data={"entityName": "pet", "name": "Rex"}, updated=50),
            entity("p5", deleted=True, updated=60),
        ],
    )
    _save(database, "t2", [entity("p1", data={"entityName": "person", "name": "Other"})])
    return database


def test_scan_pages_in_guid_order_with_keyset_and_offset(stored):
    assert _guids(stored, EntityScan(limit=2)) == ["h1", "p1"]
    assert _guids(stored, EntityScan(after="p1", limit=2)) == ["p2", "p3"]
    assert _guids(stored, EntityScan(after="p3", limit=10)) == ["p4"]
    assert _guids(stored, EntityScan(offset=3, limit=10)) == ["p3", "p4"]
    assert _guids(stored, EntityScan(include_deleted=True, after="p4")) == ["p5"]
    assert _count(stored, EntityScan(after="p3", limit=1)) == 5  # paging is ignored
    assert _guids(stored, EntityScan(), "t2") == ["p1"]
    assert _guids(stored, EntityScan(), "nobody") == []


def test_scan_rows_carry_what_an_export_needs(stored):
    with stored(read_only=True) as uow:
        (row,) = uow.entities.scan("t1", EntityScan(limit=1))
        (other,) = uow.entities.scan("t2", EntityScan(limit=1))
    assert row.type == "group" and row.entity_name == "household" and row.version == 2
    assert row.member_ids == ("p2", "p1") and not row.deleted
    assert row.data == {"entityName": "household", "name": "H", "size": 4, "ok": True}
    assert row.created_at == t(10) and row.updated_at == t(10)
    assert other.data["name"] == "Other"


def test_created_at_is_kept_by_later_saves(stored):
    _save(stored, "t1", [entity("p1", data={"entityName": "person", "age": 4}, updated=99)])
    with stored(read_only=True) as uow:
        row = uow.entities.scan("t1", EntityScan(after="h1", limit=1))[0]
    assert (row.guid, row.created_at, row.updated_at) == ("p1", t(20), t(99))


def test_form_type_and_updated_since_filters(stored):
    assert _guids(stored, EntityScan(entity_name="person")) == ["p1", "p2"]
    assert _guids(stored, EntityScan(not_in_forms=("person", "household"))) == ["p3", "p4"]
    assert _guids(stored, EntityScan(not_in_forms=())) == ["h1", "p1", "p2", "p3", "p4"]
    assert _guids(stored, EntityScan(type="group")) == ["h1"]
    assert _guids(stored, EntityScan(updated_since=t(30))) == ["p2", "p3", "p4"]
    assert _count(stored, EntityScan(entity_name="person", updated_since=t(25))) == 1


@pytest.mark.parametrize(
    ("condition", "expected"),
    [
        (Comparison(field="updatedAt", op="gt", value=t(20)), ["p2", "p3", "p4"]),
        (Comparison(field="updatedAt", op="le", value=t(20)), ["h1", "p1"]),
        (Comparison(field="createdAt", op="lt", value=t(30)), ["h1", "p1"]),
        (Comparison(field="type", op="eq", value="group"), ["h1"]),
        (Comparison(field="type", op="ne", value="group"), ["p1", "p2", "p3", "p4"]),
        (Comparison(field="entityName", op="eq", value=None), ["p3"]),
        (Comparison(field="entityName", op="ne", value="person"), ["h1", "p3", "p4"]),
        (Comparison(field="guid", op="ge", value="p2"), ["p2", "p3", "p4"]),
        (Comparison(field="version", op="eq", value=2), ["h1", "p1", "p2", "p3", "p4"]),
        (Comparison(field="name", op="eq", value="Rex", in_data=True), ["p4"]),
        (Comparison(field="age", op="eq", value=3, in_data=True), ["p1"]),
        (Comparison(field="age", op="eq", value="3", in_data=True), ["p2"]),
        (Comparison(field="age", op="eq", value=None, in_data=True), ["h1", "p3", "p4"]),
        (Comparison(field="age", op="ne", value=None, in_data=True), ["p1", "p2"]),
        (Comparison(field="age", op="ne", value=3, in_data=True), ["h1", "p2", "p3", "p4"]),
        (Comparison(field="ok", op="eq", value=True, in_data=True), ["h1"]),
        (Comparison(field="size", op="eq", value=4.0, in_data=True), ["h1"]),
        (
            Junction(
                kind="or",
                parts=(
                    Comparison(field="type", op="eq", value="group"),
                    Junction(
                        kind="and",
                        parts=(
                            Comparison(field="updatedAt", op="ge", value=t(30)),
                            Comparison(field="name", op="ne", value="Rex", in_data=True),
                        ),
                    ),
                ),
            ),
            ["h1", "p2", "p3"],
        ),
    ],
)
def test_filters_agree_on_every_backend(stored, condition, expected):
    assert _guids(stored, EntityScan(filter=condition)) == expected
    assert _count(stored, EntityScan(filter=condition)) == len(expected)


@pytest.mark.parametrize(
    "bad",
    [
        {"field": "nope", "op": "eq", "value": "x"},
        {"field": "name", "op": "gt", "value": "x"},
        {"field": "updatedAt", "op": "eq", "value": "2025-01-01"},
        {"field": "version", "op": "eq", "value": True},
        {"field": "age", "op": "gt", "value": 3, "in_data": True},
        {"field": "a..b", "op": "eq", "value": 3, "in_data": True},
        {"field": "a.b-c", "op": "eq", "value": 3, "in_data": True},
        {"field": "updatedAt", "op": "gt", "value": None},
    ],
)
def test_comparisons_the_backends_could_not_agree_on_are_refused(bad):
    with pytest.raises(ValueError):
        Comparison(**bad)


def test_nested_data_fields_filter_by_their_dotted_path(database):
    homes = [({"city": "Lyon"}, "n1"), ({"city": "Paris", "zip": 1}, "n2"), ("Lyon", "n3")]
    _save(database, "t1", [entity(g, data={"address": a}) for a, g in homes])
    lyon = Comparison(field="address.city", op="eq", value="Lyon", in_data=True)
    assert _guids(database, EntityScan(filter=lyon)) == ["n1"]
    number = Comparison(field="address.zip", op="eq", value=1, in_data=True)
    assert _guids(database, EntityScan(filter=number)) == ["n2"]
    no_city = Comparison(field="address.city", op="eq", value=None, in_data=True)
    assert _guids(database, EntityScan(filter=no_city)) == ["n3"]


@pytest.fixture
def sortable(database):
    rows = [  # guid, updated, type, score, flag, city
        ("s1", 30, "individual", 2.5, True, "Lyon"),
        ("s2", 10, "group", 10, False, "Åre"),
        ("s3", 30, "individual", "high", None, None),  # a string where a number is declared
        ("s4", 20, "group", None, True, "lyon"),
        ("s5", 10, "individual", -1, False, "Zurich"),
        ("s6", 30, "group", 10, "yes", "Lyon"),
        ("s7", 40, "individual", 2, True, {"not": "text"}),
    ]
    people = []
    for guid, updated, type_, score, flag, city in rows:
        data = {"entityName": "person", "score": score, "flag": flag, "address": {"city": city}}
        if guid == "s5":
            del data["score"]  # missing, not null
        people.append(entity(guid, type_=type_, data=data, updated=updated))
    _save(database, "t1", people)
    return database


SORTS = [
    (Order(field="updatedAt"), ["s2", "s5", "s4", "s1", "s3", "s6", "s7"]),
    (Order(field="updatedAt", descending=True), ["s7", "s6", "s3", "s1", "s4", "s5", "s2"]),
    (Order(field="type"), ["s2", "s4", "s6", "s1", "s3", "s5", "s7"]),
    (Order(field="createdAt", descending=True), ["s7", "s6", "s3", "s1", "s4", "s5", "s2"]),
    (
        Order(field="score", in_data=True, kind="number"),
        ["s3", "s4", "s5", "s7", "s1", "s2", "s6"],  # null, "high" and missing first, by guid
    ),
    (
        Order(field="score", in_data=True, kind="number", descending=True),
        ["s6", "s2", "s1", "s7", "s5", "s4", "s3"],
    ),
    (Order(field="flag", in_data=True, kind="boolean"), ["s3", "s6", "s2", "s5", "s1", "s4", "s7"]),
    (
        Order(field="address.city", in_data=True, kind="string"),
        ["s3", "s7", "s1", "s6", "s5", "s4", "s2"],  # by code point: "Lyon" < "Zurich" < "lyon"
    ),
    (
        Order(field="address.city", in_data=True, kind="string", descending=True),
        ["s2", "s4", "s5", "s6", "s1", "s7", "s3"],
    ),
]


@pytest.mark.parametrize(("order", "expected"), SORTS)
def test_orders_agree_on_every_backend_and_keyset_pages_follow_them(sortable, order, expected):
    from ports.entity_scan import sort_value

    assert _guids(sortable, EntityScan(order=order, entity_name="person")) == expected
    walked: list[str] = []
    query = EntityScan(order=order, entity_name="person", limit=2)
    while True:
        with sortable(read_only=True) as uow:
            rows = uow.entities.scan("t1", query)
        walked.extend(r.guid for r in rows)
        if len(rows) < 2:
            break
        query = EntityScan(
            order=order,
            entity_name="person",
            limit=2,
            after=rows[-1].guid,
            after_value=sort_value(rows[-1], order),
        )
    assert walked == expected
