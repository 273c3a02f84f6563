"""The film page: what it shows to whom, its structured data, and its cache for the release-day rush.

Anonymous visitors without a session all see the same page, so it is rendered once per release
version, language and phase (premiere or released) and kept in the cache; before the moment the
entry expires at the moment, so the page opens on time. The CSRF token of the language switcher
is put into the cached page on the way out, per visitor.
"""

import hashlib
import json
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from backstage.core.translated import translated
from backstage.licensing.registry import get_license
from backstage.media.models import Asset, Rendition
from backstage.media.problems import PROBLEMS, describe
from backstage.releases import rush
from backstage.releases.files import file_url, seed_base_url, torrent_folder_name
from backstage.releases.forms import AudioTrackForm, ReleaseForm
from backstage.releases.languages import language_name
from backstage.releases.models import AudioTrack, Release, ReleaseFile, Subtitle
from backstage.releases.queries import ReleaseAccess
from backstage.releases.screenings import upcoming_screenings
from backstage.releases.subtitle_queries import subtitle_access
from backstage.releases.torrents import magnet_link

# A change to the release bumps its version (part of the key) and shows at once; what the page also
# shows from elsewhere (the credits from the record, people's names) shows within this time.
PUBLIC_PAGE_SECONDS = 60


def _urls(release: Release) -> dict[str, str]:
    kwargs = {"slug": release.production.slug, "release_slug": release.slug}
    return {
        name: reverse(f"releases:{name}", kwargs=kwargs)
        for name in ("detail", "stream_master", "embed", "credits", "credits_text", "credits_json", "manage")
    }


@dataclass(frozen=True)
class Caption:
    language: str
    label: str
    url: str


def _asset_url(release: Release, which: str, rendition: Rendition | None) -> str:
    if rendition is None:
        return ""
    return reverse(
        "releases:asset",
        kwargs={
            "slug": release.production.slug,
            "release_slug": release.slug,
            "which": which,
            "path": rendition.path,
        },
    )


def _largest(asset: Asset | None, kind: str) -> Rendition | None:
    if asset is None:
        return None
    items = asset.renditions_by_kind.get(kind, [])
    return max(items, key=lambda item: item.width or 0) if items else None


def magnet_for(release: Release, torrent: ReleaseFile, *, name: str, size: int) -> str:
    return magnet_link(info_hash=torrent.info_hash, name=name, size=size, web_seed=seed_base_url(release))


def page_context(request: HttpRequest, access: ReleaseAccess) -> dict[str, object]:
    release = access.release
    production = release.production
    for asset in (release.trailer, release.poster):
        if asset is not None:
            # Two small reads, whatever the release holds.
            asset._prefetched_objects_cache = {"renditions": asset.renditions.all()}  # type: ignore[attr-defined]
    poster = _largest(release.poster, Rendition.Kind.IMAGE)
    trailer_hls = _largest(release.trailer, Rendition.Kind.HLS)
    trailer_poster = _largest(release.trailer, Rendition.Kind.POSTER)
    trailer_proxy = _largest(release.trailer, Rendition.Kind.PROXY)
    urls = _urls(release)
    license = get_license(release.license)
    context: dict[str, object] = {
        "release": release,
        "production": production,
        "access": access,
        "urls": urls,
        "synopsis": translated(release, "synopsis"),
        "license": license,
        "poster_url": _asset_url(release, "poster", poster),
        "trailer": {
            "hls": _asset_url(release, "trailer", trailer_hls),
            "poster": _asset_url(release, "trailer", trailer_poster),
            "mp4": _asset_url(release, "trailer", trailer_proxy),
        }
        if release.trailer is not None
        else None,
        "screenings": upcoming_screenings(release, limit=50),
        # Translators are not in the team: this is where they find the subtitles to work on.
        "may_edit_subtitles": request.user.is_authenticated
        and subtitle_access(release, request.user).may_edit,
        "now": timezone.now(),
        # Absolute links from the configured address, never the request's: the page is shared by all.
        "site_url": settings.SITE_URL,
    }
    if access.may_see_film:
        context.update(_film_context(release))
    context["structured_data"] = structured_data(release, context, absolute=settings.SITE_URL)
    return context


