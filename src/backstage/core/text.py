"""Checks shared by the services for the short texts people must write (a reason, a note)."""

from django.utils.translation import gettext as _

from backstage.core.errors import ServiceError


def required_text(value: str, *, field: str, max_length: int, blank_message: str) -> str:
    """The text trimmed; refused when blank (saying `blank_message`) or longer than `max_length`."""
    value = (value or "").strip()
    if not value:
        raise ServiceError("required", blank_message, field=field)
    if len(value) > max_length:
        raise ServiceError(
            "too_long",
            _("The text is too long (%(max)d characters at most).") % {"max": max_length},
            field=field,
        )
    return value
