"""Writes for releases: creating one, its audio tracks, preparing its files, scheduling, the teaser.

Only the production's producers act on a release. Each function validates, runs in one transaction
and returns the object or raises a ServiceError; nothing half-made is ever public, because only a
scheduled release whose files are ready opens at its moment.
"""

import uuid
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import F, Max
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from backstage.accounts.models import User
from backstage.core.errors import Conflict, NotAllowed, ServiceError
from backstage.core.text import required_text
from backstage.licensing.compatibility import can_include
from backstage.licensing.registry import get_license
from backstage.media.models import Asset
from backstage.productions.models import Production, Role
from backstage.productions.permissions import role_in
from backstage.releases.languages import checked_language_tag
from backstage.releases.models import AudioTrack, Release
from backstage.releases.queries import release_is_public

MAX_TITLE: int = Release._meta.get_field("title").max_length  # type: ignore[assignment]
MAX_SYNOPSIS: int = Release._meta.get_field("synopsis_en").max_length  # type: ignore[assignment]
MAX_LABEL: int = AudioTrack._meta.get_field("label").max_length  # type: ignore[assignment]
MAX_ATTRIBUTION: int = AudioTrack._meta.get_field("attribution").max_length  # type: ignore[assignment]
# A dub or a description longer or shorter than the film by more than this would drift out of sync.
AUDIO_DURATION_TOLERANCE = 2.0
# Progress is saved at least every few seconds while the files are prepared; silence this long means
# the worker was stopped.
BUILD_STALE_AFTER = timedelta(minutes=30)


def require_producer(actor: User, production: Production) -> None:
    if not actor.is_authenticated or not actor.is_active or role_in(actor, production) != Role.PRODUCER:
        raise NotAllowed("forbidden", _("Only the production's producers may manage its releases."))


def _require_not_public(release: Release) -> None:
    if release_is_public(release):
        raise Conflict("already_released", _("The film is out: its release can no longer be changed."))


def _check_moment(moment: datetime | None) -> None:
    if moment is None:
        return
    if timezone.is_naive(moment):
        raise ServiceError("naive_moment", _("Give the release moment with its time zone."), field="moment")
    if moment <= timezone.now():
        raise ServiceError("moment_in_past", _("The release moment must be in the future."), field="moment")


def _check_asset(
    production: Production, asset: Asset | None, *, kinds: tuple[str, ...], field: str, license: str
) -> None:
    """An asset a release uses: the production's own, ready, of the right kind, under a license that fits."""
    if asset is None:
        return
    if asset.production_id != production.pk:
        raise ServiceError(
            "asset_elsewhere",
            _("“%(name)s” was not uploaded for this production: choose one of its files.")
            % {"name": asset.name},
            field=field,
        )
    if asset.status != Asset.Status.READY:
        raise ServiceError(
            "asset_not_ready",
            _("“%(name)s” is not ready yet: wait until its processing has finished.") % {"name": asset.name},
            field=field,
        )
    if asset.kind not in kinds:
        raise ServiceError(
            "wrong_kind",
            _("“%(name)s” is not a file of the right kind here.") % {"name": asset.name},
            field=field,
        )
    check_license_fits(asset, release_license=license, field=field)


def asset_license(asset: Asset) -> str:
    """The asset's license; a team file with none given is the production's own work, under its license."""
    return asset.license or (asset.production.license if asset.production is not None else "")


def check_license_fits(asset: Asset, *, release_license: str, field: str) -> None:
    inner = asset_license(asset)
    if can_include(outer=release_license, inner=inner):
        return
    raise ServiceError(
        "license_incompatible",
        _("“%(name)s” is under %(license)s, which a film under %(release)s cannot include.")
        % {
            "name": asset.name,
            "license": inner or _("no license"),
            "release": get_license(release_license).name,
        },
        field=field,
    )


