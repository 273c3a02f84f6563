"""Screenings through their services: who may add, edit and delete them, the checks, and the time zones."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from freezegun import freeze_time

from backstage.core.errors import NotAllowed, ServiceError
from backstage.releases import screenings
from backstage.releases.models import Release, Screening
from backstage.releases.tests.screening_setup import (
    NOW,
    SUMMER_EVENING,
    WINTER_EVENING,
    add,
    saved_screenings,
    screening_values,
)
from conftest import ROLES

WARSAW = ZoneInfo("Europe/Warsaw")


@pytest.fixture(autouse=True)
def frozen():
    with freeze_time(NOW, tick=True) as clock:
        yield clock


def actor_for(studio, role):
    from django.contrib.auth.models import AnonymousUser

    return studio.person(role) or AnonymousUser()


# Who may act.


@pytest.mark.parametrize("role", ROLES)
def test_only_the_producer_adds_a_screening(studio, release, role):
    actor = actor_for(studio, role)
    if role == "producer":
        screening = screenings.add_screening(actor=actor, release=release, **screening_values())
        assert Screening.objects.get() == screening
        return
    with pytest.raises(NotAllowed) as refused:
        screenings.add_screening(actor=actor, release=release, **screening_values())
    assert refused.value.code == "forbidden" and refused.value.status == 403
    assert not Screening.objects.exists()


@pytest.mark.parametrize("role", ROLES)
def test_only_the_producer_edits_and_deletes_a_screening(studio, release, role):
    screening = add(release)
    before = saved_screenings()
    actor = actor_for(studio, role)
    if role == "producer":
        edited = screenings.edit_screening(
            actor=actor, screening=screening, **screening_values(venue="Kino Atlantic")
        )
        assert edited.venue == "Kino Atlantic"
        screenings.delete_screening(actor=actor, screening=screening)
        assert not Screening.objects.exists()
        return
    with pytest.raises(NotAllowed):
        screenings.edit_screening(actor=actor, screening=screening, **screening_values(venue="Kino Atlantic"))
    with pytest.raises(NotAllowed):
        screenings.delete_screening(actor=actor, screening=screening)
    assert saved_screenings() == before


def test_an_inactive_producer_may_not_act(studio, release):
    studio.producer.is_active = False
    studio.producer.save()
    with pytest.raises(NotAllowed):
        screenings.add_screening(actor=studio.producer, release=release, **screening_values())


def test_every_change_bumps_the_release_version_for_cached_pages(studio, release):
    screening = add(release)
    assert Release.objects.get(pk=release.pk).version == 2
    screenings.edit_screening(actor=studio.producer, screening=screening, **screening_values(city="Kraków"))
    assert Release.objects.get(pk=release.pk).version == 3
    screenings.delete_screening(actor=studio.producer, screening=screening)
    assert Release.objects.get(pk=release.pk).version == 4


# What is stored.


def test_the_values_are_tidied_and_kept(release):
    screening = add(
        release, venue="  Kino   Muranów ", city=" Warszawa ", country="pl", time_zone="europe/warsaw",
        language="PL", subtitles="en-gb", ticket_url=" https://kinomuranow.pl/ ",
    )  # fmt: skip
    screening.refresh_from_db()
    assert screening.venue == "Kino Muranów" and screening.city == "Warszawa"
    assert screening.country == "PL" and screening.time_zone == "Europe/Warsaw"
    assert screening.language == "pl" and screening.subtitles == "en-GB"
    assert screening.ticket_url == "https://kinomuranow.pl/"
    assert screenings.wall_clock(screening) == WINTER_EVENING


def test_the_country_s_only_time_zone_is_taken_when_none_is_given(release):
    assert add(release, time_zone="").time_zone == "Europe/Warsaw"
    with pytest.raises(ServiceError) as refused:
        add(release, country="US", city="New York", time_zone="")
    assert refused.value.code == "time_zone_required" and refused.value.field == "time_zone"
    assert "America/New_York" in str(refused.value.message)


# Time zones: the wall clock the venue announces, and the instant it means.


def test_20_00_in_warsaw_in_winter_is_19_00_utc_cet(release):
    screening = add(release, local_start=WINTER_EVENING)
    screening.refresh_from_db()
    assert screening.starts_at == datetime(2026, 1, 20, 19, 0, tzinfo=UTC)
    local = screenings.local_start_of(screening)
    assert (local.hour, local.minute, local.tzname()) == (20, 0, "CET")


def test_20_00_in_warsaw_in_summer_is_18_00_utc_cest(release):
    screening = add(release, local_start=SUMMER_EVENING)
    screening.refresh_from_db()
    assert screening.starts_at == datetime(2026, 7, 15, 18, 0, tzinfo=UTC)
    local = screenings.local_start_of(screening)
    assert (local.hour, local.minute, local.tzname()) == (20, 0, "CEST")


def test_the_night_the_clocks_go_forward(release):
    before = add(release, local_start=datetime(2026, 3, 28, 23, 30))
    after = add(release, local_start=datetime(2026, 3, 29, 3, 30))
    evening = add(release, local_start=datetime(2026, 3, 29, 20, 0))
    assert before.starts_at == datetime(2026, 3, 28, 22, 30, tzinfo=UTC)
    assert after.starts_at == datetime(2026, 3, 29, 1, 30, tzinfo=UTC)
    assert evening.starts_at == datetime(2026, 3, 29, 18, 0, tzinfo=UTC)
    # The clocks skip from 02:00 to 03:00: a time in between never shows in Warsaw.
    with pytest.raises(ServiceError) as refused:
        add(release, local_start=datetime(2026, 3, 29, 2, 30))
    assert refused.value.code == "nonexistent_local_time" and refused.value.field == "local_start"
    assert "Europe/Warsaw" in str(refused.value.message) and "3:30" in str(refused.value.message)
    assert Screening.objects.count() == 3


def test_the_night_the_clocks_go_back_asks_which_time_is_meant(release):
    with pytest.raises(ServiceError) as refused:
        add(release, local_start=datetime(2026, 10, 25, 2, 30))
    error = refused.value
    assert error.code == "ambiguous_local_time" and error.field == "occurrence"
    assert "CEST, UTC+02:00" in str(error.message) and "CET, UTC+01:00" in str(error.message)
    assert not Screening.objects.exists()

    first = add(release, local_start=datetime(2026, 10, 25, 2, 30), occurrence="first")
    second = add(release, local_start=datetime(2026, 10, 25, 2, 30), occurrence="second")
    assert first.starts_at == datetime(2026, 10, 25, 0, 30, tzinfo=UTC)
    assert second.starts_at == datetime(2026, 10, 25, 1, 30, tzinfo=UTC)
    assert screenings.occurrence_of(first) == "first" and screenings.occurrence_of(second) == "second"
    assert screenings.local_start_of(second).tzname() == "CET"
    # Elsewhere in the year the choice does not matter and is not needed.
    assert screenings.occurrence_of(add(release)) is None


def test_editing_keeps_the_instant_in_step_with_the_local_time(studio, release):
    screening = add(release, local_start=WINTER_EVENING)
    moved = screenings.edit_screening(
        actor=studio.producer, screening=screening,
        **screening_values(local_start=datetime(2026, 2, 1, 21, 15), time_zone="Europe/London", country="GB",
                           city="London"),
    )  # fmt: skip
    assert moved.starts_at == datetime(2026, 2, 1, 21, 15, tzinfo=UTC)
    assert Screening.objects.get().time_zone == "Europe/London"


def test_a_screening_may_come_before_the_release_moment_but_not_before_now(studio, release):
    preview = add(release, local_start=datetime(2026, 1, 8, 20, 0))  # the release is on 12 January
    assert preview.starts_at < release.moment
    with pytest.raises(ServiceError) as refused:
        add(release, local_start=datetime(2026, 1, 5, 10, 30))  # 09:30 UTC: half an hour ago
    assert refused.value.code == "in_the_past" and refused.value.field == "local_start"
    with pytest.raises(ServiceError) as refused:
        add(release, local_start=datetime(1, 1, 1, 0, 0))
    assert refused.value.code == "in_the_past"
    with pytest.raises(ServiceError) as refused:
        add(release, local_start=datetime(9999, 12, 31, 23, 59), time_zone="Pacific/Kiritimati", country="KI")
    assert refused.value.code == "too_far_ahead"
    assert Screening.objects.count() == 1


def test_a_past_screening_can_be_corrected_but_not_moved_into_the_past(studio, release, frozen):
    screening = add(release, local_start=WINTER_EVENING)
    frozen.move_to("2026-02-01 12:00:00")
    fixed = screenings.edit_screening(
        actor=studio.producer, screening=screening, **screening_values(venue="Muranów")
    )
    assert fixed.venue == "Muranów" and fixed.starts_at == screening.starts_at
    with pytest.raises(ServiceError) as refused:
        screenings.edit_screening(
            actor=studio.producer,
            screening=screening,
            **screening_values(local_start=datetime(2026, 1, 21, 20, 0)),
        )
    assert refused.value.code == "in_the_past"


# Bad input: a clear error naming the field, and nothing saved.

BAD_INPUT = [
    ({"time_zone": "Europe/Varsovie"}, "unknown_time_zone", "time_zone", "Europe/Varsovie"),
    ({"time_zone": "localtime"}, "unknown_time_zone", "time_zone", "localtime"),
    ({"time_zone": "x" * 300}, "unknown_time_zone", "time_zone", None),
    ({"time_zone": "America/New_York"}, "time_zone_elsewhere", "time_zone", "Poland"),
    ({"country": "XX"}, "unknown_country", "country", "XX"),
    ({"country": "Poland"}, "unknown_country", "country", "Poland"),
    ({"country": ""}, "unknown_country", "country", None),
    ({"venue": "   "}, "required", "venue", None),
    ({"venue": "x" * 201}, "too_long", "venue", None),
    ({"address": "x" * 301}, "too_long", "address", None),
    ({"city": ""}, "required", "city", None),
    ({"city": "!!!"}, "bad_city", "city", None),
    ({"ticket_url": "javascript:alert(1)"}, "bad_ticket_url", "ticket_url", None),
    ({"ticket_url": "ftp://kino.example/tickets"}, "bad_ticket_url", "ticket_url", None),
    ({"ticket_url": "https://kino.example/" + "x" * 500}, "bad_ticket_url", "ticket_url", None),
    ({"language": ""}, "bad_language", "language", None),
    ({"language": "polish"}, "bad_language", "language", "polish"),
    ({"language": "qq"}, "bad_language", "language", "qq"),
    ({"subtitles": "en_GB!"}, "bad_language", "subtitles", "en_GB!"),
    (
        {"occurrence": "third", "local_start": datetime(2026, 10, 25, 2, 30)},
        "ambiguous_local_time",
        "occurrence",
        None,
    ),
]


@pytest.mark.parametrize(("changes", "code", "field", "named"), BAD_INPUT)
def test_bad_input_is_refused_clearly_and_nothing_is_saved(studio, release, changes, code, field, named):
    kept = add(release)
    before = saved_screenings()
    for attempt in (
        lambda: screenings.add_screening(
            actor=studio.producer, release=release, **screening_values(**changes)
        ),
        lambda: screenings.edit_screening(
            actor=studio.producer, screening=kept, **screening_values(**changes)
        ),
    ):
        with pytest.raises(ServiceError) as refused:
            attempt()
        assert (refused.value.code, refused.value.field) == (code, field)
        assert str(refused.value.message)
        if named:
            assert named in str(refused.value.message)
        assert saved_screenings() == before
    assert Release.objects.get(pk=release.pk).version == 2


# Reads.


def test_screenings_by_country_and_city_whatever_the_case_and_accents(release):
    warsaw = add(release)
    krakow = add(release, venue="Kino Pod Baranami", city="Kraków", local_start=SUMMER_EVENING)
    krakow_again = add(release, venue="Kino Mikro", city="KRAKOW", local_start=datetime(2026, 1, 25, 18, 0))
    lodz = add(release, venue="Kinoteka", city="Łódź")
    paris = add(release, venue="Le Grand Rex", city="Paris", country="FR", time_zone="Europe/Paris")
    assert screenings.screenings_of(release) == [warsaw, lodz, paris, krakow_again, krakow]
    assert screenings.screenings_of(release, country="fr") == [paris]
    assert screenings.screenings_of(release, city="krakow") == [krakow_again, krakow]
    assert screenings.screenings_of(release, city="Krak") == [krakow_again, krakow]
    assert screenings.screenings_of(release, city="lodz") == [lodz]
    assert screenings.screenings_of(release, city="ŁÓDŹ", country="PL") == [lodz]
    assert screenings.screenings_of(release, city="krakow", country="FR") == []
    assert screenings.screenings_of(release, city_slug="krak") == []
    assert screenings.screenings_of(release, city_slug="krakow") == [krakow_again, krakow]


def test_the_places_for_the_filters(release):
    add(release, city="Kraków", local_start=SUMMER_EVENING)
    add(release, city="Kraków")
    add(release, city="Krakow")
    add(release, venue="Le Grand Rex", city="Paris", country="FR", time_zone="Europe/Paris")
    places = screenings.places_of(release)
    assert places.countries == [("FR", "France"), ("PL", "Poland")]
    assert [(city.country, city.name, city.slug, city.screenings) for city in places.cities] == [
        ("FR", "Paris", "paris", 1),
        ("PL", "Kraków", "krakow", 3),
    ]


def test_upcoming_screenings_leave_out_those_over(release, frozen):
    early = add(release, local_start=datetime(2026, 1, 6, 20, 0))
    late = add(release)
    frozen.move_to("2026-01-06 20:30:00")  # the early one is still running (two hours, no film length)
    assert screenings.upcoming_screenings(release) == [early, late]
    frozen.move_to("2026-01-06 21:01:00")
    assert screenings.upcoming_screenings(release) == [late]
    assert screenings.screenings_of(release) == [early, late]
    assert screenings.places_of(release, upcoming=True).cities[0].screenings == 1


def test_the_reads_take_a_constant_number_of_queries(release):
    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            screenings.screenings_of(release, country="PL", city="war")
            screenings.places_of(release)
            screenings.rows_for(screenings.screenings_of(release))
        return len(queries)

    add(release)
    few = count()
    for day in range(20):
        add(
            release,
            city=["Warszawa", "Gdańsk", "Poznań"][day % 3],
            local_start=WINTER_EVENING + timedelta(days=day),
        )
    assert count() == few == 3
