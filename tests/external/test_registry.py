"""Adapters are found through entry points: built-ins, upstream aliases and a plug-in package."""

from __future__ import annotations

from importlib.metadata import EntryPoint

import pytest

from adapters_out.external.registry import AdapterRegistry, DuplicateAdapterName
from adapters_out.memory.uow import MemoryDatabase
from adapters_out.secrets.boxes import PlainSecretBox
from application.tenants import CreateTenant, TenantConfigRules
from domain.errors import ValidationFailed
from tests.external.conftest import ADMIN_USER, build, event


def test_built_ins_aliases_and_the_example_plugin_are_installed():
    registry = AdapterRegistry.from_entry_points()
    infos = {i.name: i for i in registry.infos()}
    assert {"mock", "openfn", "example-memory"} <= set(infos)
    assert infos["mock"].aliases == ("mock-sync-server",)
    assert infos["openfn"].aliases == ("openfn-adapter",)
    assert registry.canonical("mock-sync-server") == "mock"
    assert registry.canonical("nope") is None
    # the plug-in is a separate distribution (tests/plugins/example_adapter)
    from importlib.metadata import distribution

    points = distribution("datacollect-example-adapter").entry_points
    assert [p.name for p in points] == ["example-memory"]


def test_the_plugin_runs_like_a_built_in():
    import datacollect_example_adapter as plugin

    harness = build(MemoryDatabase())
    harness.add_tenant("t1", {"type": "example-memory", "url": ""})
    harness.device_push("t1", [event("a", "e1")])
    run = harness.sync(ADMIN_USER, "t1")
    assert (run.status, run.pushed) == ("succeeded", 1)
    assert [i.event.guid for i in plugin.RECEIVED][-1] == "a"
    with harness.db(read_only=True) as uow:
        assert uow.external.mapped("t1", "example-memory", ["e1"])["e1"].external_id == "ex-e1"


def test_two_distributions_claiming_one_name_are_refused():
    class Dist:
        def __init__(self, name):
            self.name = name

    a = EntryPoint("same", "adapters_out.external.mock:FACTORY", "datacollect.external_systems")
    b = EntryPoint("same", "adapters_out.external.openfn:FACTORY", "datacollect.external_systems")
    a, b = a._for(Dist("one")), b._for(Dist("two"))
    with pytest.raises(DuplicateAdapterName):
        AdapterRegistry.from_entry_points([a, b])


def test_an_unknown_type_is_refused_when_the_config_is_saved():
    registry = AdapterRegistry.from_entry_points()
    from adapters_out.system import RandomIds, SystemClock
    from application.tenant_seeding import SeedEntities

    db = MemoryDatabase()
    clock, ids = SystemClock(), RandomIds()
    harness = build(db)
    create = CreateTenant(
        db,
        clock,
        ids,
        PlainSecretBox(warn=False),
        SeedEntities(db, harness.push, clock),
        TenantConfigRules(sync_types=registry.names()),
    )
    with pytest.raises(ValidationFailed) as caught:
        create(ADMIN_USER, {"id": "t9", "name": "T9", "externalSync": {"type": "openfn-v9"}})
    assert ("/externalSync/type", "unsupported") in [p[:2] for p in caught.value.problems]


def test_an_adapter_defect_fails_the_run_and_frees_the_tenant():
    from ports.external import AdapterInfo

    class Broken:
        info = AdapterInfo(name="broken")

        def __call__(self, config, deadline):
            raise KeyError("a bug, with a secret-looking s3cr3t inside")

    harness = build(MemoryDatabase())
    harness.sync._systems = AdapterRegistry({"broken": Broken()})
    harness.add_tenant("t1", {"type": "broken", "url": ""})
    run = harness.sync(ADMIN_USER, "t1")
    assert run.status == "failed"
    assert run.errors == ({"kind": "internal", "message": "KeyError in the broken adapter"},)
    assert harness.sync(ADMIN_USER, "t1").status == "failed"  # not left "running"/locked
