"""What every router shares: the error shape, the request body base, bounded dates and path parameters."""

from datetime import UTC, datetime
from typing import Annotated, Any

from django.utils.translation import gettext as _
from ninja import P, PathEx, Schema
from ninja.schema import DjangoGetter
from pydantic import (
    AfterValidator,
    AwareDatetime,
    BeforeValidator,
    WithJsonSchema,
    field_validator,
    model_validator,
)

from backstage.licensing.registry import LICENSES


class Error(Schema):
    """Every API error: a stable code, a message in the request's language, the field concerned."""

    code: str
    message: str
    field: str | None = None


ERRORS: dict[int, type[Schema]] = {400: Error, 401: Error, 403: Error, 404: Error, 409: Error, 422: Error}
READ_ERRORS: dict[int, type[Schema]] = {404: Error, 422: Error}


def storable_text(value: str) -> str:
    """Refuse text no database can keep as it was sent: NUL characters (PostgreSQL) and lone surrogates."""
    if "\x00" in value:
        raise ValueError(_("Text may not contain NUL characters."))
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError(_("Text must be valid Unicode.")) from None
    return value


class InputSchema(Schema):
    """Base of every request body: an object whose text is storable, trimmed as in the site's forms."""

    @model_validator(mode="before")
    @classmethod
    def _an_object(cls, data: Any) -> Any:
        # The schema base reads attributes of whatever it is given: a list or a number would pass as "no fields".
        sent = data._obj if isinstance(data, DjangoGetter) else data
        if not isinstance(sent, dict):
            raise ValueError(_("Send a JSON object."))
        return data

    @field_validator("*", mode="after")
    @classmethod
    def _storable_and_trimmed(cls, value: Any) -> Any:
        # Trimmed only after the documented limits held for the text as sent, so the schema stays the contract;
        # choices (text too) are left alone, being one of a known few.
        return storable_text(value).strip() if type(value) is str else value


# For text that must say something: at least one character that is not a space.
NOT_BLANK = r"\S"


# Far-off offsets overflow when converted to UTC for storage; no deadline needs them.
EARLIEST_MOMENT = datetime(1970, 1, 1, tzinfo=UTC)
LATEST_MOMENT = datetime(9000, 1, 1, tzinfo=UTC)


def _written_as_text(value: Any) -> Any:
    # Numbers would otherwise pass as Unix timestamps, which the schema does not promise.
    if isinstance(value, int | float):
        raise ValueError(_("Write the date as ISO 8601 text, with its time zone."))
    return value


def _within_calendar(value: datetime) -> datetime:
    if not EARLIEST_MOMENT <= value <= LATEST_MOMENT:
        raise ValueError(_("The date must fall between 1970 and 9000."))
    # Stored in UTC: offsets beyond what the database accepts (such as -22:45) are valid ISO 8601.
    return value.astimezone(UTC)


# A moment with its time zone (a bare local time is ambiguous between a studio and its members).
Moment = Annotated[AwareDatetime, BeforeValidator(_written_as_text), AfterValidator(_within_calendar)]


def _known_license(value: str) -> str:
    if value not in LICENSES:
        raise ValueError(_("Choose one of the free licenses the studio knows."))
    return value


# Listed in the schema so that clients need not guess which licenses the studio accepts.
LicenseId = Annotated[
    str,
    AfterValidator(_known_license),
    WithJsonSchema({"type": "string", "enum": list(LICENSES), "description": "SPDX identifier."}),
]

SLUG_PATTERN = r"^[-a-zA-Z0-9_]+$"
USERNAME_PATTERN = r"^[\w.@+-]+$"

# Path parameters carry the same shape as the values they name, so malformed ones fail as 422, never reach SQL.
SlugPath = PathEx[str, P(pattern=SLUG_PATTERN, max_length=80)]
UsernamePath = PathEx[str, P(pattern=USERNAME_PATTERN, max_length=150)]
IdPath = PathEx[int, P(ge=1, le=2**63 - 1)]
