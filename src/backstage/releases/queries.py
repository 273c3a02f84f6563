"""Reads for releases, and the embargo: the one rule that says who may see what, and when."""

from dataclasses import dataclass
from datetime import datetime

from django.contrib.auth.models import AnonymousUser
from django.http import Http404
from django.utils import timezone

from backstage.accounts.models import User
from backstage.productions.models import Production, Role
from backstage.productions.permissions import role_in
from backstage.releases.models import Release


def release_is_public(release: Release, *, now: datetime | None = None) -> bool:
    """Whether the release moment has passed for a scheduled release: then everything is public."""
    if not release.scheduled or release.moment is None:
        return False
    return release.moment <= (now or timezone.now())


def teaser_is_public(release: Release, *, now: datetime | None = None) -> bool:
    """Whether the release page (title, poster, trailer, synopsis, screenings) may be shown to all."""
    return release.teaser_published or release_is_public(release, now=now)


@dataclass(frozen=True)
class ReleaseAccess:
    """What one viewer may see of one release, decided once per request."""

    release: Release
    role: str | None  # the viewer's role in the production's team
    public: bool  # the moment has passed
    teaser: bool  # the release page is public

    @property
    def in_team(self) -> bool:
        return self.role is not None

    @property
    def may_manage(self) -> bool:
        return self.role == Role.PRODUCER

    @property
    def may_see_page(self) -> bool:
        return self.in_team or self.teaser

    @property
    def may_see_film(self) -> bool:
        """The film, its files, streams, subtitles, audio tracks, torrents and credits."""
        return self.in_team or self.public


def release_access(
    release: Release, viewer: User | AnonymousUser, *, now: datetime | None = None
) -> ReleaseAccess:
    public = release_is_public(release, now=now)
    return ReleaseAccess(
        release=release,
        role=role_in(viewer, release.production),
        public=public,
        teaser=public or release.teaser_published,
    )


def find_release(production_slug: str, release_slug: str) -> Release:
    release = (
        Release.objects.select_related("production", "film", "trailer", "poster")
        .filter(production__slug=production_slug, slug=release_slug)
        .first()
    )
    if release is None:
        raise Http404
    return release


def page_access(production_slug: str, release_slug: str, viewer: User | AnonymousUser) -> ReleaseAccess:
    """The release, if the viewer may see its page; 404 otherwise, so that its existence stays secret."""
    access = release_access(find_release(production_slug, release_slug), viewer)
    if not access.may_see_page:
        raise Http404
    return access


def film_access(production_slug: str, release_slug: str, viewer: User | AnonymousUser) -> ReleaseAccess:
    """The release, if the viewer may see the film and its files; 404 otherwise (the embargo)."""
    access = release_access(find_release(production_slug, release_slug), viewer)
    if not access.may_see_film:
        raise Http404
    return access


def visible_releases(production: Production, *, in_team: bool, now: datetime | None = None) -> list[Release]:
    """The production's releases the viewer may know of: all for its team, the public pages for others."""
    releases = list(production.releases.select_related("poster"))
    if in_team:
        return releases
    return [release for release in releases if teaser_is_public(release, now=now)]


def public_film_releases(*, limit: int, now: datetime | None = None) -> list[Release]:
    """Released films, newest moment first: for feeds."""
    return list(
        Release.objects.filter(scheduled=True, moment__lte=now or timezone.now())
        .select_related("production", "poster")
        .order_by("-moment")[:limit]
    )
