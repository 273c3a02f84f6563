"""Talking to the API in tests: as a person with a token, and checking what a refused request left behind."""

import json
from typing import Any

from django.http import HttpResponse
from django.test import Client

from backstage.accounts.models import User
from backstage.accounts.services import create_api_token
from backstage.productions.models import Call, Follow, Invitation, Membership, Production

API = "/api/v1"


class ApiClient:
    """JSON in, JSON out, with the person's token when there is one."""

    def __init__(self, client: Client | None = None, token: str | None = None) -> None:
        self.client = client or Client()
        self.headers = {"Authorization": f"Bearer {token}"} if token else {}

    def request(self, method: str, path: str, body: Any = None, **headers: str) -> HttpResponse:
        data = body if isinstance(body, str | bytes) or body is None else json.dumps(body)
        return self.client.generic(
            method,
            API + path,
            data=data or "",
            content_type="application/json",
            headers={**self.headers, **headers},
        )

    def get(self, path: str, **headers: str) -> HttpResponse:
        return self.request("GET", path, **headers)

    def post(self, path: str, body: Any = None, **headers: str) -> HttpResponse:
        return self.request("POST", path, body, **headers)

    def patch(self, path: str, body: Any = None, **headers: str) -> HttpResponse:
        return self.request("PATCH", path, body, **headers)

    def delete(self, path: str, **headers: str) -> HttpResponse:
        return self.request("DELETE", path, **headers)

    def multipart(self, path: str, data: dict[str, Any]) -> HttpResponse:
        """POST the fields (files included) as ``multipart/form-data``."""
        return self.client.post(API + path, data, headers=self.headers)

    def upload(self, path: str, files: list[Any], **headers: str) -> HttpResponse:
        """POST the files as ``multipart/form-data``, each in a part named ``files``."""
        return self.client.post(API + path, {"files": files}, headers={**self.headers, **headers})


def token_for(user: User, name: str = "tests") -> str:
    _token, clear = create_api_token(actor=user, name=name)
    return clear


def api_as(user: User | None) -> ApiClient:
    """A client carrying the person's personal token, or nobody's."""
    return ApiClient(token=token_for(user) if user is not None else None)


def assert_error(
    response: HttpResponse, status: int, code: str | None = None, field: str | None = "*"
) -> None:
    """The response is the documented error: that status, JSON ``{code, message, field}`` and nothing else."""
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"code", "message", "field"}, body
    assert isinstance(body["code"], str) and body["code"]
    assert isinstance(body["message"], str) and body["message"]
    assert body["field"] is None or isinstance(body["field"], str)
    if code is not None:
        assert body["code"] == code, body
    if field != "*":
        assert body["field"] == field, body


def database_state() -> dict[str, list[tuple[Any, ...]]]:
    """Everything the API can write, to compare before and after a refused request."""
    return {
        "productions": list(
            Production.objects.order_by("pk").values_list(
                "pk",
                "slug",
                "title",
                "logline_en",
                "logline_fr",
                "synopsis_en",
                "synopsis_fr",
                "stage",
                "license",
            )
        ),
        "memberships": list(
            Membership.objects.order_by("pk").values_list("pk", "production", "user", "role")
        ),
        "invitations": list(
            Invitation.objects.order_by("pk").values_list("pk", "production", "invitee", "role", "status")
        ),
        "follows": list(Follow.objects.order_by("pk").values_list("pk", "user", "production")),
        "calls": list(
            Call.objects.order_by("pk").values_list(
                "pk",
                "production",
                "kind",
                "title_en",
                "title_fr",
                "brief_en",
                "brief_fr",
                "deadline",
                "vote_policy",
                "votes_per_member",
                "votes_public",
                "is_open",
                "closed_at",
            )
        ),
    }
