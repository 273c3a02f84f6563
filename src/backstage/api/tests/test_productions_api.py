"""Productions, follows, teams and invitations through the API: what succeeds, and what is refused."""

import pytest

from backstage.api.tests.api_client import ApiClient, api_as, assert_error, database_state
from backstage.productions.models import Follow, Invitation, Membership, Production, Role
from conftest import make_user

NEW_PRODUCTION = {"title": "Les Sentinelles", "slug": "les-sentinelles"}


@pytest.fixture
def producer(studio) -> ApiClient:
    return api_as(studio.producer)


@pytest.fixture
def other_production(studio) -> Production:
    """A second production with its own team, to check that nothing leaks between productions."""
    production = Production.objects.create(slug="les-sentinelles", title="Les Sentinelles")
    Membership.objects.create(production=production, user=make_user("sentinel"), role=Role.PRODUCER)
    Membership.objects.create(production=production, user=make_user("outsider"), role=Role.CREW)
    return production


# --- productions -------------------------------------------------------------------------------------------


def test_listing_productions_is_public_and_paginated(studio, producer):
    for index in range(3):
        Production.objects.create(slug=f"film-{index}", title=f"Film {index}")

    response = ApiClient().get("/productions?limit=2&offset=1")

    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 4
    assert [item["slug"] for item in body["items"]] == ["film-1", "film-2"]


def test_listing_productions_by_stage(studio):
    Production.objects.create(slug="released-film", title="Released", stage="released")

    response = ApiClient().get("/productions?stage=released")

    assert [item["slug"] for item in response.json()["items"]] == ["released-film"]


@pytest.mark.parametrize(
    "query", ["stage=finished", "limit=0", "limit=101", "offset=-1", "offset=99999999999999999999"]
)
def test_listing_productions_refuses_bad_queries(studio, query):
    assert_error(ApiClient().get(f"/productions?{query}"), 422, "invalid")


def test_a_production_shows_its_team_and_followers(studio):
    Follow.objects.create(user=studio.member, production=studio.production)

    response = ApiClient().get("/productions/varsovie-express")

    assert response.status_code == 200
    body = response.json()
    assert body["title"] == "Varsovie-Express"
    assert body["follower_count"] == 1
    assert body["synopsis_html"] == "<p>Six strangers and a suitcase.</p>\n"
    assert [(member["username"], member["role"]) for member in body["team"]] == [
        ("producer", "producer"),
        ("director", "director"),
        ("crew", "crew"),
        ("moderator", "moderator"),
    ]


@pytest.mark.parametrize("slug", ["no-such-film", "Ünïcode", "a" * 81, "a%00b", "a/b", "a%2Fb"])
def test_an_unknown_production_is_a_json_error(studio, slug):
    response = ApiClient().get(f"/productions/{slug}")
    assert response.status_code in (404, 422)
    assert_error(response, response.status_code)


def test_a_producer_creates_a_production_and_leads_it(studio, producer):
    response = producer.post("/productions", {**NEW_PRODUCTION, "logline_en": "  Guards of a dead city.  "})

    assert response.status_code == 201, response.content
    body = response.json()
    assert body["slug"] == "les-sentinelles"
    assert body["logline_en"] == "Guards of a dead city."
    assert body["license"] == "LAL-1.3"
    assert body["stage"] == "development"
    assert [(member["username"], member["role"]) for member in body["team"]] == [("producer", "producer")]
    production = Production.objects.get(slug="les-sentinelles")
    assert production.created_by == studio.producer


