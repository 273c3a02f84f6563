"""API for a release's screenings: the public list (with the release page), the producers' writes."""

import re
from datetime import datetime
from typing import Annotated, Any

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate
from pydantic import BeforeValidator, NaiveDatetime, WithJsonSchema

from backstage.api.auth import WRITE_AUTH, ApiRequest, reader
from backstage.api.pagination import Pagination
from backstage.api.schemas import ERRORS, NOT_BLANK, READ_ERRORS, IdPath, InputSchema, SlugPath
from backstage.releases import screening_checks as checks
from backstage.releases import screenings
from backstage.releases.models import Screening
from backstage.releases.queries import ReleaseAccess, page_access
from backstage.releases.screening_places import country_name, place_key, zone_abbreviation

router = Router(tags=["releases"])

PATH = "/productions/{slug}/releases/{release_slug}/screenings"
VISIBILITY = (
    " Readable by anyone once the release page is public (teaser published, or the release moment "
    "passed); before that, by the production's team only."
)


# A venue's wall-clock time: ISO 8601 without an offset, which OpenAPI's "date-time" (RFC 3339) requires.
WALL_CLOCK_PATTERN = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}(:[0-9]{2}(\.[0-9]{1,6})?)?$"
WALL_CLOCK_SCHEMA: dict[str, Any] = {
    "type": "string",
    "pattern": WALL_CLOCK_PATTERN,
    "description": "The venue's wall-clock time, ISO 8601 without offset: 2026-12-01T20:00.",
}


def _wall_clock_text(value: Any) -> Any:
    # Numbers would otherwise pass as Unix timestamps (an instant, which a venue's clock is not), and an
    # offset would be silently dropped.
    if not isinstance(value, str) or not re.match(WALL_CLOCK_PATTERN, value):
        raise ValueError(
            _("Write the date and time as the venue shows them, without offset: 2026-12-01T20:00.")
        )
    return value


WallClock = Annotated[NaiveDatetime, BeforeValidator(_wall_clock_text), WithJsonSchema(WALL_CLOCK_SCHEMA)]
Occurrence = Annotated[
    str | None,
    Field(
        None,
        pattern="^(first|second)$",
        description="Only for a time the clocks show twice (the night they go back): `first` or `second`.",
    ),
]


class ScreeningOut(Schema):
    id: int
    venue: str
    address: str
    city: str
    city_slug: str = Field(..., description="The city as in the calendar's address, without case or accents.")
    country: str = Field(..., description="ISO 3166-1 alpha-2 code.")
    country_name: str = Field(..., description="In the request's language.")
    local_start: str = Field(..., json_schema_extra=WALL_CLOCK_SCHEMA)
    time_zone: str = Field(..., description="IANA name of the venue's time zone.")
    time_zone_abbreviation: str = Field(
        ..., description="What the venue's clocks are called then: CET, CEST…"
    )
    starts_at: datetime = Field(..., description="The instant, in UTC.")
    ticket_url: str
    language: str = Field(..., description="BCP 47 tag of the film's sound.")
    subtitles: str = Field(..., description="BCP 47 tag of the subtitles; empty when there are none.")
    calendar_url: str = Field(..., description="The iCalendar feed of the screenings in this city.")

    @staticmethod
    def resolve_city_slug(obj: Screening) -> str:
        return place_key(obj.city)

    @staticmethod
    def resolve_country_name(obj: Screening) -> str:
        return country_name(obj.country)

    @staticmethod
    def resolve_local_start(obj: Screening) -> str:
        return screenings.local_start_of(obj).replace(tzinfo=None).isoformat()

    @staticmethod
    def resolve_time_zone_abbreviation(obj: Screening) -> str:
        return zone_abbreviation(screenings.local_start_of(obj))

    @staticmethod
    def resolve_calendar_url(obj: Screening) -> str:
        release = obj.release
        return reverse(
            "releases:screenings_city_calendar",
            kwargs={
                "slug": release.production.slug,
                "release_slug": release.slug,
                "country": obj.country.lower(),
                "city": place_key(obj.city),
            },
        )


class ScreeningIn(InputSchema):
    venue: str = Field(..., min_length=1, max_length=checks.MAX_VENUE, pattern=NOT_BLANK)
    address: str = Field("", max_length=checks.MAX_ADDRESS)
    city: str = Field(..., min_length=1, max_length=checks.MAX_CITY, pattern=NOT_BLANK)
    country: str = Field(..., min_length=2, max_length=2, description="ISO 3166-1 alpha-2 code, such as PL.")
    local_start: WallClock
    time_zone: str = Field(
        "",
        max_length=checks.MAX_TIME_ZONE,
        description="IANA name, such as Europe/Warsaw; may be left out when the country has only one.",
    )
    occurrence: Occurrence = None
    ticket_url: str = Field("", max_length=checks.MAX_TICKET_URL, description="http(s) only.")
    language: str = Field(..., min_length=1, max_length=checks.MAX_LANGUAGE, description="BCP 47 tag.")
    subtitles: str = Field("", max_length=checks.MAX_LANGUAGE, description="BCP 47 tag, or empty.")


