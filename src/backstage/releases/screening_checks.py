"""The rules a screening's fields follow, shared by the services and the forms (so that each field of a
form shows its own error): text, city, country, time zone, language tags, ticket link, and the start.

A screening starts at a wall-clock time in its venue's time zone; the instant it stands for is worked out
here. A time the clocks skip is refused, and a time they show twice needs to be told which of the two.
"""

from datetime import UTC, datetime, timedelta
from typing import Literal
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from backstage.core.errors import ServiceError
from backstage.releases.languages import checked_language_tag
from backstage.releases.models import Screening
from backstage.releases.screening_places import (
    canonical_zone_name,
    country_code,
    country_name,
    is_ambiguous,
    is_nonexistent,
    place_key,
    utc_offset,
    zone_abbreviation,
    zone_fits_country,
    zones_of_country,
)

Occurrence = Literal["first", "second"]
OCCURRENCES: tuple[Occurrence, ...] = ("first", "second")
MAX_VENUE: int = Screening._meta.get_field("venue").max_length  # type: ignore[assignment]
MAX_ADDRESS: int = Screening._meta.get_field("address").max_length  # type: ignore[assignment]
MAX_CITY: int = Screening._meta.get_field("city").max_length  # type: ignore[assignment]
MAX_TICKET_URL: int = Screening._meta.get_field("ticket_url").max_length  # type: ignore[assignment]
MAX_LANGUAGE: int = Screening._meta.get_field("language").max_length  # type: ignore[assignment]
MAX_TIME_ZONE: int = Screening._meta.get_field("time_zone").max_length  # type: ignore[assignment]
# Cinemas programme months ahead, festivals a year or two; anything further is a typo in the year.
MAX_AHEAD = timedelta(days=3653)


def clean_text(value: str, *, field: str, max_length: int, required: bool) -> str:
    """The text trimmed, its inner runs of spaces made one; refused when blank (if required) or too long."""
    value = " ".join((value or "").split())
    if required and not value:
        raise ServiceError("required", _("This field is required."), field=field)
    if len(value) > max_length:
        raise ServiceError(
            "too_long",
            _("This is too long (%(max)d characters at most).") % {"max": max_length},
            field=field,
        )
    return value


def clean_city(value: str) -> str:
    city = clean_text(value, field="city", max_length=MAX_CITY, required=True)
    if not place_key(city):
        raise ServiceError("bad_city", _("Write the city's name with letters."), field="city")
    return city


def clean_country(value: str) -> str:
    code = country_code(value or "")
    if code is None:
        raise ServiceError(
            "unknown_country",
            _("“%(code)s” is not a country code: give the two letters of ISO 3166-1, such as PL or FR.")
            % {"code": (value or "").strip()[:10]},
            field="country",
        )
    return code


def clean_time_zone(value: str, *, country: str | None) -> str:
    """The zone's IANA name; left blank, the country's own zone when it has only one."""
    value = (value or "").strip()
    if not value:
        zones = zones_of_country(country) if country else []
        if len(zones) == 1:
            return zones[0]
        message = _("Give the venue's time zone, such as Europe/Warsaw.")
        if zones:
            message = _("Give the venue's time zone: %(country)s has several (%(zones)s).") % {
                "country": country_name(country or ""),
                "zones": ", ".join(zones[:8]) + (", …" if len(zones) > 8 else ""),
            }
        raise ServiceError("time_zone_required", message, field="time_zone")
    name = canonical_zone_name(value) if len(value) <= MAX_TIME_ZONE else None
    if name is None:
        raise ServiceError(
            "unknown_time_zone",
            _("“%(zone)s” is not a time zone we know: give its IANA name, such as Europe/Warsaw.")
            % {"zone": value[:MAX_TIME_ZONE]},
            field="time_zone",
        )
    if country and not zone_fits_country(name, country):
        raise ServiceError(
            "time_zone_elsewhere",
            _("%(zone)s is not a time zone of %(country)s (its zones: %(zones)s).")
            % {
                "zone": name,
                "country": country_name(country),
                "zones": ", ".join(zones_of_country(country)[:8]),
            },
            field="time_zone",
        )
    return name


def clean_ticket_url(value: str) -> str:
    value = (value or "").strip()
    if not value:
        return ""
    try:
        if len(value) > MAX_TICKET_URL:
            raise ValidationError("too long")
        URLValidator(schemes=["http", "https"])(value)
    except ValidationError:
        raise ServiceError(
            "bad_ticket_url",
            _(
                "The ticket link must be a web address starting with https:// or http:// (%(max)d characters "
                "at most)."
            )
            % {"max": MAX_TICKET_URL},
            field="ticket_url",
        ) from None
    return value


