"""Screenings of a release in cinemas: the producer's writes, and the reads behind the list, the API and
the calendars.

A screening is announced the way a venue announces it: a wall-clock time in the venue's time zone. The
instant it stands for (``starts_at``, UTC) is worked out once, when it is saved (see screening_checks.py).
"""

from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from django.contrib.auth.models import AnonymousUser
from django.db import transaction
from django.db.models import Count, F
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from backstage.accounts.models import User
from backstage.core.errors import NotAllowed
from backstage.releases.languages import language_name
from backstage.releases.models import Release, Screening
from backstage.releases.queries import release_access
from backstage.releases.screening_checks import (
    MAX_ADDRESS,
    MAX_VENUE,
    Occurrence,
    check_start,
    clean_city,
    clean_country,
    clean_language,
    clean_text,
    clean_ticket_url,
    clean_time_zone,
)
from backstage.releases.screening_places import (
    country_name,
    is_ambiguous,
    place_key,
    sort_key,
    utc_offset,
    zone_abbreviation,
)

# How long a screening lasts when the film's length is not known yet.
DEFAULT_RUNNING_TIME = timedelta(hours=2)


def _require_producer(actor: User | AnonymousUser, release: Release) -> None:
    if not release_access(release, actor).may_manage:
        raise NotAllowed("forbidden", _("Only the production's producers may manage its screenings."))


# Writes: the producer's alone.


def _fill(
    screening: Screening,
    *,
    venue: str,
    address: str,
    city: str,
    country: str,
    local_start: datetime,
    time_zone: str,
    ticket_url: str,
    language: str,
    subtitles: str,
    occurrence: str | None,
) -> None:
    """Checks every field and sets them; the start may only be new or moved to a time still to come."""
    screening.venue = clean_text(venue, field="venue", max_length=MAX_VENUE, required=True)
    screening.address = clean_text(address, field="address", max_length=MAX_ADDRESS, required=False)
    screening.city = clean_city(city)
    screening.country = clean_country(country)
    zone = clean_time_zone(time_zone, country=screening.country)
    local = local_start.replace(tzinfo=None, fold=0, second=0, microsecond=0)
    starts_at = check_start(
        local_start=local, time_zone=zone, occurrence=occurrence, previous=screening.starts_at
    )
    screening.time_zone = zone
    # Kept as the venue's wall-clock digits; the UTC label only spares the database a naive value.
    screening.local_start = local.replace(tzinfo=UTC)
    screening.starts_at = starts_at
    screening.ticket_url = clean_ticket_url(ticket_url)
    screening.language = clean_language(language, field="language", required=True)
    screening.subtitles = clean_language(subtitles, field="subtitles", required=False)


def _touch(release: Release) -> None:
    # The release page shows its screenings: its cached copies must not outlive a change.
    Release.objects.filter(pk=release.pk).update(version=F("version") + 1)


def add_screening(
    *,
    actor: User | AnonymousUser,
    release: Release,
    venue: str,
    city: str,
    country: str,
    local_start: datetime,
    language: str,
    time_zone: str = "",
    address: str = "",
    ticket_url: str = "",
    subtitles: str = "",
    occurrence: str | None = None,
) -> Screening:
    """Announce a screening of the release; only the production's producers may."""
    _require_producer(actor, release)
    screening = Screening(release=release)
    _fill(
        screening, venue=venue, address=address, city=city, country=country, local_start=local_start,
        time_zone=time_zone, ticket_url=ticket_url, language=language, subtitles=subtitles,
        occurrence=occurrence,
    )  # fmt: skip
    screening.full_clean()
    with transaction.atomic():
        screening.save()
        _touch(release)
    return screening


def edit_screening(
    *,
    actor: User | AnonymousUser,
    screening: Screening,
    venue: str,
    city: str,
    country: str,
    local_start: datetime,
    language: str,
    time_zone: str = "",
    address: str = "",
    ticket_url: str = "",
    subtitles: str = "",
    occurrence: str | None = None,
) -> Screening:
    """Change everything about a screening; only the production's producers may."""
    _require_producer(actor, screening.release)
    with transaction.atomic():
        current = Screening.objects.select_for_update().select_related("release").get(pk=screening.pk)
        _fill(
            current, venue=venue, address=address, city=city, country=country, local_start=local_start,
            time_zone=time_zone, ticket_url=ticket_url, language=language, subtitles=subtitles,
            occurrence=occurrence,
        )  # fmt: skip
        current.full_clean()
        current.save()
        _touch(current.release)
    return current


def delete_screening(*, actor: User | AnonymousUser, screening: Screening) -> None:
    """Take a screening off the list (cancelled, or announced by mistake); only the producers may."""
    _require_producer(actor, screening.release)
    with transaction.atomic():
        Screening.objects.filter(pk=screening.pk).delete()
        _touch(screening.release)


# Reads.


def wall_clock(screening: Screening) -> datetime:
    """The start as the venue announced it: a naive date and time in its zone."""
    return screening.local_start.astimezone(UTC).replace(tzinfo=None)


