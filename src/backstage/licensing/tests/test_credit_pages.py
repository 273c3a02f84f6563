"""The credits page through HTTP: who sees it, the producer's tools, the exports, French."""

import json
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from freezegun import freeze_time

from backstage.licensing import credit_services
from backstage.licensing.models import CreditAddition, CreditExclusion, CreditsRoll, SectionPlace
from backstage.media.models import Asset
from backstage.productions.models import Membership, Production, Role
from backstage.releases.models import Release
from backstage.releases.queries import release_is_public
from conftest import ROLES, client_for, make_user

TEAM = ["producer", "director", "crew", "moderator"]
OUTSIDERS = ["anonymous", "member", "staff"]
BASE = "/productions/varsovie-express/credits/"


@pytest.fixture
def work(studio, accept):
    return accept(make_user("ania"), "Ania reads Ania")


@pytest.fixture
def addition(studio):
    return credit_services.add_person(
        actor=studio.producer, production=studio.production, section="other", name="Café du Nord", role="Food"
    )


@pytest.fixture
def exclusion(studio, work):
    return credit_services.exclude_entry(
        actor=studio.producer,
        production=studio.production,
        key=f"contributions:contribution:{work.pk}",
        reason="She asked to stay anonymous.",
    )


def test_the_addresses():
    assert reverse("credits:page", kwargs={"slug": "varsovie-express"}) == BASE
    assert reverse("credits:json", kwargs={"slug": "varsovie-express"}) == BASE + "credits.json"


@pytest.mark.parametrize("role", ROLES)
def test_only_the_team_sees_the_credits_page(studio, work, role):
    response = client_for(studio.person(role)).get(BASE)
    if role not in TEAM:
        assert response.status_code == 404
        return
    assert response.status_code == 200
    page = response.content.decode()
    assert '<h3 class="credits-heading">Cast</h3>' in page
    assert "Casting: Ania" in page
    assert f'href="{BASE}credits.txt"' in page
    producer_tools = [
        'id="record"',
        'action="/productions/varsovie-express/credits/people/#people"',
        "Render the roll",
    ]
    for tool in producer_tools:
        assert (tool in page) == (role == "producer"), tool


def test_the_page_of_an_unknown_production_is_not_found(studio):
    assert client_for(studio.producer).get("/productions/nowhere/credits/").status_code == 404


def test_the_team_sees_exclusions_with_their_reasons(studio, exclusion):
    page = client_for(studio.crew).get(BASE).content.decode()
    assert "She asked to stay anonymous." in page
    assert "Taken out by producer" in page
    assert "Put back in the credits" not in page
    assert "Put back in the credits" in client_for(studio.producer).get(BASE).content.decode()


def writes(studio, work, addition, exclusion) -> list[tuple[str, dict[str, str]]]:
    return [
        (BASE + "sections/move/", {"section": "music", "direction": "up"}),
        (BASE + "people/", {"section": "other", "name": "Marta", "role": "", "position": "0"}),
        (
            BASE + f"people/{addition.pk}/edit/",
            {"section": "other", "name": "Changed", "role": "", "position": "0"},
        ),
        (BASE + f"people/{addition.pk}/remove/", {}),
        (BASE + "exclusions/", {"key": f"productions:member:{studio.crew.pk}", "reason": "Not on this film"}),
        (BASE + f"exclusions/{exclusion.pk}/restore/", {}),
        (BASE + "roll/", {"size": "1920x1080"}),
    ]


@pytest.mark.parametrize("role", [role for role in ROLES if role != "producer"])
def test_only_the_producer_changes_the_credits(studio, work, addition, exclusion, role):
    client = client_for(studio.person(role))
    for url, data in writes(studio, work, addition, exclusion):
        response = client.post(url, data)
        assert response.status_code == (403 if role in TEAM else 404), url
    assert client.get(BASE + f"people/{addition.pk}/edit/").status_code == (403 if role in TEAM else 404)
    addition.refresh_from_db()
    exclusion.refresh_from_db()
    assert addition.name == "Café du Nord"
    assert exclusion.restored_at is None
    assert CreditExclusion.objects.count() == 1
    assert CreditAddition.objects.count() == 1
    assert not SectionPlace.objects.exists()
    assert not CreditsRoll.objects.exists()


