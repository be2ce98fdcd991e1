"""The ``datacollect`` console script: parse (adapters_in.cli), wire (here), dispatch.

Exit status: 0 success, 1 failure (database, domain rule...), 2 bad configuration or usage.
Expected failures print one clear message, never a traceback.
"""

from __future__ import annotations

import json
import logging
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TextIO

import punq

from adapters_in.cli import apps, commands, export, external, maintenance
from adapters_in.cli.parser import parse_args
from application.exports import ExportEntities
from application.external_sync import RunExternalSync
from application.restore import MarkRestored
from application.retention import Cleanup
from application.tenant_reads import ExportTenant
from application.tenants import CreateTenant, UpdateTenant
from application.user_admin import ManageUsers
from bootstrap import logs
from bootstrap.container import build_container
from bootstrap.lifecycle import StartupError, explained
from bootstrap.settings import ConfigError, Settings
from bootstrap.storage import ManagedDatabase, describe, open_database
from bootstrap.use_cases import use
from domain.errors import DomainError

CONFIG_FILE = Path(__file__).resolve().parents[1] / "deploy" / "gunicorn.conf.py"


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    out, err = sys.stdout, sys.stderr
    try:
        if args.command == "check-config":
            return check_config(args.connect, out)
        if args.command == "fake-external":
            return fake_external(args, out)
        settings = Settings.from_env()
        if args.command == "serve":
            return serve()
        logs.configure(settings.log_level, settings.log_format)
        container = build_container(settings)
        with explained():
            return _run(args, settings, container, out)
    except ConfigError as error:
        err.write(f"datacollect: {error}\n")
        return 2
    except commands.CliError as error:
        err.write(f"datacollect: {error}\n")
        return error.status
    except DomainError as error:
        err.write(f"datacollect: {commands.describe(error)}\n")
        return 1
    except StartupError as error:
        err.write(f"datacollect: {error}\n")
        return 1
    except KeyboardInterrupt:
        err.write("\n")
        return 130
    except Exception as error:  # the last resort: one line, the details in the debug log
        logging.getLogger("datacollect.cli").debug("unexpected error", exc_info=True)
        err.write(f"datacollect: unexpected error: {type(error).__name__}: {error}\n")
        return 1


def _run(args, settings: Settings, container: punq.Container, out: TextIO) -> int:  # type: ignore[no-untyped-def]
    db = container.resolve(ManagedDatabase)
    open_database(db)
    try:
        if args.command == "migrate":
            applied = db.migrate()
            done = ", ".join(applied) if applied else "nothing to apply, already up to date"
            out.write(f"{describe(settings)}: {done}\n")
            return 0
        if settings.auto_migrate:
            db.migrate()
        if args.command == "create-user":
            password = commands.read_password(args, sys.stdin)
            commands.create_user(args, use(container, ManageUsers), password, out)
        elif args.command == "create-tenant":
            commands.create_tenant(args, use(container, CreateTenant), out)
        elif args.command == "apps":
            apps_commands = apps.TenantCommands(
                create=use(container, CreateTenant),
                update=use(container, UpdateTenant),
                export=use(container, ExportTenant),
            )
            apps.run(args, apps_commands, out)
        elif args.command == "cleanup":
            return maintenance.run_cleanup(args, container.resolve(Cleanup), out)
        elif args.command == "external-sync":
            return external.run_sync(args, use(container, RunExternalSync), out, sys.stdin)
        elif args.command == "after-restore":
            return maintenance.run_after_restore(use(container, MarkRestored), out)
        elif args.command == "export":
            export.run(args, use(container, ExportEntities), out)
        return 0
    finally:
        db.close()


def fake_external(args, out: TextIO) -> int:  # type: ignore[no-untyped-def]
    """Serve a fake remote until interrupted (a development tool; see README)."""
    from adapters_out.external.fakes.odoo import FakeOdoo
    from adapters_out.external.fakes.servers import FakeMock, FakeOpenFn

    if args.kind == "openspp":
        fake: FakeOdoo | FakeMock | FakeOpenFn = FakeOdoo(port=args.port)
        where = f"{fake.base_url} (database 'openspp', login admin / admin)"
    elif args.kind == "openfn":
        mode = "api-key" if args.api_key else "none"
        fake = FakeOpenFn(mode=mode, api_key=args.api_key or "", port=args.port, trigger="demo")
        where = fake.url  # type: ignore[union-attr]
    else:
        fake = FakeMock(port=args.port)
        where = fake.url  # type: ignore[union-attr]
    out.write(f"fake {args.kind} listening on {where}; Ctrl-C stops it\n")
    out.flush()
    try:
        fake.server.serve_forever()
    finally:
        fake.server.server_close()
    return 0


def check_config(connect: bool, out: TextIO) -> int:
    settings = Settings.from_env(create_files=False)
    out.write(json.dumps(settings.summary(), indent=2, default=str) + "\n")
    if connect:
        container = build_container(settings)
        db = container.resolve(ManagedDatabase)
        with explained():
            open_database(db)
            try:
                figures = db.check()
            finally:
                db.close()
        out.write(f"database reachable: {json.dumps(figures, default=str)}\n")
    out.write(f"configuration OK ({settings.env}, {describe(settings)})\n")
    return 0


def serve() -> int:
    """Replace this process by the gunicorn master (signals and exit codes are gunicorn's)."""
    config = str(CONFIG_FILE) if CONFIG_FILE.is_file() else "python:bootstrap.gunicorn_conf"
    argv = [sys.executable, "-m", "gunicorn", "--config", config]
    sys.stdout.flush()
    sys.stderr.flush()
    os.execv(sys.executable, argv)  # noqa: S606
    return 1  # not reached
