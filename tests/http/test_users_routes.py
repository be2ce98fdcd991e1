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
