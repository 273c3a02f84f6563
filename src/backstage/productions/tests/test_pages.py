"""The production pages through HTTP, for each role, with good and bad input."""

from datetime import timedelta

import pytest
from django.utils import timezone

from backstage.productions.models import Call, Follow, Invitation, Membership, Production, Role
from conftest import ROLES, client_for, make_user

# (role, status of a POST) for actions only producers may take: others are refused, visitors sent to sign in.
PRODUCERS_ONLY = [
    ("anonymous", 302),
    ("member", 403),
    ("crew", 403),
    ("moderator", 403),
    ("director", 403),
    ("producer", 302),
    ("staff", 403),
]
PUBLIC_PAGES = [
    "/",
    "/productions/",
    "/productions/varsovie-express/",
    "/productions/varsovie-express/calls/",
]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("path", PUBLIC_PAGES)
def test_public_pages_are_open_to_everyone(studio, role, path):
    response = client_for(studio.person(role)).get(path)
    assert response.status_code == 200
    assert "Varsovie-Express" in response.content.decode()


def test_call_page_shows_the_rendered_brief(studio):
    response = client_for(None).get(studio.call.get_absolute_url())
    assert response.status_code == 200
    assert "<strong>Ania</strong>" in response.content.decode()


def test_production_page_shows_logline_synopsis_stage_team_calls_and_license(studio):
    page = client_for(None).get("/productions/varsovie-express/").content.decode()
    for expected in (
        "A night train to Warsaw.",
        "Six strangers",
        "Development",
        "Licence Art Libre 1.3",
        "Casting: Ania",
        "producer",
        "director",
    ):
        assert expected in page


def test_production_page_speaks_french_to_a_french_browser(studio):
    page = client_for(None).get("/productions/varsovie-express/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert '<html lang="fr">' in page
    assert "Un train de nuit pour Varsovie." in page
    assert "Casting : Ania" in page


def test_unknown_production_and_call_are_404(studio):
    client = client_for(None)
    assert client.get("/productions/nope/").status_code == 404
    assert client.get(f"/productions/varsovie-express/calls/{studio.call.pk + 99}/").status_code == 404
    other = Production.objects.create(slug="other", title="Other")
    # A call is only reachable under its own production.
    assert client.get(f"/productions/{other.slug}/calls/{studio.call.pk}/").status_code == 404


def test_closed_and_expired_calls_are_not_listed_as_open(studio):
    Call.objects.create(production=studio.production, kind="music", title_en="Closed cue", is_open=False)
    Call.objects.create(
        production=studio.production,
        kind="art",
        title_en="Expired poster",
        deadline=timezone.now() - timedelta(days=1),
    )
    home = client_for(None).get("/").content.decode()
    assert "Casting: Ania" in home
    assert "Closed cue" not in home
    assert "Expired poster" not in home


# --- following ---------------------------------------------------------------------------------


def test_anonymous_cannot_follow(studio):
    response = client_for(None).post("/productions/varsovie-express/follow/")
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]
    assert not Follow.objects.exists()


def test_member_follows_and_unfollows_and_sees_it_on_the_dashboard(studio):
    client = client_for(studio.member)
    assert client.post("/productions/varsovie-express/follow/", {"follow": "1"}).status_code == 302
    client.post("/productions/varsovie-express/follow/", {"follow": "1"})  # twice is harmless
    assert Follow.objects.filter(user=studio.member).count() == 1
    dashboard = client.get("/dashboard/").content.decode()
    assert "Varsovie-Express" in dashboard
    assert "Casting: Ania" in dashboard
    client.post("/productions/varsovie-express/follow/", {"follow": "0"})
    assert not Follow.objects.filter(user=studio.member).exists()
    assert "Varsovie-Express" not in client.get("/dashboard/").content.decode()


