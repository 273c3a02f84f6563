"""The contributions API: who may do what, what it refuses (writing nothing), what it shows to whom."""

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from backstage.api.tests.api_client import ApiClient, api_as, assert_error, database_state
from backstage.contributions import api as contributions_api
from backstage.contributions import services
from backstage.contributions.models import (
    Acceptance,
    Contribution,
    ContributionFile,
    Decision,
    Status,
    Vote,
)
from backstage.contributions.tests.conftest import png_upload
from backstage.productions.models import Call, CallKind, Production, VotePolicy
from conftest import client_for, make_user

EVERYONE = ["anonymous", "member", "author", "crew", "moderator", "director", "producer", "staff", "inactive"]
SIGNED_IN = {"member", "author", "crew", "moderator", "director", "producer", "staff"}
REVIEWERS = {"crew", "director", "producer"}


def contributions_state() -> dict[str, list[tuple[Any, ...]]]:
    """Everything the contributions API can write, to compare before and after a refused request."""
    return {
        "contributions": list(
            Contribution.objects.order_by("pk").values_list(
                "pk",
                "call",
                "author",
                "title",
                "description",
                "license",
                "links",
                "status",
                "vote_count",
                "decided_at",
                "is_hidden",
                "hidden_reason",
            )
        ),
        "sources": list(
            Contribution.sources.through.objects.order_by("pk").values_list(
                "pk", "from_contribution", "to_contribution"
            )
        ),
        "files": list(
            ContributionFile.objects.order_by("pk").values_list("pk", "contribution", "name", "sha256")
        ),
        "decisions": list(
            Decision.objects.order_by("pk").values_list("pk", "contribution", "to_status", "note")
        ),
        "acceptances": list(Acceptance.objects.order_by("pk").values_list("pk", "contribution")),
        "votes": list(Vote.objects.order_by("pk").values_list("pk", "contribution", "voter")),
    }


def everything() -> dict[str, list[tuple[Any, ...]]]:
    return {**database_state(), **contributions_state()}


def person(studio, role: str):
    if role == "author":
        return Contribution.objects.get(title="A poster").author
    return studio.person(role)


@pytest.fixture
def work(studio, submit) -> Contribution:
    """A contribution by someone outside the team ("author"), under the production's call."""
    return submit(make_user("author"))


def contributions_url(studio) -> str:
    return f"/productions/{studio.production.slug}/calls/{studio.call.pk}/contributions"


# --- who may do what ------------------------------------------------------------------------------------

OPERATIONS: dict[str, tuple[str, str, dict[str, Any] | None, dict[str, int], int]] = {
    # name: (method, path, body, status for those allowed, status for other signed-in people)
    "submit": ("POST", "/productions/{slug}/calls/{call}/contributions", {"title": "Ania", "license": "LAL-1.3"},
               dict.fromkeys(SIGNED_IN, 201), 403),
    "update": ("PATCH", "/contributions/{id}", {"title": "A better poster"}, {"author": 200}, 403),
    "withdraw": ("POST", "/contributions/{id}/withdraw", None, {"author": 200}, 403),
    "review": ("POST", "/contributions/{id}/review", {"status": "shortlisted", "note": "Yes!"},
               dict.fromkeys(REVIEWERS, 200), 403),
    # The author may not vote for their own work: a refusal of the request, not of the person.
    "vote": ("POST", "/contributions/{id}/vote", None, dict.fromkeys(SIGNED_IN - {"author"}, 200), 400),
    "unvote": ("DELETE", "/contributions/{id}/vote", None, dict.fromkeys(SIGNED_IN, 200), 403),
}  # fmt: skip


@pytest.mark.parametrize("role", EVERYONE)
@pytest.mark.parametrize("name", OPERATIONS)
def test_who_may_write_what(studio, work, name, role):
    method, path, body, allowed, refused = OPERATIONS[name]
    if name == "unvote":
        for voter in SIGNED_IN - {"author"}:
            services.cast_vote(actor=person(studio, voter), contribution=work)
    url = path.format(slug=studio.production.slug, call=studio.call.pk, id=work.pk)
    before = everything()

    response = api_as(person(studio, role)).request(method, url, body)

    if role in ("anonymous", "inactive"):
        assert_error(response, 401, "not_authenticated")
        assert everything() == before
    elif role in allowed:
        assert response.status_code == allowed[role], response.content
        if not (name == "unvote" and role == "author"):
            assert everything() != before
    else:
        assert_error(response, refused)
        assert everything() == before


