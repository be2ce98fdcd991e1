"""FakeOdoo: Odoo 17 ``/jsonrpc`` as OpenSPP serves it, in memory.

``common.version``; ``common.authenticate`` (``false`` for a bad login, an error envelope for an
unknown database); ``object.execute_kw`` with ``create``, ``write``, ``unlink``, ``search``,
``search_read``, ``read``, ``search_count`` on ``res.partner`` and ``g2p.group.membership``.
Errors are HTTP 200 envelopes (``AccessDenied``, ``ValidationError``, ``ValueError`` for an
unknown field). Many2one fields read as ``[id, name]``, empty values as ``false``.
``write_date`` has one-second resolution (Odoo's format), so records written together tie.
"""

from __future__ import annotations

import itertools
import json
import threading
from datetime import UTC, datetime, timedelta
from typing import Any

from adapters_out.external.fakes.servers import FakeServer

PARTNER_FIELDS = {
    "name",
    "is_registrant",
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
    "kind",
    "write_date",
    "create_date",
    "id",
    "group_membership_ids",
}
MEMBERSHIP_FIELDS = {"group", "individual", "kind", "write_date", "create_date", "id"}
INDEXED = ("ref", "individual")  # equality lookups the adapter makes per record
MANY2ONE = {"g2p.group.membership": {"group": "res.partner", "individual": "res.partner"}}


class OdooError(Exception):
    def __init__(self, name: str, message: str, code: int = 200) -> None:
        super().__init__(message)
        self.name, self.message, self.code = name, message, code


