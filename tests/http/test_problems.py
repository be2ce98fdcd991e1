"""Every error is application/problem+json (RFC 9457): Falcon's own ones and ours."""

from __future__ import annotations

import falcon
import pytest

from adapters_in.http.config import HttpConfig
from adapters_in.http.routing import HttpKit, RouteModule
from tests.http.conftest import Api, build_api

PROBLEM = "application/problem+json"


def _assert_problem(result, status: int) -> dict:  # type: ignore[no-untyped-def]
    assert result.status_code == status, result.text
    assert result.headers["content-type"] == PROBLEM
    body = result.json
    assert {"type", "title", "status", "detail"} <= set(body)
    assert body["status"] == status
    assert "Traceback" not in result.text
    return body


def test_malformed_json_is_400(api: Api) -> None:
    result = api.client.simulate_post(
        "/api/sync/push",
        body=b'{"events": [',
        headers={**api.auth("admin"), "Content-Type": "application/json"},
    )
    assert _assert_problem(result, 400)["type"].endswith("malformed-json")


def test_unknown_route_is_404_and_wrong_method_405(api: Api) -> None:
    _assert_problem(api.client.simulate_get("/api/nothing-here"), 404)
    result = api.client.simulate_patch("/api/sync/push", headers=api.auth("admin"))
    _assert_problem(result, 405)
    assert "POST" in result.headers["allow"]


def test_a_body_over_the_limit_is_413_before_it_is_read() -> None:
    api = build_api(HttpConfig(max_body_bytes=100, rate_limit_per_ip=0, rate_limit_per_user=0))
    result = api.client.simulate_post(
        "/api/sync/push", json={"events": [], "padding": "x" * 200}, headers=api.auth("admin")
    )
    _assert_problem(result, 413)


def test_more_than_1000_events_is_413(api: Api) -> None:
    result = api.client.simulate_post(
        "/api/sync/push", json={"events": [None] * 1001}, headers=api.auth("admin")
    )
    body = _assert_problem(result, 413)
    assert body["errors"][0]["pointer"] == "#/events"


def test_an_unsupported_media_type_is_415(api: Api) -> None:
    result = api.client.simulate_post(
        "/api/sync/push",
        body="events=1",
        headers={**api.auth("admin"), "Content-Type": "application/x-www-form-urlencoded"},
    )
    _assert_problem(result, 415)


@pytest.mark.parametrize(
    ("body", "pointer"),
    [
        ({"events": "not a list"}, "#/events"),
        ({}, "#/events"),
        ({"events": [], "configId": 7}, "#/configId"),
    ],
)
def test_invalid_push_bodies_are_422_with_pointers(api: Api, body: dict, pointer: str) -> None:
    result = api.client.simulate_post("/api/sync/push", json=body, headers=api.auth("admin"))
    problem = _assert_problem(result, 422)
    assert pointer in [e["pointer"] for e in problem["errors"]]
    assert all({"pointer", "code", "detail"} == set(e) for e in problem["errors"])


def test_a_json_array_body_is_422(api: Api) -> None:
    result = api.client.simulate_post("/api/sync/push", json=[1, 2], headers=api.auth("admin"))
    _assert_problem(result, 422)


def test_domain_validation_problems_keep_every_pointer(api: Api) -> None:
    result = api.client.simulate_post(
        "/api/users",
        json={"email": "not-an-email", "password": "short", "role": "USER"},
        headers=api.auth("admin"),
    )
    problem = _assert_problem(result, 422)
    assert {e["pointer"] for e in problem["errors"]} == {"#/email", "#/password"}


def test_strict_admin_bodies_refuse_unknown_fields(api: Api) -> None:
    result = api.client.simulate_post(
        "/api/users",
        json={"email": "x@example.org", "password": "long enough pw", "rol": "ADMIN"},
        headers=api.auth("admin"),
    )
    problem = _assert_problem(result, 422)
    assert problem["errors"] == [
        {"pointer": "#/rol", "code": "unknown-field", "detail": "this field is not accepted"}
    ]


def test_a_duplicate_email_is_409(api: Api) -> None:
    result = api.client.simulate_post(
        "/api/users",
        json={"email": "alice@example.org", "password": "long enough pw"},
        headers=api.auth("admin"),
    )
    _assert_problem(result, 409)


def test_a_bad_cursor_is_400(api: Api) -> None:
    result = api.client.simulate_get(
        "/api/sync/pull", params={"configId": "t1", "since": "cZZ"}, headers=api.auth("admin")
    )
    _assert_problem(result, 400)


def test_a_missing_tenant_is_404(api: Api) -> None:
    result = api.client.simulate_get(
        "/api/sync/pull", params={"configId": "nope"}, headers=api.auth("admin")
    )
    _assert_problem(result, 404)