@pytest.mark.parametrize("role", EVERYONE)
def test_everyone_reads_the_list_and_the_contribution(studio, work, role):
    client = api_as(person(studio, role))

    listed = client.get(contributions_url(studio))
    shown = client.get(f"/contributions/{work.pk}")

    assert listed.status_code == 200 and [item["id"] for item in listed.json()["items"]] == [work.pk]
    assert shown.status_code == 200 and shown.json()["title"] == "A poster"


@pytest.mark.parametrize("role", EVERYONE)
def test_withdrawn_work_is_only_for_its_author_and_the_team(studio, work, role):
    services.withdraw_contribution(actor=work.author, contribution=work)
    client = api_as(person(studio, role))

    response = client.get(f"/contributions/{work.pk}")

    if role in {"author", "moderator"} | REVIEWERS:
        assert response.status_code == 200 and response.json()["status"] == "withdrawn"
    else:
        assert_error(response, 404, "not_found")
    assert client.get(contributions_url(studio)).json() == {"items": [], "count": 0}


def test_the_session_works_too_with_its_csrf_token(studio):
    client = client_for(studio.member)
    client.handler.enforce_csrf_checks = True
    api = ApiClient(client)
    body = {"title": "Ania", "license": "LAL-1.3"}

    assert_error(api.post(contributions_url(studio), body), 403, "csrf_failed")
    client.get("/")  # a page sets the CSRF cookie
    response = api.post(contributions_url(studio), body, **{"X-CSRFToken": client.cookies["csrftoken"].value})

    assert response.status_code == 201, response.content
    assert response.json()["author"] == {"username": "member", "display_name": "member"}


# --- submitting -------------------------------------------------------------------------------------------


def test_submitting_answers_the_call(studio, submit):
    source = submit(studio.crew, title="The train", license="CC-BY-4.0")
    body = {
        "title": "  Ania at night  ",
        "description": "With **love**.",
        "license": "CC-BY-SA-4.0",
        "links": ["https://example.org/ania"],
        "sources": [source.pk, source.pk],
    }

    response = api_as(studio.member).post(contributions_url(studio), body)

    assert response.status_code == 201, response.content
    data = response.json()
    contribution = Contribution.objects.get(pk=data["id"])
    assert (contribution.author, contribution.title, contribution.license) == (
        studio.member,
        "Ania at night",
        "CC-BY-SA-4.0",
    )
    assert list(contribution.sources.all()) == [source]
    assert data["status"] == "submitted" and data["call"] == studio.call.pk
    assert data["production"] == "varsovie-express" and data["links"] == ["https://example.org/ania"]
    assert data["description_html"].strip() == "<p>With <strong>love</strong>.</p>"
    assert data["sources"] == [
        {
            "id": source.pk,
            "title": "The train",
            "license": "CC-BY-4.0",
            "author": {"username": "crew", "display_name": "crew"},
            "url": source.get_absolute_url(),
        }
    ]
    assert data["files"] == [] and data["vote_count"] == 0 and data["voted"] is False
    assert data["url"] == contribution.get_absolute_url()


def another_production_work(studio) -> Contribution:
    elsewhere = Production.objects.create(slug="les-sentinelles", title="Les Sentinelles")
    call = Call.objects.create(production=elsewhere, kind=CallKind.MUSIC, title_en="Theme")
    return services.submit_contribution(
        actor=studio.crew, call=call, title="Elsewhere", description="", license="CC0-1.0", links=[]
    )


