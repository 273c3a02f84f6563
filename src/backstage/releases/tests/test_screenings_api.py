"""Screenings through the API: the public list and its filters, the producers' writes, refusals, bad input."""

from datetime import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from freezegun import freeze_time

from backstage.api.tests.api_client import api_as, assert_error
from backstage.releases.models import Release, Screening
from backstage.releases.tests.screening_setup import NOW, SUMMER_EVENING, add, saved_screenings
from conftest import ROLES

LIST = "/productions/varsovie-express/releases/premiere/screenings"
TEAM = {"crew", "moderator", "director", "producer"}
NEW = {
    "venue": "Kino Pod Baranami",
    "address": "Rynek Główny 27",
    "city": "Kraków",
    "country": "pl",
    "local_start": "2026-02-14T19:30",
    "time_zone": "Europe/Warsaw",
    "ticket_url": "https://kinopodbaranami.pl/",
    "language": "pl",
    "subtitles": "en",
}


@pytest.fixture(autouse=True)
def frozen():
    with freeze_time(NOW, tick=True) as clock:
        yield clock


@pytest.fixture
def warsaw(release) -> Screening:
    return add(release)


def publish(release: Release) -> None:
    Release.objects.filter(pk=release.pk).update(teaser_published=True)


# Reading.


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("public", [False, True])
def test_who_reads_the_list(studio, release, warsaw, role, public):
    if public:
        publish(release)
    client = api_as(studio.person(role))
    response = client.get(LIST)
    one = client.get(f"{LIST}/{warsaw.pk}")
    if public or role in TEAM:
        assert response.status_code == one.status_code == 200
        assert [item["id"] for item in response.json()["items"]] == [warsaw.pk]
        assert one.json()["venue"] == "Kino Muranów"
    else:
        assert_error(response, 404, "not_found")
        assert_error(one, 404, "not_found")


def test_a_screening_as_the_api_gives_it(studio, release, warsaw):
    publish(release)
    body = api_as(None).get(f"{LIST}/{warsaw.pk}").json()
    assert body == {
        "id": warsaw.pk,
        "venue": "Kino Muranów",
        "address": "ul. Gen. Andersa 5",
        "city": "Warszawa",
        "city_slug": "warszawa",
        "country": "PL",
        "country_name": "Poland",
        "local_start": "2026-01-20T20:00:00",
        "time_zone": "Europe/Warsaw",
        "time_zone_abbreviation": "CET",
        "starts_at": "2026-01-20T19:00:00Z",
        "ticket_url": "https://kinomuranow.pl/bilety/varsovie-express",
        "language": "pl",
        "subtitles": "en",
        "calendar_url": "/productions/varsovie-express/releases/premiere/screenings/pl/warszawa.ics",
    }
    french = api_as(None).get(f"{LIST}/{warsaw.pk}", **{"Accept-Language": "fr"}).json()
    assert french["country_name"] == "Pologne"


def test_the_list_s_filters(studio, release, warsaw, frozen):
    publish(release)
    krakow = add(release, venue="Kino Pod Baranami", city="Kraków", local_start=SUMMER_EVENING)
    paris = add(release, venue="Le Grand Rex", city="Paris", country="FR", time_zone="Europe/Paris")
    client = api_as(None)

    def ids(query: str) -> list[int]:
        response = client.get(LIST + query)
        assert response.status_code == 200, response.content
        return [item["id"] for item in response.json()["items"]]

    assert ids("") == [warsaw.pk, paris.pk, krakow.pk]
    assert ids("?country=FR") == [paris.pk]
    assert ids("?country=fr") == [paris.pk]
    assert ids("?city=krakow") == [krakow.pk]
    assert ids("?city=KRAK%C3%93W&country=PL") == [krakow.pk]
    assert ids("?city=krakow&country=FR") == []
    assert ids("?limit=1&offset=1") == [paris.pk]
    assert client.get(LIST + "?limit=1").json()["count"] == 3
    assert_error(client.get(LIST + "?country=POL"), 422, field="country")
    assert_error(client.get(LIST + "?country=P%00"), 422, field="country")
    assert ids("?city=Krak%00") == [krakow.pk]  # a search ignores what is not part of a name
    frozen.move_to("2026-02-01 00:00:00")
    assert ids("") == [krakow.pk]
    assert ids("?include_past=true") == [warsaw.pk, paris.pk, krakow.pk]


def test_the_list_takes_the_same_number_of_queries_for_many_screenings(studio, release):
    publish(release)
    add(release)
    client = api_as(studio.member)

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(LIST + "?country=PL&city=a&limit=100").status_code == 200
        return len(queries)

    count()  # the token's first use is recorded once
    few = count()
    for day in range(20):
        add(release, city=["Warszawa", "Gdańsk"][day % 2], local_start=datetime(2026, 2, 1 + day, 20))
    assert count() == few


# Writing: the producer only.


def expected_write_status(role: str, public: bool, success: int) -> int:
    if role == "anonymous":
        return 401
    if role == "producer":
        return success
    if role in TEAM or public:
        return 403
    return 404  # outsiders cannot tell a hidden release exists


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("public", [False, True])
def test_only_the_producer_writes(studio, release, warsaw, role, public):
    if public:
        publish(release)
    client = api_as(studio.person(role))
    before = saved_screenings()
    created = client.post(LIST, NEW)
    updated = client.patch(f"{LIST}/{warsaw.pk}", {"venue": "Kino Atlantic"})
    assert created.status_code == expected_write_status(role, public, 201), created.content
    assert updated.status_code == expected_write_status(role, public, 200), updated.content
    if role == "producer":
        assert created.json()["venue"] == "Kino Pod Baranami" and created.json()["country"] == "PL"
        assert updated.json()["venue"] == "Kino Atlantic"
        assert client.delete(f"{LIST}/{created.json()['id']}").status_code == 204
        assert Screening.objects.count() == 1
        return
    for response in (created, updated):
        assert_error(response, response.status_code)
    assert_error(client.delete(f"{LIST}/{warsaw.pk}"), expected_write_status(role, public, 204))
    assert saved_screenings() == before


