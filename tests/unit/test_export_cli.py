"""``datacollect export`` over the in-memory database: the file, the options, the progress bar."""

from __future__ import annotations

import argparse
import csv
import io
import json
import zipfile
from pathlib import Path

import pytest

from adapters_in.cli import export as export_cli
from adapters_in.cli.commands import CliError
from adapters_out.memory.uow import MemoryDatabase
from application.exports import ExportEntities
from domain.entities import Entity
from domain.errors import NotFound
from tests.contract.builders import entity, tenant


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.fixture
def db() -> MemoryDatabase:
    db = MemoryDatabase()
    people: list[Entity] = [
        entity(f"p{n:03d}", data={"entityName": "person", "name": f"P{n}"}, updated=n)
        for n in range(250)
    ]
    with db() as uow:
        uow.tenants.add(
            tenant("t1", entityForms=[{"name": "person", "formio": {"components": []}}])
        )
        uow.entities.save_many("t1", people, {})
        uow.commit()
    return db


def run(db: MemoryDatabase, *argv: str, err: io.StringIO | None = None) -> str:
    parser = argparse.ArgumentParser()
    export_cli.add_parser(parser.add_subparsers(dest="command"))
    out = io.StringIO()
    export_cli.run(
        parser.parse_args(["export", *argv]), ExportEntities(db), out, err or io.StringIO()
    )
    return out.getvalue()


def test_export_writes_the_file_with_a_progress_bar(db, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    target, err = tmp_path / "out.zip", Terminal()
    assert "exported 't1' to" in run(db, "t1", "-o", str(target), err=err)
    with zipfile.ZipFile(target) as archive:
        rows = list(csv.DictReader(io.StringIO(archive.read("person.csv").decode("utf-8-sig"))))
    assert len(rows) == 250 and rows[0]["guid"] == "p000"
    assert "250/250" in err.getvalue()  # tqdm's bar reached the total
    assert not (tmp_path / "out.zip.part").exists()


def test_options_and_formats(db, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    target = tmp_path / "recent.ndjson"
    run(
        db, "t1", "--format", "ndjson", "-o", str(target), "--updated-since", "2025-03-01T12:04:00Z"
    )
    docs = [json.loads(line) for line in target.read_text().splitlines()]
    assert [d["guid"] for d in docs][:3] == ["p240", "p241", "p242"] and len(docs) == 10
    with pytest.raises(CliError, match="RFC 3339"):
        run(db, "t1", "--updated-since", "last week", "-o", str(target))
    with pytest.raises(NotFound):
        run(db, "nope", "-o", str(tmp_path / "x.zip"))
    assert not (tmp_path / "x.zip").exists() and not (tmp_path / "x.zip.part").exists()
