"""The ``datacollect`` command: exit codes, messages without tracebacks, real SQLite storage."""

from __future__ import annotations

import io
import json
import logging
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import structlog

from bootstrap.cli import main


@pytest.fixture(autouse=True)
def env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[Path]:
    for key in ("POSTGRES", "DATACOLLECT_ENV", "JWT_SECRET", "ADMIN_EMAIL", "ADMIN_PASSWORD"):
        monkeypatch.delenv(key, raising=False)
    monkeypatch.setenv("DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("BCRYPT_ROUNDS", "4")
    monkeypatch.setenv("LOG_LEVEL", "WARNING")
    root = logging.getLogger()
    saved = (root.handlers[:], root.level)
    yield tmp_path / "data"
    root.handlers[:], root.level = saved
    structlog.reset_defaults()


def run(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, *argv: str, stdin: str = ""
) -> tuple[int, str, str]:
    monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
    status = main(list(argv))
    out, err = capsys.readouterr()
    return status, out, err


def test_migrate_then_nothing_left(capsys, monkeypatch, env: Path) -> None:
    status, out, _ = run(capsys, monkeypatch, "migrate")
    assert status == 0 and "0001" in out and (env / "datacollect.sqlite3").exists()
    status, out, _ = run(capsys, monkeypatch, "migrate")
    assert status == 0 and "already up to date" in out


def test_create_user_from_stdin_and_duplicate_refused(capsys, monkeypatch) -> None:
    status, out, _ = run(
        capsys, monkeypatch, "create-user", "Ops@Example.org", "--role", "admin",
        "--password-stdin", stdin="a-long-password\n",
    )  # fmt: skip
    assert status == 0 and "created ADMIN ops@example.org" in out
    status, _, err = run(
        capsys, monkeypatch, "create-user", "ops@example.org", "--password-stdin",
        stdin="a-long-password\n",
    )  # fmt: skip
    assert status == 1 and "already exists" in err and "Traceback" not in err


def test_weak_password_lists_the_problem(capsys, monkeypatch) -> None:
    status, _, err = run(
        capsys, monkeypatch, "create-user", "u@example.org", "--password-stdin", stdin="short\n"
    )
    assert status == 1
    assert "/password: password must have at least 10 characters (weak-password)" in err


def test_no_terminal_and_no_stdin_flag_is_a_usage_error(capsys, monkeypatch) -> None:
    status, _, err = run(capsys, monkeypatch, "create-user", "u@example.org")
    assert status == 2 and "--password-stdin" in err


def test_create_tenant_and_refuse_a_second_one(capsys, monkeypatch, tmp_path: Path) -> None:
    config = tmp_path / "config.json"
    config.write_text(json.dumps({"id": "ignored", "name": "x", "description": "Field survey"}))
    status, out, _ = run(
        capsys, monkeypatch, "create-tenant", "org-1", "Org one", "--config", str(config)
    )
    assert status == 0 and "created app configuration 'org-1'" in out
    status, _, err = run(capsys, monkeypatch, "create-tenant", "org-1", "Org one")
    assert status == 1 and "already exists" in err
    status, _, err = run(capsys, monkeypatch, "create-tenant", "bad id", "x")
    assert status == 1 and "/id:" in err


def test_check_config_shows_settings_without_secrets_and_writes_nothing(
    capsys, monkeypatch, env: Path
) -> None:
    monkeypatch.setenv("ADMIN_PASSWORD", "visible-password?")
    status, out, _ = run(capsys, monkeypatch, "check-config")
    assert status == 0 and "configuration OK (development, SQLite" in out
    assert "visible-password?" not in out and '"admin_password": "<set>"' in out
    assert not env.exists()
    assert run(capsys, monkeypatch, "migrate")[0] == 0
    status, out, _ = run(capsys, monkeypatch, "check-config", "--connect")
    assert status == 0 and "database reachable" in out


def test_bad_configuration_exits_2_listing_every_problem(capsys, monkeypatch) -> None:
    monkeypatch.setenv("DATACOLLECT_ENV", "production")
    monkeypatch.setenv("PORT", "http")
    for command in ("check-config", "migrate", "serve"):
        status, _, err = run(capsys, monkeypatch, command)
        assert status == 2
        assert "PORT='http'" in err and "JWT_SECRET is required in production" in err


def test_unreachable_database_is_one_line_in_a_real_process(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-c", "from bootstrap.cli import main; raise SystemExit(main())",
         "migrate"],
        env={"PATH": "/usr/bin:/bin", "DATA_DIR": str(tmp_path),
             "POSTGRES": "postgresql://nobody@127.0.0.1:9/none", "DB_TIMEOUT": "2"},
        capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert result.returncode == 1
    assert result.stderr.startswith("datacollect: the database is unavailable")
    assert "Traceback" not in result.stderr


SAMPLE = Path(__file__).resolve().parents[2].parent / "shared" / "fixtures" / "sample-config.json"


def test_apps_import_export_round_trip_without_leaking_secrets(
    capsys, monkeypatch, tmp_path: Path
) -> None:
    doc = (
        json.loads(SAMPLE.read_text())
        if SAMPLE.exists()
        else {
            "id": "field-demo",
            "name": "Demo",
            "entityForms": [{"name": "x", "formio": {}}],
            "externalSync": {
                "type": "openfn-adapter",
                "url": "https://openfn.example/i/1",
                "extraFields": [{"name": "apiKey", "value": "sample-api-key-123"}],
            },
        }
    )
    source = tmp_path / "app.json"
    source.write_text(json.dumps(doc))
    status, out, _ = run(capsys, monkeypatch, "apps", "import", str(source))
    assert status == 0 and f"created app configuration {doc['id']!r}" in out
    status, _, err = run(capsys, monkeypatch, "apps", "import", str(source))
    assert status == 1 and "--replace" in err
    status, out, _ = run(capsys, monkeypatch, "apps", "import", str(source), "--replace")
    assert status == 0 and "updated" in out and "0 new seed events" in out
    status, out, _ = run(capsys, monkeypatch, "apps", "export", doc["id"])
    exported = json.loads(out)
    assert exported["name"] == doc["name"]
    assert exported.get("roles") == doc.get("roles")  # unknown top-level fields survive
    secrets = [
        f["value"]
        for f in doc.get("externalSync", {}).get("extraFields", [])
        if f["name"] in ("apiKey", "password")
    ]
    assert secrets and not any(secret in out for secret in secrets)
    status, _, err = run(capsys, monkeypatch, "apps", "export", "nope")
    assert status == 1 and err


def test_cleanup_dry_run_then_for_real_with_counts(capsys, monkeypatch, env: Path) -> None:
    import sqlite3

    assert run(capsys, monkeypatch, "migrate")[0] == 0
    with sqlite3.connect(env / "datacollect.sqlite3") as conn:
        conn.executemany(
            "INSERT INTO audit_log (tenant_id, guid, timestamp, user_id, action, entity_guid,"
            " event_guid, changes, signature, origin)"
            " VALUES ('t1', ?, ?, 'system', 'read-entity', '', '', '{}', '', 'server')",
            [("old", "2001-01-01T00:00:00.000000Z"), ("new", "2999-01-01T00:00:00.000000Z")],
        )
    monkeypatch.setenv("RETENTION_QUARANTINE", "7d")
    status, out, err = run(capsys, monkeypatch, "cleanup", "--dry-run")
    assert status == 0, err
    assert "dry run" in out and "read-audit" in out and "1 rows would be deleted" in out
    # Every target has an age now; rate-limit state is not in this file (DATA_DIR/limits.sqlite3
    # purges itself).
    assert "kept forever (age 0 or not stored here): rate-limits\n" in out
    status, out, err = run(capsys, monkeypatch, "cleanup")
    assert status == 0, err
    assert "1 rows deleted (run 1)" in out
    with sqlite3.connect(env / "datacollect.sqlite3") as conn:
        left = conn.execute("SELECT guid FROM audit_log").fetchall()
        runs = conn.execute("SELECT status, counts FROM job_runs").fetchall()
    assert left == [("new",)]
    assert runs[0][0] == "succeeded" and json.loads(runs[0][1])["read-audit"] == 1
