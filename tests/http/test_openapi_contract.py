"""The served OpenAPI document is the contract: schemathesis checks the in-process app against it.

Bounded (a few examples per operation) so the whole run stays well under two minutes; it asserts
no 5xx, documented status codes and content types, and bodies/headers that match the schemas.
"""

from __future__ import annotations

import attrs
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.http.conftest import build_api

API = build_api()
FUZZ_ADMIN = "fuzz-admin@example.org"


def admin_headers() -> dict[str, str]:
    """A live admin for every case: generated requests may delete or demote any account."""
    with API.db() as uow:
        user = uow.users.get_by_email(FUZZ_ADMIN)
        if user is None or user.role != "ADMIN":
            if user is not None:
                uow.users.delete(user.id)
            user = uow.users.add(
                attrs.evolve(API.users["admin"], id=0, email=FUZZ_ADMIN, role="ADMIN")
            )
            uow.commit()
    return {"Authorization": "Bearer " + API.tokens.issue(
        subject=str(user.id), email=user.email, role=user.role
    )}  # fmt: skip


schema = schemathesis.openapi.from_wsgi("/api-docs/openapi.json", API.client.app)
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    response_headers_conformance,
]


@schema.parametrize()
@settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=True,
)
def test_every_operation_conforms_to_the_document(case: schemathesis.Case) -> None:
    # Always as the admin, so generated data reaches the use cases (the authorisation matrix
    # covers the other callers); this overrides any Authorization value schemathesis invents.
    case.call_and_validate(headers=admin_headers(), checks=CHECKS)
