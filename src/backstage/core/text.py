"""Text people type: its line breaks as they typed them, and the checks the services share for short texts."""

import re

from django.utils.translation import gettext as _

from backstage.core.errors import ServiceError

_LINE_BREAK = re.compile(r"\r\n?")


def typed_line_breaks(value: str) -> str:
    """Text from a form with its line breaks as typed.

    Browsers count a line break as one character against ``maxlength`` but send it as two (CRLF),
    so a text area filled to its limit would otherwise be refused as too long.
    """
    return _LINE_BREAK.sub("\n", value)


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
