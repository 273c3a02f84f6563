"""Who may call what: every operation of the API, as every kind of person."""

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

import pytest

from backstage.api.api import api
from backstage.api.tests.api_client import api_as, assert_error, database_state
from backstage.contributions import services as contribution_services
from backstage.contributions.comments import post_comment
from backstage.contributions.models import Comment, Contribution
from backstage.contributions.tests.test_api import contributions_state
from backstage.contributions.tests.test_comment_api import comments_state
from backstage.productions.models import Call, Follow, Invitation, Role
from conftest import ROLES, Studio, make_user

# "inactive" sends a token that belongs to a deactivated account.
EVERYONE = [*ROLES, "inactive"]
SIGNED_IN = ("member", "crew", "moderator", "director", "producer", "staff")


def signed_in(status: int) -> dict[str, int]:
    return dict.fromkeys(SIGNED_IN, status)


def follow_as_everyone(studio: Studio) -> None:
    for role in SIGNED_IN:
        Follow.objects.create(user=studio.person(role), production=studio.production)


def close_the_call(studio: Studio) -> None:
    Call.objects.filter(pk=studio.call.pk).update(is_open=False)


def vote_as_everyone(studio: Studio) -> None:
    contribution = Contribution.objects.get(call=studio.call)
    for role in SIGNED_IN:
        contribution_services.cast_vote(actor=studio.person(role), contribution=contribution)


@dataclass(frozen=True)
class Endpoint:
    method: str
    path: str
    body: dict[str, object] | None = None
    # Status for the people who may; everyone else signed in gets `refused`, nobody gets 401.
    allowed: Mapping[str, int] = field(default_factory=dict)
    refused: int = 403
    # Readable without signing in: this status for everyone, whatever token they send.
    public: int | None = None
    params: Mapping[str, str] = field(default_factory=dict)
    prepare: Callable[[Studio], None] | None = None

    def expected(self, role: str) -> int:
        if self.public is not None:
            return self.public
        if role in ("anonymous", "inactive"):
            return 401
        return self.allowed.get(role, self.refused)


