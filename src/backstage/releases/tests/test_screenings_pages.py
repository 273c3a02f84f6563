"""The screenings' pages through HTTP: the public table and its filters, the producer's forms, per role."""

import re
from datetime import datetime, timedelta

import pytest
from django.db import connection
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from freezegun import freeze_time

from backstage.releases import screenings
from backstage.releases.models import Release, Screening
from backstage.releases.tests.screening_setup import NOW, SUMMER_EVENING, add, saved_screenings
from conftest import ROLES, client_for

BASE = "/productions/varsovie-express/releases/premiere/screenings/"
MANAGE = BASE + "manage/"
TEAM = {"crew", "moderator", "director", "producer"}


@pytest.fixture(autouse=True)
def frozen():
    with freeze_time(NOW, tick=True) as clock:
        yield clock


@pytest.fixture
def warsaw(release) -> Screening:
    return add(release)


def form_data(**changes: str) -> dict[str, str]:
    data = {
        "venue": "Kino Pod Baranami",
        "address": "Rynek Główny 27",
        "city": "Kraków",
        "country": "PL",
        "local_start": "2026-02-14T19:30",
        "time_zone": "Europe/Warsaw",
        "language": "pl",
        "subtitles": "en",
        "ticket_url": "https://kinopodbaranami.pl/",
    }
    data.update(changes)
    return data


def field_errors(page: str, field: str) -> str:
    """The errors shown in the field's own block of the form (empty when it shows none)."""
    for block in page.split('<div class="field')[1:]:
        if f'name="{field}"' in block and "has-error" in block.split(">", 1)[0]:
            return block
    return ""


# Who sees the list, and when.


@pytest.mark.parametrize("role", ROLES)
def test_before_the_teaser_only_the_team_sees_the_screenings(studio, release, warsaw, role):
    client = client_for(studio.person(role))
    for path in (BASE, BASE[:-1] + ".ics", BASE + "pl/warszawa.ics"):
        response = client.get(path)
        assert response.status_code == (200 if role in TEAM else 404), (path, response.status_code)
    if role in TEAM:
        page = client.get(BASE).content.decode()
        assert "Kino Muranów" in page and "Only the production's team sees this page" in page


@pytest.mark.parametrize("role", ROLES)
def test_with_the_teaser_published_everyone_sees_them(studio, release, warsaw, role):
    Release.objects.filter(pk=release.pk).update(teaser_published=True)
    client = client_for(studio.person(role))
    page = client.get(BASE)
    assert page.status_code == 200 and "Kino Muranów" in page.content.decode()
    assert "Only the production" not in page.content.decode()
    assert client.get(BASE[:-1] + ".ics").status_code == 200


@pytest.mark.parametrize("role", ROLES)
def test_once_the_release_moment_passes_everyone_sees_them(studio, release, warsaw, role, frozen):
    assert client_for(None).get(BASE).status_code == 404
    frozen.move_to(release.moment + timedelta(seconds=1))
    assert client_for(studio.person(role)).get(BASE).status_code == 200


def test_an_unknown_release_is_not_found(studio, release):
    assert (
        client_for(studio.producer).get("/productions/varsovie-express/releases/nope/screenings/").status_code
        == 404
    )


# The table.


def test_each_row_shows_the_venue_s_local_time_with_its_zone(studio, release, warsaw):
    add(release, venue="Kino Pod Baranami", city="Kraków", local_start=SUMMER_EVENING, subtitles="")
    page = client_for(studio.crew).get(BASE + "?past=1").content.decode()
    assert '<time datetime="2026-01-20T20:00:00+01:00">' in page
    assert '<time datetime="2026-07-15T20:00:00+02:00">' in page
    assert "8 p.m." in page and ">CET</abbr>" in page and ">CEST</abbr>" in page
    assert 'title="Europe/Warsaw, UTC+01:00"' in page
    for expected in ("Kino Muranów", "ul. Gen. Andersa 5", "Warszawa", "Poland", "Polish", "English"):
        assert expected in page
    assert 'href="https://kinomuranow.pl/bilety/varsovie-express" rel="external nofollow noopener"' in page
    # Stacked on a phone: each cell says what it is.
    assert 'data-label="Date and time"' in page and "releases/screenings.css" in page
    assert "2 screenings" in page