@pytest.mark.parametrize(
    ("change", "status", "code", "field"),
    [
        ({"license": "GPL-3.0-or-later"}, 400, "license_not_accepted", "license"),
        ({"license": "CC-BY-NC-4.0"}, 422, "invalid", "license"),
        ({"license": "WTFPL"}, 422, "invalid", "license"),
        ({"sources": [999_999]}, 400, "unknown_source", "sources"),
        ({"sources": "elsewhere"}, 400, "source_elsewhere", "sources"),
        ({"sources": "share-alike", "license": "CC-BY-4.0"}, 400, "remix_incompatible", "sources"),
        ({"sources": "withdrawn"}, 400, "source_withdrawn", "sources"),
        ({"sources": [0]}, 422, "invalid", "sources.0"),
        ({"sources": list(range(1, 22))}, 422, "invalid", "sources"),
        ({"title": "   "}, 422, "invalid", "title"),
        ({"title": "x" * 201}, 422, "invalid", "title"),
        ({"title": "Nul\x00"}, 422, "invalid", "title"),
        ({"links": ["ftp://example.org"]}, 422, "invalid", "links.0"),
        ({"links": ["https://example.org/\x00"]}, 422, "invalid", "links.0"),
        ({"links": ["https://example.org/a\nhttps://example.org/b"]}, 422, "invalid", "links.0"),
        ({"links": [f"https://example.org/{n}" for n in range(6)]}, 422, "invalid", "links"),
        ({"links": ["\x1f"]}, 422, "invalid", "links.0"),
        ({"links": ["https://example.org/\x85https://example.org/b"]}, 422, "invalid", "links.0"),
        ({"call": "closed"}, 400, "call_closed", None),
    ],
)
def test_submitting_refuses_bad_input_and_writes_nothing(studio, submit, change, status, code, field):
    sources = change.get("sources")
    if sources == "elsewhere":
        change["sources"] = [another_production_work(studio).pk]
    elif sources == "share-alike":
        change["sources"] = [submit(studio.crew, title="Source", license="CC-BY-SA-4.0").pk]
    elif sources == "withdrawn":
        source = submit(studio.crew, title="Source")
        services.withdraw_contribution(actor=studio.crew, contribution=source)
        change["sources"] = [source.pk]
    if change.pop("call", None) == "closed":
        Call.objects.filter(pk=studio.call.pk).update(is_open=False)
    before = everything()

    response = api_as(studio.member).post(
        contributions_url(studio), {"title": "Ania", "license": "LAL-1.3", **change}
    )

    assert_error(response, status, code, field)
    assert everything() == before


def test_a_withdrawn_work_of_another_production_is_unknown(studio):
    hidden = another_production_work(studio)
    services.withdraw_contribution(actor=studio.crew, contribution=hidden)

    response = api_as(studio.member).post(
        contributions_url(studio), {"title": "Ania", "license": "LAL-1.3", "sources": [hidden.pk]}
    )

    assert_error(response, 400, "unknown_source", "sources")


@pytest.mark.parametrize(
    "body", ["[]", "not json", {"license": "LAL-1.3"}, {"title": "Ania"}, {"title": 3, "license": "LAL-1.3"}]
)
def test_submitting_needs_a_json_object_with_title_and_license(studio, body):
    before = everything()

    response = api_as(studio.member).post(contributions_url(studio), body)

    assert response.status_code in (400, 422)
    assert_error(response, response.status_code)
    assert everything() == before


def test_a_call_of_another_production_is_not_found(studio):
    another = another_production_work(studio).call

    response = api_as(studio.member).post(
        f"/productions/varsovie-express/calls/{another.pk}/contributions",
        {"title": "A", "license": "LAL-1.3"},
    )

    assert_error(response, 404, "not_found")
    assert not Contribution.objects.filter(author=studio.member).exists()


# --- reading --------------------------------------------------------------------------------------------


def test_the_contribution_lists_its_files_with_their_addresses(studio, submit):
    work = submit(files=[png_upload()])

    data = ApiClient().get(f"/contributions/{work.pk}").json()

    stored = work.files.get()
    assert data["file_count"] == 1
    assert data["files"] == [
        {
            "id": stored.pk,
            "name": "poster.png",
            "kind": "image",
            "mime": "image/png",
            "size": stored.size,
            "sha256": stored.sha256,
            "url": f"/productions/varsovie-express/contributions/{work.pk}/files/{stored.pk}/",
        }
    ]
    assert client_for(None).get(data["files"][0]["url"]).status_code == 200


def test_the_list_sorts_as_asked(studio, submit):
    old, popular, picked = (submit(make_user(name), title=name) for name in ("old", "popular", "picked"))
    services.cast_vote(actor=studio.crew, contribution=popular)
    services.review_contribution(actor=studio.crew, contribution=picked, status=Status.SHORTLISTED)

    def order(sort: str) -> list[int]:
        response = ApiClient().get(contributions_url(studio) + f"?sort={sort}")
        assert response.status_code == 200
        return [item["id"] for item in response.json()["items"]]

    assert order("newest") == [picked.pk, popular.pk, old.pk]
    assert order("votes") == [popular.pk, picked.pk, old.pk]
    assert order("shortlisted") == [picked.pk, popular.pk, old.pk]
    assert_error(ApiClient().get(contributions_url(studio) + "?sort=random"), 422, "invalid", "sort")


