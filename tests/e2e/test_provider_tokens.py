"""Devices authenticated by an external IdP (``Authorization: keycloak <token>``), end to end:
the tenant's authConfigs -> Authenticate -> the urllib3 userinfo adapter -> a local fake IdP."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from tests.e2e.client import Client, device_event
from tests.e2e.server import RunningServer

pytestmark = pytest.mark.slow
USERINFO = "/realms/field/protocol/openid-connect/userinfo"


class _Handler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        self.server.calls.append(self.headers.get("Authorization", ""))  # type: ignore[attr-defined]
        valid = self.path == USERINFO and self.headers.get("Authorization") == "Bearer kc-good"
        body = json.dumps({"sub": "field-agent-7"} if valid else {"error": "invalid_token"})
        self.send_response(200 if valid else 401)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body.encode())

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def keycloak() -> Iterator[ThreadingHTTPServer]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    server.calls = []  # type: ignore[attr-defined]
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def test_keycloak_token_syncs_its_tenant_only_with_cached_checks(
    server: RunningServer, admin: Client, keycloak: ThreadingHTTPServer
) -> None:
    authority = f"http://127.0.0.1:{keycloak.server_address[1]}/realms/field"
    auth_configs = [{"type": "keycloak", "fields": {"authority": authority, "client_id": "app"}}]
    tenant = admin.create_tenant("With Keycloak", authConfigs=auth_configs)
    other = admin.create_tenant("Without")
    device = Client(server.base_url)
    device.authorization = "keycloak kc-good"

    event = device_event(
        "create-individual", "kc-person-1", {"name": "Ama"}, "2025-03-01T09:00:00.000Z"
    )
    assert device.push(tenant, [event])["applied"] == 1
    for _ in range(6):
        assert [e["guid"] for e in device.pull(tenant)["events"]] == [event["guid"]]
    # Two gunicorn workers, each with its own cache: at most one outbound check per worker.
    assert 1 <= len(keycloak.calls) <= 2  # type: ignore[attr-defined]
    assert set(keycloak.calls) == {"Bearer kc-good"}  # type: ignore[attr-defined]

    assert device.call("GET", f"/api/sync/pull?since=&configId={other}", expect=401)
    device.authorization = "keycloak kc-forged"
    reply = device.call("GET", f"/api/sync/pull?since=&configId={tenant}", expect=401)
    assert reply["error"] == "Invalid token"
