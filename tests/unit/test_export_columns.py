"""Columns from formio definitions, and an entity's data split into them plus ``extra``."""

from __future__ import annotations

from domain.export_columns import Flattener, form_columns, form_tables


def _field(key: str, kind: str = "textfield", **more: object) -> dict:
    return {"type": kind, "key": key, "input": True, **more}


FORM = {
    "components": [
        _field("name"),
        {
            "type": "tabs",
            "key": "tabs",
            "components": [
                {"key": "tab1", "components": [_field("age", "number")]},
                {"key": "tab2", "components": [_field("head", "checkbox")]},
            ],
        },
        {
            "type": "table",
            "key": "grid",
            "input": False,
            "rows": [[{"components": [_field("phone", "phoneNumber")]}, {"components": []}]],
        },
        {
            "type": "container",
            "key": "address",
            "input": True,
            "components": [
                _field("city"),
                {"type": "container", "key": "geo", "components": [_field("lat", "number")]},
            ],
        },
        _field("children", "datagrid", components=[_field("childName")]),
        _field("version"),  # clashes with a metadata column
        _field("entityName"),  # is the metadata column: not repeated
        _field("name"),  # twice: once
        {"type": "button", "key": "submit", "input": True},
        {"type": "htmlelement", "key": "intro"},
    ]
}


def test_columns_follow_the_form_through_layouts_and_containers() -> None:
    columns = form_columns(FORM)
    assert [(c.name, c.kind) for c in columns] == [
        ("data.name", "string"),
        ("age", "number"),
        ("head", "boolean"),
        ("phone", "string"),
        ("address.city", "string"),
        ("address.geo.lat", "number"),
        ("children", "json"),
        ("data.version", "string"),
    ]
    assert form_columns(None) == () and form_columns({"components": "x"}) == ()


def test_data_splits_into_columns_and_extra() -> None:
    flatten = Flattener(form_columns(FORM))
    values, extra = flatten(
        {
            "entityName": "person",
            "name": "Ann",
            "age": 3,
            "address": {"city": "Lyon", "geo": {"lat": 45.7, "lng": 4.8}, "zip": "69001"},
            "children": [{"childName": "Bo"}],
            "unlisted": True,
        }
    )
    assert values == ["Ann", 3, None, None, "Lyon", 45.7, [{"childName": "Bo"}], None]
    assert extra == {"address": {"geo": {"lng": 4.8}, "zip": "69001"}, "unlisted": True}
    values, extra = flatten({"address": "a string where an object was expected"})
    assert values == [None] * 8 and extra == {"address": "a string where an object was expected"}


def test_tables_are_the_named_forms_in_order() -> None:
    config = {"entityForms": [{"name": "b", "formio": FORM}, {"formio": {}}, {"name": "a"}]}
    assert [t.name for t in form_tables(config)] == ["b", "a"]
