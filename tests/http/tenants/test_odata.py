"""The OData feed on every backend, read by a real OData v4 client (python-odata over HTTP):
$metadata, entity sets, 2,500 entities paged with $top/$skip and with @odata.nextLink, filters;
plus authentication, throttling, tenant isolation and the OData error format."""

from __future__ import annotations

import base64
import threading
from collections.abc import Iterator
from datetime import timedelta
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, make_server

import pytest
from odata import ODataService
from requests.auth import HTTPBasicAuth

from adapters_out.security.bcrypt_hasher import BcryptPasswordHasher
from domain.users import User
from tests.contract.builders import entity, t
from tests.http.tenants.helpers import upload
from tests.http.tenants.wiring import Env, make_env

PASSWORD = "odata password 1"
COUNT = 2_500
PERSON_FORM = {
    "components": [
        {"type": "textfield", "key": "name", "input": True},
        {"type": "number", "key": "age", "input": True},
        {"type": "checkbox", "key": "head", "input": True},
        {
            "type": "container",
            "key": "address",
            "input": True,
            "components": [{"type": "textfield", "key": "city", "input": True}],
        },
    ]
}


def config(tenant_id: str) -> dict[str, Any]:
    return {
        "id": tenant_id,
        "name": f"Tenant {tenant_id}",
        "entityForms": [
            {"name": "household", "formio": {"components": []}},
            {"name": "person", "formio": PERSON_FORM},
        ],
    }


def _add_user(env: Env, user_id: int, email: str, role: str, tenants: tuple[str, ...]) -> None:
    hashed = BcryptPasswordHasher(cost=4).hash(PASSWORD)
    with env.db() as uow:
        uow.users.add(
            User(id=user_id, email=email, password_hash=hashed, role=role, tenants=tenants)  # type: ignore[arg-type]
        )
        uow.commit()


def _person(n: int, tenant: str = "a") -> Any:
    data = {
        "entityName": "person",
        "name": f"{tenant} person {n}",
        "age": n % 90 if n != 7 else "seven",  # one value that does not fit Edm.Double
        "head": n % 2 == 0,
        "address": {"city": "Lyon" if n % 5 else "Paris"},
    }
    return entity(f"{tenant}-p{n:05d}", data=data, updated=n)


@pytest.fixture
def wired(database: object) -> tuple[Env, dict[str, str]]:
    """Links are built from the request (no PUBLIC_BASE_URL), so the live server is followed."""
    return make_env(public_base_url=None, db=database)


@pytest.fixture
def feed(env: Env, admin: dict[str, str]) -> Env:
    for tenant in ("a", "b"):
        assert upload(env, admin, config(tenant)).status_code == 201
    with env.db() as uow:
        for start in range(0, COUNT, 500):
            people = [_person(n) for n in range(start, start + 500)]
            uow.entities.save_many("a", people, {})
        uow.entities.save_many("a", [entity("a-x1", data={"name": "no form"})], {})
        uow.entities.save_many("b", [_person(1, "b")], {})
        uow.commit()
    _add_user(env, 10, "analyst@example.org", "USER", ("a",))
    _add_user(env, 11, "other@example.org", "USER", ("b",))
    return env


