"""App configuration documents: validation, every problem at once, each with a JSON pointer.

The document is opaque JSON for the most part (formio forms, unknown top-level keys such as
``roles`` that the mobile app reads); only the fields the server acts on are checked here.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Any

from domain.errors import ValidationFailed
from domain.json_pointer import pointer
from domain.json_values import find_flaw
from domain.tenant_config_integrations import Problem, check_auth_configs, check_external_sync
from domain.tenants import MAX_TENANT_ID, valid_tenant_id

BUILT_IN_SYNC_TYPES = (
    "mock-sync-server",
    "openfn-adapter",
    "openspp-adapter",
    "mock",
    "openfn",
    "openspp",
)
OPTIONAL_TEXT = ("description", "version", "url")
MAX_SEED_ID = 200


def validate_app_config(doc: object, sync_types: Collection[str] = BUILT_IN_SYNC_TYPES) -> None:
    """Raise ``ValidationFailed`` listing every problem of ``doc`` (nothing when it is valid)."""
    problems = tenant_config_problems(doc, sync_types)
    if problems:
        raise ValidationFailed("the app configuration is invalid", problems)


def tenant_config_problems(doc: object, sync_types: Collection[str]) -> list[Problem]:
    if not isinstance(doc, Mapping):
        return [("", "invalid-type", "the configuration must be a JSON object")]
    flaw = find_flaw(doc)
    if flaw is not None:  # judged first: later steps (masking, storage) cannot take it
        return [(flaw.pointer, flaw.code, flaw.detail)]
    problems: list[Problem] = []
    _check_id(doc, problems)
    _check_name(doc, problems)
    for key in OPTIONAL_TEXT:
        if doc.get(key) is not None and not isinstance(doc[key], str):
            problems.append((pointer(key), "invalid-type", f"'{key}' must be a string"))
    forms = _check_forms(doc, problems)
    _check_entity_data(doc.get("entityData"), forms, problems)
    check_external_sync(doc.get("externalSync"), sync_types, problems)
    check_auth_configs(doc.get("authConfigs"), problems)
    detection = doc.get("duplicateDetection")
    if detection is not None and not isinstance(detection, Mapping):
        problems.append(
            (pointer("duplicateDetection"), "invalid-type", "'duplicateDetection' is an object")
        )
    return problems


def _check_id(doc: Mapping[str, Any], problems: list[Problem]) -> None:
    value = doc.get("id")
    if value is None or value == "":
        problems.append(("/id", "required", "'id' is required"))
    elif not valid_tenant_id(value):
        problems.append(
            (
                "/id",
                "invalid-format",
                "Invalid config id. Use alphanumeric characters, hyphen or underscore "
                f"(pattern ^[A-Za-z0-9][A-Za-z0-9_-]*$, at most {MAX_TENANT_ID} characters).",
            )
        )


def _check_name(doc: Mapping[str, Any], problems: list[Problem]) -> None:
    value = doc.get("name")
    if value is None:
        problems.append(("/name", "required", "'name' is required"))
    elif not isinstance(value, str) or not value.strip():
        problems.append(("/name", "invalid-type", "'name' must be a non-empty string"))


def _check_forms(doc: Mapping[str, Any], problems: list[Problem]) -> set[str]:
    forms = doc.get("entityForms")
    if forms is None:
        problems.append(("/entityForms", "required", "'entityForms' is required"))
        return set()
    if not isinstance(forms, list):
        problems.append(("/entityForms", "invalid-type", "'entityForms' must be a list"))
        return set()
    names: set[str] = set()
    for index, form in enumerate(forms):
        at = pointer("entityForms", index)
        if not isinstance(form, Mapping):
            problems.append((at, "invalid-type", "each entity form must be an object"))
            continue
        name = form.get("name")
        if not isinstance(name, str) or not name:
            problems.append((at + "/name", "required", "each entity form needs a 'name'"))
        elif name in names:
            problems.append((at + "/name", "duplicate", f"entity form {name!r} is defined twice"))
        else:
            names.add(name)
        if not isinstance(form.get("formio"), Mapping):
            problems.append(
                (at + "/formio", "required", "each entity form needs a 'formio' object")
            )
    for index, form in enumerate(forms):
        if not isinstance(form, Mapping) or form.get("dependsOn") in (None, ""):
            continue
        parent = form["dependsOn"]
        if not isinstance(parent, str) or parent not in names or parent == form.get("name"):
            problems.append(
                (
                    pointer("entityForms", index, "dependsOn"),
                    "unknown-reference",
                    f"'dependsOn' must name another entity form, not {parent!r}",
                )
            )
    return names


def _check_entity_data(entity_data: object, forms: set[str], problems: list[Problem]) -> None:
    if entity_data is None:
        return
    if not isinstance(entity_data, list):
        problems.append(("/entityData", "invalid-type", "'entityData' must be a list"))
        return
    seen: set[str] = set()
    for index, group in enumerate(entity_data):
        at = pointer("entityData", index)
        if not isinstance(group, Mapping):
            problems.append((at, "invalid-type", "each entityData entry must be an object"))
            continue
        name = group.get("name")
        if not isinstance(name, str) or name not in forms:
            problems.append(
                (at + "/name", "unknown-reference", f"'name' must name an entity form: {name!r}")
            )
        items = group.get("data")
        if not isinstance(items, list):
            problems.append((at + "/data", "invalid-type", "'data' must be a list of objects"))
            continue
        for position, item in enumerate(items):
            item_at = f"{at}/data/{position}"
            if not isinstance(item, Mapping):
                problems.append((item_at, "invalid-type", "each seed record must be an object"))
                continue
            _check_seed_ids(item, item_at, seen, problems)


def _check_seed_ids(
    item: Mapping[str, Any], at: str, seen: set[str], problems: list[Problem]
) -> None:
    for key in ("id", "parentId"):
        value = item.get(key)
        if value is not None and (
            not isinstance(value, str) or not value or len(value) > MAX_SEED_ID
        ):
            problems.append(
                (f"{at}/{key}", "invalid-type", f"'{key}' must be a string of 1-200 characters")
            )
    seed_id = item.get("id")
    if isinstance(seed_id, str) and seed_id:
        if seed_id in seen:
            problems.append((f"{at}/id", "duplicate", f"seed id {seed_id!r} is used twice"))
        seen.add(seed_id)
