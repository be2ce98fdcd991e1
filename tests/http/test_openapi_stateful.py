"""A schemathesis *stateful* run over the whole API: sequences of calls chained through the
links schemathesis infers from the OpenAPI document (an app created, then read, updated,
its entities listed, deleted; a user created, then updated, deleted ...), checked against the
document after every step. Bounded so that it stays well under a minute."""

from __future__ import annotations

from typing import Any

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
from tests.http.tenants.helpers import person_config

API = build_api()
with API.db() as _uow:  # the fixture's tenants hold stub documents: give them real ones
    for _tenant in ("default", "t1", "t2"):
        _stored = _uow.tenants.get(_tenant)
        assert _stored is not None
        _uow.tenants.update(attrs.evolve(_stored, config=person_config(_tenant)))
    _uow.commit()
FUZZ_ADMIN = "stateful-admin@example.org"
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    response_headers_conformance,
]


def _admin_headers() -> dict[str, str]:
    """A live admin for every step: a generated step may delete or demote any account."""
    with API.db() as uow:
        user = uow.users.get_by_email(FUZZ_ADMIN)
        if user is None or user.role != "ADMIN":
            if user is not None:
                uow.users.delete(user.id)
            user = uow.users.add(
                attrs.evolve(API.users["admin"], id=0, email=FUZZ_ADMIN, role="ADMIN")
            )
            uow.commit()
    token = API.tokens.issue(subject=str(user.id), email=user.email, role=user.role)
    return {"Authorization": "Bearer " + token}


schema = schemathesis.openapi.from_wsgi("/api-docs/openapi.json", API.client.app)


class Workflow(schema.as_state_machine()):  # type: ignore[misc]
    def get_call_kwargs(self, case: schemathesis.Case) -> dict[str, Any]:
        return {"headers": _admin_headers()}

    def validate_response(self, response: Any, case: schemathesis.Case, **kwargs: Any) -> None:
        case.validate_response(response, checks=CHECKS)


def test_the_api_statefully() -> None:
    Workflow.run(
        settings=settings(
            max_examples=20,
            stateful_step_count=6,
            deadline=None,
            suppress_health_check=list(HealthCheck),
            derandomize=True,
        )
    )