@pytest.mark.parametrize(
    ("body", "status", "code", "field"),
    [
        ({}, 422, "invalid", "title"),
        ({"slug": "les-sentinelles"}, 422, "invalid", "title"),
        ({"title": "Les Sentinelles"}, 422, "invalid", "slug"),
        ({**NEW_PRODUCTION, "title": ""}, 422, "invalid", "title"),
        ({**NEW_PRODUCTION, "title": "   "}, 422, "invalid", "title"),
        ({**NEW_PRODUCTION, "title": "x" * 201}, 422, "invalid", "title"),
        ({**NEW_PRODUCTION, "title": 42}, 422, "invalid", "title"),
        ({**NEW_PRODUCTION, "title": None}, 422, "invalid", "title"),
        ({**NEW_PRODUCTION, "title": "Les\x00Sentinelles"}, 422, "invalid", "title"),
        ({**NEW_PRODUCTION, "slug": ""}, 422, "invalid", "slug"),
        ({**NEW_PRODUCTION, "slug": "les sentinelles"}, 422, "invalid", "slug"),
        ({**NEW_PRODUCTION, "slug": "les\nsentinelles"}, 422, "invalid", "slug"),
        # Limits hold for the text as sent, before it is trimmed.
        ({**NEW_PRODUCTION, "slug": " les-sentinelles"}, 422, "invalid", "slug"),
        ({**NEW_PRODUCTION, "title": "x" * 200 + " "}, 422, "invalid", "title"),
        ({**NEW_PRODUCTION, "slug": "s" * 81}, 422, "invalid", "slug"),
        ({**NEW_PRODUCTION, "slug": "new"}, 422, "reserved", "slug"),
        ({**NEW_PRODUCTION, "slug": "invitations"}, 422, "reserved", "slug"),
        ({**NEW_PRODUCTION, "slug": "varsovie-express"}, 409, "unique", "slug"),
        ({**NEW_PRODUCTION, "logline_en": "x" * 301}, 422, "invalid", "logline_en"),
        ({**NEW_PRODUCTION, "synopsis_fr": "x" * 20_001}, 422, "invalid", "synopsis_fr"),
        ({**NEW_PRODUCTION, "stage": "finished"}, 422, "invalid", "stage"),
        ({**NEW_PRODUCTION, "stage": ["development"]}, 422, "invalid", "stage"),
        ({**NEW_PRODUCTION, "license": "CC-BY-NC-4.0"}, 422, "invalid", "license"),
        ({**NEW_PRODUCTION, "license": ""}, 422, "invalid", "license"),
        ([NEW_PRODUCTION], 422, "invalid", "*"),
        ("not json", 400, "invalid_json", None),
        ('{"title": "Les Sentinelles", ', 400, "invalid_json", None),
    ],
)
def test_creating_a_production_refuses_bad_input(studio, producer, body, status, code, field):
    before = database_state()

    response = producer.post("/productions", body)

    assert_error(response, status, code, field)
    assert database_state() == before


def test_two_productions_racing_for_one_address_get_a_conflict(studio, producer, monkeypatch):
    # As if another request had taken the address between the check and the insert.
    monkeypatch.setattr(Production, "validate_unique", lambda self, exclude=None: None)
    before = database_state()

    response = producer.post("/productions", {**NEW_PRODUCTION, "slug": "varsovie-express"})

    assert_error(response, 409, "unique", "slug")
    assert database_state() == before


def test_a_producer_edits_a_production(studio, producer):
    Follow.objects.create(user=studio.member, production=studio.production)

    response = producer.patch(
        "/productions/varsovie-express",
        {"title": "Varsovie-Express", "stage": "writing", "license": "CC0-1.0"},
    )

    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["stage"], body["license"]) == ("writing", "CC0-1.0")
    # The answer counts the followers as a fresh read would.
    assert body["follower_count"] == 1
    studio.production.refresh_from_db()
    assert (studio.production.stage, studio.production.license) == ("writing", "CC0-1.0")


def test_editing_leaves_out_fields_not_sent(studio, producer):
    response = producer.patch("/productions/varsovie-express", {"logline_fr": "Un train."})

    assert response.status_code == 200
    studio.production.refresh_from_db()
    assert studio.production.logline_fr == "Un train."
    assert studio.production.logline_en == "A night train to Warsaw."


@pytest.mark.parametrize(
    ("body", "status", "code", "field"),
    [
        ({"title": ""}, 422, "invalid", "title"),
        ({"title": "x" * 201}, 422, "invalid", "title"),
        ({"title": ["Varsovie"]}, 422, "invalid", "title"),
        ({"stage": "finished"}, 422, "invalid", "stage"),
        ({"license": "Proprietary"}, 422, "invalid", "license"),
        ({"logline_en": "\x00"}, 422, "invalid", "logline_en"),
        ("[", 400, "invalid_json", None),
        ([None, None], 422, "invalid", None),
        (5, 422, "invalid", None),
        ('"Varsovie"', 422, "invalid", None),
    ],
)
def test_editing_a_production_refuses_bad_input(studio, producer, body, status, code, field):
    before = database_state()

    response = producer.patch("/productions/varsovie-express", body)

    assert_error(response, status, code, field)
    assert database_state() == before


def test_a_producer_of_one_production_cannot_edit_another(studio, other_production, producer):
    before = database_state()

    response = producer.patch("/productions/les-sentinelles", {"title": "Taken over"})

    assert_error(response, 403, "forbidden")
    assert database_state() == before


def test_editing_an_unknown_production_is_not_found(studio, producer):
    assert_error(producer.patch("/productions/no-such-film", {"title": "x"}), 404, "not_found")


