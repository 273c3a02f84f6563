"""Language tags (BCP 47, the common subset) and their names in the viewer's language."""

import gettext
import re
from functools import lru_cache
from typing import Any

import pycountry
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from backstage.core.errors import ServiceError

# language[-Script][-REGION]: "fr", "pt-BR", "zh-Hant", "sr-Latn-RS", "es-419". Private and
# extended subtags are not used for films' tracks.
_TAG = re.compile(r"^([a-zA-Z]{2,3})(?:-([a-zA-Z]{4}))?(?:-([a-zA-Z]{2}|[0-9]{3}))?$")


def normalise_language_tag(value: str) -> str | None:
    """The tag in its canonical case ("pt-BR", "zh-Hant"), or None when it is not one of a known language."""
    match = _TAG.match(value.strip())
    if match is None:
        return None
    language, script, region = match.groups()
    language = language.lower()
    if _language(language) is None:
        return None
    parts = [language]
    if script:
        parts.append(script.title())
    if region:
        parts.append(region.upper())
    return "-".join(parts)


def _language(code: str) -> Any:
    if len(code) == 2:
        return pycountry.languages.get(alpha_2=code)
    return pycountry.languages.get(alpha_3=code)


@lru_cache(maxsize=8)
def _catalogue(language: str) -> gettext.NullTranslations:
    return gettext.translation("iso639-3", pycountry.LOCALES_DIR, languages=[language], fallback=True)


def language_name(tag: str, *, language: str | None = None) -> str:
    """The language's name in the viewer's language ("polonais" for "pl" in French); the tag if unknown."""
    code = tag.split("-", 1)[0]
    found = _language(code)
    if found is None:
        return tag
    name = _catalogue((language or get_language() or "en").split("-")[0]).gettext(found.name)
    region = tag.split("-", 1)[1] if "-" in tag else ""
    return f"{name} ({region})" if region else name


def own_name(tag: str) -> str:
    """The language's name in itself ("Polski", "Français"), as players list tracks for everyone alike."""
    name = language_name(tag, language=tag.split("-")[0]).split(";")[0].strip()
    return name[:1].upper() + name[1:]


MAX_TAG = 35


def checked_language_tag(value: str, *, field: str, required: bool = True) -> str:
    """The tag in canonical case, "" when optional and blank, or a ServiceError that shows what to write."""
    value = (value or "").strip()
    if not value and not required:
        return ""
    tag = normalise_language_tag(value) if len(value) <= MAX_TAG else None
    if tag is None:
        raise ServiceError(
            "bad_language",
            _("“%(tag)s” is not a language tag: write one such as pl, fr or en-GB.")
            % {"tag": value[:MAX_TAG]}
            if value
            else _("Give a language, such as pl, fr or en-GB."),
            field=field,
        )
    return tag
