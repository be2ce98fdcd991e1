"""``datacollect apps import FILE`` and ``datacollect apps export ID``.

Hooked in by the bootstrap: ``add_parser(subcommands)`` in the argument parser, and for
``args.command == "apps"``: ``run(args, TenantCommands(create=..., update=..., export=...), out)``.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from typing import Any, TextIO

import attrs

from adapters_in.cli.commands import OPERATOR, CliError, read_document
from application.tenant_reads import ExportTenant
from application.tenants import CreateTenant, UpdateTenant
from domain.errors import AlreadyExists


@attrs.frozen(kw_only=True)
class TenantCommands:
    create: CreateTenant
    update: UpdateTenant
    export: ExportTenant


def add_parser(subcommands: Any) -> None:
    apps = subcommands.add_parser("apps", help="import or export app configurations (tenants)")
    actions = apps.add_subparsers(dest="apps_command", metavar="ACTION", required=True)
    load = actions.add_parser(
        "import", help="create an app configuration from a JSON file ('-' reads stdin)"
    )
    load.add_argument("file")
    load.add_argument(
        "--replace",
        action="store_true",
        help="update the configuration when its id exists (keeps its artifactId)",
    )
    dump = actions.add_parser("export", help="write an app configuration as JSON")
    dump.add_argument("id")
    dump.add_argument("-o", "--output", metavar="FILE", help="write here instead of stdout")
    dump.add_argument(
        "--with-secrets",
        action="store_true",
        help='include the stored secrets instead of "***" (handle the file with care)',
    )


def run(
    args: argparse.Namespace, apps: TenantCommands, out: TextIO, stdin: TextIO = sys.stdin
) -> None:
    if args.apps_command == "import":
        doc = read_document(args.file, stdin)
        try:
            saved, verb = apps.create(OPERATOR, doc), "created"
        except AlreadyExists:
            if not args.replace:
                raise CliError(
                    f"app configuration {doc.get('id')!r} exists; use --replace to update it"
                ) from None
            saved, verb = apps.update(OPERATOR, str(doc.get("id")), doc), "updated"
        out.write(
            f"{verb} app configuration {saved.tenant_id!r} "
            f"(artifact {saved.artifact_id}, {saved.seeded} new seed events)\n"
        )
        return
    doc = apps.export(OPERATOR, args.id, with_secrets=args.with_secrets)
    text = json.dumps(doc, indent=2, ensure_ascii=False) + "\n"
    if args.output:
        try:
            _write(Path(args.output), text, private=args.with_secrets)
        except OSError as error:
            raise CliError(f"cannot write {args.output}: {error.strerror or error}") from None
        out.write(f"exported {args.id!r} to {args.output}\n")
    else:
        out.write(text)


def _write(path: Path, text: str, *, private: bool) -> None:
    """A file holding secrets is created readable by its owner only."""
    if not private:
        path.write_text(text, encoding="utf-8")
        return
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.fchmod(fd, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(text)
