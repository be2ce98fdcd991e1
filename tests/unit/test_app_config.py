"""App configuration validation: every rule, every problem at once, with JSON pointers."""

from __future__ import annotations

from typing import Any

import pytest

from domain.errors import ValidationFailed
from domain.tenant_config import tenant_config_problems, validate_app_config
from tests.http.tenants.samples import minimal_config, sample_config

TYPES = ("mock-sync-server", "openfn-adapter", "openspp-adapter", "mock", "openfn", "openspp")


def problems(doc: Any) -> set[tuple[str, str]]:
    return {(p, c) for p, c, _ in tenant_config_problems(doc, TYPES)}


def test_the_sample_and_a_minimal_config_are_valid() -> None:
    validate_app_config(sample_config(), TYPES)
    validate_app_config(minimal_config(), TYPES)


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"id": None}, ("/id", "required")),
        ({"id": "-starts-with-dash"}, ("/id", "invalid-format")),
        ({"id": "has space"}, ("/id", "invalid-format")),
        ({"id": "x" * 101}, ("/id", "invalid-format")),
        ({"id": 7}, ("/id", "invalid-format")),
        ({"name": None}, ("/name", "required")),
        ({"name": "  "}, ("/name", "invalid-type")),
        ({"description": 3}, ("/description", "invalid-type")),
        ({"entityForms": None}, ("/entityForms", "required")),
        ({"entityForms": {}}, ("/entityForms", "invalid-type")),
        ({"entityForms": ["x"]}, ("/entityForms/0", "invalid-type")),
        ({"entityForms": [{"formio": {}}]}, ("/entityForms/0/name", "required")),
        ({"entityForms": [{"name": "a"}]}, ("/entityForms/0/formio", "required")),
        ({"entityForms": [{"name": "a", "formio": []}]}, ("/entityForms/0/formio", "required")),
        (
            {"entityForms": [{"name": "a", "formio": {}}, {"name": "a", "formio": {}}]},
            ("/entityForms/1/name", "duplicate"),
        ),
        (
            {"entityForms": [{"name": "a", "formio": {}, "dependsOn": "b"}]},
            ("/entityForms/0/dependsOn", "unknown-reference"),
        ),
        (
            {"entityForms": [{"name": "a", "formio": {}, "dependsOn": "a"}]},
            ("/entityForms/0/dependsOn", "unknown-reference"),
        ),
        ({"entityData": {}}, ("/entityData", "invalid-type")),
        (
            {"entityData": [{"name": "nope", "data": []}]},
            ("/entityData/0/name", "unknown-reference"),
        ),
        ({"entityData": [{"name": "person", "data": {}}]}, ("/entityData/0/data", "invalid-type")),
        (
            {"entityData": [{"name": "person", "data": [1]}]},
            ("/entityData/0/data/0", "invalid-type"),
        ),
        (
            {"entityData": [{"name": "person", "data": [{"id": 5}]}]},
            ("/entityData/0/data/0/id", "invalid-type"),
        ),
        (
            {"entityData": [{"name": "person", "data": [{"id": "a"}, {"id": "a"}]}]},
            ("/entityData/0/data/1/id", "duplicate"),
        ),
        ({"externalSync": "openfn"}, ("/externalSync", "invalid-type")),
        ({"externalSync": {"url": "http://x"}}, ("/externalSync/type", "required")),
        ({"externalSync": {"type": "dhis2"}}, ("/externalSync/type", "unsupported")),
        (
            {"externalSync": {"type": "mock", "extraFields": [{"value": 1}]}},
            ("/externalSync/extraFields/0", "invalid-type"),
        ),
        ({"authConfigs": {}}, ("/authConfigs", "invalid-type")),
        (
            {"authConfigs": [{"type": "okta", "fields": {"authority": "https://a.b"}}]},
            ("/authConfigs/0/type", "unsupported"),
        ),
        ({"authConfigs": [{"type": "auth0"}]}, ("/authConfigs/0/fields", "required")),
        (
            {"authConfigs": [{"type": "auth0", "fields": {"authority": "not a url"}}]},
            ("/authConfigs/0/fields/authority", "invalid-url"),
        ),
        ({"duplicateDetection": []}, ("/duplicateDetection", "invalid-type")),
    ],
)
def test_each_rule_names_its_pointer(change: dict[str, Any], expected: tuple[str, str]) -> None:
    assert expected in problems(minimal_config(**change))


def test_not_an_object() -> None:
    assert problems([1, 2]) == {("", "invalid-type")}


def test_every_problem_is_reported_at_once() -> None:
    doc = {
        "id": "bad id",
        "entityForms": [{"name": "a"}],
        "externalSync": {"type": "nope"},
        "authConfigs": [{"type": "keycloak", "fields": {"authority": "ftp://x"}}],
    }
    with pytest.raises(ValidationFailed) as caught:
        validate_app_config(doc, TYPES)
    assert {p for p, _, _ in caught.value.problems} == {
        "/id",
        "/name",
        "/entityForms/0/formio",
        "/externalSync/type",
        "/authConfigs/0/fields/authority",
    }


def test_installed_sync_types_are_injected() -> None:
    doc = minimal_config(externalSync={"type": "custom-erp"})
    assert ("/externalSync/type", "unsupported") in problems(doc)
    assert tenant_config_problems(doc, ("custom-erp",)) == []


def test_unknown_top_level_fields_are_accepted() -> None:
    assert problems(minimal_config(roles=[{"name": "x"}], anything={"deep": [1]})) == set()
