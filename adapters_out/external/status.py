"""HTTP statuses every adapter treats alike."""

from __future__ import annotations

from adapters_out.external.http import Answer, safe_url
from ports.external import AuthError, ConfigError


def raise_for_refusal(answer: Answer, url: str) -> None:
    """401/403: our credentials are refused (stop the run); 404: the endpoint is wrong."""
    if answer.status in (401, 403):
        raise AuthError(f"{safe_url(url)} refused the credentials ({answer.status})")
    if answer.status == 404:
        raise ConfigError(f"{safe_url(url)} answered 404: check the URL (and the credentials)")
