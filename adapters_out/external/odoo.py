"""A stateless Odoo JSON-RPC client (``POST <url>/jsonrpc``), as OpenSPP 17 serves it.

Odoo answers HTTP 200 even for errors; the envelope's ``error.data.name`` says what failed and
is mapped to the port's errors: ``AccessDenied`` -> ``AuthError``; ``ValidationError``,
``UserError``, ``ValueError``, ``MissingError``, ``AccessError`` -> ``PermanentError`` (the
record is rejected, the run goes on); anything else -> ``TransientError``. ``authenticate``
returns ``false`` (not an error) for a bad login.
"""

from __future__ import annotations

import itertools
import json
from typing import Any

from adapters_out.external.http import HttpClient, safe_url
from adapters_out.external.status import raise_for_refusal
from ports.external import AuthError, ConfigError, PermanentError, TransientError

_PERMANENT = ("ValidationError", "UserError", "ValueError", "MissingError", "AccessError")


class OdooClient:
    def __init__(self, http: HttpClient, url: str, database: str) -> None:
        self._http, self._url, self._db = http, url.rstrip("/") + "/jsonrpc", database
        self._ids = itertools.count(1)
        self._uid: int | None = None
        self._password = ""

    def call(self, service: str, method: str, args: list[Any]) -> Any:
        body = json.dumps(
            {
                "jsonrpc": "2.0",
                "method": "call",
                "params": {"service": service, "method": method, "args": args},
                "id": next(self._ids),
            }
        ).encode()
        answer = self._http.request(
            "POST",
            self._url,
            body=body,
            headers={"Content-Type": "application/json", "Accept": "application/json"},
        )
        raise_for_refusal(answer, self._url)
        if answer.status != 200:
            raise TransientError(f"{safe_url(self._url)} answered {answer.status}")
        try:
            doc = answer.json()
        except ValueError as error:
            raise TransientError("Odoo's answer is not JSON") from error
        if not isinstance(doc, dict):
            raise TransientError("Odoo's answer is not a JSON-RPC envelope")
        if "error" in doc:
            raise _error(doc["error"])
        if "result" not in doc:
            raise TransientError("Odoo's answer has neither result nor error")
        return doc["result"]

    def login(self, username: str, password: str) -> None:
        uid = self.call("common", "authenticate", [self._db, username, password, {}])
        if not isinstance(uid, int) or isinstance(uid, bool) or uid <= 0:
            raise AuthError("OpenSPP refused the login (check the username and password)")
        self._uid, self._password = uid, password

    def execute(
        self, model: str, method: str, args: list[Any], kwargs: dict[str, Any] | None = None
    ) -> Any:
        if self._uid is None:
            raise AuthError("not logged in to OpenSPP")
        params = [self._db, self._uid, self._password, model, method, args]
        if kwargs:
            params.append(kwargs)
        return self.call("object", "execute_kw", params)


def _error(error: Any) -> Exception:
    data = error.get("data") if isinstance(error, dict) else None
    name = str((data or {}).get("name") or "")
    message = str((data or {}).get("message") or (error or {}).get("message") or "Odoo error")
    short = name.rsplit(".", 1)[-1]
    code = error.get("code") if isinstance(error, dict) else None
    if short == "AccessDenied":
        return AuthError("OpenSPP: Access Denied")
    if short in _PERMANENT:
        return PermanentError(f"OpenSPP {short}: {message[:300]}")
    if short == "KeyError" and "database" in message:
        return ConfigError(f"OpenSPP: {message[:200]}")
    if code == 100:
        return TransientError("OpenSPP session expired")
    return TransientError(f"OpenSPP {short or 'error'}: {message[:300]}")
