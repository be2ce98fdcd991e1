"""App configuration: the parts that connect to other systems (external sync, identity
providers). Checked by ``domain.tenant_config``; every problem is collected, none raised."""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping

from domain.external_sync import MIN_SCHEDULE_S, schedule_seconds
from domain.json_pointer import pointer

Problem = tuple[str, str, str]
AUTH_TYPES = ("keycloak", "auth0")
_URL = re.compile(r"^https?://[^\s/?#]+[^\s]*$", re.IGNORECASE)


def check_external_sync(sync: object, sync_types: Collection[str], problems: list[Problem]) -> None:
    if sync is None:
        return
    if not isinstance(sync, Mapping):
        problems.append(("/externalSync", "invalid-type", "'externalSync' must be an object"))
        return
    kind = sync.get("type")
    if kind is None or kind == "":
        problems.append(("/externalSync/type", "required", "'externalSync.type' is required"))
    elif kind not in sync_types:
        known = ", ".join(sorted(sync_types))
        problems.append(
            (
                "/externalSync/type",
                "unsupported",
                f"external sync type {kind!r} is not installed (installed: {known})",
            )
        )
    if sync.get("url") is not None and not isinstance(sync["url"], str):
        problems.append(("/externalSync/url", "invalid-type", "'url' must be a string"))
    schedule = sync.get("schedule")
    if schedule not in (None, "", 0):
        seconds = schedule_seconds(schedule)
        if seconds is None or seconds < MIN_SCHEDULE_S:
            problems.append(
                (
                    "/externalSync/schedule",
                    "invalid-value",
                    "'schedule' is how often to sync: seconds or '15m', '1h', '1d'; at least 60s",
                )
            )
    extra = sync.get("extraFields")
    if extra is None:
        return
    if not isinstance(extra, list):
        problems.append(("/externalSync/extraFields", "invalid-type", "'extraFields' is a list"))
        return
    for index, field in enumerate(extra):
        if not isinstance(field, Mapping) or not isinstance(field.get("name"), str):
            problems.append(
                (
                    pointer("externalSync", "extraFields", index),
                    "invalid-type",
                    "each extra field must be an object with a string 'name'",
                )
            )


def check_auth_configs(configs: object, problems: list[Problem]) -> None:
    if configs is None:
        return
    if not isinstance(configs, list):
        problems.append(("/authConfigs", "invalid-type", "'authConfigs' must be a list"))
        return
    for index, config in enumerate(configs):
        at = pointer("authConfigs", index)
        if not isinstance(config, Mapping):
            problems.append((at, "invalid-type", "each auth config must be an object"))
            continue
        if config.get("type") not in AUTH_TYPES:
            problems.append(
                (
                    at + "/type",
                    "unsupported",
                    f"auth config 'type' must be one of {', '.join(AUTH_TYPES)}",
                )
            )
        fields = config.get("fields")
        if not isinstance(fields, Mapping):
            problems.append((at + "/fields", "required", "each auth config needs 'fields'"))
            continue
        authority = fields.get("authority")
        if not isinstance(authority, str) or not _URL.match(authority):
            problems.append(
                (
                    at + "/fields/authority",
                    "invalid-url",
                    "'fields.authority' must be an http(s) URL",
                )
            )