def test_follow_with_htmx_returns_the_new_button(studio):
    response = client_for(studio.member).post(
        "/productions/varsovie-express/follow/", {"follow": "1"}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="follow-form"' in html and 'aria-pressed="true"' in html
    assert "<html" not in html


def test_follow_requires_post(studio):
    assert client_for(studio.member).get("/productions/varsovie-express/follow/").status_code == 405


def test_dashboard_requires_sign_in(db):
    response = client_for(None).get("/dashboard/")
    assert response.status_code == 302


# --- creating and editing productions ----------------------------------------------------------

NEW_PRODUCTION = {
    "title": "Le Dernier Métro de nuit",
    "slug": "dernier-metro",
    "stage": "development",
    "license": "CC-BY-SA-4.0",
    "logline_en": "",
    "logline_fr": "Une nuit dans le dernier métro.",
    "synopsis_en": "",
    "synopsis_fr": "",
}


@pytest.mark.parametrize(
    ("role", "expected"),
    PRODUCERS_ONLY,
)
def test_only_people_allowed_to_create_productions_can(studio, role, expected):
    client = client_for(studio.person(role))
    response = client.post("/productions/new/", NEW_PRODUCTION)
    assert response.status_code == expected
    created = Production.objects.filter(slug="dernier-metro").first()
    if role == "producer":
        assert response["Location"] == "/productions/dernier-metro/"
        assert Membership.objects.get(production=created).role == Role.PRODUCER
    else:
        assert created is None
        if expected == 403:
            assert "You may not do this" in response.content.decode()


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"title": ""}, "This field is required."),
        ({"title": "x" * 201}, "at most 200 characters"),
        ({"slug": "has spaces"}, "valid"),
        ({"slug": "varsovie-express"}, "already exists"),
        ({"slug": "new"}, "reserved"),
        ({"stage": "famous"}, "Select a valid choice"),
        ({"license": "CC-BY-NC-4.0"}, "Select a valid choice"),
        ({"logline_fr": ""}, "Write a logline in at least one language."),
        ({"logline_en": "y" * 301}, "at most 300 characters"),
    ],
)
def test_bad_production_input_is_refused_and_kept(studio, change, message):
    data = {**NEW_PRODUCTION, **change}
    response = client_for(studio.producer).post("/productions/new/", data)
    assert response.status_code == 200
    html = response.content.decode()
    assert message in html
    assert "Une nuit dans le dernier métro." in html or change.get("logline_fr") == ""
    assert not Production.objects.filter(title=NEW_PRODUCTION["title"]).exists()


@pytest.mark.parametrize(
    ("role", "expected"),
    PRODUCERS_ONLY,
)
def test_only_producers_edit_a_production(studio, role, expected):
    client = client_for(studio.person(role))
    if role != "anonymous":
        assert client.get("/productions/varsovie-express/edit/").status_code == (
            200 if role == "producer" else 403
        )
    data = {**NEW_PRODUCTION, "slug": "varsovie-express", "title": "Varsovie-Express (director's cut)"}
    response = client.post("/productions/varsovie-express/edit/", data)
    assert response.status_code == expected
    studio.production.refresh_from_db()
    edited = studio.production.title == "Varsovie-Express (director's cut)"
    assert edited == (role == "producer")


def test_editing_with_an_error_keeps_the_typed_values(studio):
    data = {**NEW_PRODUCTION, "slug": "varsovie-express", "title": "", "synopsis_fr": "Mon synopsis en cours"}
    response = client_for(studio.producer).post("/productions/varsovie-express/edit/", data)
    assert response.status_code == 200
    assert "Mon synopsis en cours" in response.content.decode()
    studio.production.refresh_from_db()
    assert studio.production.title == "Varsovie-Express"


# --- the team ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("anonymous", 302),
        ("member", 403),
        ("crew", 403),
        ("moderator", 403),
        ("director", 403),
        ("producer", 200),
        ("staff", 403),
    ],
)
def test_only_producers_see_the_team_page(studio, role, expected):
    assert client_for(studio.person(role)).get("/productions/varsovie-express/team/").status_code == expected


@pytest.mark.parametrize("role", ["member", "crew", "moderator", "director", "staff"])
def test_others_cannot_invite(studio, role):
    response = client_for(studio.person(role)).post(
        "/productions/varsovie-express/team/", {"person": "member", "role": "crew"}
    )
    assert response.status_code == 403
    assert not Invitation.objects.exists()


def test_invitation_round_trip(studio, mailoutbox, django_capture_on_commit_callbacks):
    producer = client_for(studio.producer)
    with django_capture_on_commit_callbacks(execute=True):
        response = producer.post(
            "/productions/varsovie-express/team/", {"person": "member@example.org", "role": "crew"}
        )
    assert response.status_code == 302
    invitation = Invitation.objects.get(invitee=studio.member)
    assert invitation.role == "crew"
    assert len(mailoutbox) == 1
    assert "Varsovie-Express" in mailoutbox[0].subject
    assert "/dashboard/" in mailoutbox[0].body

    # Only the invitee can answer it.
    other = client_for(studio.crew)
    assert other.post(f"/productions/invitations/{invitation.pk}/accept/").status_code == 404
    invitee = client_for(studio.member)
    assert "Varsovie-Express" in invitee.get("/dashboard/").content.decode()
    response = invitee.post(f"/productions/invitations/{invitation.pk}/accept/")
    assert response.status_code == 302
    assert Membership.objects.get(production=studio.production, user=studio.member).role == "crew"
    # Answering twice is a clear message, not a crash.
    response = invitee.post(f"/productions/invitations/{invitation.pk}/accept/", follow=True)
    assert "already been answered" in response.content.decode()