def test_the_producer_adds_edits_and_removes_a_person(studio):
    client = client_for(studio.producer)
    response = client.post(
        BASE + "people/", {"section": "other", "name": "Café du Nord", "role": "Food", "position": "3"}
    )
    assert response.status_code == 302 and response["Location"] == BASE + "#people"
    addition = CreditAddition.objects.get()
    assert (addition.section, addition.name, addition.role, addition.position) == (
        "other",
        "Café du Nord",
        "Food",
        3,
    )
    page = client.get(BASE).content.decode()
    assert "Café du Nord is in the credits." in page
    assert '<h3 class="credits-heading">With the help of</h3>' in page
    edit = client.get(BASE + f"people/{addition.pk}/edit/")
    assert edit.status_code == 200 and 'value="Café du Nord"' in edit.content.decode()
    response = client.post(
        BASE + f"people/{addition.pk}/edit/",
        {"section": "team", "name": "Marta", "role": "Gaffer", "position": "25"},
    )
    assert response.status_code == 302
    addition.refresh_from_db()
    assert (addition.section, addition.name) == ("team", "Marta")
    assert client.post(BASE + f"people/{addition.pk}/remove/").status_code == 302
    assert not CreditAddition.objects.exists()


@pytest.mark.parametrize(
    ("data", "error"),
    [
        ({"section": "other", "name": "  ", "role": "", "position": "0"}, "This field is required."),
        ({"section": "other", "name": "", "role": "", "position": "0"}, "This field is required."),
        ({"section": "bloopers", "name": "M", "role": "", "position": "0"}, "Select a valid choice."),
        ({"section": "other", "name": "M", "role": "", "position": "5000"}, "less than or equal to 1000"),
        ({"section": "other", "name": "M", "role": "x" * 201, "position": "0"}, "at most 200 characters"),
    ],
)
def test_bad_people_are_refused_with_a_clear_error(studio, data, error):
    response = client_for(studio.producer).post(BASE + "people/", data)
    assert response.status_code == 200
    assert error in response.content.decode()
    assert not CreditAddition.objects.exists()


def test_a_refused_reason_comes_back_as_typed_beside_its_credit(studio, work):
    key = f"contributions:contribution:{work.pk}"
    typed = "Asked to stay anonymous, " + "because of their employer. " * 80  # over 2,000 characters
    response = client_for(studio.producer).post(BASE + "exclusions/", {"key": key, "reason": typed})
    assert response.status_code == 200
    page = response.content.decode()
    form = page[page.index(f'value="{key}"') :]
    form = form[: form.index("</form>")]
    assert typed.strip() in form and 'aria-invalid="true"' in form
    assert "Ensure this value has at most 2000 characters" in form
    assert page.count("<details open>") == 1
    assert not CreditExclusion.objects.exists()


def test_the_producer_takes_a_credit_out_with_a_reason_and_puts_it_back(studio, work):
    client = client_for(studio.producer)
    key = f"contributions:contribution:{work.pk}"
    response = client.post(BASE + "exclusions/", {"key": key, "reason": "  "}, follow=True)
    assert "Say why this credit is taken out: the reason is kept on record." in response.content.decode()
    assert not CreditExclusion.objects.exists()
    response = client.post(BASE + "exclusions/", {"key": key}, follow=True)
    assert "the reason is kept on record" in response.content.decode()
    response = client.post(
        BASE + "exclusions/", {"key": "contributions:contribution:999", "reason": "x"}, follow=True
    )
    assert "The credits have no such entry." in response.content.decode()
    assert not CreditExclusion.objects.exists()

    response = client.post(BASE + "exclusions/", {"key": key, "reason": "Asked to stay anonymous."})
    assert response.status_code == 302 and response["Location"] == BASE + "#excluded"
    exclusion = CreditExclusion.objects.get()
    assert (exclusion.reason, exclusion.excluded_by) == ("Asked to stay anonymous.", studio.producer)
    page = client.get(BASE).content.decode()
    assert "ania is taken out of the credits." in page
    assert "Casting: Ania</span>" not in page  # no longer among the credits shown
    response = client.post(BASE + f"exclusions/{exclusion.pk}/restore/", follow=True)
    assert "ania is back in the credits." in response.content.decode()
    exclusion.refresh_from_db()
    assert exclusion.restored_by == studio.producer
    response = client.post(BASE + f"exclusions/{exclusion.pk}/restore/", follow=True)
    assert "This credit is already back in the credits." in response.content.decode()


def test_the_producer_moves_sections(studio, work):
    client = client_for(studio.producer)
    assert client.post(BASE + "sections/move/", {"section": "cast", "direction": "up"}).status_code == 302
    assert list(SectionPlace.objects.values_list("section", flat=True))[:2] == ["cast", "team"]
    page = client.get(BASE).content.decode()
    assert page.index('id="credits-cast"') < page.index('id="credits-team"')
    response = client.post(BASE + "sections/move/", {"section": "cast", "direction": "sideways"}, follow=True)
    assert "Choose a section and a direction." in response.content.decode()
    response = client.post(BASE + "sections/move/", {"section": "bloopers", "direction": "up"}, follow=True)
    assert "Choose one of the sections of the credits." in response.content.decode()


