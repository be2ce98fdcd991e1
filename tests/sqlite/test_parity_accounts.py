"""Tenant pages and user lookups agree with the reference adapter for any Unicode text
(SQLite's own lower()/LIKE only fold ASCII; the adapter must fold like Python)."""

from __future__ import annotations

import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from adapters_out.memory.uow import MemoryDatabase
from domain.errors import AlreadyExists
from domain.tenants import Tenant
from domain.users import User
from ports.repositories import TenantQuery
from tests.support.sqlite_backend import sqlite_database

TEXT = st.text(
    alphabet=st.characters(blacklist_categories=["Cs"]),
    max_size=6,
) | st.sampled_from(["Straße", "STRASSE", "İstanbul", "ǅemal", "Ärzte", "ärzte", "ﬁle"])
QUERIES = st.builds(
    TenantQuery,
    page=st.integers(1, 3),
    page_size=st.integers(1, 4),
    sort_by=st.sampled_from(["name", "id", "entitiesCount"]),
    descending=st.booleans(),
    search=TEXT,
)


def _fill(db: object, names: list[str], versions: list[str], emails: list[str]) -> list:
    outcomes = []
    with db() as uow:  # type: ignore[operator]
        for index, (name, version) in enumerate(zip(names, versions, strict=False)):
            config = {"version": version} if index % 2 else {"version": index}
            uow.tenants.add(Tenant(id=f"t{index}", name=name, artifact_id="0", config=config))
        for email in emails:
            try:
                user = User(id=0, email=email, password_hash="x", role="USER")
                outcomes.append(uow.users.add(user).id)
            except AlreadyExists as error:
                outcomes.append(error.code)
        uow.commit()
    return outcomes


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(TEXT, min_size=1, max_size=7),
    st.lists(TEXT, min_size=7, max_size=7),
    st.lists(TEXT, max_size=5),
    st.lists(QUERIES, min_size=1, max_size=4),
)
def test_tenant_pages_and_emails_match_the_reference(names, versions, emails, queries):
    memory = MemoryDatabase()
    expected_users = _fill(memory, names, versions, emails)
    with tempfile.TemporaryDirectory() as tmp, sqlite_database(Path(tmp)) as sqlite:
        assert _fill(sqlite, names, versions, emails) == expected_users
        with memory() as m_uow, sqlite() as s_uow:
            for query in queries:
                assert s_uow.tenants.page(query) == m_uow.tenants.page(query), query
            for email in emails:
                probe = email.upper()
                assert s_uow.users.get_by_email(probe) == m_uow.users.get_by_email(probe)
            assert s_uow.users.list() == m_uow.users.list()
