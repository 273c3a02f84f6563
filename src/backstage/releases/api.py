"""API for releases: the film and its files for everyone after the moment, the release desk for producers."""

from datetime import datetime
from typing import Literal
from uuid import UUID

from django.conf import settings
from django.http import Http404, HttpRequest
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status

from backstage.api.auth import WRITE_AUTH, ApiRequest, reader
from backstage.api.schemas import (
    ERRORS,
    NOT_BLANK,
    READ_ERRORS,
    IdPath,
    InputSchema,
    Moment,
    SlugPath,
)
from backstage.core.errors import ServiceError
from backstage.licensing.credits import credits_as_json
from backstage.media.models import Asset
from backstage.productions.models import Production
from backstage.productions.permissions import role_in
from backstage.releases import services
from backstage.releases.credits import credits_of
from backstage.releases.files import file_url, torrent_folder_name
from backstage.releases.models import AudioTrack, Release, ReleaseFile
from backstage.releases.page import magnet_for
from backstage.releases.queries import (
    ReleaseAccess,
    film_access,
    find_release,
    page_access,
    release_access,
    release_is_public,
    visible_releases,
)

router = Router(tags=["releases"])

EMBARGO_NOTE = (
    " Before the release moment, only the production's team sees the film's files, tracks, subtitles and "
    "credits; everyone else gets 404, as for a release whose premiere page is not published."
)


class FileOut(Schema):
    name: str
    kind: str = Field(..., description="`film`, `master`, `audio`, `subtitle`, `torrent`, `sources`, …")
    label: str
    language: str
    size: int = Field(..., description="Bytes.")
    sha256: str
    mime: str
    license: str = Field(..., description="SPDX identifier.")
    attribution: str
    url: str
    info_hash: str = Field(..., description="For torrents: the BitTorrent v1 info hash, hex.")


class TrackOut(Schema):
    id: int
    kind: str
    language: str
    label: str
    attribution: str
    is_default: bool


class ReleaseOut(Schema):
    id: UUID
    production: str
    slug: str
    title: str
    synopsis_en: str
    synopsis_fr: str
    license: str = Field(..., description="The film's license (the production's), SPDX identifier.")
    moment: datetime | None = Field(..., description="The release moment, UTC.")
    scheduled: bool
    teaser_published: bool
    released: bool = Field(..., description="Whether the moment has passed for a scheduled release.")
    url: str


class ReleaseDetailOut(ReleaseOut):
    build: str = Field(..., description="For the team: `none`, `queued`, `running`, `ready` or `failed`.")
    build_progress: float
    stream: str | None = Field(..., description="HLS master playlist, with every audio track.")
    files: list[FileOut] | None
    audio_tracks: list[TrackOut] | None
    subtitles: list[str] | None = Field(..., description="Languages, BCP 47.")
    magnet: str | None


class ReleaseIn(InputSchema):
    title: str = Field(..., min_length=1, max_length=services.MAX_TITLE, pattern=NOT_BLANK)
    slug: str = Field("", max_length=80)
    synopsis_en: str = Field("", max_length=services.MAX_SYNOPSIS)
    synopsis_fr: str = Field("", max_length=services.MAX_SYNOPSIS)
    film: UUID | None = None
    trailer: UUID | None = None
    poster: UUID | None = None
    moment: Moment | None = Field(
        None, description="With its time zone; stored in UTC; must be in the future."
    )


class ReleasePatch(InputSchema):
    title: str | None = Field(None, min_length=1, max_length=services.MAX_TITLE, pattern=NOT_BLANK)
    slug: str | None = Field(None, min_length=1, max_length=80)
    synopsis_en: str | None = Field(None, max_length=services.MAX_SYNOPSIS)
    synopsis_fr: str | None = Field(None, max_length=services.MAX_SYNOPSIS)
    film: UUID | None = None
    trailer: UUID | None = None
    poster: UUID | None = None
    moment: Moment | None = None


class TeaserIn(InputSchema):
    published: bool


class TrackIn(InputSchema):
    asset: UUID | None = Field(
        None, description="A sound (or video) file of the production; `null` for the film's own sound."
    )
    kind: Literal["original", "dub", "description"]
    language: str = Field(..., min_length=2, max_length=35)
    label: str = Field(..., min_length=1, max_length=services.MAX_LABEL, pattern=NOT_BLANK)
    attribution: str = Field("", max_length=services.MAX_ATTRIBUTION)
    is_default: bool = False


def _url(release: Release) -> str:
    return settings.SITE_URL + reverse(
        "releases:detail", kwargs={"slug": release.production.slug, "release_slug": release.slug}
    )


