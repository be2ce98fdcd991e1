"""External identity providers (Keycloak, Auth0) checked through their userinfo endpoints."""

from adapters_out.identity.userinfo import UserinfoIdentityProvider

__all__ = ["UserinfoIdentityProvider"]