def _file_detail(item: ReleaseFile) -> str:
    """What tells a file apart from the others of its kind, in words: "720p", "Polish", "French (SRT)"."""
    if item.kind == ReleaseFile.Kind.SUBTITLE:
        return f"{language_name(item.language)} ({item.name.rsplit('.', 1)[-1].upper()})"
    if item.kind == ReleaseFile.Kind.AUDIO:
        kind = item.label.rsplit("-", 1)[-1]
        if kind in AudioTrack.Kind.values:
            return f"{language_name(item.language)}, {AudioTrack.Kind(kind).label}"
        return language_name(item.language)
    return item.label


def _first(by_kind: dict[str, list[ReleaseFile]], kind: str) -> ReleaseFile | None:
    return by_kind[kind][0] if by_kind.get(kind) else None


def embed_context(access: ReleaseAccess) -> dict[str, object]:
    """What the bare player for other sites needs: the stream, the MP4 fallback, subtitles, poster."""
    release = access.release
    return {
        "release": release,
        "urls": _urls(release),
        "license": get_license(release.license),
        "poster_url": _asset_url(release, "poster", _largest(release.poster, Rendition.Kind.IMAGE)),
        "files": _files_by_kind(release),
        "captions": _captions(release),
    }


def _files_by_kind(release: Release) -> dict[str, list[ReleaseFile]]:
    """The release's files by kind, with their addresses and what tells them apart in words."""
    by_kind: dict[str, list[ReleaseFile]] = {}
    for item in release.files.all():
        item.url = file_url(release, item)  # type: ignore[attr-defined]
        item.detail = _file_detail(item)  # type: ignore[attr-defined]
        by_kind.setdefault(item.kind, []).append(item)
    return by_kind


def _captions(release: Release) -> list[Caption]:
    kwargs = {"slug": release.production.slug, "release_slug": release.slug}
    return [
        Caption(
            subtitle.language,
            subtitle.label or language_name(subtitle.language),
            reverse("releases:caption", kwargs={**kwargs, "language": subtitle.language}),
        )
        for subtitle in release.subtitles.defer("text")  # the cues are read from their own address
    ]


def _film_context(release: Release) -> dict[str, object]:
    from backstage.releases.credits import credits_of

    by_kind = _files_by_kind(release)
    files = [item for group in by_kind.values() for item in group]
    captions = _captions(release)
    torrent = _first(by_kind, ReleaseFile.Kind.TORRENT)
    film_bytes = sum(
        item.size
        for item in files
        if item.kind in (ReleaseFile.Kind.FILM, ReleaseFile.Kind.MASTER, ReleaseFile.Kind.AUDIO)
    )
    sources_torrent = _first(by_kind, ReleaseFile.Kind.SOURCES_TORRENT)
    sources = _first(by_kind, ReleaseFile.Kind.SOURCES)
    return {
        "files": by_kind,
        "has_files": bool(files),
        "captions": captions,
        "torrent": torrent,
        "magnet": magnet_for(release, torrent, name=torrent_folder_name(release), size=film_bytes)
        if torrent
        else "",
        "sources_torrent": sources_torrent,
        "sources_magnet": magnet_for(release, sources_torrent, name=sources.name, size=sources.size)
        if sources_torrent and sources
        else "",
        "credits": credits_of(release),
        "stream_ready": release.build == Release.Build.READY and bool(release.build_folder),
    }


def _iso_duration(seconds: float) -> str:
    total = round(seconds)
    return f"PT{total // 3600}H{total % 3600 // 60}M{total % 60}S"


