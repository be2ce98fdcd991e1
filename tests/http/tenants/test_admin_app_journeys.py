"""The upstream admin app (Vue, packages/admin) against this server: the requests its views
send, as it sends them. Each test fails on the behaviour issue 11 found."""

from __future__ import annotations

import copy
import re

from adapters_out.secrets.boxes import FernetSecretBox
from application.tenant_reads import ExportTenant
from domain.users import ADMIN, Principal
from tests.http.tenants.helpers import upload
from tests.http.tenants.samples import sample_config
from tests.http.tenants.wiring import Env

_TIME = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")
OPERATOR = Principal(user_id="1", email="user1@example.org", role=ADMIN, tenants=("*",))


def test_create_user_posts_an_empty_id_which_is_ignored(env: Env, admin: dict[str, str]) -> None:
    body = {"id": "", "email": "new@example.org", "password": "long enough pw", "role": "USER"}
    result = env.client.simulate_post("/api/users", json=body, headers=admin)
    assert result.status_code == 201, result.text
    assert result.json["id"] not in ("", None)
    assert result.json["email"] == "new@example.org"


def test_edit_app_without_roles_and_entity_data_keeps_them(env: Env, admin: dict[str, str]) -> None:
    assert upload(env, admin, sample_config()).status_code == 201
    edited = env.client.simulate_get("/api/apps/field-demo", headers=admin).json
    del edited["roles"], edited["entityData"]  # what the edit view PUTs
    edited["name"] = "Renamed"
    put = upload(env, admin, edited, method="PUT", path="/api/apps/field-demo")
    assert put.status_code == 200, put.text
    got = env.client.simulate_get("/api/apps/field-demo", headers=admin).json
    assert got["name"] == "Renamed"
    assert got["roles"] == sample_config()["roles"]
    assert got["entityData"] == sample_config()["entityData"]
    # An explicit value replaces the stored one.
    got["roles"] = [{"name": "only", "title": "Only"}]
    got["entityData"] = []
    assert upload(env, admin, got, method="PUT", path="/api/apps/field-demo").status_code == 200
    again = env.client.simulate_get("/api/apps/field-demo", headers=admin).json
    assert again["roles"] == [{"name": "only", "title": "Only"}]
    assert again["entityData"] == []


def test_apps_say_when_they_were_created_and_last_updated(env: Env, admin: dict[str, str]) -> None:
    assert upload(env, admin, sample_config()).status_code == 201
    got = env.client.simulate_get("/api/apps/field-demo", headers=admin).json
    assert _TIME.match(got["createdAt"]) and got["updatedAt"] == got["createdAt"]
    # The details page PUTs back what it got, read-only members included.
    assert upload(env, admin, got, method="PUT", path="/api/apps/field-demo").status_code == 200
    after = env.client.simulate_get("/api/apps/field-demo", headers=admin).json
    assert after["createdAt"] == got["createdAt"]
    assert after["updatedAt"] > got["updatedAt"]
    row = env.client.simulate_get("/api/apps", headers=admin).json["data"][0]
    assert (row["createdAt"], row["updatedAt"]) == (after["createdAt"], after["updatedAt"])


def _with_password_in_url() -> dict:
    doc = sample_config()
    doc["externalSync"]["url"] = "https://sync-user:pa55word@openfn.example/i/1?x=1"
    doc["authConfigs"][0]["fields"]["authority"] = "https://kc:kc-pw@kc.example/realms/field"
    return doc


def test_a_password_inside_a_url_is_a_secret_everywhere(env: Env, admin: dict[str, str]) -> None:
    created = upload(env, admin, _with_password_in_url())
    assert created.status_code == 201, created.text
    listed = env.client.simulate_get("/api/apps", headers=admin)
    got = env.client.simulate_get("/api/apps/field-demo", headers=admin)
    artifact = env.client.simulate_get(f"/artifacts/{created.json['artifactId']}.json")
    box = FernetSecretBox(["test-secret-key"])
    exported = ExportTenant(env.db, box)(OPERATOR, "field-demo")
    for text in (listed.text, got.text, artifact.text, str(exported)):
        assert "pa55word" not in text and "kc-pw" not in text and "sync-user" not in text
    assert got.json["externalSync"]["url"] == "https://***@openfn.example/i/1?x=1"
    assert listed.json["data"][0]["externalSync"]["url"] == "https://***@openfn.example/i/1?x=1"
    assert (
        exported["authConfigs"][0]["fields"]["authority"] == "https://***@kc.example/realms/field"
    )
    assert artifact.json["externalSync"]["url"] == "https://openfn.example/i/1?x=1"
    assert (
        artifact.json["authConfigs"][0]["fields"]["authority"] == "https://kc.example/realms/field"
    )
    # Sending the masked document back keeps the stored credentials; --with-secrets has them.
    assert (
        upload(env, admin, got.json, method="PUT", path="/api/apps/field-demo").status_code == 200
    )
    full = ExportTenant(env.db, box)(OPERATOR, "field-demo", with_secrets=True)
    assert full["externalSync"]["url"] == _with_password_in_url()["externalSync"]["url"]
    assert (
        full["authConfigs"][0]["fields"]["authority"] == "https://kc:kc-pw@kc.example/realms/field"
    )
    # A new password in the URL replaces the stored one.
    changed = copy.deepcopy(got.json)
    changed["externalSync"]["url"] = "https://sync-user:new-pw@openfn.example/i/1"
    assert upload(env, admin, changed, method="PUT", path="/api/apps/field-demo").status_code == 200
    full = ExportTenant(env.db, box)(OPERATOR, "field-demo", with_secrets=True)
    assert full["externalSync"]["url"] == "https://sync-user:new-pw@openfn.example/i/1"