def test_database_down_is_503_with_retry_after(api: Api) -> None:
    api.health.down = True
    result = api.client.simulate_get("/health/db")
    _assert_problem(result, 503)
    assert result.headers["retry-after"] == "7"


def test_an_unexpected_error_is_a_500_problem_without_details(capsys) -> None:  # type: ignore[no-untyped-def]
    class Boom:
        auth = "public"

        def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
            raise RuntimeError("secret internals")

    def register(app: falcon.App, kit: HttpKit) -> None:
        app.add_route("/boom", Boom())

    api = build_api(extra_routes=(RouteModule(name="boom", register=register),))
    result = api.client.simulate_get("/boom", headers={"X-Request-ID": "req-123"})
    problem = _assert_problem(result, 500)
    assert "secret internals" not in result.text
    assert problem["requestId"] == "req-123"
    logged = capsys.readouterr().out
    assert logged.count("unhandled error") == 1
    assert "req-123" in logged


def test_absurdly_nested_json_is_refused_not_a_crash(api: Api) -> None:
    deep = b'{"events": [' + b"[" * 100_000 + b"]" * 100_000 + b"]}"
    headers = {**api.auth("admin"), "Content-Type": "application/json"}
    _assert_problem(api.client.simulate_post("/api/sync/push", body=deep, headers=headers), 400)
    # Deep but parseable: judged per event (the batch itself is fine).
    nested = b'{"events": [{"data": ' + b"[" * 150 + b"]" * 150 + b"}]}"
    result = api.client.simulate_post("/api/sync/push", body=nested, headers=headers)
    assert result.status_code == 200
    assert result.json["results"][0]["code"] == "too-deep"


@pytest.mark.parametrize("user_id", ["\u00b2", "9" * 30])
def test_odd_numeric_user_ids_are_404(api: Api, user_id: str) -> None:
    admin = api.auth("admin")
    _assert_problem(api.client.simulate_delete(f"/api/users/{user_id}", headers=admin), 404)
    body = {"email": "x@example.org"}
    put = api.client.simulate_put(f"/api/users/{user_id}", json=body, headers=admin)
    _assert_problem(put, 404)


def test_impossible_tenant_ids_never_reach_storage(api: Api) -> None:
    result = api.client.simulate_get(
        "/api/sync/pull", query_string="configId=a%00b", headers=api.auth("admin")
    )
    _assert_problem(result, 404)


def test_nul_characters_in_strings_are_422(api: Api) -> None:
    result = api.client.simulate_post(
        "/api/users",
        json={"email": "a\u0000@example.org", "password": "long enough pw"},
        headers=api.auth("admin"),
    )
    assert _assert_problem(result, 422)["errors"][0]["pointer"] == "#/email"


@pytest.mark.parametrize("media_type", ["APPLICATION/JSON", "Application/Json; charset=UTF-8"])
def test_media_types_are_compared_case_insensitively(api: Api, media_type: str) -> None:
    result = api.client.simulate_post(
        "/api/sync/push",
        body=b'{"events": [], "configId": "t1"}',
        headers={**api.auth("admin"), "Content-Type": media_type},
    )
    assert result.status_code == 200, result.text


def _chunked(api: Api, body: bytes, *, terminated: bool):  # type: ignore[no-untyped-def]
    # What gunicorn hands the app for a chunked request: no Content-Length, a de-chunked
    # input stream that ends with the body, and wsgi.input_terminated.
    return api.client.simulate_post(
        "/api/sync/push",
        body=body,
        headers={
            **api.auth("admin"),
            "Content-Type": "application/json",
            "Transfer-Encoding": "chunked",
        },
        extras={"CONTENT_LENGTH": "", "wsgi.input_terminated": terminated},
    )


def test_a_chunked_body_is_read() -> None:
    api = build_api()
    result = _chunked(api, b'{"events": [], "configId": "t1"}', terminated=True)
    assert result.status_code == 200, result.text
    small = build_api(HttpConfig(max_body_bytes=64, rate_limit_per_ip=0, rate_limit_per_user=0))
    too_big = b'{"events": [], "configId": "t1", "pad": "' + b"x" * 100 + b'"}'
    _assert_problem(_chunked(small, too_big, terminated=True), 413)


def test_a_chunked_body_the_server_cannot_delimit_is_411() -> None:
    result = _chunked(build_api(), b'{"events": []}', terminated=False)
    _assert_problem(result, 411)


def test_output_is_strict_json_even_if_a_non_finite_number_slipped_through(api: Api) -> None:
    class Leaky:
        auth = "public"

        def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
            resp.media = {"n": float("nan")}

    def register(app: falcon.App, kit: HttpKit) -> None:
        app.add_route("/leaky", Leaky())

    leaky = build_api(extra_routes=[RouteModule(name="leaky", register=register, paths={})])
    result = leaky.client.simulate_get("/leaky")
    assert result.status_code == 500
    assert "NaN" not in result.text
