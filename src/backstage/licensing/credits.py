"""The film's credits, computed from the record: reads and exports.

``build_credits`` gathers every registered source's entries (the team, accepted contributions,
subtitles…), adds the people the producer credited by hand, leaves out the entries the producer
excluded with a reason, and arranges the rest in the producer's order of sections. It makes a
fixed number of queries whatever the number of entries.

The exports (``credits_as_text``, ``credits_as_json``, the ``licensing/_credits.html`` fragment
and the end-credits roll of ``credits_roll``) all render the same ``Credits``.

JSON export (``credits_as_json``), version 1::

    {
      "format": "backstage-credits", "version": 1,
      "language": "en",                          the language of titles and roles
      "production": {"slug", "title", "license"},  license: the film's SPDX identifier
      "sections": [                              in the producer's order, none empty
        {"key": "music", "title": "Music",
         "people": [                             one per person, in credit order
           {"name": "Ania Nowak",
            "roles": ["Main theme"],             distinct, in order
            "entries": [                         what the person is credited for
              {"key": "contributions:contribution:12",   stable identity of the entry
               "name": "Ania Nowak", "role": "Main theme",
               "work": "Night train",             title of the work, "" if none
               "license": "CC-BY-SA-4.0",         SPDX identifier of the work, "" if none
               "added_by_hand": false}]}]}]
    }
"""

import hashlib
import json
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from backstage.licensing.credit_sources import (
    OTHER_SECTION,
    SECTIONS,
    CreditEntry,
    Section,
    entries_for,
)
from backstage.licensing.models import CreditAddition, CreditExclusion, SectionPlace
from backstage.licensing.registry import LICENSES, License
from backstage.productions.models import Production

_DIGITS = re.compile(r"([0-9]+)")
JSON_FORMAT = "backstage-credits"
JSON_VERSION = 1
ADDITION_PREFIX = "licensing:addition:"


@dataclass(frozen=True)
class CreditedWork:
    """A work a person is credited for, with its license as people read it."""

    title: str
    license: str  # SPDX identifier, "" if none
    license_name: str
    license_url: str


@dataclass
class CreditLine:
    """One person in one section, with everything they are credited for there."""

    name: str
    user_id: int | None
    order: int
    entries: list[CreditEntry] = field(default_factory=list)

    @property
    def roles(self) -> list[str]:
        distinct: list[str] = []
        for entry in self.entries:
            role = str(entry.role)
            if role and role not in distinct:
                distinct.append(role)
        return distinct

    @property
    def role_text(self) -> str:
        return ", ".join(self.roles)

    @property
    def works(self) -> list[CreditedWork]:
        found: list[CreditedWork] = []
        for entry in self.entries:
            if not entry.work:
                continue
            known = LICENSES.get(entry.license)
            work = CreditedWork(
                title=entry.work,
                license=entry.license,
                license_name=known.name if known else entry.license,
                license_url=known.url if known else "",
            )
            if work not in found:
                found.append(work)
        return found


@dataclass(frozen=True)
class CreditSection:
    key: str
    title: str
    lines: list[CreditLine]


@dataclass(frozen=True)
class ExcludedEntry:
    """An active exclusion, with the entry it hides (None once the record no longer has it)."""

    exclusion: CreditExclusion
    entry: CreditEntry | None


@dataclass(frozen=True)
class Credits:
    production: Production
    language: str
    sections: list[CreditSection]
    # The producer's tools: the order of every known section, the people added by hand,
    # the entries taken out and every entry of the record that may be taken out.
    section_order: list[Section]
    additions: list[CreditAddition]
    excluded: list[ExcludedEntry]
    recorded: list[CreditEntry]

    @property
    def film_license(self) -> License | None:
        """The license the film is released under, as the end of the credits states it."""
        return LICENSES.get(self.production.license)

    @property
    def is_empty(self) -> bool:
        return not self.sections

    @property
    def people_count(self) -> int:
        return sum(len(section.lines) for section in self.sections)

    @property
    def digest(self) -> str:
        """A fingerprint of what the credits say, to tell whether a rendered roll is out of date."""
        text = json.dumps(credits_as_json(self), sort_keys=True, ensure_ascii=False)
        return hashlib.sha256(text.encode()).hexdigest()


def credits_url(production: Production) -> str:
    """The address of a production's credits page (for its team)."""
    return reverse("credits:page", kwargs={"slug": production.slug})


def section_order(production: Production) -> list[Section]:
    """Every known section, in the producer's order; those never placed follow in their default order."""
    places = dict(SectionPlace.objects.filter(production=production).values_list("section", "position"))
    return sorted(
        SECTIONS.values(),
        key=lambda section: (
            (0, places[section.key], 0) if section.key in places else (1, 0, section.default_position)
        ),
    )


def addition_entry(addition: CreditAddition) -> CreditEntry:
    return CreditEntry(
        section=addition.section,
        key=addition.key,
        name=addition.name,
        role=addition.role,
        order=addition.position,
    )