def test_the_list_is_paginated(studio, submit):
    for n in range(3):
        submit(make_user(f"artist{n}"), title=f"Work {n}")

    data = ApiClient().get(contributions_url(studio) + "?limit=2&offset=2").json()

    assert data["count"] == 3 and [item["title"] for item in data["items"]] == ["Work 0"]
    assert_error(ApiClient().get(contributions_url(studio) + "?limit=0"), 422, "invalid", "limit")


def test_private_vote_counts_are_for_the_team(studio, work):
    Call.objects.filter(pk=studio.call.pk).update(votes_public=False)
    services.cast_vote(actor=studio.member, contribution=work)

    def counts(client: ApiClient) -> tuple[Any, Any]:
        listed = client.get(contributions_url(studio)).json()["items"][0]
        return listed["vote_count"], client.get(f"/contributions/{work.pk}").json()["vote_count"]

    assert counts(ApiClient()) == (None, None)
    assert counts(api_as(studio.member)) == (None, None)
    assert counts(api_as(studio.moderator)) == (1, 1)
    assert counts(ApiClient(client_for(studio.crew))) == (1, 1)
    assert api_as(studio.member).get(f"/contributions/{work.pk}").json()["voted"] is True


def test_the_list_costs_the_same_for_one_contribution_or_twenty_five(studio, submit):
    work = submit(files=[png_upload()])
    services.cast_vote(actor=studio.crew, contribution=work)
    readers = [ApiClient(), api_as(studio.crew), ApiClient(client_for(studio.producer))]
    for reader in readers:
        reader.get(contributions_url(studio))  # a token's first use is recorded once

    def cost(reader: ApiClient) -> int:
        with CaptureQueriesContext(connection) as queries:
            response = reader.get(contributions_url(studio) + "?sort=shortlisted&limit=100")
        assert response.status_code == 200
        return len(queries)

    for_one = [cost(reader) for reader in readers]
    for n in range(24):
        other = submit(make_user(f"artist{n}"), title=f"Work {n}", files=[png_upload()])
        services.cast_vote(actor=studio.crew, contribution=other)
        if n % 3 == 0:
            services.review_contribution(actor=studio.crew, contribution=other, status=Status.SHORTLISTED)

    assert [cost(reader) for reader in readers] == for_one
    assert ApiClient().get(contributions_url(studio) + "?limit=100").json()["count"] == 25
    assert max(for_one) <= 8


def test_the_contribution_costs_the_same_whatever_its_files_and_sources(studio, submit):
    def cost(work: Contribution) -> int:
        with CaptureQueriesContext(connection) as queries:
            assert ApiClient().get(f"/contributions/{work.pk}").status_code == 200
        return len(queries)

    small = submit(title="Small", files=[png_upload()], sources=[submit(studio.crew, title="S")])
    sources = [submit(make_user(f"artist{n}"), title=f"S{n}") for n in range(4)]
    large = submit(title="Large", files=[png_upload(f"{n}.png") for n in range(4)], sources=sources)

    assert cost(small) == cost(large)


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/contributions/{id}"),
        ("PATCH", "/contributions/{id}"),
        ("POST", "/contributions/{id}/withdraw"),
        ("POST", "/contributions/{id}/review"),
        ("POST", "/contributions/{id}/vote"),
        ("DELETE", "/contributions/{id}/vote"),
        ("GET", "/productions/varsovie-express/calls/{id}/contributions"),
        ("POST", "/productions/varsovie-express/calls/{id}/contributions"),
        ("GET", "/productions/nowhere/calls/{call}/contributions"),
    ],
)
def test_unknown_ids_are_not_found(studio, work, method, path):
    body = {"title": "A", "license": "LAL-1.3", "status": "accepted"}
    before = everything()

    response = api_as(studio.producer).request(method, path.format(id=999_999, call=studio.call.pk), body)

    assert_error(response, 404, "not_found")
    assert everything() == before


