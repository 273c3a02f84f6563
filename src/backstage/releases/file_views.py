"""Every file of a release goes through here, and here the embargo holds: 404 until the moment.

Downloads, web seeds, streams, captions and credits answer only the production's team before the
moment, and everyone after it; the poster and trailer follow the premiere page instead.
"""

import base64
from pathlib import Path

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.views.decorators.clickjacking import xframe_options_exempt

from backstage.licensing.credits import credits_as_json, credits_as_text
from backstage.media.downloads import RENDITION_TYPES, serve_file
from backstage.media.ingest import renditions_dir
from backstage.releases import page
from backstage.releases.credits import credits_of
from backstage.releases.files import stored_path, torrent_folder_name
from backstage.releases.models import ReleaseFile
from backstage.releases.queries import ReleaseAccess, film_access, page_access

STREAM_TYPES = {".m3u8": "application/vnd.apple.mpegurl", ".m4s": "video/iso.segment", ".mp4": "video/mp4"}


def _cache_headers(response: HttpResponseBase, access: ReleaseAccess) -> HttpResponseBase:
    # Shared caches may keep public files; an embargoed file is never stored on the way.
    response["Cache-Control"] = "public, max-age=3600" if access.public else "private, no-store"
    return response


def _serve(request: HttpRequest, access: ReleaseAccess, release_file: ReleaseFile) -> HttpResponseBase:
    try:
        path = stored_path(release_file)
    except FileNotFoundError:
        raise Http404 from None
    if not path.is_file():
        raise Http404
    response = serve_file(
        request, path, content_type=release_file.mime, download_name=release_file.name, inline=False
    )
    if release_file.sha256:
        # RFC 9530: lets a client check the whole file it received.
        digest = base64.b64encode(bytes.fromhex(release_file.sha256)).decode()
        response["Repr-Digest"] = f"sha-256=:{digest}:"
    return _cache_headers(response, access)


def release_file(request: HttpRequest, slug: str, release_slug: str, name: str) -> HttpResponseBase:
    access = film_access(slug, release_slug, request.user)
    found = ReleaseFile.objects.filter(release=access.release, name=name).first()
    if found is None:
        raise Http404
    return _serve(request, access, found)


def seed_file(request: HttpRequest, slug: str, release_slug: str, path: str) -> HttpResponseBase:
    """A BEP 19 web seed: "<torrent folder>/<file name>", as a torrent client asks for it."""
    access = film_access(slug, release_slug, request.user)
    folder, _, name = path.rpartition("/")
    stem = torrent_folder_name(access.release)
    if folder not in ("", stem, f"{stem}-sources"):
        raise Http404
    found = (
        ReleaseFile.objects.filter(release=access.release, name=name)
        .exclude(kind__in=[ReleaseFile.Kind.TORRENT, ReleaseFile.Kind.SOURCES_TORRENT])
        .first()
    )
    if found is None:
        raise Http404
    return _serve(request, access, found)


def seed_root(request: HttpRequest, slug: str, release_slug: str) -> HttpResponse:
    film_access(slug, release_slug, request.user)
    raise Http404


def stream_file(request: HttpRequest, slug: str, release_slug: str, path: str) -> HttpResponseBase:
    access = film_access(slug, release_slug, request.user)
    release = access.release
    if not release.build_folder:
        raise Http404
    folder = (Path(settings.MEDIA_ROOT) / release.build_folder / "stream").resolve()
    target = (folder / path).resolve()
    content_type = STREAM_TYPES.get(target.suffix.lower())
    if content_type is None or not target.is_relative_to(folder) or not target.is_file():
        raise Http404
    return _cache_headers(serve_file(request, target, content_type=content_type), access)


def stream_master(request: HttpRequest, slug: str, release_slug: str) -> HttpResponseBase:
    return stream_file(request, slug, release_slug, "master.m3u8")


def asset_file(request: HttpRequest, slug: str, release_slug: str, which: str, path: str) -> HttpResponseBase:
    """The poster's and the trailer's renditions, public with the premiere page."""
    access = page_access(slug, release_slug, request.user)
    asset = {"poster": access.release.poster, "trailer": access.release.trailer}.get(which)
    if asset is None:
        raise Http404
    folder = renditions_dir(asset).resolve()
    target = (folder / path).resolve()
    content_type = RENDITION_TYPES.get(target.suffix.lower())
    if content_type is None or not target.is_relative_to(folder) or not target.is_file():
        raise Http404
    response = serve_file(request, target, content_type=content_type)
    response["Cache-Control"] = "public, max-age=3600" if access.teaser else "private, no-store"
    return response


def caption(request: HttpRequest, slug: str, release_slug: str, language: str) -> HttpResponse:
    access = film_access(slug, release_slug, request.user)
    subtitle = access.release.subtitles.filter(language=language).first()
    if subtitle is None:
        raise Http404
    response = HttpResponse(subtitle.text, content_type="text/vtt; charset=utf-8")
    _cache_headers(response, access)
    return response


def credits_page(request: HttpRequest, slug: str, release_slug: str) -> HttpResponse:
    access = film_access(slug, release_slug, request.user)
    release = access.release
    return render(
        request,
        "releases/credits.html",
        {
            "release": release,
            "production": release.production,
            "credits": credits_of(release),
            "urls": page._urls(release),
        },
    )


def credits_text(request: HttpRequest, slug: str, release_slug: str) -> HttpResponse:
    access = film_access(slug, release_slug, request.user)
    response = HttpResponse(
        credits_as_text(credits_of(access.release)), content_type="text/plain; charset=utf-8"
    )
    return response


def credits_json(request: HttpRequest, slug: str, release_slug: str) -> JsonResponse:
    access = film_access(slug, release_slug, request.user)
    return JsonResponse(
        credits_as_json(credits_of(access.release)), json_dumps_params={"ensure_ascii": False}
    )


@xframe_options_exempt
def embed(request: HttpRequest, slug: str, release_slug: str) -> HttpResponse:
    """The bare player, for other sites' iframes (oEmbed)."""
    access = film_access(slug, release_slug, request.user)
    response = render(request, "releases/embed.html", page.embed_context(access))
    # Other sites may frame this page, and only this one.
    response["Content-Security-Policy"] = "frame-ancestors *"
    return response
