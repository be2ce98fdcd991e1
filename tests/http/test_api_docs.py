"""The OpenAPI document covers every route, and Swagger UI is served locally."""

from __future__ import annotations

import re

import falcon
import pytest

from adapters_in.http.config import HttpConfig
from adapters_in.http.openapi.document import for_swagger_ui
from adapters_in.http.routing import HttpKit, RouteModule
from tests.http.conftest import Api, build_api


def registered_templates(app: falcon.App) -> set[str]:
    found, todo = set(), list(app._router._roots)  # no public listing API in Falcon
    while todo:
        node = todo.pop()
        if node.resource is not None:
            found.add(node.uri_template)
        todo.extend(node.children)
    return {_shape(template) for template in found}


def _shape(template: str) -> str:
    """A URI template with its parameter names erased: ``/a/{x}`` and ``/a/{id}`` agree."""
    return re.sub(r"{[^}]*}", "{}", template)


# One resource serves both documented artifact forms (.json and .png).
ARTIFACT_FORMS = {"/artifacts/{artifactId}.json", "/artifacts/{artifactId}.png"}


def test_every_registered_route_is_documented(api: Api) -> None:
    documented = set(api.client.simulate_get("/api-docs/openapi.json").json["paths"])
    assert documented >= ARTIFACT_FORMS
    documented = (documented - ARTIFACT_FORMS) | {"/artifacts/{filename}"}
    assert registered_templates(api.client.app) == {_shape(uri) for uri in documented}


def test_every_operation_has_a_summary_security_and_responses(api: Api) -> None:
    document = api.client.simulate_get("/api-docs/openapi.json").json
    assert document["openapi"] == "3.1.0"
    for uri, item in document["paths"].items():
        for method, operation in item.items():
            if method == "parameters":
                continue
            assert operation["summary"], (method, uri)
            assert "security" in operation, (method, uri)
            assert any(code.startswith("2") for code in operation["responses"]), (method, uri)


def test_route_modules_contribute_their_paths() -> None:
    def register(app: falcon.App, kit: HttpKit) -> None:
        app.add_route("/api/extra", object())

    extra = RouteModule(
        name="extra",
        register=register,
        paths={"/api/extra": {"get": {"summary": "x", "responses": {}}}},
        schemas={"Extra": {"type": "object"}},
    )
    document = build_api(extra_routes=(extra,)).client.simulate_get("/api-docs/openapi.json").json
    assert "/api/extra" in document["paths"]
    assert "Extra" in document["components"]["schemas"]


def test_two_modules_cannot_describe_one_path() -> None:
    twice = RouteModule(name="dup", register=lambda app, kit: None, paths={"/health": {}})
    with pytest.raises(ValueError, match="/health"):
        build_api(extra_routes=(twice,))


def test_swagger_ui_uses_local_assets_only(api: Api) -> None:
    page = api.client.simulate_get("/api-docs")
    assert page.headers["content-type"].startswith("text/html")
    assert "http://" not in page.text and "https://" not in page.text
    assert 'src="api-docs/assets/swagger-ui-bundle.js"' in page.text
    bundle = api.client.simulate_get("/api-docs/assets/swagger-ui-bundle.js")
    assert bundle.status_code == 200 and len(bundle.content) > 100_000
    assert api.client.simulate_get("/api-docs/assets/..%2Fsecrets").status_code == 404


def test_swagger_ui_gets_an_openapi_30_rendering(api: Api) -> None:
    ui = api.client.simulate_get("/api-docs/openapi-ui.json").json
    assert ui["openapi"] == "3.0.3"
    next_cursor = ui["components"]["schemas"]["PullResponse"]["properties"]["nextCursor"]
    assert next_cursor["type"] == "string" and next_cursor["nullable"] is True
    assert for_swagger_ui({"x": {"type": "string", "examples": ["a"]}})["x"]["example"] == "a"


def test_docs_can_be_switched_off() -> None:
    api = build_api(HttpConfig(docs_enabled=False, rate_limit_per_ip=0, rate_limit_per_user=0))
    assert api.client.simulate_get("/api-docs").status_code == 404


def test_the_public_base_url_is_the_server() -> None:
    config = HttpConfig(public_base_url="https://example.org/sync/", rate_limit_per_ip=0)
    document = build_api(config).client.simulate_get("/api-docs/openapi.json").json
    assert document["servers"] == [{"url": "https://example.org/sync"}]


def test_both_documents_are_valid_openapi(api: Api) -> None:
    # The OpenAPI meta-schemas bundled with schemathesis (no extra dependency).
    from schemathesis.specs.openapi.definitions import OPENAPI_30_VALIDATOR, OPENAPI_31_VALIDATOR

    document = api.client.simulate_get("/api-docs/openapi.json").json
    assert list(OPENAPI_31_VALIDATOR.iter_errors(document)) == []
    ui = api.client.simulate_get("/api-docs/openapi-ui.json").json
    assert list(OPENAPI_30_VALIDATOR.iter_errors(ui)) == []


def test_a_trailing_slash_is_ignored_as_in_express(api: Api) -> None:
    assert api.client.simulate_get("/api/users/", headers=api.auth("admin")).status_code == 200
    page = api.client.simulate_get("/api-docs/")
    assert page.status_code == 200
    assert 'src="assets/swagger-ui-bundle.js"' in page.text  # relative to ".../api-docs/"
