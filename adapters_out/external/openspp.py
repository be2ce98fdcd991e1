"""OpenSPP 17 over Odoo JSON-RPC (``openspp-adapter``).

Config: ``url`` (the Odoo base URL), options ``database``, ``username`` and ``password`` (an
Odoo API key works as the password); the run's credentials, when given, replace the stored
login. Optional: ``fieldMap`` (JSON: ``{"individual": {odoo_field: data_key}, "group": {...}}``
merged over ``DEFAULT_FIELDS``), ``markerField`` (default ``ref``), ``groupKind`` (a
``g2p.group.kind`` id sent as ``kind`` for households).

Push, per outbox row:
- create/update: the partner is the mapped one; else it is looked up by its marker
  (``ref = "datacollect:<entity guid>"``) before any create, so a create whose answer was lost
  is adopted, never made twice. A new individual costs 3 calls: the lookup, the create, and its
  household membership (``g2p.group.membership``). An existing membership is never written
  again (OpenSPP refuses a duplicate member).
- delete: the partner is archived (``active = false``).
- link/unlink (add-member/remove-member): memberships created (after a lookup) or removed.
A ``ValidationError`` rejects that row only; a transient failure leaves it and the rest of the
batch for a later attempt.

Pull: ``res.partner`` registrants changed after the cursor, paged by ``(write_date, id)`` with
``order="write_date asc, id asc"`` and an explicit field list; many2one pairs become ids and
``false`` becomes None.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from adapters_out.external.http import HttpClient, split_userinfo
from adapters_out.external.odoo import OdooClient
from ports.external import (
    AdapterInfo,
    ConfigError,
    Credentials,
    ExternalConfig,
    ExternalRecord,
    HttpDeadline,
    PermanentError,
    PullPage,
    Pushed,
    PushItem,
    PushResult,
    Rejected,
    Retryable,
    TransientError,
)

INFO = AdapterInfo(
    name="openspp",
    description="OpenSPP 17 (Odoo JSON-RPC): households, individuals and memberships",
    batch_size=50,
)
PARTNER = "res.partner"
MEMBERSHIP = "g2p.group.membership"
DEFAULT_FIELDS: dict[str, dict[str, str]] = {
    "individual": {
        "name": "name",
        "given_name": "firstName",
        "family_name": "lastName",
        "addl_name": "middleName",
        "gender": "gender",
        "birthdate": "dateOfBirth",
        "phone": "phone",
        "email": "email",
    },
    "group": {"name": "name"},
}
_READ = [
    "name",
    "is_group",
    "given_name",
    "family_name",
    "addl_name",
    "gender",
    "birthdate",
    "phone",
    "email",
    "ref",
    "active",
    "write_date",
]


class OpenSppSystem:
    info = INFO

    def __init__(self, config: ExternalConfig, deadline: HttpDeadline) -> None:
        if not config.url:
            raise ConfigError("the OpenSPP adapter needs 'url' (the Odoo base URL)")
        database = config.option("database")
        if not database:
            raise ConfigError("the OpenSPP adapter needs the 'database' option")
        url, self._userinfo = split_userinfo(config.url)
        self._config = config
        self.http = HttpClient(deadline)
        self.odoo = OdooClient(self.http, url, str(database))
        self._marker = str(config.option("markerField", "ref"))
        self._fields = _field_map(config.option("fieldMap"))
        self._created: dict[str, int] = {}  # entity guid -> partner id, during this run
        kind = config.option("groupKind")
        self._group_kind = int(kind) if kind not in (None, "") else None

    def authenticate(self, credentials: Credentials | None) -> None:
        if credentials is not None:
            user, password = credentials.username, credentials.password
        elif self._config.option("username"):
            user = str(self._config.option("username"))
            password = str(self._config.option("password") or self._config.option("apiKey", ""))
        elif self._userinfo is not None:
            user, password = self._userinfo
        else:
            raise ConfigError("OpenSPP needs 'username' and 'password' (or run credentials)")
        self.odoo.login(user, password)

    # -- push --------------------------------------------------------------------------------
    def push(self, items: Sequence[PushItem]) -> list[PushResult]:
        results: list[PushResult] = []
        for index, item in enumerate(items):
            try:
                results.append(self._push_one(item))
            except PermanentError as error:
                results.append(Rejected(reason=str(error)))
            except TransientError as error:
                retry = Retryable(reason=str(error), retry_after_s=error.retry_after_s)
                results.extend([retry] * (len(items) - index))
                break
        return results

    def _push_one(self, item: PushItem) -> PushResult:
        rid = int(item.external_id) if item.external_id else None
        if item.op == "delete":
            if rid is not None:
                self.odoo.execute(PARTNER, "write", [[rid], {"active": False}])
            return Pushed(external_id=item.external_id, external_model=PARTNER)
        if item.op in ("link", "unlink"):
            return self._membership_change(item, rid)
        return self._upsert(item, rid)

    def _upsert(self, item: PushItem, rid: int | None) -> PushResult:
        entity = item.entity
        if entity is None or entity.deleted:
            return Pushed(external_id=item.external_id, external_model=PARTNER)
        kind = "group" if entity.type == "group" else "individual"
        vals = self._vals(kind, entity.data, entity.display_name, item.event.entity_guid)
        fresh = False
        if rid is None:
            found = self.odoo.execute(
                PARTNER,
                "search",
                [[[self._marker, "=", vals[self._marker]], ["active", "in", [True, False]]]],
                {"limit": 1},
            )
            if found:
                rid = int(found[0])
                self.odoo.execute(PARTNER, "write", [[rid], vals])
            else:
                rid = int(self.odoo.execute(PARTNER, "create", [vals]))
                fresh = True
        else:
            self.odoo.execute(PARTNER, "write", [[rid], vals])
        self._created[item.event.entity_guid] = rid
        parent = item.parent_external_id
        if parent is None and isinstance(entity.data.get("parentGuid"), str):
            # the household may have been delivered earlier in this very batch
            known = self._created.get(entity.data["parentGuid"])
            parent = str(known) if known is not None else None
        if kind == "individual" and parent:
            self._ensure_member(int(parent), rid, fresh=fresh)
        if kind == "group":
            for member_id in entity.member_ids:
                member = item.related.get(member_id)
                if member:
                    self._ensure_member(rid, int(member), fresh=fresh)
        return Pushed(external_id=str(rid), external_model=PARTNER)

    def _membership_change(self, item: PushItem, group: int | None) -> PushResult:
        if group is None:
            # The group is not in OpenSPP yet: its own create links the members it has then.
            return Pushed(external_model=PARTNER)
        data = item.event.data
        if item.op == "link":
            for member in data.get("members") or []:
                remote = item.related.get(member.get("guid")) if isinstance(member, dict) else None
                if remote:
                    self._ensure_member(group, int(remote), fresh=False)
        else:
            remote = item.related.get(str(data.get("memberId")))
            if remote:
                links = self.odoo.execute(
                    MEMBERSHIP,
                    "search",
                    [[["group", "=", group], ["individual", "=", int(remote)]]],
                )
                if links:
                    self.odoo.execute(MEMBERSHIP, "unlink", [links])
        return Pushed(external_id=str(group), external_model=PARTNER)

    def _ensure_member(self, group: int, individual: int, *, fresh: bool) -> None:
        if not fresh:
            existing = self.odoo.execute(
                MEMBERSHIP, "search", [[["group", "=", group], ["individual", "=", individual]]]
            )
            if existing:
                return
        self.odoo.execute(MEMBERSHIP, "create", [{"group": group, "individual": individual}])

    def _vals(self, kind: str, data: Mapping[str, Any], display: str, guid: str) -> dict[str, Any]:
        vals: dict[str, Any] = {
            "is_registrant": True,
            "is_group": kind == "group",
            self._marker: f"datacollect:{guid}",
        }
        for odoo_field, key in self._fields[kind].items():
            value = data.get(key)
            if value is not None and value != "":
                vals[odoo_field] = value
        vals.setdefault("name", display)
        if kind == "group" and self._group_kind is not None:
            vals["kind"] = self._group_kind
        return vals

    # -- pull --------------------------------------------------------------------------------
    def pull(self, cursor: str | None, limit: int) -> PullPage:
        domain: list[Any] = [["is_registrant", "=", True]]
        if cursor:
            stamp, _, last_id = cursor.partition("|")
            domain += [
                "|",
                ["write_date", ">", stamp],
                "&",
                ["write_date", "=", stamp],
                ["id", ">", int(last_id or 0)],
            ]
        rows = self.odoo.execute(
            PARTNER,
            "search_read",
            [domain],
            {
                "fields": list(dict.fromkeys([*_READ, self._marker])),
                "order": "write_date asc, id asc",
                "limit": limit,
            },
        )
        records = [self._record(row) for row in rows]
        next_cursor = cursor
        if rows:
            next_cursor = f"{rows[-1]['write_date']}|{rows[-1]['id']}"
        return PullPage(records=records, next_cursor=next_cursor, done=len(rows) < limit)

    def _record(self, row: Mapping[str, Any]) -> ExternalRecord:
        kind = "group" if row.get("is_group") else "individual"
        data: dict[str, Any] = {}
        for odoo_field, key in self._fields[kind].items():
            value = _plain(row.get(odoo_field))
            if value is not None:
                data[key] = value
        marker = row.get(self._marker)
        local = None
        if isinstance(marker, str) and marker.startswith("datacollect:"):
            local = marker.removeprefix("datacollect:")
        return ExternalRecord(
            model=PARTNER,
            local_guid=local or None,
            external_id=str(row["id"]),
            version=_iso(str(row.get("write_date") or "")),
            kind=kind,  # type: ignore[arg-type]
            data=data,
            deleted=row.get("active") is False,
        )

    def close(self) -> None:
        self.http.close()


def _plain(value: Any) -> Any:
    """Odoo's ``false`` is "empty"; a many2one ``[id, name]`` is its id."""
    if value is False:
        return None
    if isinstance(value, list) and len(value) == 2 and isinstance(value[0], int):
        return value[0]
    return value


def _iso(write_date: str) -> str:
    """Odoo's UTC ``YYYY-MM-DD HH:MM:SS`` as RFC 3339 (the event timestamp of a pull)."""
    if len(write_date) == 19 and write_date[10] == " ":
        return write_date.replace(" ", "T") + ".000Z"
    return write_date


def _field_map(raw: Any) -> dict[str, dict[str, str]]:
    fields = {k: dict(v) for k, v in DEFAULT_FIELDS.items()}
    if raw in (None, ""):
        return fields
    try:
        doc = json.loads(raw) if isinstance(raw, str) else raw
    except ValueError as error:
        raise ConfigError("'fieldMap' is not valid JSON") from error
    if not isinstance(doc, dict):
        raise ConfigError("'fieldMap' must be an object")
    for kind in ("individual", "group"):
        extra = doc.get(kind)
        if isinstance(extra, dict):
            fields[kind].update({str(k): str(v) for k, v in extra.items()})
    return fields


class _Factory:
    info = INFO

    def __call__(self, config: ExternalConfig, deadline: HttpDeadline) -> OpenSppSystem:
        return OpenSppSystem(config, deadline)


FACTORY = _Factory()