# --- follows -----------------------------------------------------------------------------------------------


def test_following_is_idempotent_and_counted(studio):
    member = api_as(studio.member)

    first = member.post("/productions/varsovie-express/follow")
    second = member.post("/productions/varsovie-express/follow")

    assert first.json() == second.json() == {"following": True, "follower_count": 1}
    assert Follow.objects.filter(user=studio.member).count() == 1

    first = member.delete("/productions/varsovie-express/follow")
    second = member.delete("/productions/varsovie-express/follow")

    assert first.json() == second.json() == {"following": False, "follower_count": 0}
    assert not Follow.objects.exists()


def test_following_an_unknown_production_is_not_found(studio):
    assert_error(api_as(studio.member).post("/productions/no-such-film/follow"), 404, "not_found")
    assert not Follow.objects.exists()


# --- team ----------------------------------------------------------------------------------------------------


def test_a_producer_changes_a_role(studio, producer):
    response = producer.patch("/productions/varsovie-express/team/crew", {"role": "director"})

    assert response.status_code == 200
    assert response.json()["role"] == "director"
    assert Membership.objects.get(user=studio.crew).role == Role.DIRECTOR


def test_the_last_producer_cannot_step_down_or_leave(studio, producer):
    before = database_state()

    assert_error(
        producer.patch("/productions/varsovie-express/team/producer", {"role": "crew"}), 409, "last_producer"
    )
    assert_error(producer.delete("/productions/varsovie-express/team/producer"), 409, "last_producer")
    assert database_state() == before


def test_a_producer_steps_down_once_another_producer_exists(studio, producer):
    Membership.objects.filter(user=studio.director).update(role=Role.PRODUCER)

    response = producer.patch("/productions/varsovie-express/team/producer", {"role": "crew"})

    assert response.status_code == 200
    assert Membership.objects.get(user=studio.producer).role == Role.CREW


def test_a_producer_leaves_once_another_producer_exists(studio, producer):
    Membership.objects.filter(user=studio.director).update(role=Role.PRODUCER)

    response = producer.delete("/productions/varsovie-express/team/producer")

    assert response.status_code == 204
    assert response.content == b""
    assert not Membership.objects.filter(user=studio.producer).exists()


@pytest.mark.parametrize(
    ("username", "body", "status", "code", "field"),
    [
        ("crew", {"role": "boss"}, 422, "invalid", "role"),
        ("crew", {"role": None}, 422, "invalid", "role"),
        ("crew", {}, 422, "invalid", "role"),
        ("member", {"role": "crew"}, 404, "not_found", None),
        ("outsider", {"role": "director"}, 404, "not_found", None),
        ("nobody-here", {"role": "crew"}, 404, "not_found", None),
        ("bad/name", {"role": "crew"}, 404, "not_found", None),
        ("bad name", {"role": "crew"}, 422, "invalid", "username"),
    ],
)
def test_changing_a_role_refuses_bad_input(
    studio, other_production, producer, username, body, status, code, field
):
    before = database_state()

    response = producer.patch(f"/productions/varsovie-express/team/{username}", body)

    assert_error(response, status, code, field)
    assert database_state() == before


def test_removing_another_productions_member_is_not_found(studio, other_production, producer):
    before = database_state()

    assert_error(producer.delete("/productions/varsovie-express/team/outsider"), 404, "not_found")
    assert database_state() == before


# --- invitations ---------------------------------------------------------------------------------------------


@pytest.fixture
def newcomer(studio):
    return make_user("newcomer")


