"""``datacollect external-sync CONFIG_ID`` and ``datacollect fake-external KIND``: arguments and
output (the wiring is in ``bootstrap.cli``)."""

from __future__ import annotations

import argparse
import getpass
import json
from typing import Any, TextIO

from adapters_in.cli.commands import CliError
from application.external_sync import RunExternalSync
from domain.timestamps import format_instant
from domain.users import ADMIN, Principal
from ports.external import Credentials
from ports.external_store import SyncRun

CLI_ADMIN = Principal(user_id="cli", email=None, role=ADMIN)
FAKE_KINDS = ("openspp", "openfn", "mock")


def add_parsers(commands: Any) -> None:
    sync = commands.add_parser(
        "external-sync",
        help="run a tenant's external sync now (push the outbox, then pull)",
        description="Run one external sync of CONFIG_ID with the server's own database; "
        "the same run as POST /api/sync/external (one at a time per tenant).",
    )
    sync.add_argument("config_id", metavar="CONFIG_ID")
    sync.add_argument(
        "--username", help="log in to the external system as this user (this run only)"
    )
    sync.add_argument(
        "--password-stdin",
        action="store_true",
        help="with --username: read the password from standard input (else: prompt)",
    )
    fake = commands.add_parser(
        "fake-external",
        help="serve a fake OpenSPP, OpenFn or mock sync server on 127.0.0.1, to try external sync",
        description="A fake remote system in memory (nothing persists). openspp: Odoo JSON-RPC at "
        "/jsonrpc, database 'openspp', login admin/admin. openfn: a webhook trigger. mock: "
        "upstream's mock sync server at /sync.",
    )
    fake.add_argument("kind", choices=FAKE_KINDS)
    fake.add_argument("--port", type=int, default=8069)
    fake.add_argument("--api-key", help="openfn: require this x-api-key")


def credentials(args: argparse.Namespace, stdin: TextIO) -> Credentials | None:
    if not args.username:
        if args.password_stdin:
            raise CliError("--password-stdin needs --username", status=2)
        return None
    if args.password_stdin:
        password = stdin.readline().rstrip("\n")
    else:
        password = getpass.getpass(f"Password for {args.username}: ")
    return Credentials(username=args.username, password=password)


def run_sync(args: argparse.Namespace, run: RunExternalSync, out: TextIO, stdin: TextIO) -> int:
    given = credentials(args, stdin)
    tty = out.isatty()

    def progress(phase: str, done: int) -> None:
        if tty:
            out.write(f"\r{phase}: {done} records".ljust(40))
            out.flush()

    result = run(CLI_ADMIN, args.config_id, given, trigger="cli", progress=progress)
    if tty:
        out.write("\r" + " " * 40 + "\r")
    out.write(json.dumps(render(result), indent=2) + "\n")
    return 0 if result.status in ("succeeded", "partial") else 1


def render(run: SyncRun) -> dict[str, Any]:
    return {
        "runId": run.id,
        "configId": run.tenant_id,
        "system": run.system,
        "status": run.status,
        "startedAt": format_instant(run.started_at),
        "finishedAt": None if run.finished_at is None else format_instant(run.finished_at),
        "pushed": run.pushed,
        "rejected": run.rejected,
        "pulled": run.pulled,
        "errors": [dict(e) for e in run.errors],
    }
