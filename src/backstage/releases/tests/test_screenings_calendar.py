"""The screenings' iCalendar feeds: valid files, the right instants across the changes of the clocks."""

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.test import override_settings
from freezegun import freeze_time
from icalendar import Calendar

from backstage.media.models import Asset
from backstage.releases.models import Release, Screening
from backstage.releases.tests.screening_setup import NOW, SUMMER_EVENING, WINTER_EVENING, add
from conftest import ROLES, client_for

FEED = "/productions/varsovie-express/releases/premiere/screenings.ics"
CITY_FEED = "/productions/varsovie-express/releases/premiere/screenings/{country}/{city}.ics"
TEAM = {"crew", "moderator", "director", "producer"}


@pytest.fixture(autouse=True)
def frozen():
    with freeze_time(NOW, tick=True) as clock:
        yield clock


@pytest.fixture
def public(release) -> Release:
    Release.objects.filter(pk=release.pk).update(teaser_published=True)
    release.refresh_from_db()
    return release


def fetch(path: str, user=None, **headers) -> Calendar:
    response = client_for(user).get(path, **headers)
    assert response.status_code == 200, response.content
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    calendar = Calendar.from_ical(response.content)
    # Every TZID an event uses has its VTIMEZONE in the file (RFC 5545, 3.2.19).
    assert calendar.get_missing_tzids() == set()
    return calendar


def events(calendar: Calendar) -> list:
    return sorted(calendar.walk("VEVENT"), key=lambda event: event.decoded("dtstart").astimezone(UTC))


def start(event) -> datetime:
    return event.decoded("dtstart")


def test_the_feed_is_a_valid_calendar_with_one_event_per_screening(public):
    screening = add(public, local_start=WINTER_EVENING)
    add(public, venue="Le Grand Rex", city="Paris", country="FR", time_zone="Europe/Paris", ticket_url="")
    response = client_for(None).get(FEED)
    assert response["Content-Disposition"] == 'inline; filename="varsovie-express-screenings.ics"'
    text = response.content.decode()
    assert text.startswith("BEGIN:VCALENDAR\r\n") and text.endswith("END:VCALENDAR\r\n")
    assert all(len(line.encode()) <= 75 for line in text.split("\r\n"))  # folded as RFC 5545 asks

    calendar = fetch(FEED)
    assert str(calendar["version"]) == "2.0" and str(calendar["prodid"]) == "-//Backstage//Screenings//EN"
    assert str(calendar["x-wr-calname"]) == "Varsovie-Express: screenings"
    # Its name is TEXT: commas and semicolons in a title are escaped.
    Release.objects.filter(pk=public.pk).update(title="Trains; night, day")
    named = client_for(None).get(FEED).content.decode()
    assert "\r\nX-WR-CALNAME:Trains\\; night\\, day: screenings\r\n" in named
    assert {str(zone["tzid"]) for zone in calendar.walk("VTIMEZONE")} == {"Europe/Warsaw", "Europe/Paris"}
    warsaw, paris = events(calendar)
    assert str(warsaw["uid"]) == f"screening-{screening.pk}@127.0.0.1"
    assert warsaw.decoded("dtstamp") == screening.updated_at.replace(microsecond=0)
    assert str(warsaw["summary"]) == "Varsovie-Express at Kino Muranów"
    assert str(warsaw["location"]) == "Kino Muranów, ul. Gen. Andersa 5, Warszawa, Poland"
    assert str(warsaw["url"]) == "https://kinomuranow.pl/bilety/varsovie-express"
    assert warsaw.decoded("duration") == timedelta(hours=2)  # the film's length is not known
    description = str(warsaw["description"])
    assert "8 p.m. local time (CET, Europe/Warsaw)." in description and "Language: Polish." in description
    assert "Subtitles: English." in description and "Tickets: https://kinomuranow.pl/" in description
    # Without a ticket link, the event points at the release page.
    assert str(paris["url"]) == "http://127.0.0.1:8000/productions/varsovie-express/releases/premiere/"


