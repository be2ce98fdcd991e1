"""The ``datacollect`` command line: arguments only (no wiring, no I/O)."""

from __future__ import annotations

import argparse
from collections.abc import Sequence

from adapters_in.cli import apps, export, external, maintenance

PROG = "datacollect"
DESCRIPTION = (
    "DataCollect Sync Server. Configuration comes from environment variables "
    "(see README, 'Configuration'); `datacollect check-config` shows what is in effect."
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog=PROG, description=DESCRIPTION)
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    commands.add_parser(
        "serve",
        help="run the HTTP server (gunicorn; migrates and creates the first admin on start)",
        description="Run the HTTP server with gunicorn and deploy/gunicorn.conf.py.",
    )
    commands.add_parser("migrate", help="apply pending database migrations and exit")

    check = commands.add_parser("check-config", help="validate the configuration and show it")
    check.add_argument(
        "--connect", action="store_true", help="also open the database and run a round trip"
    )

    user = commands.add_parser("create-user", help="create a user account")
    user.add_argument("email")
    user.add_argument("--role", choices=("ADMIN", "USER"), type=str.upper, default="USER")
    user.add_argument(
        "--tenant",
        dest="tenants",
        action="append",
        default=[],
        metavar="ID",
        help="an app configuration the user may sync (repeat; '*' for all)",
    )
    user.add_argument(
        "--password-stdin",
        action="store_true",
        help="read the password from the first line of standard input (else: prompt)",
    )

    tenant = commands.add_parser(
        "create-tenant", help="create an app configuration (tenant) with no forms yet"
    )
    tenant.add_argument("id", help="the configId devices use, e.g. organization-1")
    tenant.add_argument("name")
    tenant.add_argument(
        "--config",
        metavar="FILE",
        help="a full app configuration JSON document to create it from (id and name win)",
    )
    apps.add_parser(commands)
    maintenance.add_parser(commands)
    external.add_parsers(commands)
    maintenance.add_restore_parser(commands)
    export.add_parser(commands)
    return parser


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    return build_parser().parse_args(argv)
