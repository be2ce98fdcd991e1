"""Secrets inside an app configuration: where they are, how they are masked and stripped.

Secret positions ("slots"): every scalar under ``externalSync.credentials``, any other
``externalSync`` key with a secret-looking name, the ``value`` of an ``externalSync.extraFields``
entry with a secret-looking ``name`` (apiKey, password, callbackToken, ...), and secret-looking
keys of ``authConfigs[].fields`` (client_secret). Each slot has a JSON ``pointer`` (where it is
in this document) and an ``identity`` that survives reordering (extra fields by name, auth
fields by provider type), so that a ``"***"`` sent back in an update finds its stored value.

The userinfo of a URL (``https://user:password@host``) in ``externalSync`` (its ``url``, any
other plain key, ``extraFields`` values) or in ``authConfigs[].fields`` is a secret too: such a
slot covers only the part before ``@``, so the masked document keeps a usable
``https://***@host`` and the public artifact keeps ``https://host``.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Iterator, Mapping
from typing import Any

import attrs

from domain.json_pointer import parts, pointer

MASK = "***"
_SECRET_WORDS = ("password", "passwd", "secret", "token", "apikey", "privatekey", "credential")
_PLAIN_SYNC_KEYS = ("type", "url", "auth", "extraFields", "credentials")
_NON_ALNUM = re.compile(r"[^a-z0-9]")


def is_secret_name(name: object) -> bool:
    if not isinstance(name, str):
        return False
    folded = _NON_ALNUM.sub("", name.lower())
    return any(word in folded for word in _SECRET_WORDS)


@attrs.frozen(kw_only=True)
class SecretSlot:
    pointer: str
    identity: str
    value: Any  # for a userinfo slot: the userinfo text, not the whole URL
    userinfo: bool = False


_URL_USERINFO = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*://)([^/?#@]*)@")


def url_userinfo(text: object) -> str | None:
    """The non-empty userinfo (``user:password``) of an absolute URL, else ``None``."""
    if not isinstance(text, str):
        return None
    match = _URL_USERINFO.match(text)
    return match.group(2) if match and match.group(2) else None


def with_userinfo(url: str, userinfo: str | None) -> str:
    """``url`` with its userinfo replaced (``None``: removed along with the ``@``)."""
    return _URL_USERINFO.sub(
        lambda m: m.group(1) + (f"{userinfo}@" if userinfo is not None else ""), url, count=1
    )


def _url_slot(path: tuple[Any, ...], value: object) -> Iterator[SecretSlot]:
    userinfo = url_userinfo(value)
    if userinfo is not None:
        at = pointer(*path)
        yield SecretSlot(pointer=at, identity="url:" + at, value=userinfo, userinfo=True)


def _is_secret_value(value: object) -> bool:
    if isinstance(value, str):
        return value != ""
    return isinstance(value, int | float) and not isinstance(value, bool)


def secret_slots(doc: Mapping[str, Any]) -> Iterator[SecretSlot]:
    """Every secret position of ``doc`` that holds a value (masked or not)."""
    sync = doc.get("externalSync")
    if isinstance(sync, Mapping):
        yield from _sync_slots(sync)
    configs = doc.get("authConfigs")
    if isinstance(configs, list):
        nth: dict[str, int] = {}
        for index, config in enumerate(configs):
            if not isinstance(config, Mapping) or not isinstance(config.get("fields"), Mapping):
                continue
            kind = str(config.get("type"))
            nth[kind] = nth.get(kind, -1) + 1
            for key, value in config["fields"].items():
                if is_secret_name(key) and _is_secret_value(value):
                    yield SecretSlot(
                        pointer=pointer("authConfigs", index, "fields", key),
                        identity=f"auth/{kind}/{nth[kind]}/{key}",
                        value=value,
                    )
                else:
                    yield from _url_slot(("authConfigs", index, "fields", key), value)


def _sync_slots(sync: Mapping[str, Any]) -> Iterator[SecretSlot]:
    credentials = sync.get("credentials")
    if isinstance(credentials, Mapping):
        for path, value in _leaves(credentials, ("externalSync", "credentials")):
            yield SecretSlot(pointer=pointer(*path), identity=pointer(*path), value=value)
    elif _is_secret_value(credentials):
        at = pointer("externalSync", "credentials")
        yield SecretSlot(pointer=at, identity=at, value=credentials)
    for key, value in sync.items():
        if key not in _PLAIN_SYNC_KEYS and is_secret_name(key) and _is_secret_value(value):
            at = pointer("externalSync", key)
            yield SecretSlot(pointer=at, identity=at, value=value)
        elif key not in ("credentials", "extraFields"):
            yield from _url_slot(("externalSync", key), value)
    extra = sync.get("extraFields")
    if isinstance(extra, list):
        for index, field in enumerate(extra):
            if (
                isinstance(field, Mapping)
                and is_secret_name(field.get("name"))
                and _is_secret_value(field.get("value"))
            ):
                yield SecretSlot(
                    pointer=pointer("externalSync", "extraFields", index, "value"),
                    identity=f"extraFields/{field['name']}",
                    value=field["value"],
                )
            elif isinstance(field, Mapping):
                yield from _url_slot(
                    ("externalSync", "extraFields", index, "value"), field.get("value")
                )


def _leaves(value: Any, path: tuple[Any, ...]) -> Iterator[tuple[tuple[Any, ...], Any]]:
    if isinstance(value, Mapping):
        for key, child in value.items():
            yield from _leaves(child, (*path, key))
    elif isinstance(value, list):
        for index, child in enumerate(value):
            yield from _leaves(child, (*path, index))
    elif _is_secret_value(value):
        yield path, value


def _set(doc: Any, slot: SecretSlot, value: str) -> None:
    """Put ``value`` at the slot: the whole value, or the userinfo of the URL there."""
    *parents, last = parts(slot.pointer)
    target = doc
    for part in parents:
        target = target[int(part)] if isinstance(target, list) else target[part]
    key: Any = int(last) if isinstance(target, list) else last
    target[key] = with_userinfo(target[key], value) if slot.userinfo else value


def mask(doc: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, str]]:
    """``(document with every secret replaced by "***", {pointer: secret})``.

    Non-string secrets (a numeric PIN) are kept as their text form.
    """
    masked = copy.deepcopy(dict(doc))
    found: dict[str, str] = {}
    for slot in list(secret_slots(masked)):
        found[slot.pointer] = slot.value if isinstance(slot.value, str) else str(slot.value)
        _set(masked, slot, MASK)
    return masked, found


def unmask(doc: Mapping[str, Any], secrets: Mapping[str, str]) -> dict[str, Any]:
    """The document with its stored secrets put back (for the server's own use only)."""
    full = copy.deepcopy(dict(doc))
    for slot in list(secret_slots(full)):
        if slot.value == MASK and slot.pointer in secrets:
            _set(full, slot, secrets[slot.pointer])
    return full


def kept_secrets(
    incoming: Mapping[str, Any], stored_doc: Mapping[str, Any], stored: Mapping[str, str]
) -> tuple[dict[str, str], list[tuple[str, str, str]]]:
    """For an update: the stored secret for every ``"***"`` slot of ``incoming`` (keyed by its
    pointer in ``incoming``), and a problem for each ``"***"`` that stands for nothing stored."""
    by_identity = {s.identity: s.pointer for s in secret_slots(stored_doc)}
    kept: dict[str, str] = {}
    problems: list[tuple[str, str, str]] = []
    for slot in secret_slots(incoming):
        if slot.value != MASK:
            continue
        source = by_identity.get(slot.identity)
        if source is not None and source in stored:
            kept[slot.pointer] = stored[source]
        else:
            problems.append(
                (slot.pointer, "unknown-secret", '"***" keeps a stored secret; none is stored here')
            )
    return kept, problems


def masked_view(doc: Mapping[str, Any]) -> dict[str, Any]:
    """``doc`` with every secret shown as ``"***"`` whatever was stored (idempotent)."""
    return mask(doc)[0]


def strip_secrets(doc: Mapping[str, Any]) -> dict[str, Any]:
    """The document with secret positions removed entirely (for public artifacts); URLs keep
    everything but their userinfo."""
    public = copy.deepcopy(dict(doc))
    for slot in [s for s in secret_slots(public) if s.userinfo]:
        *parents, last = parts(slot.pointer)
        target: Any = public
        for part in parents:
            target = target[int(part)] if isinstance(target, list) else target[part]
        key: Any = int(last) if isinstance(target, list) else last
        target[key] = with_userinfo(target[key], None)
    sync = public.get("externalSync")
    if isinstance(sync, dict):
        sync.pop("credentials", None)
        for key in [k for k in sync if k not in _PLAIN_SYNC_KEYS and is_secret_name(k)]:
            del sync[key]
        if isinstance(sync.get("extraFields"), list):
            sync["extraFields"] = [
                f
                for f in sync["extraFields"]
                if not (isinstance(f, Mapping) and is_secret_name(f.get("name")))
            ]
    configs = public.get("authConfigs")
    if isinstance(configs, list):
        for config in configs:
            if isinstance(config, dict) and isinstance(config.get("fields"), dict):
                fields = config["fields"]
                for key in [k for k in fields if is_secret_name(k)]:
                    del fields[key]
    return public