class FakeOdoo(FakeServer):
    def __init__(
        self,
        db: str = "openspp",
        login: str = "admin",
        password: str = "admin",  # noqa: S107 - a fake server's well-known demo login
        port: int = 0,
    ) -> None:
        super().__init__(port)
        self.db, self.login, self.password = db, login, password
        self.uid = 2
        self.models: dict[str, dict[int, dict[str, Any]]] = {
            "res.partner": {},
            "g2p.group.membership": {},
        }
        self._ids = itertools.count(100)
        self.now = datetime(2025, 1, 1, tzinfo=UTC)
        self.tick_per_write = timedelta(0)  # 0: everything written ties on write_date
        self.calls: list[tuple[str, str]] = []  # (model, method) of execute_kw
        self.data_lock = threading.Lock()
        self._index: dict[tuple[str, Any], set[int]] = {}

    @property
    def url(self) -> str:
        return self.base_url

    # -- transport ---------------------------------------------------------------------------
    def answer(self, entry: dict[str, Any]) -> tuple[int, Any, dict[str, str] | None]:
        if entry["path"] != "/jsonrpc" or entry["method"] != "POST":
            return 404, {"error": "404: Not Found"}, None
        request = json.loads(entry["body"])
        params = request.get("params", {})
        try:
            with self.data_lock:
                result = self._dispatch(params.get("service"), params.get("method"), params["args"])
        except OdooError as error:
            envelope = {
                "jsonrpc": "2.0",
                "id": request.get("id"),
                "error": {
                    "code": error.code,
                    "message": "Odoo Server Error",
                    "data": {
                        "name": f"odoo.exceptions.{error.name}",
                        "message": error.message,
                        "debug": "Traceback (most recent call last): ...",
                        "arguments": [error.message],
                        "context": {},
                    },
                },
            }
            return 200, envelope, None
        return 200, {"jsonrpc": "2.0", "id": request.get("id"), "result": result}, None

    def _dispatch(self, service: str, method: str, args: list[Any]) -> Any:
        if service == "common" and method == "version":
            return {
                "server_version": "17.0",
                "server_version_info": [17, 0, 0, "final", 0],
                "server_serie": "17.0",
                "protocol_version": 1,
            }
        if service == "common" and method == "authenticate":
            db, login, password = args[0], args[1], args[2]
            if db != self.db:
                raise OdooError("KeyError", f"database {db!r} does not exist")
            return self.uid if (login, password) == (self.login, self.password) else False
        if service == "object" and method == "execute_kw":
            db, uid, password, model, name = args[:5]
            if db != self.db or uid != self.uid or password != self.password:
                raise OdooError("AccessDenied", "Access Denied")
            positional = args[5] if len(args) > 5 else []
            kwargs = args[6] if len(args) > 6 else {}
            self.calls.append((model, name))
            return self._execute(model, name, positional, kwargs)
        raise OdooError("ValueError", f"unknown {service}.{method}")

    # -- models ------------------------------------------------------------------------------
    def _fields(self, model: str) -> set[str]:
        if model == "res.partner":
            return PARTNER_FIELDS
        if model == "g2p.group.membership":
            return MEMBERSHIP_FIELDS
        raise OdooError("KeyError", f"model {model!r} does not exist")

    def _stamp(self) -> str:
        self.now += self.tick_per_write
        return self.now.strftime("%Y-%m-%d %H:%M:%S")

    def _check(self, model: str, vals: dict[str, Any]) -> None:
        for key in vals:
            if key not in self._fields(model) or key in ("id", "write_date", "create_date"):
                raise OdooError("ValueError", f"Invalid field {key!r} on model {model!r}")
        for key, target in MANY2ONE.get(model, {}).items():
            if key in vals and not isinstance(vals[key], int):
                raise OdooError("ValidationError", f"{key} must be an id")
            if key in vals and vals[key] not in self.models[target]:
                raise OdooError("MissingError", f"Record does not exist: {target}({vals[key]})")
        if model == "g2p.group.membership":
            same = self._index.get(("individual", vals.get("individual")), set())
            for other in (self.models[model][i] for i in same if i in self.models[model]):
                if (other["group"], other["individual"]) == (
                    vals.get("group"),
                    vals.get("individual"),
                ):
                    raise OdooError("ValidationError", "Duplication of Member is not allowed")

    def create_record(self, model: str, vals: dict[str, Any]) -> int:
        self._check(model, vals)
        rid = next(self._ids)
        stamp = self._stamp()
        record = {"active": True, **vals, "id": rid, "write_date": stamp, "create_date": stamp}
        self.models[model][rid] = record
        self._reindex(record)
        return rid

    def _execute(self, model: str, method: str, args: list[Any], kwargs: dict[str, Any]) -> Any:
        table = self.models.get(model)
        if table is None:
            raise OdooError("KeyError", f"model {model!r} does not exist")
        if method == "create":
            vals = args[0]
            if isinstance(vals, list):
                return [self.create_record(model, v) for v in vals]
            return self.create_record(model, vals)
        if method == "write":
            ids, vals = args[0], args[1]
            self._check(model, vals)
            for rid in ids:
                if rid not in table:
                    raise OdooError("MissingError", f"Record does not exist: {model}({rid})")
                table[rid].update(vals, write_date=self._stamp())
                self._reindex(table[rid])
            return True
        if method == "unlink":
            for rid in args[0]:
                table.pop(rid, None)
            return True
        if method in ("search", "search_read", "search_count"):
            domain = args[0] if args else kwargs.get("domain", [])
            found = [r for r in self._candidates(table, domain) if self._match(r, domain)]
            if method == "search_count":
                return len(found)
            found = self._order(found, kwargs.get("order"))
            found = found[kwargs.get("offset", 0) :]
            if kwargs.get("limit"):
                found = found[: kwargs["limit"]]
            if method == "search":
                return [r["id"] for r in found]
            return [self._read(model, r, kwargs.get("fields")) for r in found]
        if method == "read":
            fields = args[1] if len(args) > 1 else kwargs.get("fields")
            return [self._read(model, table[i], fields) for i in args[0] if i in table]
        raise OdooError("AttributeError", f"{model} has no method {method!r}")

    def _candidates(
        self, table: dict[int, dict[str, Any]], domain: list[Any]
    ) -> list[dict[str, Any]]:
        """All records, or only those an equality leaf on an indexed field allows (a lookup by
        marker or by membership pair stays fast with many records)."""
        if "|" in domain or "!" in domain:
            return list(table.values())
        for term in domain:
            if isinstance(term, list) and term[1] == "=" and term[0] in INDEXED:
                ids = self._index.get((term[0], term[2]), set())
                return [table[i] for i in ids if i in table]
        return list(table.values())

    def _reindex(self, record: dict[str, Any]) -> None:
        for name in INDEXED:
            if record.get(name) is not None:
                self._index.setdefault((name, record[name]), set()).add(record["id"])

    def _read(self, model: str, record: dict[str, Any], fields: list[str] | None) -> dict[str, Any]:
        wanted = fields or sorted(self._fields(model))
        out: dict[str, Any] = {}
        for name in wanted:
            if name not in self._fields(model):
                raise OdooError("ValueError", f"Invalid field {name!r} on model {model!r}")
            value = record.get(name)
            target = MANY2ONE.get(model, {}).get(name)
            if target is not None and value:
                value = [value, self.models[target].get(value, {}).get("name") or ""]
            out[name] = False if value is None or value == "" else value
        out["id"] = record["id"]
        return out

    @staticmethod
    def _order(records: list[dict[str, Any]], order: str | None) -> list[dict[str, Any]]:
        keys = [part.split() for part in (order or "id").split(",")]
        for key in reversed(keys):
            name, desc = key[0], len(key) > 1 and key[1].lower() == "desc"
            records = sorted(
                records, key=lambda r, n=name: (r.get(n) is None, r.get(n)), reverse=desc
            )
        return records

    def _match(self, record: dict[str, Any], domain: list[Any]) -> bool:
        stack: list[bool] = []
        for term in reversed(domain):
            if term == "|":
                stack.append(stack.pop() | stack.pop())
            elif term == "&":
                stack.append(stack.pop() & stack.pop())
            elif term == "!":
                stack.append(not stack.pop())
            else:
                stack.append(self._leaf(record, term))
        return all(stack)

    @staticmethod
    def _leaf(record: dict[str, Any], term: list[Any]) -> bool:
        field, op, value = term
        have = record.get(field)
        if have is None and field == "active":
            have = True
        if op == "=":
            return have == value or (value is False and have in (None, False, ""))
        if op == "!=":
            return have != value
        if op == "in":
            return have in value
        if have is None:
            return False
        return {">": have > value, "<": have < value, ">=": have >= value, "<=": have <= value}[op]

    # -- helpers for tests -------------------------------------------------------------------
    def partners(self, **where: Any) -> list[dict[str, Any]]:
        return [
            r
            for r in self.models["res.partner"].values()
            if all(r.get(k) == v for k, v in where.items())
        ]
