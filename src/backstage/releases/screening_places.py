"""Where and when a screening happens: countries, time zones and city names, as people write and read them.

Pure functions, no database: the screenings' services, queries, forms and calendars share them.
"""

import gettext
import re
import unicodedata
from datetime import UTC, datetime
from functools import lru_cache
from importlib import resources
from zoneinfo import ZoneInfo, available_timezones

import pycountry
from django.utils.translation import get_language

# zoneinfo lists these files too, but neither is a place: one is the machine's own setting, the other
# a placeholder whose abbreviation is "-00".
NOT_PLACES = frozenset({"localtime", "Factory"})


@lru_cache(maxsize=1)
def _zones_by_folded_name() -> dict[str, str]:
    return {name.casefold(): name for name in available_timezones() if name not in NOT_PLACES}


def canonical_zone_name(value: str) -> str | None:
    """The IANA name as the time zone database spells it ("Europe/Warsaw" for "europe/warsaw"), or None."""
    return _zones_by_folded_name().get(value.strip().casefold())


def zone_names() -> list[str]:
    """Every time zone a screening may use, in alphabetical order (for suggestions in forms)."""
    return sorted(_zones_by_folded_name().values())


def _zone_table(name: str) -> list[tuple[list[str], str]]:
    try:
        text = resources.files("tzdata").joinpath("zoneinfo", name).read_text(encoding="utf-8")
    except (ModuleNotFoundError, FileNotFoundError):
        return []
    rows = []
    for line in text.splitlines():
        if line and not line.startswith("#"):
            countries, _coordinates, zone, *_comment = line.split("\t")
            rows.append((countries.split(","), zone))
    return rows


@lru_cache(maxsize=1)
def _zones_by_country() -> tuple[dict[str, list[str]], dict[str, set[str]], frozenset[str]]:
    # zone.tab gives each country its own zones (one per region with distinct clocks: the default when
    # there is only one); zone1970.tab adds the zones a country shares with its neighbours (Vatican City
    # keeps Rome's clocks). A zone named in neither (UTC, CET, "Poland") belongs to no country in particular.
    own: dict[str, list[str]] = {}
    accepted: dict[str, set[str]] = {}
    for countries, zone in _zone_table("zone.tab"):
        own.setdefault(countries[0], []).append(zone)
        accepted.setdefault(countries[0], set()).add(zone)
    for countries, zone in _zone_table("zone1970.tab"):
        for country in countries:
            accepted.setdefault(country, set()).add(zone)
    placed = frozenset(zone for zones in accepted.values() for zone in zones)
    return own, accepted, placed


def zones_of_country(country: str) -> list[str]:
    """The time zones of a country, the most populous region's first, as the time zone database lists them."""
    return list(_zones_by_country()[0].get(country, []))


def zone_fits_country(zone: str, country: str) -> bool:
    """Whether a venue in the country may keep the zone's clocks: any zone tied to no country does."""
    _own, accepted, placed = _zones_by_country()
    return zone not in placed or zone in accepted.get(country, set())


def country_code(value: str) -> str | None:
    """The ISO 3166-1 alpha-2 code in upper case ("PL" for "pl"), or None when no country has it."""
    value = value.strip().upper()
    if len(value) != 2 or not value.isascii() or not value.isalpha():
        return None
    return value if pycountry.countries.get(alpha_2=value) is not None else None


@lru_cache(maxsize=8)
def _country_catalogue(language: str) -> gettext.NullTranslations:
    return gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=[language], fallback=True)


def _language(language: str | None) -> str:
    return (language or get_language() or "en").split("-")[0]


def country_name(code: str, *, language: str | None = None) -> str:
    """The country's usual name in the viewer's language ("Pologne" for PL in French); the code if unknown."""
    country = pycountry.countries.get(alpha_2=code) if code else None
    if country is None:
        return code
    name = getattr(country, "common_name", None) or country.name
    return _country_catalogue(_language(language)).gettext(name)


def sort_key(text: str) -> str:
    """Alphabetical order for people, near enough in Latin scripts: "Égypte" between "Danemark" and "Fidji"."""
    return _without_accents(text.casefold())


@lru_cache(maxsize=8)
def _country_choices(language: str) -> tuple[tuple[str, str], ...]:
    names = [
        (country.alpha_2, country_name(country.alpha_2, language=language)) for country in pycountry.countries
    ]
    return tuple(sorted(names, key=lambda pair: sort_key(pair[1])))


def country_choices(*, language: str | None = None) -> list[tuple[str, str]]:
    """Every country as (code, name in the viewer's language), in the alphabetical order of the names."""
    return list(_country_choices(_language(language)))


# Latin letters that Unicode does not split into a base letter and an accent, as people type them
# without one ("Łódź" is looked up as "lodz").
_PLAIN_LETTERS = str.maketrans(
    {"ł": "l", "ø": "o", "đ": "d", "ħ": "h", "ı": "i", "æ": "ae", "œ": "oe", "þ": "th", "ð": "d"}
)


def _without_accents(text: str) -> str:
    kept = []
    after_latin = False
    for char in unicodedata.normalize("NFKD", text.translate(_PLAIN_LETTERS)):
        if unicodedata.combining(char):
            # Only Latin letters lose their marks: in other scripts (й, が) the mark makes another letter.
            if not after_latin:
                kept.append(char)
            continue
        after_latin = char.isascii()
        kept.append(char)
    return unicodedata.normalize("NFC", "".join(kept))


def place_key(text: str) -> str:
    """A city's name as it is looked up and put in addresses: "Saint-Étienne" and "saint etienne" both
    give "saint-etienne", "Łódź" gives "lodz"; other scripts keep their letters ("東京")."""
    return re.sub(r"[\W_]+", "-", _without_accents(text.casefold())).strip("-")


def is_nonexistent(local: datetime, zone: ZoneInfo) -> bool:
    """Whether the wall-clock time never shows in the zone (skipped when the clocks go forward)."""
    try:
        round_trip = local.replace(tzinfo=zone).astimezone(UTC).astimezone(zone).replace(tzinfo=None)
    except OverflowError:  # the first or last hours of the calendar: no clock changes there
        return False
    return round_trip != local


def is_ambiguous(local: datetime, zone: ZoneInfo) -> bool:
    """Whether the wall-clock time shows twice in the zone (when the clocks go back)."""
    if is_nonexistent(local, zone):
        return False
    return local.replace(tzinfo=zone, fold=0).utcoffset() != local.replace(tzinfo=zone, fold=1).utcoffset()


def zone_abbreviation(moment: datetime) -> str:
    """What the venue's clocks are called at that moment: "CET", "CEST"; "UTC+03" where the zone has no
    abbreviation of its own."""
    name = moment.tzname() or ""
    return f"UTC{name}" if name[:1] in ("+", "-") else name


def utc_offset(moment: datetime) -> str:
    """The moment's offset from UTC as people read it: "UTC+02:00", "UTC−03:30"."""
    offset = moment.utcoffset()
    minutes = int(offset.total_seconds() // 60) if offset is not None else 0
    sign = "+" if minutes >= 0 else "−"
    hours, minutes = divmod(abs(minutes), 60)
    return f"UTC{sign}{hours:02d}:{minutes:02d}"