def test_a_producer_invites_someone_who_accepts(
    studio, producer, newcomer, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = producer.post(
            "/productions/varsovie-express/invitations", {"username": "newcomer", "role": "crew"}
        )

    assert response.status_code == 201, response.content
    invitation = response.json()
    assert (invitation["invitee"], invitation["role"], invitation["status"]) == (
        "newcomer",
        "crew",
        "pending",
    )
    assert [message.to for message in mailoutbox] == [["newcomer@example.org"]]
    assert [item["id"] for item in producer.get("/productions/varsovie-express/invitations").json()] == [
        invitation["id"]
    ]

    guest = api_as(newcomer)
    assert [item["id"] for item in guest.get("/invitations").json()] == [invitation["id"]]
    response = guest.post(f"/invitations/{invitation['id']}/accept")

    assert response.status_code == 200, response.content
    assert (response.json()["username"], response.json()["role"]) == ("newcomer", "crew")
    assert Membership.objects.get(user=newcomer).role == Role.CREW
    assert Invitation.objects.get().status == Invitation.Status.ACCEPTED
    assert guest.get("/invitations").json() == []
    assert_error(guest.post(f"/invitations/{invitation['id']}/accept"), 409, "invitation_answered")
    assert_error(guest.post(f"/invitations/{invitation['id']}/decline"), 409, "invitation_answered")


def test_an_invitee_declines(studio, newcomer):
    invitation = Invitation.objects.create(production=studio.production, invitee=newcomer, role=Role.DIRECTOR)

    response = api_as(newcomer).post(f"/invitations/{invitation.pk}/decline")

    assert response.status_code == 200
    assert response.json()["status"] == "declined"
    assert response.json()["production"] == "varsovie-express"
    assert not Membership.objects.filter(user=newcomer).exists()


def test_accepting_when_already_in_the_team_changes_nothing(studio, newcomer):
    invitation = Invitation.objects.create(production=studio.production, invitee=newcomer, role=Role.CREW)
    Membership.objects.create(production=studio.production, user=newcomer, role=Role.MODERATOR)
    before = database_state()

    assert_error(api_as(newcomer).post(f"/invitations/{invitation.pk}/accept"), 409, "already_member")
    assert database_state() == before


@pytest.mark.parametrize("answer", ["accept", "decline"])
def test_nobody_answers_someone_elses_invitation(studio, newcomer, answer):
    invitation = Invitation.objects.create(production=studio.production, invitee=newcomer, role=Role.CREW)
    before = database_state()

    for person in (studio.member, studio.producer, studio.staff):
        assert_error(api_as(person).post(f"/invitations/{invitation.pk}/{answer}"), 404, "not_found")

    assert database_state() == before


@pytest.mark.parametrize("answer", ["accept", "decline"])
def test_a_cancelled_invitation_cannot_be_answered(studio, producer, newcomer, answer):
    invitation = Invitation.objects.create(production=studio.production, invitee=newcomer, role=Role.CREW)

    response = producer.post(f"/productions/varsovie-express/invitations/{invitation.pk}/cancel")

    assert response.status_code == 200
    assert response.json()["status"] == "cancelled"
    assert_error(producer.post(f"/productions/varsovie-express/invitations/{invitation.pk}/cancel"), 409)
    before = database_state()
    assert_error(api_as(newcomer).post(f"/invitations/{invitation.pk}/{answer}"), 409, "invitation_answered")
    assert database_state() == before


def test_cancelling_goes_through_the_invitations_production(studio, other_production, producer, newcomer):
    elsewhere = Invitation.objects.create(production=other_production, invitee=newcomer, role=Role.CREW)
    before = database_state()

    assert_error(
        producer.post(f"/productions/varsovie-express/invitations/{elsewhere.pk}/cancel"), 404, "not_found"
    )
    assert_error(
        producer.post(f"/productions/les-sentinelles/invitations/{elsewhere.pk}/cancel"), 403, "forbidden"
    )
    assert database_state() == before


@pytest.mark.parametrize(
    ("body", "status", "code", "field"),
    [
        ({}, 422, "invalid", "username"),
        ({"username": "", "role": "crew"}, 422, "invalid", "username"),
        ({"username": "newcomer"}, 422, "invalid", "role"),
        ({"username": "newcomer", "role": "star"}, 422, "invalid", "role"),
        ({"username": "newcomer", "role": 1}, 422, "invalid", "role"),
        ({"username": "u" * 151, "role": "crew"}, 422, "invalid", "username"),
        ({"username": "nobody-here", "role": "crew"}, 400, "unknown_user", "username"),
        ({"username": "inactive", "role": "crew"}, 400, "unknown_user", "username"),
        ({"username": "crew", "role": "director"}, 409, "already_member", "username"),
        ({"username": "member", "role": "crew"}, 409, "already_invited", "username"),
    ],
)
def test_inviting_refuses_bad_input(studio, producer, newcomer, body, status, code, field):
    Invitation.objects.create(production=studio.production, invitee=studio.member, role=Role.CREW)
    before = database_state()

    response = producer.post("/productions/varsovie-express/invitations", body)

    assert_error(response, status, code, field)
    assert database_state() == before


@pytest.mark.parametrize("invitation_id", ["999999", "0", "-1", "abc", str(2**64)])
def test_answering_an_unknown_invitation(studio, invitation_id):
    response = api_as(studio.member).post(f"/invitations/{invitation_id}/accept")
    assert response.status_code in (404, 422)
    assert_error(response, response.status_code)