def _summary(access: ReleaseAccess) -> dict[str, object]:
    release = access.release
    return {
        "id": release.pk,
        "production": release.production.slug,
        "slug": release.slug,
        "title": release.title,
        "synopsis_en": release.synopsis_en,
        "synopsis_fr": release.synopsis_fr,
        "license": release.license,
        "moment": release.moment,
        "scheduled": release.scheduled,
        "teaser_published": release.teaser_published,
        "released": access.public,
        "url": _url(release),
    }


def _detail(access: ReleaseAccess) -> dict[str, object]:
    release = access.release
    data = _summary(access)
    data.update(
        build="", build_progress=0.0, stream=None, files=None, audio_tracks=None, subtitles=None, magnet=None
    )
    if access.in_team:
        data.update(build=release.build, build_progress=release.build_progress)
    if access.may_see_film:
        files = list(release.files.all())
        for item in files:
            item.url = settings.SITE_URL + file_url(release, item)  # type: ignore[attr-defined]
        torrent = next((item for item in files if item.kind == ReleaseFile.Kind.TORRENT), None)
        film_bytes = sum(item.size for item in files if item.kind in ("film", "master", "audio"))
        data.update(
            stream=_url(release) + "stream/master.m3u8" if release.build_folder else None,
            files=files,
            audio_tracks=list(release.audio_tracks.all()),
            subtitles=[subtitle.language for subtitle in release.subtitles.all()],
            magnet=magnet_for(release, torrent, name=torrent_folder_name(release), size=film_bytes)
            if torrent
            else None,
        )
    return data


def _asset(production: Production, asset_id: UUID | None, field: str) -> Asset | None:
    if asset_id is None:
        return None
    asset = Asset.objects.select_related("production").filter(pk=asset_id, production=production).first()
    if asset is None:
        raise ServiceError("unknown_asset", _("No file of this production has this id."), field=field)
    return asset


@router.get(
    "/productions/{slug}/releases",
    response={200: list[ReleaseOut], **READ_ERRORS},
    auth=None,
    description="The production's releases: all of them for its team, those whose page is public for others.",
)
def list_releases(request: HttpRequest, slug: SlugPath) -> list[dict[str, object]]:
    production = get_object_or_404(Production, slug=slug)
    viewer = reader(request)
    role = role_in(viewer, production)
    releases = visible_releases(production, in_team=role is not None)
    return [_summary(ReleaseAccess(release, role, release_is_public(release), True)) for release in releases]


@router.get(
    "/productions/{slug}/releases/{release_slug}",
    response={200: ReleaseDetailOut, **READ_ERRORS},
    auth=None,
    description="A release, with its files, tracks and subtitles once the film is out." + EMBARGO_NOTE,
)
def get_release(request: HttpRequest, slug: SlugPath, release_slug: SlugPath) -> dict[str, object]:
    return _detail(page_access(slug, release_slug, reader(request)))


@router.get(
    "/productions/{slug}/releases/{release_slug}/credits",
    response={200: dict, **READ_ERRORS},
    auth=None,
    description="The film's credits, generated from the record." + EMBARGO_NOTE,
)
def release_credits(request: HttpRequest, slug: SlugPath, release_slug: SlugPath) -> dict[str, object]:
    access = film_access(slug, release_slug, reader(request))
    return credits_as_json(credits_of(access.release))


def _producer_release(request: ApiRequest, slug: str, release_slug: str) -> Release:
    """The release a producer acts on; 404 for those who may not know it exists, 403 for the rest."""
    access = release_access(find_release(slug, release_slug), request.auth)
    if not access.may_see_page:
        raise Http404
    services.require_producer(request.auth, access.release.production)
    return access.release


@router.post(
    "/productions/{slug}/releases",
    response={201: ReleaseDetailOut, **ERRORS},
    auth=WRITE_AUTH,
    description="A producer creates a release (not yet scheduled).",
)
def create_release(request: ApiRequest, slug: SlugPath, payload: ReleaseIn) -> Status[dict[str, object]]:
    production = get_object_or_404(Production, slug=slug)
    services.require_producer(request.auth, production)
    release = services.create_release(
        actor=request.auth,
        production=production,
        title=payload.title,
        slug=payload.slug,
        synopsis_en=payload.synopsis_en,
        synopsis_fr=payload.synopsis_fr,
        film=_asset(production, payload.film, "film"),
        trailer=_asset(production, payload.trailer, "trailer"),
        poster=_asset(production, payload.poster, "poster"),
        moment=payload.moment,
    )
    return Status(201, _as_producer(release))