def test_invitation_in_french_for_a_french_speaker(studio, mailoutbox, django_capture_on_commit_callbacks):
    studio.member.language = "fr"
    studio.member.save()
    with django_capture_on_commit_callbacks(execute=True):
        client_for(studio.producer).post(
            "/productions/varsovie-express/team/", {"person": "member", "role": "crew"}
        )
    assert "équipe" in mailoutbox[0].subject.lower()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"person": "", "role": "crew"}, "This field is required."),
        ({"person": "nobody-here", "role": "crew"}, "Nobody with this username"),
        ({"person": "inactive", "role": "crew"}, "Nobody with this username"),
        ({"person": "member", "role": "boss"}, "Select a valid choice"),
        ({"person": "director", "role": "crew"}, "already in the team"),
        ({"person": "x" * 300, "role": "crew"}, "at most 254 characters"),
    ],
)
def test_bad_invitations_are_refused(studio, data, message):
    response = client_for(studio.producer).post("/productions/varsovie-express/team/", data)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Invitation.objects.exists()


def test_declining_and_cancelling(studio):
    invitation = Invitation.objects.create(production=studio.production, invitee=studio.member, role="crew")
    response = client_for(studio.member).post(f"/productions/invitations/{invitation.pk}/decline/")
    assert response.status_code == 302
    invitation.refresh_from_db()
    assert invitation.status == "declined"
    again = Invitation.objects.create(production=studio.production, invitee=studio.member, role="crew")
    assert (
        client_for(studio.director)
        .post(f"/productions/varsovie-express/invitations/{again.pk}/cancel/")
        .status_code
        == 403
    )
    client_for(studio.producer).post(f"/productions/varsovie-express/invitations/{again.pk}/cancel/")
    again.refresh_from_db()
    assert again.status == "cancelled"
    assert client_for(studio.member).post(f"/productions/invitations/{again.pk}/accept/").status_code == 302
    assert not Membership.objects.filter(user=studio.member).exists()


def _membership(studio, user):
    return Membership.objects.get(production=studio.production, user=user)


@pytest.mark.parametrize(
    ("role", "expected"),
    PRODUCERS_ONLY,
)
def test_only_producers_change_roles(studio, role, expected):
    target = _membership(studio, studio.crew)
    response = client_for(studio.person(role)).post(
        f"/productions/varsovie-express/team/{target.pk}/role/", {"role": "director"}
    )
    assert response.status_code == expected
    target.refresh_from_db()
    assert (target.role == "director") == (role == "producer")


def test_the_last_producer_cannot_step_down_or_be_removed(studio):
    client = client_for(studio.producer)
    own = _membership(studio, studio.producer)
    response = client.post(
        f"/productions/varsovie-express/team/{own.pk}/role/", {"role": "crew"}, follow=True
    )
    assert "at least one producer" in response.content.decode()
    response = client.post(f"/productions/varsovie-express/team/{own.pk}/remove/", follow=True)
    assert "at least one producer" in response.content.decode()
    own.refresh_from_db()
    assert own.role == "producer"
    # With a second producer, stepping down works.
    client.post(
        f"/productions/varsovie-express/team/{_membership(studio, studio.director).pk}/role/",
        {"role": "producer"},
    )
    client.post(f"/productions/varsovie-express/team/{own.pk}/role/", {"role": "crew"})
    own.refresh_from_db()
    assert own.role == "crew"


def test_bad_role_is_refused(studio):
    target = _membership(studio, studio.crew)
    response = client_for(studio.producer).post(
        f"/productions/varsovie-express/team/{target.pk}/role/", {"role": "king"}, follow=True
    )
    assert "Choose a valid role." in response.content.decode()
    target.refresh_from_db()
    assert target.role == "crew"


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("member", 403),
        ("crew", 403),
        ("moderator", 403),
        ("director", 403),
        ("producer", 302),
        ("staff", 403),
    ],
)
def test_only_producers_remove_others(studio, role, expected):
    target = _membership(studio, studio.moderator)
    actor = studio.person(role)
    response = client_for(actor).post(f"/productions/varsovie-express/team/{target.pk}/remove/")
    assert response.status_code == (302 if role == "moderator" else expected)  # the moderator leaves
    still_there = Membership.objects.filter(pk=target.pk).exists()
    assert still_there == (role not in ("producer", "moderator"))


def test_membership_of_another_production_is_404(studio):
    other = Production.objects.create(slug="other", title="Other")
    stranger = make_user("stranger")
    theirs = Membership.objects.create(production=other, user=stranger, role="crew")
    response = client_for(studio.producer).post(f"/productions/varsovie-express/team/{theirs.pk}/remove/")
    assert response.status_code == 404
    assert Membership.objects.filter(pk=theirs.pk).exists()


# --- calls -------------------------------------------------------------------------------------