def _clean_text(value: str, *, field: str, most: int, blank_message: str = "") -> str:
    """Trimmed text within its limit; refused when blank if ``blank_message`` says why it is needed."""
    if blank_message:
        return required_text(value, field=field, max_length=most, blank_message=blank_message)
    value = (value or "").strip()
    if len(value) > most:
        raise ServiceError(
            "too_long", _("The text is too long (%(max)d characters at most).") % {"max": most}, field=field
        )
    return value


def _unique_slug(production: Production, wanted: str, *, exclude: Release | None = None) -> str:
    slug = slugify(wanted)[:80].strip("-")
    if not slug:
        raise ServiceError(
            "bad_slug", _("Give the release an address made of letters and digits."), field="slug"
        )
    taken = Release.objects.filter(production=production, slug=slug)
    if exclude is not None:
        taken = taken.exclude(pk=exclude.pk)
    if taken.exists():
        raise ServiceError(
            "slug_taken", _("Another release of this production already has this address."), field="slug"
        )
    return slug


@transaction.atomic
def create_release(
    *,
    actor: User,
    production: Production,
    title: str,
    slug: str = "",
    synopsis_en: str = "",
    synopsis_fr: str = "",
    film: Asset | None = None,
    trailer: Asset | None = None,
    poster: Asset | None = None,
    moment: datetime | None = None,
) -> Release:
    require_producer(actor, production)
    release = Release(production=production, created_by=actor)
    _fill(
        release,
        title=title,
        slug=slug or title,
        synopsis_en=synopsis_en,
        synopsis_fr=synopsis_fr,
        film=film,
        trailer=trailer,
        poster=poster,
        moment=moment,
    )
    release.save()
    return release


@transaction.atomic
def update_release(
    *,
    actor: User,
    release: Release,
    title: str,
    slug: str,
    synopsis_en: str,
    synopsis_fr: str,
    film: Asset | None,
    trailer: Asset | None,
    poster: Asset | None,
    moment: datetime | None,
) -> Release:
    require_producer(actor, release.production)
    release = Release.objects.select_for_update().get(pk=release.pk)
    _require_not_public(release)
    # What the prepared files were made from: the film, its title (the downloads' names and metadata),
    # its address (the web seeds'), its license (every file's), its moment (the cinema kit's README,
    # the archives' dates, the copyright year) and its poster (in the kit).
    made_from = (
        release.film_id,
        release.title,
        release.slug,
        release.license,
        release.moment,
        release.poster_id,
    )
    _fill(
        release,
        title=title,
        slug=slug,
        synopsis_en=synopsis_en,
        synopsis_fr=synopsis_fr,
        film=film,
        trailer=trailer,
        poster=poster,
        moment=moment,
    )
    if release.scheduled and (release.film is None or release.moment is None):
        raise ServiceError(
            "scheduled_needs_film",
            _("A scheduled release needs its film and its moment; postpone it first."),
            field="film" if release.film is None else "moment",
        )
    if made_from != (
        release.film_id,
        release.title,
        release.slug,
        release.license,
        release.moment,
        release.poster_id,
    ):
        # The prepared files no longer match: they must be made again, and until then the release
        # cannot open.
        release.build = Release.Build.NONE
        release.build_progress = 0.0
        release.scheduled = False
    release.version = F("version") + 1
    release.save()
    release.refresh_from_db()
    return release


