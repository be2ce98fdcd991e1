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


class _Silent(ThreadingHTTPServer):
    """An identity provider that accepts connections and never answers."""

    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _SilentHandler)
        self.stop = threading.Event()

    def handle_error(self, request: object, client_address: object) -> None:
        pass


class _SilentHandler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        self.server.stop.wait(30)  # type: ignore[attr-defined]

    def log_message(self, format: str, *args: object) -> None:
        pass


def test_a_silent_provider_never_slows_health_or_other_tenants(
    server: RunningServer, admin: Client, device: Client, tenant: str
) -> None:
    import time
    from concurrent.futures import ThreadPoolExecutor

    silent = _Silent()
    threading.Thread(target=silent.serve_forever, args=(0.05,), daemon=True).start()
    try:
        authority = f"http://127.0.0.1:{silent.server_address[1]}/realms/field"
        auth_configs = [{"type": "keycloak", "fields": {"authority": authority}}]
        slow_tenant = admin.create_tenant("Silent IdP", authConfigs=auth_configs)

        def junk(i: int) -> int:
            client = Client(server.base_url)
            client.authorization = f"keycloak junk-{i}"
            path = f"/api/sync/pull?since=&configId={slow_tenant}"
            response = client.http.request(
                "GET", server.base_url + path, headers={"Authorization": client.authorization}
            )
            return response.status

        with ThreadPoolExecutor(40) as pool:
            statuses = [pool.submit(junk, i) for i in range(40)]
            time.sleep(0.5)  # the checks are in flight
            health, other = [], []
            for _ in range(5):
                started = time.monotonic()
                server_health = Client(server.base_url).call("GET", "/health")
                health.append(time.monotonic() - started)
                assert server_health is not None
                started = time.monotonic()
                device.pull(tenant)
                other.append(time.monotonic() - started)
            codes = {s.result() for s in statuses}
        assert max(health) < 1.0, health
        assert max(other) < 2.0, other
        assert codes <= {401, 503}, codes  # refused at the deadline, or busy at once
        assert 503 in codes
    finally:
        silent.stop.set()
        silent.shutdown()
        silent.server_close()
