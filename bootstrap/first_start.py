"""Database preparation, run once per start in the gunicorn master (never in each worker):
migrate (when AUTO_MIGRATE) and make sure an administrator exists.

The initial admin comes from ADMIN_EMAIL/ADMIN_PASSWORD. In development with no password given,
``admin@localhost`` gets a random password that is printed once, to the terminal only (never to
the log); once any admin exists nothing is created or printed again.
"""

from __future__ import annotations

import secrets
import sys
from typing import TextIO

import punq
import structlog

from application.users import EnsureInitialAdmin
from bootstrap.settings import DEV_ADMIN_EMAIL, Settings
from bootstrap.storage import ManagedDatabase, describe, open_database
from bootstrap.use_cases import use
from ports.repositories import UnitOfWorkFactory
from ports.security import PasswordHasher

log = structlog.get_logger("bootstrap")


def prepare_database(
    settings: Settings, container: punq.Container, out: TextIO = sys.stdout
) -> None:
    db = container.resolve(ManagedDatabase)
    open_database(db)
    try:
        if settings.auto_migrate:
            applied = db.migrate()
            log.info("database ready", storage=describe(settings), migrations_applied=applied)
        else:
            log.info("database migrations skipped (AUTO_MIGRATE=false)", storage=describe(settings))
        ensure_admin(settings, container, out)
    finally:
        db.close()


def ensure_admin(settings: Settings, container: punq.Container, out: TextIO) -> None:
    email, password = settings.admin_email, settings.admin_password
    generated = False
    if password is None:
        if settings.is_production:
            _warn_if_no_admin(container)
            return
        email, password, generated = email or DEV_ADMIN_EMAIL, secrets.token_urlsafe(12), True
    assert email is not None  # settings pair them (production) or default the email
    created = use(container, EnsureInitialAdmin)(email, password)
    if created is None:
        return
    if not container.resolve(PasswordHasher).verify(password, created.password_hash):
        log.warning("existing account promoted to initial admin; its password is unchanged",
                    email=created.email)  # fmt: skip
        return
    log.info(
        "initial admin created",
        email=created.email,
        origin="generated" if generated else "settings",
    )
    if generated:
        _announce(out, created.email, password)


def _warn_if_no_admin(container: punq.Container) -> None:
    with container.resolve(UnitOfWorkFactory)() as uow:
        admins = uow.users.count_admins()
    if admins == 0:
        log.warning(
            "no admin account exists: set ADMIN_EMAIL and ADMIN_PASSWORD, or run "
            "`datacollect create-user EMAIL --role ADMIN`"
        )


def _announce(out: TextIO, email: str, password: str) -> None:
    rule = "=" * 64
    out.write(
        f"\n{rule}\n"
        "  Initial administrator created (shown only this once):\n"
        f"    email:    {email}\n"
        f"    password: {password}\n"
        "  Log in at POST /api/users/login, then change it (PUT /api/users/{id}).\n"
        f"{rule}\n\n"
    )
    out.flush()