def _fill(
    release: Release,
    *,
    title: str,
    slug: str,
    synopsis_en: str,
    synopsis_fr: str,
    film: Asset | None,
    trailer: Asset | None,
    poster: Asset | None,
    moment: datetime | None,
) -> None:
    production = release.production
    release.title = _clean_text(
        title, field="title", most=MAX_TITLE, blank_message=_("Give the release a title.")
    )
    release.slug = _unique_slug(production, slug, exclude=release if release.pk else None)
    release.synopsis_en = _clean_text(synopsis_en, field="synopsis_en", most=MAX_SYNOPSIS)
    release.synopsis_fr = _clean_text(synopsis_fr, field="synopsis_fr", most=MAX_SYNOPSIS)
    release.license = production.license
    _check_asset(production, film, kinds=(Asset.Kind.VIDEO,), field="film", license=release.license)
    _check_asset(production, trailer, kinds=(Asset.Kind.VIDEO,), field="trailer", license=release.license)
    _check_asset(production, poster, kinds=(Asset.Kind.IMAGE,), field="poster", license=release.license)
    if trailer is not None and trailer == film:
        # The trailer is public with the premiere page, long before the film.
        raise ServiceError(
            "trailer_is_film",
            _("The trailer is shown before the release moment: choose a file other than the film."),
            field="trailer",
        )
    if moment != release.moment:
        _check_moment(moment)
    release.film, release.trailer, release.poster, release.moment = film, trailer, poster, moment


@transaction.atomic
def add_audio_track(
    *,
    actor: User,
    release: Release,
    asset: Asset | None,
    kind: str,
    language: str,
    label: str,
    attribution: str = "",
    is_default: bool = False,
) -> AudioTrack:
    """Add a sound of the film: its own (asset None), or a dub or description recorded separately."""
    require_producer(actor, release.production)
    release = (
        Release.objects.select_for_update(of=("self",))
        .select_related("production", "film")
        .get(pk=release.pk)
    )
    _require_not_public(release)
    if kind not in AudioTrack.Kind.values:
        raise ServiceError("bad_kind", _("Choose what kind of track this is."), field="kind")
    if asset is None:
        if release.film is None or not _has_audio(release.film):
            raise ServiceError(
                "film_has_no_sound",
                _("The film file has no sound of its own: choose a sound file."),
                field="asset",
            )
        if release.audio_tracks.filter(asset__isnull=True).exists():
            raise Conflict("duplicate_track", _("The film's own sound is already a track."), field="asset")
    else:
        _check_asset(
            release.production,
            asset,
            kinds=(Asset.Kind.AUDIO, Asset.Kind.VIDEO),
            field="asset",
            license=release.license,
        )
        if not _has_audio(asset):
            raise ServiceError(
                "no_sound", _("“%(name)s” has no sound.") % {"name": asset.name}, field="asset"
            )
        _check_same_length(release, asset)
    language = checked_language_tag(language, field="language")
    if release.audio_tracks.filter(language=language, kind=kind).exists():
        raise Conflict(
            "duplicate_track",
            _("The release already has a track of this kind in this language."),
            field="language",
        )
    label = _clean_text(
        label, field="label", most=MAX_LABEL, blank_message=_("Name the track as the player shows it.")
    )
    attribution = _clean_text(attribution, field="attribution", most=MAX_ATTRIBUTION)
    if not release.audio_tracks.exists():
        is_default = True
    elif is_default:
        release.audio_tracks.update(is_default=False)
    position = (release.audio_tracks.aggregate(last=Max("position"))["last"] or 0) + 1
    track = AudioTrack.objects.create(
        release=release,
        asset=asset,
        kind=kind,
        language=language,
        label=label,
        attribution=attribution,
        is_default=is_default,
        position=position,
    )
    _files_out_of_date(release)
    return track


@transaction.atomic
def remove_audio_track(*, actor: User, track: AudioTrack) -> None:
    release = track.release
    require_producer(actor, release.production)
    release = Release.objects.select_for_update().get(pk=release.pk)
    _require_not_public(release)
    was_default = track.is_default
    track.delete()
    if was_default:
        first = release.audio_tracks.first()
        if first is not None:
            release.audio_tracks.filter(pk=first.pk).update(is_default=True)
    _files_out_of_date(release)


def _has_audio(asset: Asset) -> bool:
    return any(stream.get("type") == "audio" for stream in asset.probe.get("streams", []))