def test_the_uid_stays_the_same_when_the_screening_changes(studio, public, frozen):
    from backstage.releases import screenings
    from backstage.releases.tests.screening_setup import screening_values

    screening = add(public)
    before = events(fetch(FEED))[0]
    frozen.tick(timedelta(minutes=5))
    screenings.edit_screening(
        actor=studio.producer, screening=screening, **screening_values(venue="Kino Atlantic")
    )
    after = events(fetch(FEED))[0]
    assert after["uid"] == before["uid"] and str(after["summary"]) == "Varsovie-Express at Kino Atlantic"
    assert after.decoded("dtstamp") > before.decoded("dtstamp")


@override_settings(SITE_URL="https://studio.example")
def test_addresses_and_uids_use_the_site_s_address(public):
    screening = add(public, ticket_url="")
    event = events(fetch(FEED))[0]
    assert str(event["uid"]) == f"screening-{screening.pk}@studio.example"
    assert str(event["url"]) == "https://studio.example/productions/varsovie-express/releases/premiere/"


def test_20_00_in_warsaw_in_winter_and_in_summer(public):
    add(public, local_start=WINTER_EVENING)
    add(public, local_start=SUMMER_EVENING)
    winter, summer = events(fetch(FEED))
    for event, instant, name in (
        (winter, datetime(2026, 1, 20, 19, 0, tzinfo=UTC), "CET"),
        (summer, datetime(2026, 7, 15, 18, 0, tzinfo=UTC), "CEST"),
    ):
        assert event["dtstart"].params["TZID"] == "Europe/Warsaw"
        assert event["dtstart"].to_ical().decode().endswith("T200000")  # 20:00 on the venue's clock
        assert start(event).astimezone(UTC) == instant
        assert start(event).astimezone(ZoneInfo("Europe/Warsaw")).tzname() == name


def test_the_file_s_own_time_zone_rules_give_the_same_instants(public):
    # A client that trusts the file's VTIMEZONE rather than its own database must land on the same instants.
    add(public, local_start=WINTER_EVENING)
    add(public, local_start=datetime(2026, 3, 29, 20, 0))
    add(public, local_start=SUMMER_EVENING)
    calendar = fetch(FEED)
    rules = calendar.walk("VTIMEZONE")[0].to_tz()
    for event in events(calendar):
        wall = start(event).replace(tzinfo=None)
        assert wall.replace(tzinfo=rules).astimezone(UTC) == start(event).astimezone(UTC)


def test_screenings_across_the_night_the_clocks_go_forward(public):
    add(public, local_start=datetime(2026, 3, 28, 23, 30))  # CET, and still running when the clocks change
    add(public, local_start=datetime(2026, 3, 29, 3, 30))  # CEST, just after the change
    add(public, local_start=datetime(2026, 3, 29, 20, 0))  # CEST
    late, early, evening = events(fetch(FEED))
    assert start(late).astimezone(UTC) == datetime(2026, 3, 28, 22, 30, tzinfo=UTC)
    assert start(late).astimezone(UTC) + late.decoded("duration") == datetime(2026, 3, 29, 0, 30, tzinfo=UTC)
    assert start(early).astimezone(UTC) == datetime(2026, 3, 29, 1, 30, tzinfo=UTC)
    assert start(evening).astimezone(UTC) == datetime(2026, 3, 29, 18, 0, tzinfo=UTC)


def test_the_second_of_two_identical_hours_is_written_in_utc(public):
    add(public, local_start=datetime(2026, 10, 25, 2, 30), occurrence="first")
    add(public, local_start=datetime(2026, 10, 25, 2, 30), occurrence="second")
    text = client_for(None).get(FEED).content.decode()
    assert "DTSTART;TZID=Europe/Warsaw:20261025T023000\r\n" in text
    assert "DTSTART:20261025T013000Z\r\n" in text
    first, second = events(fetch(FEED))
    assert start(first).astimezone(UTC) == datetime(2026, 10, 25, 0, 30, tzinfo=UTC)
    assert start(second) == datetime(2026, 10, 25, 1, 30, tzinfo=UTC)
    assert "2:30 a.m. local time (CET, Europe/Warsaw)." in str(second["description"])


