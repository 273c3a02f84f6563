"""Calls for contributions through the API: opening, editing, closing and reopening, and the lists."""

from datetime import timedelta

import pytest
from django.utils import timezone

from backstage.api.tests.api_client import ApiClient, api_as, assert_error, database_state
from backstage.productions.models import Call, CallKind, Membership, Production, Role
from conftest import make_user

NEW_CALL = {"kind": "music", "title_en": "The train's theme"}


def in_days(days: int) -> str:
    return (timezone.now() + timedelta(days=days)).isoformat()


@pytest.fixture
def director(studio) -> ApiClient:
    return api_as(studio.director)


@pytest.fixture
def other_call(studio) -> Call:
    production = Production.objects.create(slug="les-sentinelles", title="Les Sentinelles")
    Membership.objects.create(production=production, user=make_user("sentinel"), role=Role.PRODUCER)
    return Call.objects.create(production=production, kind=CallKind.ART, title_en="A poster")


def test_a_director_opens_a_call(studio, director):
    deadline = timezone.now() + timedelta(days=30)

    response = director.post(
        "/productions/varsovie-express/calls",
        {
            **NEW_CALL,
            "brief_fr": "Un thème **au piano**.",
            "deadline": deadline.isoformat(),
            "votes_per_member": 5,
        },
    )

    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["production"], body["kind"], body["is_open"], body["accepts_contributions"]) == (
        "varsovie-express",
        "music",
        True,
        True,
    )
    call = Call.objects.get(pk=body["id"])
    assert call.deadline == deadline
    assert call.created_by == studio.director
    assert call.votes_per_member == 5
    assert body["url"] == call.get_absolute_url()


def test_a_deadline_in_another_time_zone_is_the_same_moment(studio, director):
    response = director.post(
        "/productions/varsovie-express/calls", {**NEW_CALL, "deadline": "2099-06-01T12:00:00+02:00"}
    )

    assert response.status_code == 201, response.content
    assert Call.objects.get(pk=response.json()["id"]).deadline.isoformat() == "2099-06-01T10:00:00+00:00"


def test_an_offset_the_database_cannot_store_is_converted_first(studio, director):
    # ISO 8601 allows offsets up to ±23:59; PostgreSQL stores only about ±16 h.
    response = director.post(
        "/productions/varsovie-express/calls", {**NEW_CALL, "deadline": "2099-06-01T12:00:00-22:45"}
    )

    assert response.status_code == 201, response.content
    assert Call.objects.get(pk=response.json()["id"]).deadline.isoformat() == "2099-06-02T10:45:00+00:00"


@pytest.mark.parametrize(
    ("body", "status", "code", "field"),
    [
        ({}, 422, "invalid", "kind"),
        ({"title_en": "A theme"}, 422, "invalid", "kind"),
        ({**NEW_CALL, "kind": "dance"}, 422, "invalid", "kind"),
        ({**NEW_CALL, "kind": None}, 422, "invalid", "kind"),
        ({"kind": "music"}, 422, "invalid", None),
        ({"kind": "music", "title_en": "  ", "title_fr": ""}, 422, "invalid", None),
        ({**NEW_CALL, "title_en": "x" * 201}, 422, "invalid", "title_en"),
        ({**NEW_CALL, "brief_en": "x" * 20_001}, 422, "invalid", "brief_en"),
        ({**NEW_CALL, "brief_en": "\x00"}, 422, "invalid", "brief_en"),
        ({**NEW_CALL, "deadline": "yesterday"}, 422, "invalid", "deadline"),
        ({**NEW_CALL, "deadline": "2099-06-01T12:00:00"}, 422, "invalid", "deadline"),
        ({**NEW_CALL, "deadline": "9999-12-31T23:59:59-12:00"}, 422, "invalid", "deadline"),
        ({**NEW_CALL, "deadline": "0001-01-01T00:00:00+14:00"}, 422, "invalid", "deadline"),
        ({**NEW_CALL, "deadline": 1_900_000_000}, 422, "invalid", "deadline"),
        ({**NEW_CALL, "deadline": in_days(-1)}, 400, "deadline_past", "deadline"),
        ({**NEW_CALL, "vote_policy": "unlimited"}, 422, "invalid", "vote_policy"),
        ({**NEW_CALL, "votes_per_member": 0}, 422, "invalid", "votes_per_member"),
        ({**NEW_CALL, "votes_per_member": 101}, 422, "invalid", "votes_per_member"),
        ({**NEW_CALL, "votes_per_member": "three"}, 422, "invalid", "votes_per_member"),
        ({**NEW_CALL, "votes_per_member": 2.5}, 422, "invalid", "votes_per_member"),
        ({**NEW_CALL, "votes_public": "perhaps"}, 422, "invalid", "votes_public"),
        ("{", 400, "invalid_json", None),
    ],
)
def test_opening_a_call_refuses_bad_input(studio, director, body, status, code, field):
    before = database_state()

    response = director.post("/productions/varsovie-express/calls", body)

    assert_error(response, status, code, field)
    assert database_state() == before


def test_opening_a_call_on_an_unknown_production_is_not_found(studio, director):
    assert_error(director.post("/productions/no-such-film/calls", NEW_CALL), 404, "not_found")


def test_a_director_edits_a_call(studio, director):
    response = director.patch(
        f"/calls/{studio.call.pk}", {"title_fr": "Casting : Ania, 30 ans", "kind": "other"}
    )

    assert response.status_code == 200, response.content
    studio.call.refresh_from_db()
    assert (studio.call.title_fr, studio.call.kind) == ("Casting : Ania, 30 ans", "other")
    assert studio.call.title_en == "Casting: Ania"


