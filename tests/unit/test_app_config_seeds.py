"""Seed records become deterministic create-individual events."""

from __future__ import annotations

from domain.tenant_config_seeds import seeds
from tests.http.tenants.samples import sample_config


def test_seed_events_follow_the_upstream_shape() -> None:
    found = seeds("field-demo", sample_config())
    assert [s.entity_guid for s in found] == ["village-north", "village-east", "village-hill"]
    assert found[0].data == {
        "id": "village-north",
        "name": "Northbrook",
        "district": "Lakeside",
        "entityName": "village",
    }
    wire = found[0].wire("2025-01-01T00:00:00.000Z")
    assert wire["type"] == "create-individual"
    assert wire["entityGuid"] == "village-north"


def test_guids_are_deterministic_and_change_with_content() -> None:
    doc = {
        "entityData": [{"name": "household", "data": [{"parentId": "v1", "size": 3}, {"id": "h2"}]}]
    }
    first, again = seeds("t", doc), seeds("t", doc)
    assert [s.guid for s in first] == [s.guid for s in again]
    assert first[0].data == {
        "parentId": "v1",
        "size": 3,
        "entityName": "household",
        "parentGuid": "v1",
    }
    assert first[1].data["name"] == "h2"
    doc["entityData"][0]["data"][0]["size"] = 4
    changed = seeds("t", doc)
    assert changed[0].entity_guid == first[0].entity_guid
    assert changed[0].guid != first[0].guid
    assert seeds("other", doc)[0].entity_guid != first[0].entity_guid