NEW_CALL = {
    "kind": "music",
    "title_en": "The border theme",
    "title_fr": "",
    "brief_en": "Two minutes, *cold*.",
    "brief_fr": "",
    "deadline": "",
    "vote_policy": "per_contribution",
    "votes_per_member": "3",
    "votes_public": "on",
}

CALL_MANAGERS = [("anonymous", 302), ("member", 403), ("crew", 403), ("moderator", 403), ("director", 302),
                 ("producer", 302), ("staff", 403)]  # fmt: skip


@pytest.mark.parametrize(("role", "expected"), CALL_MANAGERS)
def test_only_producers_and_directors_open_calls(studio, role, expected):
    response = client_for(studio.person(role)).post("/productions/varsovie-express/calls/new/", NEW_CALL)
    assert response.status_code == expected
    assert Call.objects.filter(title_en="The border theme").exists() == (role in ("producer", "director"))


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"title_en": ""}, "Give the call a title in at least one language."),
        ({"kind": "dance"}, "Select a valid choice"),
        ({"deadline": "not a date"}, "Enter a valid date/time."),
        ({"deadline": "2001-01-01T10:00"}, "The deadline must be in the future."),
        ({"votes_per_member": "0"}, "greater than or equal to 1"),
        ({"votes_per_member": "abc"}, "Enter a whole number."),
        ({"votes_per_member": "101"}, "less than or equal to 100"),
        ({"title_en": "t" * 201}, "at most 200 characters"),
    ],
)
def test_bad_call_input_is_refused_and_kept(studio, change, message):
    response = client_for(studio.producer).post(
        "/productions/varsovie-express/calls/new/", {**NEW_CALL, **change}
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert message in html
    assert "Two minutes, *cold*." in html
    assert Call.objects.count() == 1


def test_a_call_is_opened_edited_closed_and_reopened(studio):
    client = client_for(studio.director)
    deadline = (timezone.now() + timedelta(days=10)).strftime("%Y-%m-%dT%H:%M")
    response = client.post("/productions/varsovie-express/calls/new/", {**NEW_CALL, "deadline": deadline})
    call = Call.objects.get(title_en="The border theme")
    assert response["Location"] == call.get_absolute_url()
    assert call.accepts_contributions
    page = client.get(call.get_absolute_url()).content.decode()
    assert "<em>cold</em>" in page

    client.post(
        f"/productions/varsovie-express/calls/{call.pk}/edit/",
        {**NEW_CALL, "title_en": "Border theme", "deadline": deadline},
    )
    call.refresh_from_db()
    assert call.title_en == "Border theme"

    assert (
        client_for(studio.crew).post(f"/productions/varsovie-express/calls/{call.pk}/close/").status_code
        == 403
    )
    client.post(f"/productions/varsovie-express/calls/{call.pk}/close/")
    call.refresh_from_db()
    assert not call.is_open and call.closed_at is not None
    assert "Border theme" not in client_for(None).get("/").content.decode()
    client.post(f"/productions/varsovie-express/calls/{call.pk}/reopen/")
    call.refresh_from_db()
    assert call.is_open


@pytest.mark.parametrize(("role", "expected"), CALL_MANAGERS)
def test_only_producers_and_directors_edit_calls(studio, role, expected):
    path = f"/productions/varsovie-express/calls/{studio.call.pk}/edit/"
    response = client_for(studio.person(role)).post(path, {**NEW_CALL, "title_en": "Renamed"})
    assert response.status_code == expected
    studio.call.refresh_from_db()
    assert (studio.call.title_en == "Renamed") == (role in ("producer", "director"))


def test_reopening_an_expired_call_asks_for_a_new_deadline(studio):
    Call.objects.filter(pk=studio.call.pk).update(is_open=False, deadline=timezone.now() - timedelta(days=1))
    response = client_for(studio.producer).post(
        f"/productions/varsovie-express/calls/{studio.call.pk}/reopen/", follow=True
    )
    assert "Move the deadline into the future" in response.content.decode()
    studio.call.refresh_from_db()
    assert not studio.call.is_open


def test_unknown_call_state_is_404(studio):
    assert (
        client_for(studio.producer)
        .post(f"/productions/varsovie-express/calls/{studio.call.pk}/explode/")
        .status_code
        == 404
    )


def test_counts_are_written_the_way_each_language_writes_numbers(studio):
    from backstage.accounts.models import User

    fans = User.objects.bulk_create(
        User(username=f"fan{n}", email=f"fan{n}@example.org") for n in range(1234)
    )
    Follow.objects.bulk_create(Follow(user=fan, production=studio.production) for fan in fans)
    english = client_for(None).get("/productions/varsovie-express/").content.decode()
    french = (
        client_for(None).get("/productions/varsovie-express/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    )
    assert "1,234 followers" in english
    assert "1\u202f234" in french or "1\xa0234" in french