def build_credits(production: Production, *, release: str = "") -> Credits:
    """The production's credits as they will appear, in the active language.

    With ``release`` (a release's id), that release's credits: without the work recorded for its
    production's other releases only.
    """
    order = section_order(production)
    additions = list(CreditAddition.objects.filter(production=production))
    exclusions = list(
        CreditExclusion.objects.filter(production=production, restored_at__isnull=True).select_related(
            "excluded_by__profile"
        )
    )
    recorded = [
        entry
        for entry in entries_for(production)
        if not release or not entry.releases or release in entry.releases
    ]
    by_key = {entry.key: entry for entry in recorded}
    excluded_keys = {exclusion.key for exclusion in exclusions}
    shown = [entry for entry in recorded if entry.key not in excluded_keys]
    shown += [addition_entry(addition) for addition in additions]
    return Credits(
        production=production,
        language=(get_language() or "en"),
        sections=_arrange(shown, order),
        section_order=order,
        additions=additions,
        excluded=[ExcludedEntry(exclusion, by_key.get(exclusion.key)) for exclusion in exclusions],
        recorded=[entry for entry in recorded if entry.key not in excluded_keys],
    )


NameKey = tuple[tuple[int, int | str], ...]


def sort_key(name: str) -> NameKey:
    """How names sort: without case or accents ("Élise" between "Eddy" and "Emma"), numbers by value."""
    decomposed = unicodedata.normalize("NFKD", name.strip())
    plain = "".join(char for char in decomposed if not unicodedata.combining(char)).casefold()
    return tuple(
        (1, int(part)) if part.isascii() and part.isdigit() else (0, part)
        for part in _DIGITS.split(plain)
        if part
    )


def _arrange(entries: Iterable[CreditEntry], order: list[Section]) -> list[CreditSection]:
    grouped: dict[str, list[CreditEntry]] = {}
    for entry in entries:
        section = entry.section if entry.section in SECTIONS else OTHER_SECTION
        grouped.setdefault(section, []).append(entry)
    return [
        CreditSection(key=section.key, title=str(section.title), lines=_lines(grouped[section.key]))
        for section in order
        if grouped.get(section.key)
    ]


def _lines(entries: list[CreditEntry]) -> list[CreditLine]:
    """One line per person: by account when there is one, else by name (ignoring case and accents)."""
    entries = sorted(
        entries, key=lambda entry: (entry.order, sort_key(entry.name), str(entry.role), entry.key)
    )
    by_user: dict[int, CreditLine] = {}
    by_name: dict[NameKey, CreditLine] = {}
    lines: list[CreditLine] = []
    for entry in entries:
        name = sort_key(entry.name)
        if entry.user_id is None:
            line = by_name.get(name)
        else:
            line = by_user.get(entry.user_id)
            named = by_name.get(name)
            if line is None and named is not None and named.user_id is None:
                # Someone credited by hand under the same name as an account: the account's person.
                line, named.user_id = named, entry.user_id
                by_user[entry.user_id] = line
        if line is None:
            line = CreditLine(name=entry.name.strip(), user_id=entry.user_id, order=entry.order)
            lines.append(line)
            if entry.user_id is not None:
                by_user[entry.user_id] = line
            by_name.setdefault(name, line)
        line.entries.append(entry)
    return sorted(lines, key=lambda line: (line.order, sort_key(line.name), line.name))


def credits_as_json(credits: Credits) -> dict[str, Any]:
    """The credits as data (the keys are documented at the top of this module)."""
    production = credits.production
    return {
        "format": JSON_FORMAT,
        "version": JSON_VERSION,
        "language": credits.language,
        "production": {"slug": production.slug, "title": production.title, "license": production.license},
        "sections": [
            {
                "key": section.key,
                "title": section.title,
                "people": [
                    {
                        "name": line.name,
                        "roles": line.roles,
                        "entries": [
                            {
                                "key": entry.key,
                                "name": entry.name,
                                "role": str(entry.role),
                                "work": entry.work,
                                "license": entry.license,
                                "added_by_hand": entry.key.startswith(ADDITION_PREFIX),
                            }
                            for entry in line.entries
                        ],
                    }
                    for line in section.lines
                ],
            }
            for section in credits.sections
        ],
    }


def credits_as_text(credits: Credits) -> str:
    """The credits as plain text, for a README, a festival form or the sources bundle."""
    production = credits.production
    out = [production.title, "=" * len(production.title), ""]
    for section in credits.sections:
        out += [section.title.upper(), ""]
        for line in section.lines:
            out.append(f"{line.name} — {line.role_text}" if line.role_text else line.name)
            for work in line.works:
                out.append(
                    "    " + (f"“{work.title}” ({work.license_name})" if work.license else f"“{work.title}”")
                )
        out.append("")
    if credits.is_empty:
        out += [_("Nobody is credited yet."), ""]
    film_license = credits.film_license
    if film_license is not None:
        out.append(
            _("The film is released under the %(license)s license (%(spdx)s): %(url)s")
            % {"license": film_license.name, "spdx": film_license.spdx_id, "url": film_license.url}
        )
    return "\n".join(out).rstrip("\n") + "\n"