def structured_data(release: Release, context: dict[str, object], *, absolute: str) -> SafeString:
    """schema.org Movie as JSON-LD: what search engines and link previews read."""
    urls: dict[str, str] = context["urls"]  # type: ignore[assignment]
    license = get_license(release.license)
    data: dict[str, object] = {
        "@context": "https://schema.org",
        "@type": "Movie",
        "name": release.title,
        "url": absolute + urls["detail"],
        "description": str(context["synopsis"])[:5000],
        "license": license.url,
        "productionCompany": {"@type": "Organization", "name": settings.STUDIO_NAME},
    }
    if release.moment is not None:
        data["datePublished"] = release.moment.isoformat()
    if context.get("poster_url"):
        data["image"] = absolute + str(context["poster_url"])
    trailer = context.get("trailer")
    if isinstance(trailer, dict) and trailer.get("mp4"):
        teaser: dict[str, object] = {
            "@type": "VideoObject",
            "name": _("%(title)s (trailer)") % {"title": release.title},
            "contentUrl": absolute + trailer["mp4"],
            "uploadDate": (release.created_at or timezone.now()).isoformat(),
        }
        if thumbnail := trailer.get("poster") or context.get("poster_url"):
            teaser["thumbnailUrl"] = absolute + str(thumbnail)
        data["trailer"] = teaser
    if "files" in context and release.film is not None:
        if release.film.duration:
            data["duration"] = _iso_duration(release.film.duration)
        films: list[ReleaseFile] = context["files"].get(ReleaseFile.Kind.FILM, [])  # type: ignore[attr-defined]
        if films:
            video: dict[str, object] = {
                "@type": "VideoObject",
                "name": release.title,
                "contentUrl": absolute + films[-1].url,  # type: ignore[attr-defined]
                "embedUrl": absolute + urls["embed"],
                "encodingFormat": "video/mp4",
                "license": license.url,
            }
            if release.moment is not None:
                video["uploadDate"] = release.moment.isoformat()
            if context.get("poster_url"):
                video["thumbnailUrl"] = absolute + str(context["poster_url"])
            data["video"] = video
        captions: list[Caption] = context.get("captions", [])  # type: ignore[assignment]
        if captions:
            data["subtitleLanguage"] = [caption.language for caption in captions]
    text = json.dumps(data, ensure_ascii=False)
    # Inside <script>, "</" and "<!--" must not appear.
    return mark_safe(text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026"))  # noqa: S308


def _cache_key(release: Release, access: ReleaseAccess) -> str:
    phase = "released" if access.public else "premiere"
    return f"release-page:{release.pk}:{release.version}:{get_language()}:{phase}"


def _cache_seconds(release: Release, access: ReleaseAccess) -> int:
    if access.public or release.moment is None or not release.scheduled:
        return PUBLIC_PAGE_SECONDS
    until_moment = (release.moment - timezone.now()) / timedelta(seconds=1)
    return max(0, min(PUBLIC_PAGE_SECONDS, int(until_moment)))


def render_release_page(request: HttpRequest, access: ReleaseAccess) -> HttpResponse:
    release = access.release
    cacheable = not request.user.is_authenticated and rush.anonymous_get(request)
    key = _cache_key(release, access)
    body = cache.get(key) if cacheable else None
    if body is None:
        context = page_context(request, access)
        context["csrf_token"] = rush.PLACEHOLDER
        body = render_to_string("releases/release_detail.html", context, request=request)
        seconds = _cache_seconds(release, access)
        if cacheable and seconds > 0:
            cache.set(key, body, seconds)
    if cacheable:
        # The premiere page must not outlive the moment, even for a second.
        premiere_ends = (
            release.moment.timestamp() if not access.public and release.scheduled and release.moment else None
        )
        rush.keep(request.path, get_language(), body, until=premiere_ends)
    return HttpResponse(body.replace(rush.PLACEHOLDER, get_token(request)))


def build_problem(release: Release) -> str:
    """Why the preparation failed, in words, when the media tools said (empty otherwise)."""
    return describe(release.build_problem) if release.build_problem in PROBLEMS else ""


def subtitles_changed(subtitles: list[Subtitle], files: list[ReleaseFile]) -> bool:
    """Whether the prepared subtitle files differ from the subtitles as they are now.

    Compared by content, so an edit made while the files were being prepared, a deletion or a new
    language all count. Nothing prepared yet means nothing to warn about.
    """
    if not files:
        return False
    prepared = {
        item.language: item.sha256
        for item in files
        if item.kind == ReleaseFile.Kind.SUBTITLE and item.name.endswith(".vtt")
    }
    current = {item.language: hashlib.sha256(item.text.encode()).hexdigest() for item in subtitles}
    return prepared != current


def manage_context(request: HttpRequest, release: Release, *, form: ReleaseForm) -> dict[str, object]:
    subtitles = list(release.subtitles.all())
    files = list(release.files.all())
    for item in files:
        item.detail = _file_detail(item)  # type: ignore[attr-defined]
    return {
        "release": release,
        "production": release.production,
        "form": form,
        "track_form": AudioTrackForm(production=release.production),
        "tracks": list(release.audio_tracks.select_related("asset")),
        "subtitles": subtitles,
        "files": files,
        "build_problem": build_problem(release),
        "stale_subtitles": subtitles_changed(subtitles, files),
        "urls": _urls(release),
        "may_manage": True,
    }