def local_start_of(screening: Screening) -> datetime:
    """The start in the venue's zone, at the right one of a repeated hour (the one its instant is)."""
    local = wall_clock(screening).replace(tzinfo=ZoneInfo(screening.time_zone))
    later = local.replace(fold=1)
    if later.utcoffset() != local.utcoffset() and later.astimezone(UTC) == screening.starts_at:
        return later
    return local


def occurrence_of(screening: Screening) -> Occurrence | None:
    """Which reading of a repeated hour the screening is at; None when its time shows only once."""
    if not is_ambiguous(wall_clock(screening), ZoneInfo(screening.time_zone)):
        return None
    return "second" if local_start_of(screening).fold else "first"


def running_time(release: Release) -> timedelta:
    """How long a screening lasts: the film's length once known."""
    seconds = release.film.duration if release.film is not None else None
    return timedelta(seconds=round(seconds)) if seconds else DEFAULT_RUNNING_TIME


def screenings_of(
    release: Release,
    *,
    country: str = "",
    city: str = "",
    city_slug: str = "",
    upcoming: bool = False,
    now: datetime | None = None,
) -> list[Screening]:
    """The release's screenings in order of their start, in one query.

    ``city`` finds the cities whose name contains it, whatever the case and accents; ``city_slug`` is
    one city exactly, as in the calendars' addresses. ``upcoming`` leaves out those already over.
    """
    found = Screening.objects.filter(release=release)
    if country:
        found = found.filter(country=country.upper())
    if upcoming:
        found = found.filter(starts_at__gt=(now or timezone.now()) - running_time(release))
    screenings = list(found)
    # Matched here rather than in SQL: neither SQLite nor a stock PostgreSQL ignores accents, and
    # a release has at most a few thousand screenings.
    if city_slug:
        screenings = [item for item in screenings if place_key(item.city) == city_slug]
    elif needle := place_key(city):
        screenings = [item for item in screenings if needle in place_key(item.city)]
    return screenings


def upcoming_screenings(release: Release, *, limit: int | None = None) -> list[Screening]:
    """The screenings not over yet, soonest first: what the release page shows (the first ``limit``
    read from the database, whatever the release holds)."""
    found = Screening.objects.filter(release=release, starts_at__gt=timezone.now() - running_time(release))
    return list(found[:limit] if limit is not None else found)


@dataclass(frozen=True)
class City:
    country: str
    name: str
    slug: str
    screenings: int


@dataclass(frozen=True)
class Places:
    """Where a release is shown: the countries (code, name) and cities, for the list's filters."""

    countries: list[tuple[str, str]]
    cities: list[City]


def places_of(release: Release, *, upcoming: bool = False, now: datetime | None = None) -> Places:
    """The distinct countries and cities of the release's screenings, in one query, in alphabetical order.

    Spellings of one city that differ only in case or accents ("Krakow", "Kraków") count as one, under
    the spelling most screenings use.
    """
    found = Screening.objects.filter(release=release)
    if upcoming:
        found = found.filter(starts_at__gt=(now or timezone.now()) - running_time(release))
    rows = found.values_list("country", "city").annotate(count=Count("pk")).order_by()
    spellings: dict[tuple[str, str], Counter[str]] = {}
    for country, city, count in rows:
        spellings.setdefault((country, place_key(city)), Counter())[city] += count
    cities = [
        City(country=country, name=names.most_common(1)[0][0], slug=slug, screenings=names.total())
        for (country, slug), names in spellings.items()
    ]
    countries = sorted(
        {(city.country, country_name(city.country)) for city in cities}, key=lambda pair: sort_key(pair[1])
    )
    cities.sort(key=lambda city: (sort_key(country_name(city.country)), sort_key(city.name)))
    return Places(countries=countries, cities=cities)


@dataclass(frozen=True)
class ScreeningRow:
    """A screening as people read it: its start in the venue's time, names in the reader's language."""

    screening: Screening
    local: datetime  # naive: the venue's wall clock, so that templates do not move it to another zone
    start_iso: str  # the same with its offset, for machines ("2026-12-01T20:00:00+01:00")
    zone_abbreviation: str
    utc_offset: str
    country_name: str
    language_name: str
    subtitles_name: str
    city_slug: str


def rows_for(screenings: list[Screening]) -> list[ScreeningRow]:
    rows = []
    for screening in screenings:
        local = local_start_of(screening)
        rows.append(
            ScreeningRow(
                screening=screening,
                local=local.replace(tzinfo=None),
                start_iso=local.isoformat(),
                zone_abbreviation=zone_abbreviation(local),
                utc_offset=utc_offset(local),
                country_name=country_name(screening.country),
                language_name=language_name(screening.language),
                subtitles_name=language_name(screening.subtitles) if screening.subtitles else "",
                city_slug=place_key(screening.city),
            )
        )
    return rows


def release_page_url(release: Release) -> str:
    """The address of the release's page, where the calendars send people who have no ticket link."""
    return reverse("releases:detail", kwargs={"slug": release.production.slug, "release_slug": release.slug})
