"""Small HTTP helpers for the tenant tests."""

from __future__ import annotations

import json
from typing import Any

from falcon import testing

from tests.http.tenants.wiring import Env

BOUNDARY = "----datacollect-test-boundary"


def multipart(doc: Any, *, field: str = "config", part_type: str = "application/json") -> dict:
    """A multipart/form-data body as the admin UI sends it (one file part)."""
    content = doc if isinstance(doc, bytes) else json.dumps(doc).encode()
    body = (
        (
            f"--{BOUNDARY}\r\n"
            f'Content-Disposition: form-data; name="{field}"; filename="config.json"\r\n'
            f"Content-Type: {part_type}\r\n\r\n"
        ).encode()
        + content
        + f"\r\n--{BOUNDARY}--\r\n".encode()
    )
    return {"body": body, "content_type": f"multipart/form-data; boundary={BOUNDARY}"}


def upload(
    env: Env,
    headers: dict[str, str],
    doc: Any,
    *,
    method: str = "POST",
    path: str = "/api/apps",
    form: bool = True,
) -> testing.Result:
    if form:
        parts = multipart(doc)
        return env.client.simulate_request(
            method,
            path,
            body=parts["body"],
            headers={**headers, "Content-Type": parts["content_type"]},
        )
    return env.client.simulate_request(method, path, json=doc, headers=headers)


def problem_pointers(result: testing.Result) -> set[tuple[str, str]]:
    assert result.headers["content-type"].startswith("application/problem+json"), result.text
    return {(e["pointer"], e["code"]) for e in result.json.get("errors", [])}


def push(env: Env, headers: dict[str, str], tenant: str, *events: dict[str, Any]) -> dict:
    result = env.client.simulate_post(
        "/api/sync/push", json={"events": list(events), "configId": tenant}, headers=headers
    )
    assert result.status_code == 200, result.text
    return result.json


def pull(env: Env, headers: dict[str, str], tenant: str, since: str | None = None) -> dict:
    params = {"configId": tenant, **({"since": since} if since else {})}
    result = env.client.simulate_get("/api/sync/pull", params=params, headers=headers)
    assert result.status_code == 200, result.text
    return result.json


def person_config(tenant_id: str) -> dict[str, Any]:
    return {
        "id": tenant_id,
        "name": f"Tenant {tenant_id}",
        "entityForms": [
            {"name": "household", "formio": {"components": []}},
            {"name": "person", "dependsOn": "household", "formio": {"components": []}},
        ],
    }