def test_malformed_ids_are_refused(studio):
    assert_error(ApiClient().get("/contributions/0"), 422, "invalid", "contribution_id")
    assert_error(ApiClient().get(f"/contributions/{2**63}"), 422, "invalid", "contribution_id")


# --- editing and withdrawing ----------------------------------------------------------------------------


def test_the_author_edits_only_what_they_send(studio, submit, work):
    source = submit(studio.crew, title="Source", license="CC0-1.0")
    client = api_as(work.author)

    response = client.patch(f"/contributions/{work.pk}", {"title": "Ania, again", "sources": [source.pk]})

    assert response.status_code == 200, response.content
    work.refresh_from_db()
    assert (work.title, work.description, work.license) == ("Ania, again", "With **love**.", "CC-BY-SA-4.0")
    assert list(work.sources.all()) == [source]
    assert (
        client.patch(f"/contributions/{work.pk}", {"sources": None}).json()["sources"][0]["id"] == source.pk
    )
    assert client.patch(f"/contributions/{work.pk}", {"sources": []}).json()["sources"] == []


@pytest.mark.parametrize(
    ("body", "status", "code", "field"),
    [
        ({"license": "GPL-3.0-or-later"}, 400, "license_not_accepted", "license"),
        ({"sources": "self"}, 400, "source_self", "sources"),
        ({"sources": [999_999]}, 400, "unknown_source", "sources"),
        ({"title": ""}, 422, "invalid", "title"),
        ({"links": ["javascript:alert(1)"]}, 422, "invalid", "links.0"),
    ],
)
def test_editing_refuses_bad_input(studio, work, body, status, code, field):
    if body.get("sources") == "self":
        body = {"sources": [work.pk]}
    before = everything()

    response = api_as(work.author).patch(f"/contributions/{work.pk}", body)

    assert_error(response, status, code, field)
    assert everything() == before


def test_once_reviewed_a_contribution_is_no_longer_edited(studio, work):
    services.review_contribution(actor=studio.crew, contribution=work, status=Status.SHORTLISTED)
    before = everything()

    assert_error(api_as(work.author).patch(f"/contributions/{work.pk}", {"title": "B"}), 409, "not_editable")
    assert everything() == before


def test_another_members_contribution_is_theirs_alone(studio, work):
    before = everything()
    client = api_as(studio.member)

    assert_error(client.patch(f"/contributions/{work.pk}", {"sources": [999_999]}), 403, "forbidden")
    assert_error(client.post(f"/contributions/{work.pk}/withdraw"), 403, "forbidden")
    assert everything() == before


def test_withdrawing(studio, work):
    client = api_as(work.author)

    response = client.post(f"/contributions/{work.pk}/withdraw")

    assert response.status_code == 200 and response.json()["status"] == "withdrawn"
    before = everything()
    assert_error(client.post(f"/contributions/{work.pk}/withdraw"), 409, "not_withdrawable")
    assert_error(client.patch(f"/contributions/{work.pk}", {"title": "B"}), 409, "not_editable")
    # To anyone else, withdrawn work is gone.
    assert_error(api_as(studio.member).post(f"/contributions/{work.pk}/vote"), 404, "not_found")
    assert_error(api_as(studio.member).post(f"/contributions/{work.pk}/withdraw"), 404, "not_found")
    assert everything() == before


# --- reviewing ------------------------------------------------------------------------------------------


def test_accepting_keeps_the_permanent_record(studio, work):
    response = api_as(studio.director).post(
        f"/contributions/{work.pk}/review", {"status": "accepted", "note": "In the film!"}
    )

    assert response.status_code == 200, response.content
    assert response.json()["status"] == "accepted" and response.json()["decided_at"]
    decision = Decision.objects.get(contribution=work)
    assert (decision.actor, decision.to_status, decision.note) == (
        studio.director,
        "accepted",
        "In the film!",
    )
    assert Acceptance.objects.get().contribution == work


@pytest.mark.parametrize(
    ("body", "status", "code", "field"),
    [
        ({"status": "submitted"}, 409, "invalid_transition", "status"),
        ({"status": "withdrawn"}, 422, "invalid", "status"),
        ({"status": "maybe"}, 422, "invalid", "status"),
        ({}, 422, "invalid", "status"),
        ({"status": "declined", "note": "x" * 4001}, 422, "invalid", "note"),
    ],
)
def test_reviewing_refuses_impossible_steps(studio, work, body, status, code, field):
    services.review_contribution(actor=studio.crew, contribution=work, status=Status.ACCEPTED)
    before = everything()

    response = api_as(studio.producer).post(f"/contributions/{work.pk}/review", body)

    assert_error(response, status, code, field)
    assert everything() == before