@router.patch(
    "/productions/{slug}/releases/{release_slug}",
    response={200: ReleaseDetailOut, **ERRORS},
    auth=WRITE_AUTH,
    description="A producer changes a release before its moment; fields left out keep their value.",
)
def update_release(
    request: ApiRequest, slug: SlugPath, release_slug: SlugPath, payload: ReleasePatch
) -> dict[str, object]:
    release = _producer_release(request, slug, release_slug)
    sent = payload.model_fields_set
    production = release.production

    def pick(name: str) -> object:
        return getattr(payload, name) if name in sent else getattr(release, name)

    def pick_asset(name: str) -> Asset | None:
        return _asset(production, getattr(payload, name), name) if name in sent else getattr(release, name)

    release = services.update_release(
        actor=request.auth,
        release=release,
        title=pick("title"),  # type: ignore[arg-type]
        slug=pick("slug"),  # type: ignore[arg-type]
        synopsis_en=pick("synopsis_en"),  # type: ignore[arg-type]
        synopsis_fr=pick("synopsis_fr"),  # type: ignore[arg-type]
        film=pick_asset("film"),
        trailer=pick_asset("trailer"),
        poster=pick_asset("poster"),
        moment=pick("moment"),  # type: ignore[arg-type]
    )
    return _as_producer(release)


def _as_producer(release: Release) -> dict[str, object]:
    return _detail(ReleaseAccess(release, "producer", False, release.teaser_published))


@router.post(
    "/productions/{slug}/releases/{release_slug}/prepare",
    response={200: ReleaseDetailOut, **ERRORS},
    auth=WRITE_AUTH,
    description="A producer has the release's files prepared in the background (streams, downloads, "
    "torrents, bundles); `build` and `build_progress` follow the work.",
)
def prepare_release(request: ApiRequest, slug: SlugPath, release_slug: SlugPath) -> dict[str, object]:
    release = _producer_release(request, slug, release_slug)
    return _as_producer(services.prepare_files(actor=request.auth, release=release))


@router.post(
    "/productions/{slug}/releases/{release_slug}/schedule",
    response={200: ReleaseDetailOut, **ERRORS},
    auth=WRITE_AUTH,
    description="A producer schedules a release whose files are ready: at its moment everything goes "
    "public by itself.",
)
def schedule_release(request: ApiRequest, slug: SlugPath, release_slug: SlugPath) -> dict[str, object]:
    release = _producer_release(request, slug, release_slug)
    return _as_producer(services.schedule(actor=request.auth, release=release))


@router.post(
    "/productions/{slug}/releases/{release_slug}/postpone",
    response={200: ReleaseDetailOut, **ERRORS},
    auth=WRITE_AUTH,
    description="A producer takes a scheduled release back: nothing opens at its moment.",
)
def postpone_release(request: ApiRequest, slug: SlugPath, release_slug: SlugPath) -> dict[str, object]:
    release = _producer_release(request, slug, release_slug)
    return _as_producer(services.postpone(actor=request.auth, release=release))


@router.post(
    "/productions/{slug}/releases/{release_slug}/teaser",
    response={200: ReleaseDetailOut, **ERRORS},
    auth=WRITE_AUTH,
    description="A producer publishes (or hides) the premiere page before the moment; the film stays embargoed.",
)
def set_teaser(
    request: ApiRequest, slug: SlugPath, release_slug: SlugPath, payload: TeaserIn
) -> dict[str, object]:
    release = _producer_release(request, slug, release_slug)
    release = services.publish_teaser(actor=request.auth, release=release, published=payload.published)
    return _as_producer(release)


@router.delete(
    "/productions/{slug}/releases/{release_slug}",
    response={204: None, **ERRORS},
    auth=WRITE_AUTH,
    description="A producer deletes a release that is not out yet.",
)
def delete_release(request: ApiRequest, slug: SlugPath, release_slug: SlugPath) -> Status[None]:
    release = _producer_release(request, slug, release_slug)
    services.delete_release(actor=request.auth, release=release)
    return Status(204, None)


@router.post(
    "/productions/{slug}/releases/{release_slug}/audio-tracks",
    response={201: TrackOut, **ERRORS},
    auth=WRITE_AUTH,
    description="A producer adds an audio track: the film's own sound, a dub or an audio description.",
)
def add_track(
    request: ApiRequest, slug: SlugPath, release_slug: SlugPath, payload: TrackIn
) -> Status[AudioTrack]:
    release = _producer_release(request, slug, release_slug)
    track = services.add_audio_track(
        actor=request.auth,
        release=release,
        asset=_asset(release.production, payload.asset, "asset"),
        kind=payload.kind,
        language=payload.language,
        label=payload.label,
        attribution=payload.attribution,
        is_default=payload.is_default,
    )
    return Status(201, track)


@router.delete(
    "/productions/{slug}/releases/{release_slug}/audio-tracks/{track_id}",
    response={204: None, **ERRORS},
    auth=WRITE_AUTH,
    description="A producer removes an audio track.",
)
def remove_track(
    request: ApiRequest, slug: SlugPath, release_slug: SlugPath, track_id: IdPath
) -> Status[None]:
    release = _producer_release(request, slug, release_slug)
    track = get_object_or_404(
        AudioTrack.objects.select_related("release__production"), pk=track_id, release=release
    )
    services.remove_audio_track(actor=request.auth, track=track)
    return Status(204, None)