def test_null_removes_the_deadline_but_leaves_other_fields(studio, director):
    Call.objects.filter(pk=studio.call.pk).update(deadline=timezone.now() + timedelta(days=3))

    response = director.patch(f"/calls/{studio.call.pk}", {"deadline": None, "title_en": None})

    assert response.status_code == 200
    studio.call.refresh_from_db()
    assert studio.call.deadline is None
    assert studio.call.title_en == "Casting: Ania"


def test_a_passed_deadline_may_stay_while_other_fields_change(studio, director):
    passed = timezone.now() - timedelta(days=1)
    Call.objects.filter(pk=studio.call.pk).update(deadline=passed)

    response = director.patch(
        f"/calls/{studio.call.pk}", {"brief_en": "Still an actress.", "deadline": passed.isoformat()}
    )

    assert response.status_code == 200, response.content


@pytest.mark.parametrize(
    ("body", "status", "code", "field"),
    [
        ({"kind": "dance"}, 422, "invalid", "kind"),
        ({"title_en": "", "title_fr": ""}, 422, "invalid", None),
        ({"title_en": "x" * 201}, 422, "invalid", "title_en"),
        ({"deadline": in_days(-2)}, 400, "deadline_past", "deadline"),
        ({"deadline": "2099-06-01"}, 422, "invalid", "deadline"),
        ({"votes_per_member": -3}, 422, "invalid", "votes_per_member"),
        ({"vote_policy": ""}, 422, "invalid", "vote_policy"),
        ("]", 400, "invalid_json", None),
        ([{"title_en": "A list"}], 422, "invalid", None),
        (True, 422, "invalid", None),
    ],
)
def test_editing_a_call_refuses_bad_input(studio, director, body, status, code, field):
    before = database_state()

    response = director.patch(f"/calls/{studio.call.pk}", body)

    assert_error(response, status, code, field)
    assert database_state() == before


@pytest.mark.parametrize(
    ("method", "action", "body"),
    [("PATCH", "", {"title_en": "Hijacked"}), ("POST", "/close", None), ("POST", "/reopen", None)],
)
def test_a_team_manages_only_its_own_calls(studio, other_call, director, method, action, body):
    Call.objects.filter(pk=other_call.pk).update(is_open=action != "/reopen")
    before = database_state()

    response = director.request(method, f"/calls/{other_call.pk}{action}", body)

    assert_error(response, 403, "forbidden")
    assert database_state() == before


@pytest.mark.parametrize("call_id", ["999999", "0", "-5", "first", str(2**63)])
def test_an_unknown_call_is_a_json_error(studio, director, call_id):
    for response in (ApiClient().get(f"/calls/{call_id}"), director.post(f"/calls/{call_id}/close")):
        assert response.status_code in (404, 422)
        assert_error(response, response.status_code)


def test_closing_and_reopening_a_call(studio, director):
    closed = director.post(f"/calls/{studio.call.pk}/close")

    assert closed.status_code == 200
    assert (closed.json()["is_open"], closed.json()["accepts_contributions"]) == (False, False)
    studio.call.refresh_from_db()
    assert studio.call.closed_at is not None
    assert director.post(f"/calls/{studio.call.pk}/close").status_code == 200

    reopened = director.post(f"/calls/{studio.call.pk}/reopen")

    assert reopened.status_code == 200
    assert reopened.json()["is_open"] is True
    studio.call.refresh_from_db()
    assert studio.call.closed_at is None


def test_a_call_past_its_deadline_reopens_only_with_a_new_deadline(studio, director):
    Call.objects.filter(pk=studio.call.pk).update(is_open=False, deadline=timezone.now() - timedelta(hours=1))
    before = database_state()

    assert_error(director.post(f"/calls/{studio.call.pk}/reopen"), 400, "deadline_past", "deadline")
    assert database_state() == before

    assert director.patch(f"/calls/{studio.call.pk}", {"deadline": in_days(7)}).status_code == 200
    assert director.post(f"/calls/{studio.call.pk}/reopen").json()["accepts_contributions"] is True


def test_the_lists_of_calls(studio, other_call):
    closed = Call.objects.create(
        production=studio.production, kind=CallKind.SOUND, title_en="Foley", is_open=False
    )
    expired = Call.objects.create(
        production=studio.production,
        kind=CallKind.MUSIC,
        title_en="Waltz",
        deadline=timezone.now() - timedelta(days=1),
    )
    client = ApiClient()

    def ids(path: str) -> set[int]:
        response = client.get(path)
        assert response.status_code == 200, response.content
        return {item["id"] for item in response.json()["items"]}

    assert ids("/productions/varsovie-express/calls") == {studio.call.pk, closed.pk, expired.pk}
    assert ids("/productions/varsovie-express/calls?open=true") == {studio.call.pk}
    assert ids("/productions/varsovie-express/calls?open=false") == {closed.pk, expired.pk}
    assert ids("/calls") == {studio.call.pk, other_call.pk}
    assert ids("/calls?kind=art") == {other_call.pk}
    assert_error(client.get("/calls?kind=dance"), 422, "invalid", "kind")
    assert_error(client.get("/productions/varsovie-express/calls?open=maybe"), 422, "invalid", "open")
    assert_error(client.get("/productions/no-such-film/calls"), 404, "not_found")
