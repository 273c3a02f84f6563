from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest
from ninja.security import HttpBearer, SessionAuth

from backstage.accounts.models import User
from backstage.accounts.services import user_for_token


class ApiRequest(HttpRequest):
    """A request that passed ``WRITE_AUTH``: ``auth`` is the person acting."""

    auth: User


class TokenAuth(HttpBearer):
    """``Authorization: Bearer bst_…`` with a personal API token."""

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        user = user_for_token(token)
        if user is not None:
            request.user = user
        return user


class ActiveSessionAuth(SessionAuth):
    """The browser's session (CSRF checked by ninja), for active accounts only."""

    def _get_key(self, request: HttpRequest) -> str | None:
        # No session cookie: not a session request, so "not authenticated" rather than a CSRF refusal.
        if self.param_name not in request.COOKIES:
            return None
        return super()._get_key(request)

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        user = super().authenticate(request, key)
        return user if user is not None and user.is_active else None


# Writes accept either; a session write without a valid CSRF token is refused.
WRITE_AUTH = [TokenAuth(), ActiveSessionAuth()]


def reader(request: HttpRequest) -> User | AnonymousUser:
    """Who reads a public operation: the bearer of a valid token, the signed-in person, or the public."""
    scheme, _space, token = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() == "bearer" and token.strip():
        return user_for_token(token.strip()) or AnonymousUser()
    user = getattr(request, "user", None)
    if isinstance(user, User) and user.is_active:
        return user
    return AnonymousUser()