def _check_same_length(release: Release, asset: Asset) -> None:
    if release.film is None or release.film.duration is None or asset.duration is None:
        return
    if abs(release.film.duration - asset.duration) > AUDIO_DURATION_TOLERANCE:
        raise ServiceError(
            "length_mismatch",
            _("“%(name)s” lasts %(sound).1f s but the film lasts %(film).1f s: the sound would drift.")
            % {"name": asset.name, "sound": asset.duration, "film": release.film.duration},
            field="asset",
        )


def _files_out_of_date(release: Release) -> None:
    """What the release's files were made from changed: they must be prepared again before it opens."""
    Release.objects.filter(pk=release.pk).update(
        build=Release.Build.NONE, build_progress=0.0, scheduled=False, version=F("version") + 1
    )


@transaction.atomic
def prepare_files(*, actor: User, release: Release) -> Release:
    """Queue the making of the release's streams, downloads, torrents and bundles."""
    from backstage.releases.tasks import build_release

    release = _locked(actor, release)
    if release.film is None:
        raise ServiceError("no_film", _("Choose the film file first."), field="film")
    if release.film.status != Asset.Status.READY:
        raise ServiceError("asset_not_ready", _("The film file is not ready yet."), field="film")
    # A preparation that has given no sign of life for a while was interrupted: it may start again.
    alive = release.updated_at > timezone.now() - BUILD_STALE_AFTER
    if release.build in (Release.Build.QUEUED, Release.Build.RUNNING) and alive:
        raise Conflict("already_preparing", _("The files are already being prepared."))
    token = uuid.uuid4().hex
    _changed(
        release,
        build=Release.Build.QUEUED,
        build_token=token,
        build_progress=0.0,
        build_problem="",
        scheduled=False,
    )
    release_id = str(release.pk)
    transaction.on_commit(lambda: build_release.enqueue(release_id=release_id, token=token))
    return release


@transaction.atomic
def schedule(*, actor: User, release: Release) -> Release:
    """Fix the release: at its moment, everything goes public without anyone pressing a button."""
    release = _locked(actor, release)
    if release.film is None:
        raise ServiceError("no_film", _("A release needs its film file."), field="film")
    if release.moment is None:
        raise ServiceError("no_moment", _("Set the release moment first."), field="moment")
    _check_moment(release.moment)
    for field, asset in (("film", release.film), ("trailer", release.trailer), ("poster", release.poster)):
        if asset is not None:
            check_license_fits(asset, release_license=release.license, field=field)
    for track in release.audio_tracks.select_related("asset__production"):
        if track.asset is not None:
            check_license_fits(track.asset, release_license=release.license, field="audio_tracks")
    if release.build != Release.Build.READY:
        raise ServiceError(
            "files_not_ready", _("Prepare the release's files first, and wait until they are ready.")
        )
    return _changed(release, scheduled=True)


def _locked(actor: User, release: Release) -> Release:
    """The release, locked for a change by its producer while it is not out."""
    require_producer(actor, release.production)
    release = Release.objects.select_for_update().get(pk=release.pk)
    _require_not_public(release)
    return release


def _changed(release: Release, **fields: object) -> Release:
    Release.objects.filter(pk=release.pk).update(
        **fields, version=F("version") + 1, updated_at=timezone.now()
    )
    release.refresh_from_db()
    return release


@transaction.atomic
def postpone(*, actor: User, release: Release) -> Release:
    """Take a scheduled release back to preparation: nothing opens at the moment."""
    return _changed(_locked(actor, release), scheduled=False)


@transaction.atomic
def publish_teaser(*, actor: User, release: Release, published: bool) -> Release:
    """Show (or hide) the premiere page before the moment; the film itself stays embargoed."""
    return _changed(_locked(actor, release), teaser_published=published)


@transaction.atomic
def delete_release(*, actor: User, release: Release) -> None:
    release = _locked(actor, release)
    from backstage.releases.files import remove_release_folder

    release_id = release.pk
    release.delete()
    transaction.on_commit(lambda: remove_release_folder(release_id))
