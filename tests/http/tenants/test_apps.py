"""App configurations end to end: upload (multipart and JSON), list, get, artifacts, QR,
update with kept secrets, delete. No secret of the sample ever appears in a response."""

from __future__ import annotations

import json
import re

import png
import pytest
import segno

from tests.http.tenants.helpers import problem_pointers, upload
from tests.http.tenants.samples import SECRETS, minimal_config, sample_config
from tests.http.tenants.wiring import PUBLIC_BASE_URL, USER_ROLE, Env, make_env


def assert_no_secret(*texts: str) -> None:
    for text in texts:
        for secret in SECRETS:
            assert secret not in text


def qr_matrix(data: bytes, scale: int = 8, border: int = 4) -> list[list[int]]:
    width, height, rows, info = png.Reader(bytes=data).asDirect()
    rows = [list(r) for r in rows]
    planes, dark_below = info["planes"], (2 ** info["bitdepth"]) / 2
    size = width // scale - 2 * border
    assert width == height
    return [
        [
            int(
                rows[(border + y) * scale + scale // 2][
                    ((border + x) * scale + scale // 2) * planes
                ]
                < dark_below
            )
            for x in range(size)
        ]
        for y in range(size)
    ]


def test_full_life_cycle_never_leaks_a_secret(
    env: Env, admin: dict[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    responses = []
    created = upload(env, admin, sample_config())
    responses.append(created)
    assert created.status_code == 201, created.text
    artifact_id = created.json["artifactId"]
    assert re.fullmatch(r"[0-9a-f]{32}", artifact_id)
    assert created.json["status"] == "success"

    listed = env.client.simulate_get("/api/apps", headers=admin)
    responses.append(listed)
    row = listed.json["data"][0]
    assert row == {
        "id": "field-demo",
        "artifactId": artifact_id,
        "name": "Field registration demo",
        "version": "1.0.0",
        "externalSync": row["externalSync"],
        "entitiesCount": 3,  # the three seeded villages
        "description": sample_config()["description"],
        "createdAt": row["createdAt"],
        "updatedAt": row["createdAt"],
    }
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", row["createdAt"])
    assert row["externalSync"]["extraFields"][0] == {"name": "apiKey", "value": "***"}

    got = env.client.simulate_get("/api/apps/field-demo", headers=admin)
    responses.append(got)
    assert got.json["roles"] == sample_config()["roles"]  # unknown fields kept unchanged
    assert got.json["authConfigs"][0]["fields"]["client_secret"] == "***"
    assert got.json["artifactId"] == artifact_id

    artifact = env.client.simulate_get(f"/artifacts/{artifact_id}.json")
    responses.append(artifact)
    assert artifact.status_code == 200
    assert artifact.json["syncServerUrl"] == PUBLIC_BASE_URL
    assert artifact.json["id"] == "field-demo"
    assert artifact.json["externalSync"]["extraFields"] == [{"name": "batchSize", "value": "100"}]
    assert "client_secret" not in artifact.json["authConfigs"][0]["fields"]
    assert "***" not in artifact.text
    assert artifact.headers["etag"] and "no-cache" in artifact.headers["cache-control"]
    again = env.client.simulate_get(
        f"/artifacts/{artifact_id}.json", headers={"If-None-Match": artifact.headers["etag"]}
    )
    assert again.status_code == 304

    qr = env.client.simulate_get(f"/artifacts/{artifact_id}.png")
    assert qr.status_code == 200 and qr.headers["content-type"] == "image/png"
    url = f"{PUBLIC_BASE_URL}/artifacts/{artifact_id}.json"
    expected = segno.make(url, error="m", micro=False).matrix
    assert qr_matrix(qr.content) == [list(row) for row in expected]
    assert_no_secret(qr.content.decode("latin-1"))

    changed = json.loads(got.text)
    changed["name"] = "Renamed demo"
    changed["externalSync"]["extraFields"][1]["value"] = "50"
    updated = upload(env, admin, changed, method="PUT", path="/api/apps/field-demo")
    responses.append(updated)
    assert updated.status_code == 200, updated.text
    assert updated.json == {"status": "success", "artifactId": artifact_id}
    with env.db() as uow:
        tenant = uow.tenants.get("field-demo")
    assert tenant is not None and tenant.name == "Renamed demo"
    assert set(tenant.secrets) == {
        "/externalSync/extraFields/0/value",
        "/authConfigs/0/fields/client_secret",
    }
    assert_no_secret(*tenant.secrets.values())  # sealed at rest

    listed = env.client.simulate_get("/api/apps", headers=admin)
    assert listed.json["data"][0]["entitiesCount"] == 3  # PUT re-seeding never duplicates
    assert_no_secret(*(r.text for r in responses))

    deleted = env.client.simulate_delete("/api/apps/field-demo", headers=admin)
    assert deleted.status_code == 200 and deleted.json == {"status": "success"}
    assert env.client.simulate_get("/api/apps/field-demo", headers=admin).status_code == 404
    assert env.client.simulate_get(f"/artifacts/{artifact_id}.json").status_code == 404
    assert env.client.simulate_get(f"/artifacts/{artifact_id}.png").status_code == 404
    with env.db() as uow:
        assert uow.events.head("field-demo") == 0
        assert uow.entities.count("field-demo") == 0
        assert uow.events.page("field-demo", 0, 10) == []
    assert env.client.simulate_delete("/api/apps/field-demo", headers=admin).status_code == 404
    logged = capsys.readouterr()
    assert_no_secret(logged.out, logged.err)


def test_json_body_upload_and_secrets_kept_by_mask(env: Env, admin: dict[str, str]) -> None:
    created = upload(env, admin, sample_config(), form=False)
    assert created.status_code == 201, created.text
    got = env.client.simulate_get("/api/apps/field-demo", headers=admin).json
    with env.db() as uow:
        before = dict(uow.tenants.get("field-demo").secrets)
    got.pop("artifactId")
    assert (
        upload(env, admin, got, method="PUT", path="/api/apps/field-demo", form=False).status_code
        == 200
    )
    with env.db() as uow:
        assert dict(uow.tenants.get("field-demo").secrets) == before
    got["authConfigs"][0]["fields"]["client_secret"] = "rotated-secret"
    upload(env, admin, got, method="PUT", path="/api/apps/field-demo", form=False)
    with env.db() as uow:
        after = uow.tenants.get("field-demo").secrets
    assert after["/externalSync/extraFields/0/value"] == before["/externalSync/extraFields/0/value"]
    assert (
        after["/authConfigs/0/fields/client_secret"]
        != before["/authConfigs/0/fields/client_secret"]
    )


def test_reupload_is_refused_and_seeds_are_not_duplicated(env: Env, admin: dict[str, str]) -> None:
    assert upload(env, admin, sample_config()).status_code == 201
    again = upload(env, admin, sample_config())
    assert again.status_code == 409
    assert again.headers["content-type"].startswith("application/problem+json")
    with env.db() as uow:
        assert uow.entities.count("field-demo") == 3
        assert uow.events.head("field-demo") == 3


def test_seeds_are_pulled_by_devices(env: Env, admin: dict[str, str]) -> None:
    upload(env, admin, sample_config())
    pulled = env.client.simulate_get(
        "/api/sync/pull", params={"configId": "field-demo"}, headers=admin
    )
    assert pulled.status_code == 200, pulled.text
    events = pulled.json["events"]
    assert [e["entityGuid"] for e in events] == ["village-north", "village-east", "village-hill"]
    assert events[0]["type"] == "create-individual"
    assert events[0]["data"]["entityName"] == "village"


def test_put_with_another_id_is_refused(env: Env, admin: dict[str, str]) -> None:
    upload(env, admin, minimal_config("a"))
    result = upload(env, admin, minimal_config("b"), method="PUT", path="/api/apps/a")
    assert result.status_code == 422
    assert ("#/id", "id-mismatch") in problem_pointers(result)
    missing = upload(env, admin, minimal_config("zz"), method="PUT", path="/api/apps/zz")
    assert missing.status_code == 404


def test_a_mask_on_create_is_refused(env: Env, admin: dict[str, str]) -> None:
    doc = sample_config()
    doc["authConfigs"][0]["fields"]["client_secret"] = "***"
    result = upload(env, admin, doc)
    assert result.status_code == 422
    assert ("#/authConfigs/0/fields/client_secret", "unknown-secret") in problem_pointers(result)


@pytest.mark.parametrize(
    ("change", "pointer", "code"),
    [
        ({"id": "bad id!"}, "#/id", "invalid-format"),
        ({"name": None}, "#/name", "required"),
        ({"entityForms": None}, "#/entityForms", "required"),
        ({"entityForms": [{"formio": {}}]}, "#/entityForms/0/name", "required"),
        ({"entityForms": [{"name": "x"}]}, "#/entityForms/0/formio", "required"),
        (
            {"entityForms": [{"name": "x", "formio": {}}, {"name": "x", "formio": {}}]},
            "#/entityForms/1/name",
            "duplicate",
        ),
        (
            {"entityForms": [{"name": "x", "formio": {}, "dependsOn": "y"}]},
            "#/entityForms/0/dependsOn",
            "unknown-reference",
        ),
        (
            {"entityData": [{"name": "nope", "data": []}]},
            "#/entityData/0/name",
            "unknown-reference",
        ),
        ({"entityData": [{"name": "person", "data": "x"}]}, "#/entityData/0/data", "invalid-type"),
        (
            {"entityData": [{"name": "person", "data": [3]}]},
            "#/entityData/0/data/0",
            "invalid-type",
        ),
        ({"externalSync": {"type": "sap"}}, "#/externalSync/type", "unsupported"),
        (
            {"authConfigs": [{"type": "okta", "fields": {"authority": "https://x.org"}}]},
            "#/authConfigs/0/type",
            "unsupported",
        ),
        (
            {"authConfigs": [{"type": "keycloak", "fields": {"authority": "x"}}]},
            "#/authConfigs/0/fields/authority",
            "invalid-url",
        ),
    ],
)
def test_each_invalid_upload_is_a_422_with_its_pointer(
    env: Env, admin: dict[str, str], change: dict, pointer: str, code: str
) -> None:
    result = upload(env, admin, minimal_config(**change))
    assert result.status_code == 422, result.text
    assert (pointer, code) in problem_pointers(result)


def test_all_problems_at_once(env: Env, admin: dict[str, str]) -> None:
    result = upload(env, admin, {"id": "-x", "entityForms": [{"name": 1}]}, form=False)
    assert {p for p, _ in problem_pointers(result)} == {
        "#/id",
        "#/name",
        "#/entityForms/0/name",
        "#/entityForms/0/formio",
    }


def test_malformed_uploads(env: Env, admin: dict[str, str]) -> None:
    assert upload(env, admin, b"{not json").status_code == 400
    from tests.http.tenants.helpers import multipart

    wrong_field = multipart(minimal_config(), field="file")
    result = env.client.simulate_post(
        "/api/apps",
        body=wrong_field["body"],
        headers={**admin, "Content-Type": wrong_field["content_type"]},
    )
    assert result.status_code == 400 and result.json["detail"] == "No JSON file uploaded"
    text_part = multipart(minimal_config(), part_type="text/plain")
    result = env.client.simulate_post(
        "/api/apps",
        body=text_part["body"],
        headers={**admin, "Content-Type": text_part["content_type"]},
    )
    assert result.status_code == 415
    assert upload(env, admin, [1, 2], form=False).status_code == 422


def test_writes_need_an_admin_and_reads_a_token(env: Env, admin: dict[str, str]) -> None:
    upload(env, admin, minimal_config("a"))
    user = env.add_user(2, USER_ROLE, ("a",))
    assert upload(env, user, minimal_config("b")).status_code == 403
    assert (
        upload(env, user, minimal_config("a"), method="PUT", path="/api/apps/a").status_code == 403
    )
    assert env.client.simulate_delete("/api/apps/a", headers=user).status_code == 403
    assert env.client.simulate_get("/api/apps/a", headers=user).status_code == 200
    assert env.client.simulate_get("/api/apps").status_code == 401
    assert env.client.simulate_post("/api/apps", json=minimal_config("c")).status_code == 401


def test_list_paging_sorting_search_and_clamping(env: Env, admin: dict[str, str]) -> None:
    for index, name in enumerate(["Charlie", "alpha", "Bravo"]):
        upload(env, admin, minimal_config(f"t{index}", name=name, version=f"v{index}"))

    def page(**params: object) -> dict:
        return env.client.simulate_get("/api/apps", params=params, headers=admin).json

    assert [r["name"] for r in page()["data"]] == ["alpha", "Bravo", "Charlie"]
    desc = page(sortBy="id", sortOrder="desc")
    assert [r["id"] for r in desc["data"]] == ["t2", "t1", "t0"]
    odd = page(sortBy="weird", pageSize=2, page=9)
    assert odd["meta"] == {
        "total": 3,
        "page": 2,
        "pageSize": 2,
        "totalPages": 2,
        "sortBy": "weird",
        "sortOrder": "asc",
        "search": "",
    }
    assert [r["name"] for r in odd["data"]] == ["Charlie"]
    assert page(pageSize=1000)["meta"]["pageSize"] == 100
    assert page(pageSize=0, page=-3)["meta"]["pageSize"] == 1
    found = page(search="  BRAV ")
    assert [r["id"] for r in found["data"]] == ["t2"] and found["meta"]["search"] == "brav"
    assert page(search="v0")["meta"]["total"] == 1
    none = page(search="zzz")
    assert none["data"] == [] and none["meta"]["page"] == 1 and none["meta"]["totalPages"] == 0


def test_artifact_url_from_forwarded_headers_without_public_base_url() -> None:
    env, admin = make_env(public_base_url=None)
    artifact_id = upload(env, admin, minimal_config()).json["artifactId"]
    result = env.client.simulate_get(
        f"/artifacts/{artifact_id}.json",
        headers={
            "X-Forwarded-Proto": "https",
            "X-Forwarded-Host": "field.example.org",
            "X-Forwarded-Prefix": "/sync",
        },
    )
    assert result.json["syncServerUrl"] == "https://field.example.org/sync"
    assert "X-Forwarded-Host" in result.headers["vary"]
    assert env.client.simulate_get("/artifacts/nothing.json").status_code == 404
    assert env.client.simulate_get("/artifacts/x.txt").status_code == 404
