"""The tenant and review routes against their OpenAPI description (schemathesis, in process):
no 5xx, documented status codes and content types, bodies matching the schemas."""

from __future__ import annotations

import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from adapters_in.http.tenants import openapi_paths, openapi_review
from tests.http.tenants.helpers import upload
from tests.http.tenants.samples import sample_config
from tests.http.tenants.wiring import make_env

ENV, ADMIN = make_env(public_base_url=None)  # the document then names no server prefix
assert upload(ENV, ADMIN, sample_config()).status_code == 201
OURS = sorted({*openapi_paths.PATHS, *openapi_review.PATHS})
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]

schema = schemathesis.openapi.from_wsgi("/api-docs/openapi.json", ENV.client.app)


@schema.include(path=OURS).parametrize()
@settings(max_examples=10, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
def test_tenant_routes_conform_to_the_document(case: schemathesis.Case) -> None:
    case.call_and_validate(headers=ADMIN, checks=CHECKS)