def test_the_page_speaks_french_with_a_24_hour_clock_and_french_country_names(studio, release, warsaw):
    page = client_for(studio.crew).get(BASE, HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert ">20:00<" in page and "mardi 20 janvier 2026" in page
    assert ">Pologne<" in page and "polonais" in page.lower()


def test_the_filters_by_country_and_city(studio, release, warsaw):
    Release.objects.filter(pk=release.pk).update(teaser_published=True)
    add(release, venue="Kino Pod Baranami", city="Kraków")
    add(release, venue="Le Grand Rex", city="Paris", country="FR", time_zone="Europe/Paris")
    client = client_for(None)

    def venues(query: str) -> list[str]:
        page = client.get(BASE + query).content.decode()
        return re.findall(r'data-label="Venue">([^<]+)<', page)

    assert venues("") == ["Kino Muranów", "Kino Pod Baranami", "Le Grand Rex"]
    assert venues("?country=FR") == ["Le Grand Rex"]
    assert venues("?country=fr&city=") == ["Le Grand Rex"]
    assert venues("?city=KRAKOW") == ["Kino Pod Baranami"]
    assert venues("?city=krak&country=PL") == ["Kino Pod Baranami"]
    assert venues("?city=krakow&country=FR") == []
    # Values no screening has are ignored rather than refused: the page still lists everything.
    assert venues("?country=ZZ") == ["Kino Muranów", "Kino Pod Baranami", "Le Grand Rex"]
    assert venues("?city=" + "x" * 500) == []
    page = client.get(BASE + "?city=krakow").content.decode()
    assert "No screening matches this search." not in page
    assert 'value="krakow"' in page
    assert BASE + "pl/krakow.ics" in page  # the city's own calendar is offered
    page = client.get(BASE + "?city=Lyon").content.decode()
    assert "No screening matches this search." in page
    # The country select offers the countries with screenings, in the reader's language.
    options = re.findall(r'<option value="([A-Z]{2})"[^>]*>([^<]+)<', page)
    assert options == [("FR", "France"), ("PL", "Poland")]


def test_past_screenings_are_left_out_unless_asked_for(studio, release, warsaw, frozen):
    Release.objects.filter(pk=release.pk).update(teaser_published=True)
    add(release, venue="Kino Atlantic", local_start=datetime(2026, 3, 1, 20, 0))
    frozen.move_to("2026-02-01 12:00:00")
    page = client_for(None).get(BASE).content.decode()
    assert "Kino Atlantic" in page and "Kino Muranów" not in page
    page = client_for(None).get(BASE + "?past=1").content.decode()
    assert "Kino Atlantic" in page and "Kino Muranów" in page


def test_the_list_takes_the_same_number_of_queries_for_many_screenings(studio, release):
    client = client_for(studio.crew)
    add(release)

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(BASE + "?country=PL&city=a").status_code == 200
        return len(queries)

    few = count()
    for day in range(25):
        add(
            release,
            city=["Warszawa", "Gdańsk", "Poznań", "Łódź"][day % 4],
            local_start=datetime(2026, 2, 1 + day, 20),
        )
    assert count() == few


def test_the_fragment_for_the_release_page(studio, release, warsaw):
    request = RequestFactory().get("/")
    html = render_to_string(
        "releases/_screenings.html", {"screenings": [warsaw], "release": release}, request=request
    )
    assert "Kino Muranów" in html and ">CET</abbr>" in html and "Warszawa" in html
    assert BASE in html and BASE[:-1] + ".ics" in html
    rows = screenings.rows_for([warsaw])
    from_rows = render_to_string("releases/_screenings.html", {"screenings": rows, "release": release})
    assert from_rows.count('data-label="Venue">Kino Muranów') == 1
    empty = render_to_string("releases/_screenings.html", {"screenings": [], "release": release})
    assert "No screening is announced yet." in empty


def test_the_release_page_shows_its_screenings(studio, release, warsaw):
    page = client_for(studio.producer).get("/productions/varsovie-express/releases/premiere/")
    assert page.status_code == 200
    assert "Kino Muranów" in page.content.decode() and BASE in page.content.decode()


# The producer's pages.

# (role, status) for the producer's pages of a release whose page is public.
PRODUCER_ONLY = {
    "anonymous": 302,
    "member": 403,
    "crew": 403,
    "moderator": 403,
    "director": 403,
    "producer": 200,
    "staff": 403,
}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("public", [True, False])
def test_only_the_producer_manages_the_screenings(studio, release, warsaw, role, public):
    Release.objects.filter(pk=release.pk).update(teaser_published=public)
    expected = PRODUCER_ONLY[role]
    if not public and role in ("member", "staff"):
        expected = 404  # outsiders cannot tell the release exists
    client = client_for(studio.person(role))
    edit = f"{BASE}{warsaw.pk}/edit/"
    delete = f"{BASE}{warsaw.pk}/delete/"
    before = saved_screenings()

    assert client.get(MANAGE).status_code == expected
    assert client.get(edit).status_code == expected
    added = client.post(MANAGE, form_data())
    edited = client.post(edit, form_data(venue="Kino Atlantic"))
    if role == "producer":
        assert added.status_code == edited.status_code == 302
        assert Screening.objects.count() == 2 and Screening.objects.filter(venue="Kino Atlantic").exists()
        assert client.post(delete).status_code == 302
        assert Screening.objects.count() == 1
        return
    for response in (added, edited, client.post(delete)):
        assert response.status_code == (302 if role == "anonymous" else expected)
        if role == "anonymous":
            assert response["Location"].startswith("/accounts/login/")
    assert saved_screenings() == before


def test_the_public_list_links_to_the_producer_s_page_for_the_producer_only(studio, release, warsaw):
    assert MANAGE in client_for(studio.producer).get(BASE).content.decode()
    assert MANAGE not in client_for(studio.director).get(BASE).content.decode()


def test_adding_a_screening(studio, release):
    client = client_for(studio.producer)
    page = client.get(MANAGE).content.decode()
    assert '<datalist id="time-zones">' in page and '<option value="Europe/Warsaw">' in page
    assert '<option value="PL">Poland</option>' in page
    response = client.post(MANAGE, form_data(time_zone=""), follow=True)
    assert response.redirect_chain[-1][0] == MANAGE
    assert "The screening is added." in response.content.decode()
    screening = Screening.objects.get()
    assert (screening.venue, screening.city, screening.country, screening.time_zone) == (
        "Kino Pod Baranami", "Kraków", "PL", "Europe/Warsaw",
    )  # fmt: skip
    assert screenings.wall_clock(screening) == datetime(2026, 2, 14, 19, 30)
    assert screening.starts_at.isoformat() == "2026-02-14T18:30:00+00:00"
    assert "Kino Pod Baranami" in response.content.decode()


BAD_FORMS = [
    ({"time_zone": "Europe/Varsovie"}, "time_zone", "“Europe/Varsovie” is not a time zone we know"),
    ({"country": "XX"}, "country", "Select a valid choice"),
    (
        {"country": "FR", "time_zone": "Europe/Warsaw"},
        "time_zone",
        "Europe/Warsaw is not a time zone of France",
    ),
    ({"local_start": "2026-03-29T02:30"}, "local_start", "does not exist in Europe/Warsaw"),
    ({"local_start": "2026-01-01T20:00"}, "local_start", "is already past"),
    ({"local_start": "next friday"}, "local_start", "Enter a valid date/time."),
    ({"local_start": "2026-02-14T19:30+01:00"}, "local_start", "without an offset"),
    # The ends of the calendar, where moving to another zone overflows.
    (
        {"local_start": "9999-12-31T23:00", "country": "US", "time_zone": "America/Los_Angeles"},
        "local_start",
        "at most ten years ahead",
    ),
    (
        {"local_start": "0001-01-01T00:00", "country": "JP", "time_zone": "Asia/Tokyo"},
        "local_start",
        "would be in the past",
    ),
    ({"venue": " "}, "venue", "This field is required."),
    ({"city": "???"}, "city", "Write the city&#x27;s name with letters."),
    ({"ticket_url": "javascript:alert(1)"}, "ticket_url", "must be a web address"),
    ({"language": "klingon"}, "language", "“klingon” is not a language tag"),
    ({"subtitles": "xx-YY"}, "subtitles", "“xx-YY” is not a language tag"),
]


@pytest.mark.parametrize(("changes", "field", "message"), BAD_FORMS)
def test_a_bad_form_shows_the_error_beside_its_field_and_keeps_what_was_typed(
    studio, release, changes, field, message
):
    data = form_data(**changes)
    response = client_for(studio.producer).post(MANAGE, data)
    assert response.status_code == 200
    page = response.content.decode()
    assert message in field_errors(page, field), page
    for name, value in data.items():
        if name == "country":
            assert value == "XX" or f'<option value="{value}" selected>' in page
        else:
            assert f'value="{value}"' in page, name
    assert not Screening.objects.exists()


def test_several_bad_fields_are_all_shown_at_once(studio, release):
    page = (
        client_for(studio.producer)
        .post(MANAGE, form_data(language="?", ticket_url="ftp://x", venue=""))
        .content.decode()
    )
    assert field_errors(page, "language") and field_errors(page, "ticket_url") and field_errors(page, "venue")


def test_a_repeated_hour_asks_which_one_and_keeps_the_answer(studio, release):
    client = client_for(studio.producer)
    page = client.post(MANAGE, form_data(local_start="2026-10-25T02:30")).content.decode()
    assert not Screening.objects.exists()
    errors = field_errors(page, "occurrence")
    assert "happens twice in Europe/Warsaw" in errors
    assert 'type="radio" name="occurrence" value="first"' in page and "CEST, UTC+02:00" in page
    assert 'type="radio" name="occurrence" value="second"' in page and "CET, UTC+01:00" in page
    assert 'value="2026-10-25T02:30"' in page

    assert (
        client.post(MANAGE, form_data(local_start="2026-10-25T02:30", occurrence="second")).status_code == 302
    )
    screening = Screening.objects.get()
    assert screening.starts_at.isoformat() == "2026-10-25T01:30:00+00:00"
    # Its edit page asks the question again, with the answer given.
    page = client.get(f"{BASE}{screening.pk}/edit/").content.decode()
    assert re.search(r'type="radio" name="occurrence" value="second"[^>]*checked', page)
    assert client.post(
        f"{BASE}{screening.pk}/edit/", form_data(local_start="2026-10-25T02:30", occurrence="first")
    )
    assert Screening.objects.get().starts_at.isoformat() == "2026-10-25T00:30:00+00:00"


def test_editing_a_screening(studio, release, warsaw):
    client = client_for(studio.producer)
    edit = f"{BASE}{warsaw.pk}/edit/"
    page = client.get(edit).content.decode()
    for shown in ('value="Kino Muranów"', 'value="2026-01-20T20:00"', 'value="Europe/Warsaw"', 'value="pl"'):
        assert shown in page
    assert re.search(r'<option value="PL" selected>', page)
    page = client.post(edit, form_data(time_zone="Mars/Olympus")).content.decode()
    assert "“Mars/Olympus” is not a time zone we know" in field_errors(page, "time_zone")
    assert Screening.objects.get().venue == "Kino Muranów"
    assert client.post(edit, form_data()).status_code == 302
    assert Screening.objects.get().venue == "Kino Pod Baranami"


def test_another_release_s_screening_is_not_found(studio, release, warsaw, film):
    other = Release.objects.create(
        production=studio.production, slug="director-s-cut", title="Cut", license="CC-BY-4.0"
    )
    client = client_for(studio.producer)
    path = f"/productions/varsovie-express/releases/{other.slug}/screenings/{warsaw.pk}/"
    assert client.get(path + "edit/").status_code == 404
    assert client.post(path + "delete/").status_code == 404
    assert Screening.objects.count() == 1


def test_deleting_takes_a_post(studio, release, warsaw):
    client = client_for(studio.producer)
    assert client.get(f"{BASE}{warsaw.pk}/delete/").status_code == 405
    response = client.post(f"{BASE}{warsaw.pk}/delete/", follow=True)
    assert "The screening at Kino Muranów, Warszawa is deleted." in response.content.decode()
    assert not Screening.objects.exists()