def test_other_productions_objects_are_not_reachable(studio, addition, exclusion):
    other = Production.objects.create(slug="other", title="Other", created_by=studio.producer)
    Membership.objects.create(production=other, user=studio.producer, role=Role.PRODUCER)
    client = client_for(studio.producer)
    assert client.post(f"/productions/other/credits/people/{addition.pk}/remove/").status_code == 404
    assert client.post(f"/productions/other/credits/exclusions/{exclusion.pk}/restore/").status_code == 404
    assert CreditAddition.objects.exists()


@pytest.mark.parametrize("role", ROLES)
def test_exports_are_for_the_team(studio, work, role):
    client = client_for(studio.person(role))
    for name in ["credits.txt", "credits.json", "credits.html"]:
        response = client.get(BASE + name)
        assert response.status_code == (200 if role in TEAM else 404)


def test_the_exports(studio, work, addition):
    client = client_for(studio.crew)
    text = client.get(BASE + "credits.txt")
    assert text["Content-Type"] == "text/plain; charset=utf-8"
    assert text["Content-Disposition"] == 'attachment; filename="varsovie-express-credits.txt"'
    assert (
        "ania — Casting: Ania\n    “Ania reads Ania” (Creative Commons Attribution-ShareAlike 4.0)"
        in text.content.decode()
    )
    data = client.get(BASE + "credits.json")
    assert data["Content-Type"] == "application/json; charset=utf-8"
    assert data["Content-Disposition"] == 'attachment; filename="varsovie-express-credits.json"'
    parsed = json.loads(data.content)
    assert [section["key"] for section in parsed["sections"]] == ["team", "cast", "other"]
    assert "Café du Nord" in data.content.decode()  # written as is, not escaped
    html = client.get(BASE + "credits.html")
    assert html["Content-Disposition"] == 'attachment; filename="varsovie-express-credits.html"'
    page = html.content.decode()
    assert page.startswith("<!doctype html>")
    assert ".credits-line {" in page  # the stylesheet travels with the page
    assert "<link" not in page and "<script" not in page
    assert "Casting: Ania" in page and "Café du Nord" in page


def test_the_page_in_french(studio, work):
    response = client_for(studio.producer).get(BASE, HTTP_ACCEPT_LANGUAGE="fr")
    page = response.content.decode()
    assert '<html lang="fr">' in page
    assert "Casting : Ania" in page  # the call's French title
    assert (
        '<span class="credits-role">Réalisation</span>' in page
    )  # the team's roles, as the team page says them


def test_the_page_makes_the_same_number_of_queries_whatever_the_credits(studio, accept, music_call):
    client = client_for(studio.producer)

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(BASE).status_code == 200
        return len(queries)

    few = count()
    for number in range(10):
        person = make_user(f"person{number}")
        work = accept(person, f"Cast {number}")
        accept(person, f"Music {number}", call=music_call)
        credit_services.add_person(
            actor=studio.producer, production=studio.production, section="other", name=f"Helper {number}"
        )
        if number % 3 == 0:
            credit_services.exclude_entry(
                actor=studio.producer,
                production=studio.production,
                key=f"contributions:contribution:{work.pk}",
                reason="Not in the final cut",
            )
    CreditsRoll.objects.create(
        production=studio.production, language="en", status="failed", problem="timeout"
    )
    assert count() == few


def test_the_credits_page_stays_the_teams_after_the_release(studio, work):
    """The public reads the credits on the release's page once it is out; this page and its reasons stay inside."""
    film = Asset.objects.create(
        owner=studio.producer, production=studio.production, name="film.mp4", kind="video", status="ready"
    )
    moment = timezone.now() + timedelta(days=7)
    release = Release.objects.create(
        production=studio.production, slug="premiere", title="Varsovie-Express", film=film,
        license="LAL-1.3", moment=moment, scheduled=True,
    )  # fmt: skip
    for when in (moment - timedelta(minutes=1), moment + timedelta(minutes=1)):
        with freeze_time(when):
            assert release_is_public(release) == (when > moment)
            for role in OUTSIDERS:
                client = client_for(studio.person(role))
                assert client.get(BASE).status_code == 404
                assert client.get(BASE + "credits.json").status_code == 404
            assert client_for(studio.crew).get(BASE).status_code == 200
