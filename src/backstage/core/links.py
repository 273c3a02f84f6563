from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.utils.translation import gettext as _

MAX_LINK_LENGTH = 500


def parse_links(text: str, *, max_links: int) -> list[str]:
    """Web addresses given one per line: http(s) only, each checked, at most ``max_links``."""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    if len(lines) > max_links:
        raise ValidationError(_("Give at most %(max)d links.") % {"max": max_links})
    validate = URLValidator(schemes=["http", "https"])
    for line in lines:
        if len(line) > MAX_LINK_LENGTH:
            raise ValidationError(
                _("A link is too long (%(max)d characters at most).") % {"max": MAX_LINK_LENGTH}
            )
        try:
            validate(line)
        except ValidationError:
            raise ValidationError(
                _("“%(link)s” is not a web address (it must start with https:// or http://).")
                % {"link": line[:80]}
            ) from None
    return lines
