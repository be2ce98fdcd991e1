"""The fake servers' shared base (a ThreadingHTTPServer with a request journal and fault knobs),
FakeMock (upstream's mock contract) and FakeOpenFn (a Lightning webhook trigger)."""

from __future__ import annotations

import base64
import contextlib
import json
import socket
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

import attrs


@attrs.define
class Fault:
    """Answer the next ``times`` requests with ``status`` (and ``Retry-After``), or sleep
    ``sleep_s`` before answering, or act and then drop the connection (``drop_after``)."""

    status: int | None = None
    retry_after: str | None = None
    times: int = 1
    sleep_s: float = 0.0
    drop_after: bool = False


class FakeServer:
    def __init__(self, port: int = 0) -> None:
        self.journal: list[dict[str, Any]] = []
        self.faults: list[Fault] = []
        self.lock = threading.Lock()
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def setup(self) -> None:
                super().setup()
                # Headers and body are separate writes: without this, Nagle and the client's
                # delayed ACK add ~40 ms to every keep-alive answer.
                self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

            def log_message(self, *args: Any) -> None:
                pass

            def do_GET(self) -> None:
                fake._handle(self, "GET")

            def do_POST(self) -> None:
                fake._handle(self, "POST")

        self.server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def start(self) -> FakeServer:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def fail(self, fault: Fault) -> None:
        with self.lock:
            self.faults.append(fault)

    def _next_fault(self) -> Fault | None:
        with self.lock:
            if not self.faults:
                return None
            fault = self.faults[0]
            fault.times -= 1
            if fault.times <= 0:
                self.faults.pop(0)
            return fault

    def _handle(self, h: BaseHTTPRequestHandler, method: str) -> None:
        length = int(h.headers.get("Content-Length") or 0)
        body = h.rfile.read(length) if length else b""
        parts = urlsplit(h.path)
        entry = {
            "method": method,
            "path": parts.path,
            "query": {k: v[0] for k, v in parse_qs(parts.query, keep_blank_values=True).items()},
            "headers": {k.lower(): v for k, v in h.headers.items()},
            "body": body,
        }
        with self.lock:
            self.journal.append(entry)
        fault = self._next_fault()
        if fault is not None and fault.sleep_s:
            time.sleep(fault.sleep_s)
        if fault is not None and fault.status is not None:
            headers = {"Retry-After": fault.retry_after} if fault.retry_after else {}
            self._send(h, fault.status, {"error": "injected"}, headers)
            return
        status, doc, headers = self.answer(entry)
        if fault is not None and fault.drop_after:
            h.close_connection = True
            h.connection.shutdown(2)  # the work is done, the answer is lost
            return
        self._send(h, status, doc, headers)

    def _send(
        self, h: BaseHTTPRequestHandler, status: int, doc: Any, headers: dict[str, str] | None
    ) -> None:
        data = doc if isinstance(doc, bytes) else json.dumps(doc).encode()
        h.send_response(status)
        h.send_header("Content-Type", "application/json")
        h.send_header("Content-Length", str(len(data)))
        for k, v in (headers or {}).items():
            h.send_header(k, v)
        h.end_headers()
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            h.wfile.write(data)  # the client may have given up (a timeout test)

    def answer(self, entry: dict[str, Any]) -> tuple[int, Any, dict[str, str] | None]:
        raise NotImplementedError


class FakeMock(FakeServer):
    """Upstream's mock sync server: POST {data:[events]}; GET ?since= -> [records]."""

    def __init__(self, port: int = 0) -> None:
        super().__init__(port)
        self.received: dict[str, dict[str, Any]] = {}  # event guid -> event (dedupe)
        self.posts = 0
        self.records: list[dict[str, Any]] = []  # what GET serves

    @property
    def url(self) -> str:
        return self.base_url + "/sync"

    def answer(self, entry: dict[str, Any]) -> tuple[int, Any, dict[str, str] | None]:
        if entry["path"] != "/sync":
            return 404, {"error": "not found"}, None
        if entry["method"] == "POST":
            doc = json.loads(entry["body"])
            with self.lock:
                self.posts += 1
                for event in doc["data"]:
                    self.received[event["guid"]] = event
            return 200, {"status": "ok"}, None
        since = entry["query"].get("since", "")
        return 200, [r for r in self.records if not since or r["timestamp"] > since], None


class FakeOpenFn(FakeServer):
    """An OpenFn Lightning trigger ``/i/<uuid>`` with auth none / api-key / basic and the
    401-vs-404 rule (404 for wrong credentials hides whether the trigger exists)."""

    def __init__(
        self,
        mode: str = "none",
        api_key: str = "",
        user: str = "",
        password: str = "",
        port: int = 0,
        trigger: str | None = None,
    ) -> None:
        super().__init__(port)
        self.trigger = trigger or str(uuid.uuid4())
        self.mode, self.api_key, self.user, self.password = mode, api_key, user, password
        self.work_orders: list[dict[str, Any]] = []

    @property
    def url(self) -> str:
        return f"{self.base_url}/i/{self.trigger}"

    def answer(self, entry: dict[str, Any]) -> tuple[int, Any, dict[str, str] | None]:
        if entry["path"] != f"/i/{self.trigger}":
            return 404, {"error": "Webhook not found"}, None
        if entry["method"] == "GET":
            message = "OpenFn webhook trigger found. Make a POST request to execute this workflow."
            return 200, {"message": message}, None
        headers = entry["headers"]
        if self.mode == "api-key":
            given = headers.get("x-api-key")
            if given is None:
                return 401, {"error": "Unauthorized"}, None
            if given != self.api_key:
                return 404, {"error": "Webhook not found"}, None
        if self.mode == "basic":
            given = headers.get("authorization")
            if given is None:
                return 401, {"error": "Unauthorized"}, None
            expected = "Basic " + base64.b64encode(f"{self.user}:{self.password}".encode()).decode()
            if given != expected:
                return 404, {"error": "Webhook not found"}, None
        if not headers.get("content-type", "").startswith("application/json"):
            return 415, {"error": "Unsupported Media Type"}, None
        try:
            doc = json.loads(entry["body"])
        except ValueError:
            return 415, {"error": "Unsupported Media Type"}, None
        order = str(uuid.uuid4())
        with self.lock:
            self.work_orders.append({"id": order, "body": doc})
        return 200, {"work_order_id": order}, None

    def keys(self) -> list[str]:
        return [c["idempotencyKey"] for o in self.work_orders for c in o["body"]["changes"]]


@contextmanager
def running(fake: FakeServer) -> Iterator[FakeServer]:
    fake.start()
    try:
        yield fake
    finally:
        fake.stop()