class ScreeningPatch(InputSchema):
    venue: str | None = Field(None, min_length=1, max_length=checks.MAX_VENUE, pattern=NOT_BLANK)
    address: str | None = Field(None, max_length=checks.MAX_ADDRESS)
    city: str | None = Field(None, min_length=1, max_length=checks.MAX_CITY, pattern=NOT_BLANK)
    country: str | None = Field(None, min_length=2, max_length=2)
    local_start: WallClock | None = None
    time_zone: str | None = Field(None, max_length=checks.MAX_TIME_ZONE)
    occurrence: Occurrence = None
    ticket_url: str | None = Field(None, max_length=checks.MAX_TICKET_URL)
    language: str | None = Field(None, min_length=1, max_length=checks.MAX_LANGUAGE)
    subtitles: str | None = Field(None, max_length=checks.MAX_LANGUAGE)


class ScreeningFilters(Schema):
    country: str = Field("", pattern="^([A-Za-z]{2})?$", description="ISO 3166-1 alpha-2 code.")
    city: str = Field(
        "", max_length=checks.MAX_CITY, description="Part of the city's name; case and accents ignored."
    )
    include_past: bool = Field(False, description="Also the screenings already over.")


def _access(request: HttpRequest, slug: str, release_slug: str) -> ReleaseAccess:
    return page_access(slug, release_slug, reader(request))


def _screening(access: ReleaseAccess, screening_id: int) -> Screening:
    return get_object_or_404(
        Screening.objects.select_related("release__production"), pk=screening_id, release=access.release
    )


@router.get(
    PATH,
    response={200: list[ScreeningOut], **READ_ERRORS},
    auth=None,
    description="The release's screenings, soonest first; by country and by city (any part of its name)."
    + VISIBILITY,
)
@paginate(Pagination)
def list_screenings(
    request: HttpRequest, slug: SlugPath, release_slug: SlugPath, filters: Query[ScreeningFilters]
) -> list[Screening]:
    release = _access(request, slug, release_slug).release
    found = screenings.screenings_of(
        release, country=filters.country, city=filters.city, upcoming=not filters.include_past
    )
    for item in found:
        item.release = release  # one release for all, already loaded with its production
    return found


@router.get(
    PATH + "/{screening_id}",
    response={200: ScreeningOut, **READ_ERRORS},
    auth=None,
    description="One screening of the release." + VISIBILITY,
)
def get_screening(
    request: HttpRequest, slug: SlugPath, release_slug: SlugPath, screening_id: IdPath
) -> Screening:
    return _screening(_access(request, slug, release_slug), screening_id)


@router.post(
    PATH,
    response={201: ScreeningOut, **ERRORS},
    auth=WRITE_AUTH,
    description="A producer announces a screening: at the venue's wall-clock time in its time zone, still to "
    "come (it may come before the release moment).",
)
def create_screening(
    request: ApiRequest, slug: SlugPath, release_slug: SlugPath, payload: ScreeningIn
) -> Status[Screening]:
    release = _access(request, slug, release_slug).release
    created = screenings.add_screening(actor=request.auth, release=release, **payload.dict())
    created.release = release
    return Status(201, created)


@router.patch(
    PATH + "/{screening_id}",
    response={200: ScreeningOut, **ERRORS},
    auth=WRITE_AUTH,
    description="A producer changes a screening; fields left out keep their value.",
)
def update_screening(
    request: ApiRequest, slug: SlugPath, release_slug: SlugPath, screening_id: IdPath, payload: ScreeningPatch
) -> Screening:
    screening = _screening(_access(request, slug, release_slug), screening_id)
    sent = payload.dict(exclude_unset=True)
    current = {
        "venue": screening.venue,
        "address": screening.address,
        "city": screening.city,
        "country": screening.country,
        "local_start": screenings.wall_clock(screening),
        "time_zone": screening.time_zone,
        "ticket_url": screening.ticket_url,
        "language": screening.language,
        "subtitles": screening.subtitles,
    }
    values = {**current, **{key: value for key, value in sent.items() if value is not None}}
    if values["local_start"] == current["local_start"] and values["time_zone"] == current["time_zone"]:
        # The same time kept: the same one of a repeated hour, unless the client says otherwise.
        values.setdefault("occurrence", screenings.occurrence_of(screening))
    return screenings.edit_screening(actor=request.auth, screening=screening, **values)


@router.delete(
    PATH + "/{screening_id}",
    response={204: None, **ERRORS},
    auth=WRITE_AUTH,
    description="A producer takes a screening off the list.",
)
def delete_screening(
    request: ApiRequest, slug: SlugPath, release_slug: SlugPath, screening_id: IdPath
) -> Status[None]:
    screening = _screening(_access(request, slug, release_slug), screening_id)
    screenings.delete_screening(actor=request.auth, screening=screening)
    return Status(204, None)
