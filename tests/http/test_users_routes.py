"""Admin user management and the caller's own account."""

from __future__ import annotations

from tests.http.conftest import PASSWORD, Api

NEW = {
    "email": "carol@example.org",
    "password": "a long password",
    "role": "USER",
    "tenants": ["t1"],
}


def test_create_list_update_delete(api: Api) -> None:
    admin = api.auth("admin")
    created = api.client.simulate_post("/api/users", json=NEW, headers=admin)
    assert created.status_code == 201
    user = created.json
    assert user["message"] == "User created successfully"
    assert (user["email"], user["role"], user["tenants"]) == ("carol@example.org", "USER", ["t1"])
    assert created.headers["location"] == f"/api/users/{user['id']}"
    listed = api.client.simulate_get("/api/users", headers=admin).json
    assert {"id": user["id"], "email": NEW["email"], "role": "USER", "tenants": ["t1"]} in listed
    assert all("password" not in u and "password_hash" not in u for u in listed)

    update = {"email": "carol2@example.org", "role": "ADMIN", "tenants": ["*"], "id": user["id"]}
    updated = api.client.simulate_put(f"/api/users/{user['id']}", json=update, headers=admin)
    assert updated.status_code == 200
    assert (updated.json["email"], updated.json["role"]) == ("carol2@example.org", "ADMIN")
    login = {"email": "carol2@example.org", "password": NEW["password"]}  # password kept
    assert api.client.simulate_post("/api/users/login", json=login).status_code == 200

    deleted = api.client.simulate_delete(f"/api/users/{user['id']}", headers=admin)
    assert deleted.json == {"message": "User deleted successfully"}
    again = api.client.simulate_delete(f"/api/users/{user['id']}", headers=admin)
    assert again.status_code == 404
    assert again.json["message"] == "User not found"


def test_delete_by_email_is_compat(api: Api) -> None:
    result = api.client.simulate_delete("/api/users/Bob@Example.org", headers=api.auth("admin"))
    assert result.status_code == 200
    login = {"email": "bob@example.org", "password": PASSWORD}
    assert api.client.simulate_post("/api/users/login", json=login).status_code == 401


def test_update_of_a_non_numeric_or_unknown_id_is_404(api: Api) -> None:
    body = {"email": "x@example.org"}
    for user_id in ("abc", "999999"):
        result = api.client.simulate_put(
            f"/api/users/{user_id}", json=body, headers=api.auth("admin")
        )
        assert result.status_code == 404


def test_me_works_for_any_role(api: Api) -> None:
    result = api.client.simulate_get("/api/users/me", headers=api.auth("alice"))
    assert result.json == {
        "id": api.users["alice"].id,
        "email": "alice@example.org",
        "role": "USER",
        "tenants": ["t1"],
    }


def test_check_token(api: Api) -> None:
    result = api.client.simulate_get("/api/users/check-token", headers=api.auth("bob"))
    assert result.json == {"message": "Token is valid"}


def test_a_weak_password_is_422(api: Api) -> None:
    result = api.client.simulate_post(
        "/api/users", json={**NEW, "password": "short"}, headers=api.auth("admin")
    )
    assert result.status_code == 422
    assert result.json["errors"][0]["pointer"] == "#/password"


def test_the_last_admin_cannot_delete_or_demote_itself(api: Api) -> None:
    admin = api.auth("admin")
    me = api.users["admin"].id
    for attempt in (
        api.client.simulate_delete(f"/api/users/{me}", headers=admin),
        api.client.simulate_delete("/api/users/admin@example.org", headers=admin),
        api.client.simulate_put(f"/api/users/{me}", json={"role": "USER"}, headers=admin),
    ):
        assert attempt.status_code == 409
        assert attempt.headers["content-type"] == "application/problem+json"
        assert attempt.json["code"] == "last-admin"
    listed = api.client.simulate_get("/api/users", headers=admin).json
    assert [u["role"] for u in listed if u["id"] == me] == ["ADMIN"]


def test_an_admin_can_go_once_another_admin_exists(api: Api) -> None:
    admin = api.auth("admin")
    alice = api.users["alice"].id
    promote = {"role": "ADMIN"}
    assert (
        api.client.simulate_put(f"/api/users/{alice}", json=promote, headers=admin).status_code
        == 200
    )
    me = api.users["admin"].id
    demoted = api.client.simulate_put(f"/api/users/{me}", json={"role": "USER"}, headers=admin)
    assert demoted.status_code == 200
    # alice is now the only admin: she cannot remove herself either.
    alice_auth = api.auth("alice")
    refused = api.client.simulate_delete(f"/api/users/{alice}", headers=alice_auth)
    assert refused.status_code == 409


def test_granting_a_tenant_that_does_not_exist_is_422_with_a_pointer(api: Api) -> None:
    admin = api.auth("admin")
    body = {**NEW, "tenants": ["t1", "nope"]}
    created = api.client.simulate_post("/api/users", json=body, headers=admin)
    assert created.status_code == 422
    assert [(e["pointer"], e["code"]) for e in created.json["errors"]] == [
        ("#/tenants/1", "unknown-tenant")
    ]
    bob = api.users["bob"].id
    updated = api.client.simulate_put(
        f"/api/users/{bob}", json={"tenants": ["ghost", "t2"]}, headers=admin
    )
    assert updated.status_code == 422
    assert updated.json["errors"][0]["pointer"] == "#/tenants/0"
    everything = api.client.simulate_put(
        f"/api/users/{bob}", json={"tenants": ["*"]}, headers=admin
    )
    assert everything.status_code == 200


def test_a_grant_of_a_since_deleted_tenant_does_not_block_other_edits(api: Api) -> None:
    admin = api.auth("admin")
    bob = api.users["bob"].id
    with api.db() as uow:
        uow.tenants.delete("t2")
        uow.commit()
    renamed = api.client.simulate_put(
        f"/api/users/{bob}", json={"email": "robert@example.org"}, headers=admin
    )
    assert renamed.status_code == 200
    assert renamed.json["tenants"] == ["t2"]