def test_creating_computes_the_instant(studio, release):
    body = api_as(studio.producer).post(LIST, {**NEW, "time_zone": ""}).json()
    assert body["time_zone"] == "Europe/Warsaw"  # Poland has only one
    assert body["local_start"] == "2026-02-14T19:30:00" and body["starts_at"] == "2026-02-14T18:30:00Z"
    assert body["time_zone_abbreviation"] == "CET"


def test_a_repeated_hour_needs_its_occurrence_and_keeps_it_through_edits(studio, release):
    client = api_as(studio.producer)
    ambiguous = {**NEW, "local_start": "2026-10-25T02:30"}
    assert_error(client.post(LIST, ambiguous), 400, "ambiguous_local_time", "occurrence")
    assert not Screening.objects.exists()
    body = client.post(LIST, {**ambiguous, "occurrence": "second"}).json()
    assert body["starts_at"] == "2026-10-25T01:30:00Z" and body["time_zone_abbreviation"] == "CET"
    edited = client.patch(f"{LIST}/{body['id']}", {"venue": "Kino Mikro"}).json()
    assert edited["starts_at"] == "2026-10-25T01:30:00Z"
    edited = client.patch(f"{LIST}/{body['id']}", {"occurrence": "first"}).json()
    assert edited["starts_at"] == "2026-10-25T00:30:00Z" and edited["time_zone_abbreviation"] == "CEST"
    # Moved to another ambiguous time, the question is asked again.
    moved = client.patch(f"{LIST}/{body['id']}", {"local_start": "2026-10-25T02:45"})
    assert_error(moved, 400, "ambiguous_local_time", "occurrence")


def test_a_partial_update_keeps_the_rest(studio, release, warsaw):
    body = api_as(studio.producer).patch(f"{LIST}/{warsaw.pk}", {"city": "Warsaw", "subtitles": ""}).json()
    assert body["city"] == "Warsaw" and body["subtitles"] == "" and body["venue"] == "Kino Muranów"
    assert body["starts_at"] == "2026-01-20T19:00:00Z"


BAD_BODIES = [
    ({"time_zone": "Europe/Varsovie"}, 400, "unknown_time_zone", "time_zone"),
    ({"country": "XX"}, 400, "unknown_country", "country"),
    ({"country": "FR"}, 400, "time_zone_elsewhere", "time_zone"),
    ({"local_start": "2026-03-29T02:30"}, 400, "nonexistent_local_time", "local_start"),
    ({"local_start": "2025-12-24T20:00"}, 400, "in_the_past", "local_start"),
    ({"local_start": "2099-01-01T20:00"}, 400, "too_far_ahead", "local_start"),
    ({"ticket_url": "javascript:alert(1)"}, 400, "bad_ticket_url", "ticket_url"),
    ({"language": "xx"}, 400, "bad_language", "language"),
    ({"city": "---"}, 400, "bad_city", "city"),
    ({"local_start": "2026-02-14T19:30:00+01:00"}, 422, "invalid", "local_start"),
    ({"local_start": 1771097400}, 422, "invalid", "local_start"),
    ({"local_start": "tomorrow"}, 422, "invalid", "local_start"),
    ({"local_start": "0001-01-01T00:00"}, 400, "in_the_past", "local_start"),
    ({"local_start": "9999-12-31T23:59"}, 400, "too_far_ahead", "local_start"),
    ({"country": "POL"}, 422, "invalid", "country"),
    ({"venue": "  "}, 422, "invalid", "venue"),
    ({"venue": "x" * 201}, 422, "invalid", "venue"),
    ({"occurrence": "third"}, 422, "invalid", "occurrence"),
    ({"time_zone": "x" * 65}, 422, "invalid", "time_zone"),
    ({"venue": "Kino\x00"}, 422, "invalid", "venue"),
]


@pytest.mark.parametrize(("changes", "status", "code", "field"), BAD_BODIES)
def test_bad_input_is_refused_clearly_and_nothing_is_saved(
    studio, release, warsaw, changes, status, code, field
):
    client = api_as(studio.producer)
    before = saved_screenings()
    assert_error(client.post(LIST, {**NEW, **changes}), status, code, field)
    assert_error(client.patch(f"{LIST}/{warsaw.pk}", changes), status, code, field)
    assert saved_screenings() == before


def test_missing_fields_and_unknown_screenings(studio, release, warsaw):
    client = api_as(studio.producer)
    assert_error(client.post(LIST, {"venue": "Kino"}), 422, "invalid")
    assert_error(client.post(LIST, [NEW]), 422, "invalid")
    assert_error(client.patch(f"{LIST}/999999", {"venue": "Kino"}), 404, "not_found")
    assert_error(client.delete(f"{LIST}/999999"), 404, "not_found")
    other = Release.objects.create(production=studio.production, slug="cut", title="Cut", license="CC-BY-4.0")
    elsewhere = f"/productions/varsovie-express/releases/{other.slug}/screenings/{warsaw.pk}"
    assert_error(client.get(elsewhere), 404, "not_found")
    assert_error(client.delete(elsewhere), 404, "not_found")
    assert Screening.objects.count() == 1