def test_a_withdrawn_contribution_is_not_reviewed(studio, work):
    services.withdraw_contribution(actor=work.author, contribution=work)
    before = everything()

    response = api_as(studio.crew).post(f"/contributions/{work.pk}/review", {"status": "shortlisted"})

    assert_error(response, 409, "invalid_transition", "status")
    assert everything() == before


def test_a_production_member_does_not_review_another_production(studio):
    elsewhere = another_production_work(studio)
    before = everything()

    response = api_as(studio.producer).post(f"/contributions/{elsewhere.pk}/review", {"status": "accepted"})

    assert_error(response, 403, "forbidden")
    assert everything() == before


# --- voting ---------------------------------------------------------------------------------------------


def test_voting_and_taking_the_vote_back(studio, work):
    client = api_as(studio.member)

    assert client.post(f"/contributions/{work.pk}/vote").json() == {
        "voted": True,
        "vote_count": 1,
        "votes_left": None,
    }
    before = everything()
    assert_error(client.post(f"/contributions/{work.pk}/vote"), 409, "already_voted")
    assert everything() == before
    assert client.delete(f"/contributions/{work.pk}/vote").json() == {
        "voted": False,
        "vote_count": 0,
        "votes_left": None,
    }
    # Taking back a vote one did not cast changes nothing.
    assert client.delete(f"/contributions/{work.pk}/vote").json()["vote_count"] == 0
    assert not Vote.objects.exists()


def test_nobody_votes_for_their_own_work(studio, work):
    before = everything()

    assert_error(api_as(work.author).post(f"/contributions/{work.pk}/vote"), 400, "own_contribution")
    assert everything() == before


def test_a_fixed_quota_of_votes(studio, submit):
    Call.objects.filter(pk=studio.call.pk).update(
        vote_policy=VotePolicy.FIXED_PER_CALL, votes_per_member=1, votes_public=False
    )
    first, second = submit(make_user("one"), title="One"), submit(make_user("two"), title="Two")
    client = api_as(studio.member)

    assert client.post(f"/contributions/{first.pk}/vote").json() == {
        "voted": True,
        "vote_count": None,
        "votes_left": 0,
    }
    before = everything()
    assert_error(client.post(f"/contributions/{second.pk}/vote"), 409, "no_votes_left")
    assert everything() == before
    assert client.delete(f"/contributions/{first.pk}/vote").json()["votes_left"] == 1
    # The team sees the count even when the public does not.
    assert api_as(studio.crew).post(f"/contributions/{second.pk}/vote").json()["vote_count"] == 1


@pytest.mark.parametrize(
    ("change", "code"),
    [({"vote_policy": VotePolicy.NONE}, "votes_disabled"), ({"is_open": False}, "votes_closed")],
)
def test_no_votes_without_an_open_vote(studio, work, change, code):
    services.cast_vote(actor=studio.crew, contribution=work)
    Call.objects.filter(pk=studio.call.pk).update(**change)
    before = everything()

    assert_error(api_as(studio.member).post(f"/contributions/{work.pk}/vote"), 400, code)
    if code == "votes_closed":
        assert_error(api_as(studio.crew).delete(f"/contributions/{work.pk}/vote"), 400, code)
    assert everything() == before


# --- the document ---------------------------------------------------------------------------------------


def test_the_status_names_are_the_models():
    assert set(contributions_api.StatusName.__args__) == set(Status.values)  # type: ignore[attr-defined]
    assert set(contributions_api.ReviewStatus.__args__) == set(Status.values) - {"withdrawn"}  # type: ignore[attr-defined]


def test_the_sorts_are_documented_and_the_files_endpoint_mentioned():
    document = ApiClient().get("/openapi.json").json()
    listing = document["paths"]["/api/v1/productions/{slug}/calls/{call_id}/contributions"]
    sort = next(parameter for parameter in listing["get"]["parameters"] if parameter["name"] == "sort")
    assert sort["schema"]["enum"] == ["newest", "votes", "shortlisted"]
    assert "/contributions/{id}/files" in listing["post"]["description"]
