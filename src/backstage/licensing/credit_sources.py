"""How the apps that record work tell the credits about it.

Each app that records who made what (the team, contributions, subtitles; later the screenplay and
funding) registers one function in its AppConfig.ready(). The function returns the production's
credit entries from that app's own record; the credits code only reads them, so a new kind of work
is credited without touching it.

A source's contract:

- it makes a fixed number of database queries whatever the number of entries (the credits page
  asserts a constant count), so it selects and prefetches what it needs;
- every entry's ``key`` is stable over time ("<app>:<kind>:<id>"), because the producer's
  exclusions are recorded against it;
- an entry whose removal must be justified (an accepted contribution) sets
  ``needs_reason_to_remove``;
- work done for some releases of the production only (a dub, subtitles) names them in ``releases``,
  so that another release's credits, public before them, do not show it.

A source that needs a heading of its own (the backers, say) adds it with ``register_section``.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from backstage.productions.models import Production


@dataclass(frozen=True)
class Section:
    """A heading of the credits, with its place when the producer has not reordered them."""

    key: str
    title: str | Promise
    default_position: int


@dataclass(frozen=True)
class CreditEntry:
    section: str  # a Section key; an unknown one is shown under "other"
    # Stable identity of the entry, "<app>:<kind>:<id>", used to order or exclude it.
    key: str
    name: str  # as credited
    role: str | Promise  # what the person did: "Producer", "Music", "Subtitles (Polish)"
    user_id: int | None = None
    work: str = ""  # the title of the credited work, if any
    license: str = ""  # its SPDX identifier, if any
    # An accepted contribution's credit may only be removed with a recorded reason.
    needs_reason_to_remove: bool = False
    # Its place in the section: lower first, then by name (the team puts its producers first).
    order: int = 0
    # The ids of the releases it is part of, when it is not the whole production's work.
    releases: frozenset[str] = frozenset()


CreditSource = Callable[[Production], Iterable[CreditEntry]]

OTHER_SECTION = "other"

SECTIONS: dict[str, Section] = {
    section.key: section
    for section in [
        Section("team", _("Production team"), 0),
        Section("cast", _("Cast"), 10),
        Section("script", _("Writing"), 20),
        Section("music", _("Music"), 30),
        Section("sound", _("Sound"), 40),
        Section("art", _("Art and design"), 50),
        Section("video", _("Footage and effects"), 60),
        Section("translation", _("Translation"), 70),
        Section("subtitles", _("Subtitles"), 80),
        Section(OTHER_SECTION, _("With the help of"), 90),
    ]
}

_sources: list[CreditSource] = []


def register_section(section: Section) -> None:
    """Add a heading; a key already known keeps its first definition."""
    SECTIONS.setdefault(section.key, section)


def register(source: CreditSource) -> None:
    """Add an app's source of entries; registering the same function twice has no effect."""
    if source not in _sources:
        _sources.append(source)


def entries_for(production: Production) -> list[CreditEntry]:
    """Every app's credit entries for the production, before the producer's ordering and additions."""
    return [entry for source in _sources for entry in source(production)]