def clean_language(value: str, *, field: str, required: bool) -> str:
    return checked_language_tag(value, field=field, required=required)


def _shown(local: datetime) -> str:
    return date_format(local, "DATETIME_FORMAT")


def start_instant(*, local_start: datetime, time_zone: str, occurrence: str | None = None) -> datetime:
    """The UTC instant of a wall-clock time in a (valid) zone; refused when the clocks skip it, or show it
    twice and ``occurrence`` ("first" or "second") does not say which."""
    local = local_start.replace(tzinfo=None, fold=0)
    if local.year < 1970:
        raise ServiceError(
            "in_the_past", _("This screening would be in the past: check the date."), field="local_start"
        )
    zone = ZoneInfo(time_zone)
    if is_nonexistent(local, zone):
        later = local.replace(tzinfo=zone).astimezone(UTC).astimezone(zone)
        raise ServiceError(
            "nonexistent_local_time",
            _(
                "%(time)s does not exist in %(zone)s: the clocks go forward that night and skip it. "
                "Perhaps you mean %(later)s?"
            )
            % {"time": _shown(local), "zone": time_zone, "later": _shown(later.replace(tzinfo=None))},
            field="local_start",
        )
    if is_ambiguous(local, zone):
        first, second = local.replace(tzinfo=zone, fold=0), local.replace(tzinfo=zone, fold=1)
        if occurrence not in OCCURRENCES:
            raise ServiceError(
                "ambiguous_local_time",
                _("%(time)s happens twice in %(zone)s, because the clocks go back that night: say whether "
                  "you mean the first one (%(first)s) or the second (%(second)s).")
                % {"time": _shown(local), "zone": time_zone, "first": occurrence_label(first),
                   "second": occurrence_label(second)},
                field="occurrence",
            )  # fmt: skip
        return (second if occurrence == "second" else first).astimezone(UTC)
    return local.replace(tzinfo=zone).astimezone(UTC)


def is_ambiguous_in(local_start: datetime, time_zone: str) -> bool:
    """Whether the clocks of the (valid) zone show that wall-clock time twice."""
    return is_ambiguous(local_start.replace(tzinfo=None, fold=0), ZoneInfo(time_zone))


def occurrence_label(moment: datetime) -> str:
    """One of the two readings of a repeated hour, as people tell them apart: "CEST, UTC+02:00"."""
    return f"{zone_abbreviation(moment)}, {utc_offset(moment)}"


def occurrence_choices(local_start: datetime, time_zone: str) -> list[tuple[Occurrence, str]]:
    """The two readings of a time the clocks show twice, for a form to ask which one is meant."""
    local = local_start.replace(tzinfo=None)
    zone = ZoneInfo(time_zone)
    first, second = local.replace(tzinfo=zone, fold=0), local.replace(tzinfo=zone, fold=1)
    return [
        (
            "first",
            _("The first one, before the clocks go back (%(when)s)") % {"when": occurrence_label(first)},
        ),
        (
            "second",
            _("The second one, after the clocks go back (%(when)s)") % {"when": occurrence_label(second)},
        ),
    ]


def check_start(
    *, local_start: datetime, time_zone: str, occurrence: str | None = None, previous: datetime | None = None
) -> datetime:
    """The UTC instant of a screening's start, checked: not more than ten years ahead, and not past unless
    it is the start the screening already had (``previous``): fixing a typo in the venue of a screening
    already shown is fine, announcing one in the past is not."""
    local = local_start.replace(tzinfo=None, fold=0)
    now = timezone.now()
    # Compared as wall-clock times first, so that a year such as 9999 is refused before any arithmetic.
    if local - now.astimezone(UTC).replace(tzinfo=None) > MAX_AHEAD:
        raise ServiceError(
            "too_far_ahead", _("A screening can be announced at most ten years ahead."), field="local_start"
        )
    starts_at = start_instant(local_start=local, time_zone=time_zone, occurrence=occurrence)
    if starts_at != previous and starts_at <= now:
        raise ServiceError(
            "in_the_past",
            _("%(time)s is already past: a screening may come before the release (a preview), but not "
              "before now.") % {"time": _shown(local)},
            field="local_start",
        )  # fmt: skip
    return starts_at
