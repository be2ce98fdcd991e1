"""``datacollect export CONFIG_ID [--format csv|ndjson|xlsx] [-o FILE]``: the same files as
``GET /api/apps/{id}/export``, written by the operator (full access), with a progress bar when
standard error is a terminal."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import Any, TextIO

from tqdm import tqdm

from adapters_in.cli.commands import OPERATOR, CliError
from adapters_in.export_formats import FORMATS, WRITERS
from application.exports import ExportEntities, ExportOptions
from domain.timestamps import parse_instant


def add_parser(subcommands: Any) -> None:
    export = subcommands.add_parser(
        "export", help="export a tenant's current entities (CSV zip, NDJSON or xlsx)"
    )
    export.add_argument("config_id", metavar="CONFIG_ID")
    export.add_argument("--format", choices=sorted(FORMATS), default="csv")
    export.add_argument(
        "-o", "--output", metavar="FILE", help="default: CONFIG_ID-entities.<zip|ndjson|xlsx>"
    )
    export.add_argument(
        "--updated-since", metavar="TIMESTAMP", help="RFC 3339, e.g. 2025-01-31T00:00:00Z"
    )
    export.add_argument(
        "--type", metavar="TABLES", help="comma-separated tables (form names, other, memberships)"
    )
    export.add_argument("--include-deleted", action="store_true")


def _options(args: argparse.Namespace) -> ExportOptions:
    since = None
    if args.updated_since:
        since = parse_instant(args.updated_since)
        if since is None:
            raise CliError(f"--updated-since: not an RFC 3339 timestamp: {args.updated_since!r}")
    tables = tuple(t.strip() for t in (args.type or "").split(",") if t.strip()) or None
    return ExportOptions(updated_since=since, tables=tables, include_deleted=args.include_deleted)


def run(
    args: argparse.Namespace, export: ExportEntities, out: TextIO, err: TextIO = sys.stderr
) -> None:
    prepared = export(OPERATOR, args.config_id, _options(args))
    target = Path(args.output or f"{args.config_id}-entities.{FORMATS[args.format][1]}")
    partial = target.with_name(target.name + ".part")
    total = sum(prepared.count(t) for t in prepared.tables) if err.isatty() else None
    try:
        with (
            tqdm(total=total, unit=" rows", file=err, disable=not err.isatty()) as bar,
            partial.open("wb") as handle,
        ):
            for chunk in WRITERS[args.format](prepared, bar.update):
                handle.write(chunk)
        os.replace(partial, target)  # a finished file or none: never half a file under the name
    except OSError as error:
        partial.unlink(missing_ok=True)
        raise CliError(f"cannot write {target}: {error.strerror or error}") from None
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    out.write(f"exported {args.config_id!r} to {target}\n")
