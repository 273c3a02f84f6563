"""Reads for subtitles, and who may read, edit and delete them.

Reading follows the embargo of the film (queries.release_access): the team before the release
moment, everyone after it. Editing is for the producer, director and crew, and for the production's
translators (people with an accepted contribution to one of its translation calls), who also read
what they edit before the moment. Deleting is the producer's.
"""

import hashlib
import math
from dataclasses import dataclass
from datetime import datetime

from django.contrib.auth.models import AnonymousUser
from django.db.models import Count, Max, Sum
from django.http import Http404
from django.utils.translation import gettext as _

from backstage.accounts.models import User
from backstage.contributions.models import Contribution, Status
from backstage.core.errors import NotAllowed
from backstage.media.models import Rendition
from backstage.productions.models import CallKind, Production, Role
from backstage.productions.permissions import is_blocked
from backstage.releases.languages import normalise_language_tag
from backstage.releases.models import Release, Subtitle, SubtitleEdit
from backstage.releases.queries import ReleaseAccess, find_release, release_access

EDITOR_ROLES = frozenset({Role.PRODUCER, Role.DIRECTOR, Role.CREW})


def is_translator(user: User | AnonymousUser, production: Production) -> bool:
    """Whether the person has an accepted (and shown) contribution to one of the production's translation calls."""
    if not user.is_authenticated or not user.is_active or is_blocked(user, production):
        return False
    return Contribution.objects.filter(
        author=user,
        status=Status.ACCEPTED,
        is_hidden=False,
        call__production=production,
        call__kind=CallKind.TRANSLATION,
    ).exists()


@dataclass(frozen=True)
class SubtitleAccess:
    """What one person may do with one release's subtitles."""

    release_access: ReleaseAccess
    translator: bool

    @property
    def release(self) -> Release:
        return self.release_access.release

    @property
    def may_edit(self) -> bool:
        return self.release_access.role in EDITOR_ROLES or self.translator

    @property
    def may_delete(self) -> bool:
        return self.release_access.may_manage

    @property
    def may_read(self) -> bool:
        return self.release_access.may_see_film or self.may_edit


def subtitle_access(
    release: Release, viewer: User | AnonymousUser, *, now: datetime | None = None
) -> SubtitleAccess:
    access = release_access(release, viewer, now=now)
    translator = access.role not in EDITOR_ROLES and is_translator(viewer, release.production)
    return SubtitleAccess(release_access=access, translator=translator)


def readable_subtitles(
    production_slug: str, release_slug: str, viewer: User | AnonymousUser
) -> SubtitleAccess:
    """The release, if the viewer may read its subtitles; 404 otherwise (the embargo keeps it secret)."""
    access = subtitle_access(find_release(production_slug, release_slug), viewer)
    if not access.may_read:
        raise Http404
    return access


def editable_subtitles(
    production_slug: str, release_slug: str, viewer: User | AnonymousUser
) -> SubtitleAccess:
    """The release, if the viewer may edit its subtitles: 404 for whom the embargo hides it, else 403."""
    access = readable_subtitles(production_slug, release_slug, viewer)
    if not access.may_edit:
        raise NotAllowed("forbidden", refusal_to_edit())
    return access


def refusal_to_edit() -> str:
    return _("Only the production's producer, director and crew, and its translators, may edit subtitles.")


def subtitles_of(release: Release) -> list[Subtitle]:
    """The release's subtitles by language, each with ``edit_count`` and ``last_edited_at``."""
    return list(
        Subtitle.objects.filter(release=release)
        .annotate(edit_count=Count("edits"), last_edited_at=Max("edits__created_at"))
        .order_by("language")
    )


def find_subtitle(release: Release, language: str) -> Subtitle:
    """The release's subtitles in the language (a tag in any case), or 404."""
    tag = normalise_language_tag(language)
    if tag is None:
        raise Http404
    subtitle = (
        Subtitle.objects.select_related("release__production").filter(release=release, language=tag).first()
    )
    if subtitle is None:
        raise Http404
    return subtitle


def subtitle_revision(subtitle: Subtitle) -> str:
    """A short fingerprint of the subtitles' text: an editor sends back the one it started from."""
    return hashlib.sha256(subtitle.text.encode("utf-8")).hexdigest()[:16]


def film_duration_ms(release: Release) -> int | None:
    """The film's length in milliseconds, when the media pipeline has measured it."""
    duration = release.film.duration if release.film is not None else None
    if duration is None or not math.isfinite(duration) or duration <= 0:
        return None
    return math.ceil(duration * 1000)


def film_proxy(release: Release) -> Rendition | None:
    """The film's playable MP4 copy, for the editor's preview."""
    if release.film is None:
        return None
    return (
        Rendition.objects.filter(asset=release.film, kind=Rendition.Kind.PROXY)
        .order_by("height", "pk")
        .first()
    )


@dataclass(frozen=True)
class Editor:
    name: str
    cues_changed: int


def editors_of(subtitle: Subtitle) -> list[Editor]:
    """Who wrote or fixed the subtitles, most cues first: what the credits will say."""
    rows = (
        SubtitleEdit.objects.filter(subtitle=subtitle, cues_changed__gt=0)
        .values("author")
        .annotate(total=Sum("cues_changed"))
        .order_by("-total", "author")
    )
    totals = {row["author"]: row["total"] for row in rows}
    people = User.objects.select_related("profile").in_bulk(list(totals))
    return [Editor(name=people[pk].display_name, cues_changed=total) for pk, total in totals.items()]
