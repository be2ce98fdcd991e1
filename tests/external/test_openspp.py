"""OpenSPP over JSON-RPC against FakeOdoo: one remote record per entity under retries and
lost answers, memberships without duplicates, refused logins, paged pulls with ties."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

from adapters_out.external.fakes.odoo import FakeOdoo
from adapters_out.external.fakes.servers import Fault, running
from tests.external.conftest import ADMIN_USER, Harness, event


@pytest.fixture
def odoo() -> Iterator[FakeOdoo]:
    with running(FakeOdoo()) as fake:
        yield fake  # type: ignore[misc]


def _config(odoo: FakeOdoo, **extra: str) -> dict:
    fields = {"database": "openspp", "username": "admin", "password": "admin", **extra}
    return {
        "type": "openspp-adapter",
        "url": odoo.url,
        "extraFields": [{"name": k, "value": v} for k, v in fields.items()],
    }


def _household(harness: Harness) -> None:
    harness.device_push(
        "t1",
        [
            event("g1", "hh1", "create-group", name="Household A"),
            event(
                "i1", "p1", "create-individual", firstName="Ana", lastName="Diaz", parentGuid="hh1"
            ),
            event(
                "i2", "p2", "create-individual", firstName="Ben", lastName="Diaz", parentGuid="hh1"
            ),
        ],
    )


def test_households_individuals_and_memberships_land_once(harness: Harness, odoo: FakeOdoo):
    harness.add_tenant("t1", _config(odoo))
    _household(harness)
    run = harness.sync(ADMIN_USER, "t1")
    assert (run.status, run.pushed, run.rejected) == ("succeeded", 3, 0), run.errors
    groups = odoo.partners(is_group=True)
    people = odoo.partners(is_group=False)
    assert [g["name"] for g in groups] == ["Household A"]
    assert sorted(p["given_name"] for p in people) == ["Ana", "Ben"]
    members = list(odoo.models["g2p.group.membership"].values())
    assert {(m["group"], m["individual"]) for m in members} == {
        (groups[0]["id"], p["id"]) for p in people
    }
    # at most 3 RPC calls per individual (lookup, create, membership)
    creates = [c for c in odoo.calls if c == ("res.partner", "create")]
    assert len(creates) == 3 and len(odoo.calls) <= 3 * 3
    # an update goes to the same partner
    harness.device_push(
        "t1",
        [event("u1", "p1", "update-individual", firstName="Anna", at="2025-01-02T00:00:00.000Z")],
    )
    assert harness.sync(ADMIN_USER, "t1").pushed == 1
    assert sorted(p["given_name"] for p in odoo.partners(is_group=False)) == ["Anna", "Ben"]
    assert len(odoo.models["g2p.group.membership"]) == 2


def test_a_create_whose_answer_was_lost_is_adopted_not_repeated(harness: Harness, odoo: FakeOdoo):
    harness.add_tenant("t1", _config(odoo))
    harness.device_push("t1", [event("i1", "p1", firstName="Ana")])
    # login ok, the lookup ok, then the create commits and the connection drops
    odoo.faults.extend([Fault(times=1), Fault(times=1), Fault(drop_after=True)])
    first = harness.sync(ADMIN_USER, "t1")
    assert first.pushed == 0 and len(odoo.partners()) == 1
    _make_due(harness)
    second = harness.sync(ADMIN_USER, "t1")
    assert second.pushed == 1
    assert len(odoo.partners()) == 1  # adopted by its marker
    with harness.db(read_only=True) as uow:
        mapped = uow.external.mapped("t1", "openspp", ["p1"])["p1"]
    assert mapped.external_id == str(odoo.partners()[0]["id"])
    with harness.db(read_only=True) as uow:  # the pull recognised it too: one entity
        assert [e.guid for e in uow.entities.list("t1", _query())] == ["p1"]


def test_retries_after_503_create_one_record(harness: Harness, odoo: FakeOdoo):
    harness.add_tenant("t1", _config(odoo))
    harness.device_push("t1", [event("i1", "p1", firstName="Ana")])
    odoo.faults.extend([Fault(times=1), Fault(status=503, retry_after="0", times=2)])
    run = harness.sync(ADMIN_USER, "t1")
    assert run.pushed == 1 and len(odoo.partners()) == 1


def test_a_bad_login_stops_the_run(harness: Harness, odoo: FakeOdoo):
    harness.add_tenant("t1", _config(odoo, password="wrong"))
    harness.device_push("t1", [event("i1", "p1")])
    run = harness.sync(ADMIN_USER, "t1")
    assert run.status == "failed" and run.errors[0]["kind"] == "auth"
    assert len(odoo.journal) == 1 and odoo.partners() == []


def test_the_dialog_credentials_are_used_for_the_run(harness: Harness, odoo: FakeOdoo):
    from ports.external import Credentials

    harness.add_tenant("t1", _config(odoo, password="stale"))
    harness.device_push("t1", [event("i1", "p1")])
    run = harness.sync(ADMIN_USER, "t1", Credentials(username="admin", password="admin"))
    assert run.status == "succeeded" and run.pushed == 1


def test_a_validation_error_rejects_only_that_row(harness: Harness, odoo: FakeOdoo):
    harness.add_tenant("t1", _config(odoo, fieldMap=json.dumps({"individual": {"bogus": "x"}})))
    harness.device_push("t1", [event("i1", "p1", x="1"), event("i2", "p2")])
    run = harness.sync(ADMIN_USER, "t1")
    assert (run.pushed, run.rejected, run.status) == (1, 1, "partial")
    with harness.db(read_only=True) as uow:
        (dead,) = uow.external.outbox("t1", None, ("rejected",), 10, 0)
    assert dead.event_guid == "i1" and "Invalid field" in dead.last_error


def test_multi_page_pull_with_write_date_ties_is_complete_and_a_repull_is_a_no_op(
    harness: Harness, odoo: FakeOdoo
):
    harness.add_tenant("t1", _config(odoo))
    for n in range(7):  # every write in the same second: write_date ties
        odoo.create_record(
            "res.partner",
            {"name": f"P{n}", "given_name": f"G{n}", "is_registrant": True, "is_group": False},
        )
    harness.sync.options = _with_page(harness, 3)
    run = harness.sync(ADMIN_USER, "t1")
    assert run.pulled == 7
    with harness.db(read_only=True) as uow:
        names = sorted(e.display_name for e in uow.entities.list("t1", _query()))
        assert names == [f"P{n}" for n in range(7)]
        assert uow.external.counts("t1") == {}  # pulled events are never pushed back
    calls = len(odoo.journal)
    again = harness.sync(ADMIN_USER, "t1")
    assert again.pulled == 0
    assert len(odoo.journal) - calls <= 2  # login and one empty page
    with harness.db() as uow:
        uow.external.set_cursor("t1", "openspp", "pull", "", _now())
        uow.commit()
    assert harness.sync(ADMIN_USER, "t1").pulled == 0  # everything again: all duplicates


def _with_page(harness: Harness, size: int):
    import attrs

    return attrs.evolve(harness.sync.options, pull_page=size)


def _make_due(harness: Harness) -> None:
    import attrs

    with harness.db() as uow:
        rows = uow.external.outbox("t1", None, ("pending",), 100, 0)
        uow.external.settle("t1", [attrs.evolve(r, next_attempt_at=None) for r in rows], _now())
        uow.commit()


def _query():
    from ports.records import EntityQuery

    return EntityQuery(limit=100, offset=0)


def _now():
    from datetime import UTC, datetime

    return datetime.now(UTC)