def test_the_duration_is_the_film_s_length_when_known(public, film):
    Asset.objects.filter(pk=film.pk).update(probe={"duration": 5537.4})
    add(public)
    event = events(fetch(FEED))[0]
    assert event.decoded("duration") == timedelta(seconds=5537)


def test_the_feed_of_one_city(public):
    add(public, city="Kraków", venue="Kino Pod Baranami")
    add(public, city="KRAKOW", venue="Kino Mikro", local_start=SUMMER_EVENING)
    add(public)
    add(public, venue="Le Grand Rex", city="Paris", country="FR", time_zone="Europe/Paris")
    for country, city in (("pl", "krakow"), ("PL", "Krak%C3%B3w"), ("pl", "KRAKÓW")):
        calendar = fetch(CITY_FEED.format(country=country, city=city))
        assert [str(event["location"]).split(",")[0] for event in events(calendar)] == [
            "Kino Pod Baranami",
            "Kino Mikro",
        ]
    assert str(calendar["x-wr-calname"]) == "Varsovie-Express: screenings in Kraków (Poland)"
    response = client_for(None).get(CITY_FEED.format(country="pl", city="krakow"))
    assert response["Content-Disposition"] == 'inline; filename="varsovie-express-screenings-pl-krakow.ics"'
    for country, city in (("fr", "krakow"), ("zz", "krakow"), ("pl", "krak"), ("pl", "---")):
        assert client_for(None).get(CITY_FEED.format(country=country, city=city)).status_code == 404


def test_a_city_in_another_script_has_its_feed(public):
    add(public, venue="Toho Cinemas", city="東京", country="JP", time_zone="Asia/Tokyo", language="ja")
    calendar = fetch(CITY_FEED.format(country="jp", city="%E6%9D%B1%E4%BA%AC"))
    assert start(events(calendar)[0]) == datetime(2026, 1, 20, 20, 0, tzinfo=ZoneInfo("Asia/Tokyo"))


def test_an_empty_release_gives_an_empty_valid_calendar(public):
    calendar = fetch(FEED)
    assert calendar.walk("VEVENT") == [] and calendar.walk("VTIMEZONE") == []


def test_past_screenings_stay_in_the_feed(public, frozen):
    add(public, local_start=datetime(2026, 1, 6, 20, 0))
    frozen.move_to("2026-02-01 00:00:00")
    assert len(events(fetch(FEED))) == 1


def test_the_feed_speaks_the_reader_s_language(public):
    add(public)
    event = events(fetch(FEED, HTTP_ACCEPT_LANGUAGE="fr"))[0]
    assert "Pologne" in str(event["location"]) and "20:00" in str(event["description"])


@pytest.mark.parametrize("role", ROLES)
def test_the_feeds_follow_the_release_page_s_visibility(studio, release, role, frozen):
    add(release)
    expected = 200 if role in TEAM else 404
    client = client_for(studio.person(role))
    assert client.get(FEED).status_code == expected
    assert client.get(CITY_FEED.format(country="pl", city="warszawa")).status_code == expected
    frozen.move_to(release.moment + timedelta(minutes=1))
    assert client.get(FEED).status_code == 200
    assert client.get(CITY_FEED.format(country="pl", city="warszawa")).status_code == 200


def test_the_time_zone_rules_cover_the_screenings_only(public):
    add(public, local_start=WINTER_EVENING)
    add(public, local_start=SUMMER_EVENING)
    text = client_for(None).get(FEED).content.decode()
    zone = Calendar.from_ical(text).walk("VTIMEZONE")[0]
    onsets = [part.decoded("dtstart") for part in zone.walk() if part.name in ("STANDARD", "DAYLIGHT")]
    assert min(onsets).date() >= date(2026, 1, 17) and max(onsets).date() <= date(2026, 7, 18)
    assert Screening.objects.count() == 2