ENDPOINTS: dict[str, Endpoint] = {
    "list_productions": Endpoint("GET", "/productions", public=200),
    "create_production": Endpoint(
        "POST", "/productions", {"title": "Les Sentinelles", "slug": "les-sentinelles"}, {"producer": 201}
    ),
    "get_production": Endpoint("GET", "/productions/{slug}", public=200),
    "update_production": Endpoint(
        "PATCH", "/productions/{slug}", {"title": "Varsovie-Express, director's cut"}, {"producer": 200}
    ),
    "follow": Endpoint("POST", "/productions/{slug}/follow", allowed=signed_in(200)),
    "unfollow": Endpoint(
        "DELETE", "/productions/{slug}/follow", allowed=signed_in(200), prepare=follow_as_everyone
    ),
    "list_team": Endpoint("GET", "/productions/{slug}/team", public=200),
    "change_role": Endpoint(
        "PATCH",
        "/productions/{slug}/team/{username}",
        {"role": "moderator"},
        {"producer": 200},
        params={"username": "crew"},
    ),
    # The moderator may leave the team; removing anyone else is for producers.
    "remove_member": Endpoint(
        "DELETE",
        "/productions/{slug}/team/{username}",
        allowed={"producer": 204, "moderator": 204},
        params={"username": "moderator"},
    ),
    "list_invitations": Endpoint("GET", "/productions/{slug}/invitations", allowed={"producer": 200}),
    "invite": Endpoint(
        "POST", "/productions/{slug}/invitations", {"username": "newcomer", "role": "crew"}, {"producer": 201}
    ),
    "cancel_invitation": Endpoint(
        "POST", "/productions/{slug}/invitations/{invitation_id}/cancel", allowed={"producer": 200}
    ),
    "my_invitations": Endpoint("GET", "/invitations", allowed=signed_in(200)),
    # The invitation is the member's: to anyone else it does not exist.
    "accept_invitation": Endpoint(
        "POST", "/invitations/{invitation_id}/accept", allowed={"member": 200}, refused=404
    ),
    "decline_invitation": Endpoint(
        "POST", "/invitations/{invitation_id}/decline", allowed={"member": 200}, refused=404
    ),
    "list_calls": Endpoint("GET", "/productions/{slug}/calls", public=200),
    "open_call": Endpoint(
        "POST",
        "/productions/{slug}/calls",
        {"kind": "music", "title_en": "The train's theme"},
        {"producer": 201, "director": 201},
    ),
    "list_open_calls": Endpoint("GET", "/calls", public=200),
    "get_call": Endpoint("GET", "/calls/{call_id}", public=200),
    "update_call": Endpoint(
        "PATCH", "/calls/{call_id}", {"title_en": "Casting: Ania, 30s"}, {"producer": 200, "director": 200}
    ),
    "close_call": Endpoint("POST", "/calls/{call_id}/close", allowed={"producer": 200, "director": 200}),
    "reopen_call": Endpoint(
        "POST", "/calls/{call_id}/reopen", allowed={"producer": 200, "director": 200}, prepare=close_the_call
    ),
    "get_profile": Endpoint("GET", "/people/{username}", public=200, params={"username": "crew"}),
    # The contribution is by someone outside the team: editing and withdrawing it is theirs alone.
    "list_contributions": Endpoint("GET", "/productions/{slug}/calls/{call_id}/contributions", public=200),
    "submit_contribution": Endpoint(
        "POST",
        "/productions/{slug}/calls/{call_id}/contributions",
        {"title": "Ania, by night", "license": "LAL-1.3"},
        signed_in(201),
    ),
    "get_contribution": Endpoint("GET", "/contributions/{contribution_id}", public=200),
    "update_contribution": Endpoint("PATCH", "/contributions/{contribution_id}", {"title": "Ania, again"}),
    "withdraw_contribution": Endpoint("POST", "/contributions/{contribution_id}/withdraw"),
    "review_contribution": Endpoint(
        "POST",
        "/contributions/{contribution_id}/review",
        {"status": "shortlisted"},
        {"crew": 200, "director": 200, "producer": 200},
    ),
    "vote": Endpoint("POST", "/contributions/{contribution_id}/vote", allowed=signed_in(200)),
    "unvote": Endpoint(
        "DELETE", "/contributions/{contribution_id}/vote", allowed=signed_in(200), prepare=vote_as_everyone
    ),
    "list_contribution_comments": Endpoint("GET", "/contributions/{contribution_id}/comments", public=200),
    "comment_on_contribution": Endpoint(
        "POST", "/contributions/{contribution_id}/comments", {"body": "Lovely."}, signed_in(201)
    ),
    "list_call_comments": Endpoint("GET", "/productions/{slug}/calls/{call_id}/comments", public=200),
    "comment_on_call": Endpoint(
        "POST", "/productions/{slug}/calls/{call_id}/comments", {"body": "When?"}, signed_in(201)
    ),
    # The comment is the member's: only they may correct it.
    "update_comment": Endpoint("PATCH", "/comments/{comment_id}", {"body": "Lovely!"}, {"member": 200}),
    "me": Endpoint("GET", "/me", allowed=signed_in(200)),
}


@pytest.fixture
def invitation(studio: Studio) -> Invitation:
    make_user("newcomer")
    return Invitation.objects.create(
        production=studio.production, invitee=studio.member, role=Role.CREW, invited_by=studio.producer
    )


def test_the_table_covers_every_operation():
    documented = {
        (method.upper(), path.removeprefix("/api/v1"))
        for path, operations in api.get_openapi_schema()["paths"].items()
        for method in operations
    }
    assert {(endpoint.method, endpoint.path) for endpoint in ENDPOINTS.values()} == documented


@pytest.fixture
def contribution(studio: Studio) -> Contribution:
    return contribution_services.submit_contribution(
        actor=make_user("author"),
        call=studio.call,
        title="A poster",
        description="",
        license="LAL-1.3",
        links=[],
    )


@pytest.fixture
def comment(studio: Studio, contribution: Contribution) -> Comment:
    return post_comment(actor=studio.member, contribution=contribution, body="Lovley.")


def everything() -> dict[str, object]:
    return {**database_state(), **contributions_state(), **comments_state()}


@pytest.mark.parametrize("role", EVERYONE)
@pytest.mark.parametrize("name", ENDPOINTS)
def test_who_may_call_what(studio, invitation, contribution, comment, name, role):
    endpoint = ENDPOINTS[name]
    if endpoint.prepare is not None:
        endpoint.prepare(studio)
    values = {
        "slug": studio.production.slug,
        "call_id": studio.call.pk,
        "invitation_id": invitation.pk,
        "contribution_id": contribution.pk,
        "comment_id": comment.pk,
    }
    path = endpoint.path.format(**{**values, **endpoint.params})
    client = api_as(studio.person(role))
    before = everything()

    response = client.request(endpoint.method, path, endpoint.body)

    expected = endpoint.expected(role)
    if expected >= 400:
        assert_error(response, expected)
        assert everything() == before
    else:
        assert response.status_code == expected, response.content
        if endpoint.method != "GET":
            assert everything() != before
