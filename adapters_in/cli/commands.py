"""Commands that call use cases. The operator at the shell is trusted as an administrator."""

from __future__ import annotations

import argparse
import getpass
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any, TextIO

from application.tenants import AppSaved
from application.user_admin import ManageUsers, UserDraft
from domain.errors import DomainError, ValidationFailed
from domain.users import Principal

OPERATOR = Principal(user_id="cli", email=None, role="ADMIN", tenants=("*",))
Prompt = Callable[[str], str]


class CliError(Exception):
    """A problem to show as one line, with the exit status to use."""

    def __init__(self, message: str, status: int = 1) -> None:
        super().__init__(message)
        self.status = status


def read_password(args: argparse.Namespace, stdin: TextIO, prompt: Prompt = getpass.getpass) -> str:
    if args.password_stdin:
        line = stdin.readline()
        if not line.strip():
            raise CliError("no password on standard input", status=2)
        return line.rstrip("\r\n")
    if not stdin.isatty():
        raise CliError("standard input is not a terminal: use --password-stdin", status=2)
    first = prompt("Password: ")
    if prompt("Repeat password: ") != first:
        raise CliError("the passwords do not match", status=2)
    return first


def create_user(args: argparse.Namespace, users: ManageUsers, password: str, out: TextIO) -> None:
    tenants = tuple(args.tenants) or (("*",) if args.role == "ADMIN" else ())
    draft = UserDraft(email=args.email, password=password, role=args.role, tenants=tenants)
    user = users.create(OPERATOR, draft)
    scope = ", ".join(user.tenants) or "none yet (add with the admin API)"
    out.write(f"created {user.role} {user.email} (id {user.id}); tenants: {scope}\n")


def create_tenant(
    args: argparse.Namespace, create: Callable[[Principal, object], AppSaved], out: TextIO
) -> None:
    doc: dict[str, Any] = read_document(args.config) if args.config else {}
    doc.update(id=args.id, name=args.name)
    doc.setdefault("entityForms", [])
    saved = create(OPERATOR, doc)
    out.write(
        f"created app configuration {saved.tenant_id!r} (artifact {saved.artifact_id}"
        f", {saved.seeded} seed events)\n"
    )


def read_document(path: str, stdin: TextIO | None = None) -> dict[str, Any]:
    """A JSON object from a file (or standard input for "-"), or a usage error saying why."""
    try:
        if path == "-" and stdin is not None:
            text = stdin.read()
        else:
            text = Path(path).read_text(encoding="utf-8")
        doc = json.loads(text)
    except OSError as error:
        raise CliError(f"cannot read {path}: {error.strerror or error}", status=2) from None
    except ValueError as error:
        raise CliError(f"{path} is not valid JSON: {error}", status=2) from None
    if not isinstance(doc, dict):
        raise CliError(f"{path} must hold a JSON object", status=2)
    return doc


def describe(error: DomainError) -> str:
    """A domain error as terminal text: the message, then one line per problem."""
    lines = [error.message]
    if isinstance(error, ValidationFailed):
        lines += [
            f"  {pointer or '/'}: {detail} ({code})" for pointer, code, detail in error.problems
        ]
    return "\n".join(lines)
