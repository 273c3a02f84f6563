"""Studio content written in both interface languages.

A translated field is stored as one column per language (``logline_en``,
``logline_fr``); :func:`translated` reads the one for the active language and
falls back to the other when it is empty, so a page is never blank.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import get_language


def active_language() -> str:
    return (get_language() or settings.LANGUAGE_CODE).split("-")[0]


def translated(instance: models.Model, field: str) -> str:
    first = active_language()
    codes = [first] + [code for code, _name in settings.LANGUAGES if code != first]
    for code in codes:
        value = getattr(instance, f"{field}_{code}", "")
        if value:
            return value
    return ""
