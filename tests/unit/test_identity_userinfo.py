"""The userinfo identity adapter against a real local HTTP server (no mocks)."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from adapters_out.identity import UserinfoIdentityProvider
from ports.security import ExternalIdentity

KEYCLOAK_PATH = "/realms/field/protocol/openid-connect/userinfo"
AUTH0_PATH = "/userinfo"


class FakeIdp(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.calls: list[tuple[str, str]] = []  # (path, authorization header)
        self.lock = threading.Lock()

    def handle_error(self, request: object, client_address: object) -> None:
        pass  # the client gave up on a slow answer: expected in the timeout test

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"


class _Handler(BaseHTTPRequestHandler):
    server: FakeIdp

    def do_GET(self) -> None:
        auth = self.headers.get("Authorization", "")
        with self.server.lock:
            self.server.calls.append((self.path, auth))
        token = auth.removeprefix("Bearer ")
        if token == "slow":
            time.sleep(1.0)
        if token == "boom":
            return self._send(500, {"error": "internal"})
        if token == "redirect":
            self.send_response(302)
            self.send_header("Location", "http://127.0.0.2:9/steal")
            self.end_headers()
            return None
        if self.path not in (KEYCLOAK_PATH, AUTH0_PATH) or not token.startswith("good"):
            return self._send(401, {"error": "invalid_token"})
        if token == "good-nosub":
            return self._send(200, {"email": "x@example.org"})
        org = "org-b" if token == "good-other-org" else "org-a"
        return self._send(200, {"sub": f"user-{token}", "email": "u@example.org", "org_id": org})

    def _send(self, status: int, body: dict) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def idp() -> Iterator[FakeIdp]:
    server = FakeIdp()
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture
def provider() -> Iterator[UserinfoIdentityProvider]:
    adapter = UserinfoIdentityProvider(connect_timeout_s=1.0, read_timeout_s=0.3)
    yield adapter
    adapter.close()


def keycloak(idp: FakeIdp) -> dict:
    return {"authority": f"{idp.base}/realms/field", "client_id": "mobile"}


def test_keycloak_valid_token(idp: FakeIdp, provider: UserinfoIdentityProvider) -> None:
    identity = provider.validate("keycloak", keycloak(idp), "good-1")
    assert identity == ExternalIdentity(subject="user-good-1", email="u@example.org")
    assert idp.calls == [(KEYCLOAK_PATH, "Bearer good-1")]


def test_invalid_token_and_missing_sub_are_refused(
    idp: FakeIdp, provider: UserinfoIdentityProvider
) -> None:
    assert provider.validate("keycloak", keycloak(idp), "bad") is None
    assert provider.validate("keycloak", keycloak(idp), "good-nosub") is None
    assert len(idp.calls) == 2


def test_auth0_organization_must_match(idp: FakeIdp, provider: UserinfoIdentityProvider) -> None:
    fields = {"authority": idp.base, "organization": "org-a"}
    assert provider.validate("auth0", fields, "good-same-org") is not None
    assert provider.validate("auth0", fields, "good-other-org") is None
    no_org = provider.validate("auth0", {"authority": idp.base + "/"}, "good-other-org")
    assert no_org == ExternalIdentity(subject="user-good-other-org", email="u@example.org")
    assert {path for path, _ in idp.calls} == {AUTH0_PATH}


def test_timeout_is_refused_and_not_cached(
    idp: FakeIdp, provider: UserinfoIdentityProvider
) -> None:
    started = time.monotonic()
    assert provider.validate("keycloak", keycloak(idp), "slow") is None
    assert time.monotonic() - started < 0.9  # gave up at the read timeout, not the server
    assert provider.validate("keycloak", keycloak(idp), "slow") is None
    assert len(idp.calls) == 2  # a transient failure is asked again


def test_server_error_is_not_cached_and_redirects_are_not_followed(
    idp: FakeIdp, provider: UserinfoIdentityProvider
) -> None:
    for _ in range(2):
        assert provider.validate("keycloak", keycloak(idp), "boom") is None
    assert provider.validate("keycloak", keycloak(idp), "redirect") is None
    assert [auth for _, auth in idp.calls] == ["Bearer boom", "Bearer boom", "Bearer redirect"]


def test_results_are_cached_one_call_per_token(
    idp: FakeIdp, provider: UserinfoIdentityProvider
) -> None:
    fields = keycloak(idp)
    with ThreadPoolExecutor(8) as pool:
        results = list(
            pool.map(lambda _: provider.validate("keycloak", fields, "good-c"), range(40))
        )
    assert all(r == ExternalIdentity(subject="user-good-c", email="u@example.org") for r in results)
    for _ in range(3):
        assert provider.validate("keycloak", fields, "bad-c") is None
    assert idp.calls == [(KEYCLOAK_PATH, "Bearer good-c"), (KEYCLOAK_PATH, "Bearer bad-c")]


def test_cache_entries_expire(idp: FakeIdp) -> None:
    now = [0.0]
    adapter = UserinfoIdentityProvider(cache_ttl_s=60, negative_ttl_s=5, clock=lambda: now[0])
    fields = keycloak(idp)
    adapter.validate("keycloak", fields, "good-e")
    adapter.validate("keycloak", fields, "bad-e")
    now[0] = 30.0  # the refusal expired (5 s), the acceptance did not (60 s)
    adapter.validate("keycloak", fields, "good-e")
    adapter.validate("keycloak", fields, "bad-e")
    now[0] = 61.0
    adapter.validate("keycloak", fields, "good-e")
    adapter.close()
    assert [auth for _, auth in idp.calls] == [
        "Bearer good-e",
        "Bearer bad-e",
        "Bearer bad-e",
        "Bearer good-e",
    ]


@pytest.mark.parametrize(
    ("kind", "fields"),
    [
        ("okta", {"authority": "http://127.0.0.1:9"}),
        ("keycloak", {}),
        ("keycloak", {"authority": "ftp://x"}),
    ],
)
def test_unusable_configurations_make_no_call(
    idp: FakeIdp, provider: UserinfoIdentityProvider, kind: str, fields: dict
) -> None:
    assert provider.validate(kind, fields, "good-1") is None
    assert idp.calls == []


def test_tokens_never_reach_the_log(
    idp: FakeIdp, provider: UserinfoIdentityProvider, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level("DEBUG")
    provider.validate("keycloak", keycloak(idp), "good-secret-token")
    provider.validate("keycloak", keycloak(idp), "slow")
    assert caplog.records, "the adapter logs its outcomes"
    text = " ".join(r.getMessage() + repr(r.__dict__) for r in caplog.records)
    assert "good-secret-token" not in text


class _Trickler(ThreadingHTTPServer):
    """A provider that answers one byte at a time (headers or body), or not at all."""

    daemon_threads = True

    def __init__(self, mode: str) -> None:
        super().__init__(("127.0.0.1", 0), _TrickleHandler)
        self.mode, self.stop = mode, threading.Event()

    def handle_error(self, request: object, client_address: object) -> None:
        pass  # the client hung up on us: the point of the test


class _TrickleHandler(BaseHTTPRequestHandler):
    server: _Trickler

    def do_GET(self) -> None:
        if self.server.mode == "silent":
            self.server.stop.wait(10)
            return
        head = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 5000\r\n"
        if self.server.mode == "headers":
            for byte in head + b"X-Slow: " + b"a" * 1000:
                if self.server.stop.wait(0.05):
                    return
                self.wfile.write(bytes([byte]))
                self.wfile.flush()
        self.wfile.write(head + b"\r\n")
        self.wfile.flush()
        for _ in range(5000):
            if self.server.stop.wait(0.05):
                return
            self.wfile.write(b" ")
            self.wfile.flush()

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture(params=["body", "headers", "silent"])
def trickler(request: pytest.FixtureRequest) -> Iterator[_Trickler]:
    server = _Trickler(request.param)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    yield server
    server.stop.set()
    server.shutdown()
    server.server_close()


def test_a_trickling_or_silent_provider_is_given_up_at_the_deadline(
    trickler: _Trickler,
) -> None:
    # Each byte beats the read timeout; only the overall deadline stops the check.
    adapter = UserinfoIdentityProvider(connect_timeout_s=1.0, read_timeout_s=0.3, deadline_s=0.8)
    fields = {"authority": f"http://127.0.0.1:{trickler.server_address[1]}/realms/x"}
    try:
        started = time.monotonic()
        assert adapter.validate("keycloak", fields, "any-token") is None
        assert time.monotonic() - started < 1.5
    finally:
        adapter.close()


def test_concurrent_checks_are_bounded_and_the_excess_is_refused_at_once() -> None:
    from ports.errors import IdentityProviderBusy

    server = _Trickler("silent")
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    adapter = UserinfoIdentityProvider(read_timeout_s=2.0, deadline_s=1.0, max_concurrent=2)
    fields = {"authority": f"http://127.0.0.1:{server.server_address[1]}/realms/x"}
    try:
        with ThreadPoolExecutor(2) as pool:
            waiting = [pool.submit(adapter.validate, "keycloak", fields, f"t{i}") for i in (1, 2)]
            time.sleep(0.3)  # both slots taken
            started = time.monotonic()
            with pytest.raises(IdentityProviderBusy):
                adapter.validate("keycloak", fields, "t3")
            assert time.monotonic() - started < 0.2
            assert [w.result() for w in waiting] == [None, None]
    finally:
        server.stop.set()
        server.shutdown()
        server.server_close()
        adapter.close()
