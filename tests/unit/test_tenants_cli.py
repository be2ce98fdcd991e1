"""``datacollect apps import|export`` over the in-memory database."""

from __future__ import annotations

import argparse
import io
import json
import stat
from pathlib import Path

import pytest

from adapters_in.cli import apps as apps_cli
from adapters_in.cli.commands import CliError
from adapters_out.memory.uow import MemoryDatabase
from adapters_out.secrets.boxes import FernetSecretBox
from application.duplicate_detection import DuplicateDetector
from application.push import PushEvents
from application.tenant_reads import ExportTenant
from application.tenant_seeding import SeedEntities
from application.tenants import CreateTenant, TenantConfigRules, UpdateTenant
from domain.duplicates import stdlib_similarity
from domain.errors import ValidationFailed
from domain.event_types import EventTypes
from tests.http.tenants.samples import SECRETS, sample_config
from tests.support.clock import CountingIds, SteppingClock


@pytest.fixture
def commands() -> tuple[apps_cli.TenantCommands, MemoryDatabase]:
    db, clock, ids = MemoryDatabase(), SteppingClock(), CountingIds()
    push = PushEvents(db, clock, ids, EventTypes(), DuplicateDetector(stdlib_similarity))
    box, seeder, rules = FernetSecretBox(["k"]), SeedEntities(db, push, clock), TenantConfigRules()
    return (
        apps_cli.TenantCommands(
            create=CreateTenant(db, clock, ids, box, seeder, rules),
            update=UpdateTenant(db, clock, box, seeder, rules),
            export=ExportTenant(db, box),
        ),
        db,
    )


def run(commands: apps_cli.TenantCommands, *argv: str, stdin: str = "") -> str:
    parser = argparse.ArgumentParser()
    apps_cli.add_parser(parser.add_subparsers(dest="command"))
    out = io.StringIO()
    apps_cli.run(parser.parse_args(argv), commands, out, io.StringIO(stdin))
    return out.getvalue()


def test_import_export_round_trip(commands, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    apps, db = commands
    source = tmp_path / "config.json"
    source.write_text(json.dumps(sample_config()))
    assert "created app configuration 'field-demo'" in run(apps, "apps", "import", str(source))
    with db() as uow:
        assert uow.entities.count("field-demo") == 3
    exported = json.loads(run(apps, "apps", "export", "field-demo"))
    assert exported["roles"] == sample_config()["roles"]
    assert not any(secret in json.dumps(exported) for secret in SECRETS)

    with pytest.raises(CliError, match="--replace"):
        run(apps, "apps", "import", "-", stdin=json.dumps(sample_config()))
    changed = sample_config(name="Renamed")
    out = run(apps, "apps", "import", "--replace", "-", stdin=json.dumps(changed))
    assert "updated" in out and "0 new seed events" in out

    target = tmp_path / "backup.json"
    run(apps, "apps", "export", "field-demo", "--with-secrets", "-o", str(target))
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    full = json.loads(target.read_text())
    assert full["name"] == "Renamed"
    assert full["externalSync"]["extraFields"][0]["value"] == "demo-secret-api-key"
    assert full["authConfigs"][0]["fields"]["client_secret"] == "demo-client-secret"


def test_bad_files(commands, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    apps, _ = commands
    with pytest.raises(CliError):
        run(apps, "apps", "import", str(tmp_path / "missing.json"))
    with pytest.raises(CliError):
        run(apps, "apps", "import", "-", stdin="[1]")
    with pytest.raises(ValidationFailed):
        run(apps, "apps", "import", "-", stdin='{"id": "x"}')