class _Quiet(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        return None


@pytest.fixture
def served(feed: Env) -> Iterator[str]:
    server = make_server("127.0.0.1", 0, feed.client.app, handler_class=_Quiet)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()


def _service(base: str, tenant: str = "a") -> ODataService:
    auth = HTTPBasicAuth("analyst@example.org", PASSWORD)
    return ODataService(
        f"{base}/odata/{tenant}/", reflect_entities=True, auth=auth, quiet_progress=True
    )


def test_a_real_client_reads_the_feed(served: str) -> None:
    service = _service(served)
    assert set(service.entities) == {"household", "person", "other"}
    Person = service.entities["person"]
    query = service.query(Person)

    by_pages: list[str] = []
    for skip in range(0, COUNT + 1000, 1000):  # client-driven paging
        page = [p.guid for p in query.limit(1000).offset(skip)]
        by_pages.extend(page)
    assert len(by_pages) == COUNT == len(set(by_pages))

    followed = [p.guid for p in query]  # server-driven paging: 3 pages, via @odata.nextLink
    assert followed == sorted(by_pages)
    assert query.count() == COUNT

    recent = list(query.filter(Person.updatedAt > t(COUNT - 100)))
    assert len(recent) == 99 and all(p.updatedAt > t(COUNT - 100) for p in recent)
    heads = list(query.filter(Person.head == True).filter(Person.updatedAt < t(10)))  # noqa: E712
    assert [p.guid for p in heads] == [f"a-p{n:05d}" for n in range(0, 10, 2)]
    named = list(query.filter(Person.data_name == "a person 1234"))
    assert [(p.guid, p.address_city) for p in named] == [("a-p01234", "Lyon")]
    one = query.filter(Person.guid == "a-p00007").first()
    assert one.age is None and '"age":"seven"' in one.extra  # kept, not coerced
    assert [o.guid for o in service.query(service.entities["other"])] == ["a-x1"]


def _walk(query: Any) -> list[Any]:
    """Every entity of a query, following @odata.nextLink (pages of 1,000), none twice."""
    found = list(query)
    assert len(found) == len({p.guid for p in found})
    return found


def test_a_real_client_sorts_and_pages_in_that_order(served: str) -> None:
    service = _service(served)
    Person = service.entities["person"]
    query = service.query(Person)

    newest = _walk(query.order_by(Person.updatedAt.desc()))
    assert [p.guid for p in newest] == [f"a-p{n:05d}" for n in reversed(range(COUNT))]

    # ages repeat every 90 entities: ties go by guid; "seven" is not a number, so sorts as null
    by_age = [(p.age, p.guid) for p in _walk(query.order_by(Person.age.asc()))]
    assert len(by_age) == COUNT and by_age[0] == (None, "a-p00007")
    assert by_age[1:] == sorted(by_age[1:])
    by_age_desc = [(p.age, p.guid) for p in _walk(query.order_by(Person.age.desc()))]
    assert by_age_desc[-1] == (None, "a-p00007")
    assert by_age_desc[:-1] == sorted(by_age_desc[:-1], reverse=True)

    cities = [(p.address_city, p.guid) for p in _walk(query.order_by(Person.address_city.asc()))]
    assert cities == sorted(cities) and cities[0][0] == "Lyon" and cities[-1][0] == "Paris"

    older_lyon = _walk(
        query.filter(Person.address_city == "Lyon")
        .filter(Person.updatedAt < t(1500))
        .order_by(Person.type.asc())
    )
    assert [p.guid for p in older_lyon] == [f"a-p{n:05d}" for n in range(1500) if n % 5]


def test_a_real_client_reads_one_entity_by_key(served: str) -> None:
    service = _service(served)
    Person = service.entities["person"]
    listed = service.query(Person).filter(Person.guid == "a-p01234").first()
    url = listed.__odata__.instance_url
    assert url.endswith("/odata/a/person('a-p01234')")
    one = service.default_context.connection.execute_get(url)
    assert one["@odata.context"].endswith("/$metadata#person/$entity")
    assert one["guid"] == "a-p01234" and one["data_name"] == "a person 1234"
    assert one["address_city"] == "Lyon" and one["age"] == 1234 % 90
    chosen = service.default_context.connection.execute_get(url, params={"$select": "age"})
    assert {k: v for k, v in chosen.items() if not k.startswith("@")} == {
        "guid": "a-p01234",
        "age": 1234 % 90,
    }


def test_entity_by_key_edges(feed: Env) -> None:
    get = feed.client.simulate_get
    assert get("/odata/a/person('a-p00003')", headers=_basic()).json["age"] == 3
    missing = get("/odata/a/person('nope')", headers=_basic())
    assert missing.status_code == 404 and missing.json["error"]["code"] == "entity-not-found"
    assert get("/odata/a/person('a-x1')", headers=_basic()).status_code == 404  # not a person
    assert get("/odata/a/other('a-x1')", headers=_basic()).json["guid"] == "a-x1"
    assert get("/odata/a/person('it''s')", headers=_basic()).status_code == 404
    assert get("/odata/a/pets('a-p00003')", headers=_basic()).status_code == 404
    assert get("/odata/b/person('b-p00001')", headers=_basic()).status_code == 403
    assert get("/odata/a/person('a-p00003')").status_code == 401


def _basic(email: str = "analyst@example.org", password: str = PASSWORD) -> dict[str, str]:
    token = base64.b64encode(f"{email}:{password}".encode()).decode()
    return {"Authorization": f"Basic {token}"}


def test_paging_links_and_options(feed: Env) -> None:
    get = feed.client.simulate_get
    first = get("/odata/a/person", params={"$count": "true", "$top": "1500"}, headers=_basic())
    assert first.status_code == 200, first.text
    assert first.headers["odata-version"] == "4.0"
    assert first.json["@odata.count"] == COUNT and len(first.json["value"]) == 1000
    link = first.json["@odata.nextLink"]
    assert link.startswith("http://falconframework.org/odata/a/person?")
    second = get(link.removeprefix("http://falconframework.org"), headers=_basic())
    assert len(second.json["value"]) == 500 and "@odata.nextLink" not in second.json
    assert second.json["value"][0]["guid"] == "a-p01000"

    chosen = get("/odata/a/person", params={"$select": "name,age", "$top": "2"}, headers=_basic())
    assert chosen.json["value"] == [
        {"guid": "a-p00000", "name": "Ann", "age": 0},
        {"guid": "a-p00001", "name": "Ann", "age": 1},
    ]
    filtered = get(
        "/odata/a/person",
        params={"$filter": "head eq true and (age eq 2 or age eq 4)", "$top": "3"},
        headers=_basic(),
    )
    assert [e["guid"] for e in filtered.json["value"]] == ["a-p00002", "a-p00004", "a-p00092"]
    assert get("/odata/a/person/$count", headers=_basic()).text == str(COUNT)
    metadata = get("/odata/a/$metadata", headers=_basic())
    assert metadata.headers["content-type"].startswith("application/xml")
    assert '<Property Name="address_city" Type="Edm.String"/>' in metadata.text
    assert '<Property Name="age" Type="Edm.Double"/>' in metadata.text


@pytest.mark.parametrize(
    ("params", "status"),
    [
        ({"$filter": "name gt 'x'"}, 400),
        ({"$filter": "contains(name, 'x')"}, 400),
        ({"$filter": "updatedAt gt 'yesterday'"}, 400),
        ({"$filter": "nope eq 1"}, 400),
        ({"$filter": "name eq"}, 400),
        ({"$top": "-1"}, 400),
        ({"$select": "password"}, 400),
        ({"$skiptoken": "%%%"}, 400),
        ({"$orderby": "name,updatedAt"}, 400),
        ({"$orderby": "extra"}, 400),
        ({"$orderby": "updatedAt up"}, 400),
        ({"$orderby": "updatedAt", "$skiptoken": "WyJhLXAwMDAwMSJd"}, 400),  # a guid-order token
        ({"$apply": "groupby((type))"}, 501),
    ],
)
def test_bad_queries_get_odata_errors(feed: Env, params: dict, status: int) -> None:
    result = feed.client.simulate_get("/odata/a/person", params=params, headers=_basic())
    assert result.status_code == status, result.text
    assert set(result.json["error"]) == {"code", "message"}


def test_access(feed: Env) -> None:
    get = feed.client.simulate_get
    anonymous = get("/odata/a/")
    assert anonymous.status_code == 401 and anonymous.headers["www-authenticate"].startswith(
        "Basic"
    )
    assert "message" in anonymous.json["error"]
    assert get("/odata/a/person", headers=_basic(password="wrong password")).status_code == 401
    assert get("/odata/a/person", headers=_basic(email="nobody@example.org")).status_code == 401
    for path in ("/odata/b/", "/odata/b/$metadata", "/odata/b/person", "/odata/b/person/$count"):
        assert get(path, headers=_basic()).status_code == 403  # not granted b
    assert get("/odata/zzz/$metadata", headers=_basic()).status_code == 403  # no probing
    assert get("/odata/a/pets", headers=_basic()).status_code == 404
    mine = get("/odata/b/person", headers=_basic("other@example.org")).json["value"]
    assert [e["guid"] for e in mine] == ["b-p00001"]  # only b's entities
    assert get("/odata/a/", headers=_basic()).json["value"][1]["url"] == "person"


def test_a_remembered_credential_is_not_throttled_but_failures_are(feed: Env) -> None:
    get = feed.client.simulate_get
    for _ in range(40):  # more than the 30 checks per IP and window a login gets
        assert get("/odata/a/person", params={"$top": "1"}, headers=_basic()).status_code == 200
    statuses = [get("/odata/a/", headers=_basic(password=f"bad {n}")).status_code for n in range(8)]
    assert statuses[:5] == [401] * 5 and statuses[-1] == 429
    assert feed.clock is not None and timedelta(0) is not None


def test_a_changed_since_filter_pages_in_updated_at_order(feed: Env) -> None:
    """Excel's and Power BI's incremental refresh sends ``updatedAt gt X`` without $orderby;
    it is paged in updatedAt order (an index range at any size), its links carrying that order."""
    get = feed.client.simulate_get
    pivot = get("/odata/a/person('a-p00999')", headers=_basic()).json["updatedAt"]
    params = {"$filter": f"updatedAt ge {pivot}", "$count": "true"}
    first = get("/odata/a/person", params=params, headers=_basic())
    assert first.status_code == 200, first.text
    assert first.json["@odata.count"] == COUNT - 999
    link = first.json["@odata.nextLink"].removeprefix("http://falconframework.org")
    token = link.split("%24skiptoken=")[1].split("&")[0]
    spoken = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)).decode()
    assert spoken.endswith('"updatedAt asc"]')  # the implied order travels with the link
    second = get(link, headers=_basic())
    seen = [e["updatedAt"] for e in first.json["value"] + second.json["value"]]
    assert len(seen) == COUNT - 999 and seen == sorted(seen) and seen[0] == pivot
