"""/api/users: login, token check, the caller's own account, and admin user management."""

from __future__ import annotations

import re
from typing import Any

import attrs
import falcon

from adapters_in.http.openapi import users_doc
from adapters_in.http.parsing import parse, principal_of
from adapters_in.http.rate_limit import LoginThrottle, client_ip
from adapters_in.http.routing import HttpKit, RouteModule
from application.sessions import LoginResult, Logout, RefreshSession
from application.user_admin import ManageUsers, UserChanges, UserDraft
from application.users import CurrentUser, Login
from domain.errors import NotFound
from domain.users import USER, Role, User
from ports.limits import RateLimits

_USER_ID = re.compile(r"^[0-9]{1,18}$")  # fits a 64-bit integer column


@attrs.frozen(kw_only=True)
class LoginBody:
    email: str
    password: str = attrs.field(repr=False)


@attrs.frozen(kw_only=True)
class RefreshBody:
    refresh_token: str = attrs.field(repr=False)


def render_session(result: LoginResult) -> dict[str, Any]:
    """``{token, userId}`` as the deployed client reads it, plus the refresh half."""
    return {
        "token": result.token,
        "userId": result.user_id,
        "refreshToken": result.refresh_token,
        "expiresIn": result.expires_in,
    }


def render_user(user: User) -> dict[str, Any]:
    return {"id": user.id, "email": user.email, "role": user.role, "tenants": list(user.tenants)}


class LoginResource:
    auth = "public"

    def __init__(self, login: Login, throttle: LoginThrottle, kit: HttpKit) -> None:
        self._login, self._throttle, self._kit = login, throttle, kit

    def on_post(self, req: falcon.Request, resp: falcon.Response) -> None:
        body = parse(req, self._kit.wire, LoginBody, status=400)  # compat: missing field -> 400
        ip = client_ip(req, self._kit.config.trusted_proxy_count)
        self._throttle.before_attempt(body.email, ip)  # counts the attempt as a failure ...
        result = self._login(body.email, body.password)
        self._throttle.succeeded(body.email, ip)  # ... until it succeeds
        resp.media = render_session(result)


class RefreshResource:
    """Public: the refresh token is the credential (the access token may have expired)."""

    auth = "public"

    def __init__(self, refresh: RefreshSession, kit: HttpKit) -> None:
        self._refresh, self._kit = refresh, kit

    def on_post(self, req: falcon.Request, resp: falcon.Response) -> None:
        body = parse(req, self._kit.strict, RefreshBody)
        resp.media = render_session(self._refresh(body.refresh_token))


class LogoutResource:
    auth = "public"

    def __init__(self, logout: Logout, kit: HttpKit) -> None:
        self._logout, self._kit = logout, kit

    def on_post(self, req: falcon.Request, resp: falcon.Response) -> None:
        body = parse(req, self._kit.strict, RefreshBody)
        self._logout(body.refresh_token)
        resp.status = falcon.HTTP_204


class CheckTokenResource:
    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        resp.media = {"message": "Token is valid"}  # the middleware already checked it


class MeResource:
    def __init__(self, current_user: CurrentUser) -> None:
        self._current_user = current_user

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        resp.media = render_user(self._current_user.user(principal_of(req)))


@attrs.frozen(kw_only=True)
class UserCreateBody:
    """``UserDraft`` plus an ``id``, ignored: the upstream admin app's Users view always posts
    ``{"id": "", ...}`` (the server assigns ids)."""

    email: str
    password: str | None = attrs.field(default=None, repr=False)
    role: Role = USER
    tenants: tuple[str, ...] = ()
    id: Any = None


class UsersResource:
    def __init__(self, users: ManageUsers, kit: HttpKit) -> None:
        self._users, self._kit = users, kit

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        resp.media = [render_user(u) for u in self._users.list(principal_of(req))]

    def on_post(self, req: falcon.Request, resp: falcon.Response) -> None:
        body = parse(req, self._kit.strict, UserCreateBody)
        draft = UserDraft(
            email=body.email, password=body.password, role=body.role, tenants=body.tenants
        )
        user = self._users.create(principal_of(req), draft)
        resp.status = falcon.HTTP_201
        resp.location = f"/api/users/{user.id}"
        resp.media = {"message": "User created successfully", **render_user(user)}


@attrs.frozen(kw_only=True)
class UserUpdateBody:
    """``UserDraft`` plus the ``id`` the admin UI may echo back (ignored: the path wins)."""

    email: str | None = None
    password: str | None = attrs.field(default=None, repr=False)
    role: str | None = None
    tenants: tuple[str, ...] | None = None
    id: Any = None


class UserResource:
    def __init__(self, users: ManageUsers, kit: HttpKit) -> None:
        self._users, self._kit = users, kit

    def on_put(self, req: falcon.Request, resp: falcon.Response, user_id: str) -> None:
        if not _USER_ID.match(user_id):
            raise NotFound("User not found", code="user-not-found")
        body = parse(req, self._kit.strict, UserUpdateBody)
        changes = UserChanges(
            email=body.email, password=body.password, role=body.role, tenants=body.tenants
        )  # type: ignore[arg-type]  # the use case validates the role
        user = self._users.update(principal_of(req), int(user_id), changes)
        resp.media = {"message": "User updated successfully", **render_user(user)}

    def on_delete(self, req: falcon.Request, resp: falcon.Response, user_id: str) -> None:
        # Digits must be a storable id ("²" is a digit to str.isdigit but not to int()).
        if user_id.isdigit() and not _USER_ID.match(user_id):
            raise NotFound("User not found", code="user-not-found")
        self._users.delete(principal_of(req), user_id)  # compat: id or email
        resp.media = {"message": "User deleted successfully"}


def routes() -> RouteModule:
    def register(app: falcon.App, kit: HttpKit) -> None:
        config = kit.config
        throttle = LoginThrottle(
            kit.use(RateLimits),
            config.login_attempts_per_email,
            config.login_attempts_per_ip,
            config.login_window_s,
        )
        app.add_route("/api/users/login", LoginResource(kit.use(Login), throttle, kit))
        app.add_route("/api/users/refresh", RefreshResource(kit.use(RefreshSession), kit))
        app.add_route("/api/users/logout", LogoutResource(kit.use(Logout), kit))
        app.add_route("/api/users/check-token", CheckTokenResource())
        app.add_route("/api/users/me", MeResource(kit.use(CurrentUser)))
        app.add_route("/api/users", UsersResource(kit.use(ManageUsers), kit))
        app.add_route("/api/users/{user_id}", UserResource(kit.use(ManageUsers), kit))

    return RouteModule(
        name="users",
        register=register,
        paths=users_doc.PATHS,
        schemas=users_doc.SCHEMAS,
        tags=users_doc.TAGS,
    )
